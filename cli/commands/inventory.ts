import { writeFileSync } from "node:fs";
import { buildInventory, InventoryError, nodesFromOutputs } from "../../ansible/inventory";
import { displayPath, loadConfig } from "../../model/load";
import { UsageError, type CommandResult } from "../result";
import { readJsonFile } from "../input-files";

export interface InventoryOptions {
  readonly config?: string;
  /** Output files: `cdktf output --outputs-file` JSON, or `terraform output -json` per stack. */
  readonly outputs: readonly string[];
  /** Write the inventory here instead of stdout. */
  readonly out?: string;
}

/** `aiwc inventory`: the Ansible inventory from the deployed stacks' outputs. */
export function inventory(options: InventoryOptions): CommandResult {
  const config = loadConfig(options.config);
  const documents = options.outputs.map((file) => ({ file: displayPath(file), json: readJsonFile(file, "stack outputs (cdktf output --outputs-file, or terraform output -json)") }));
  try {
    const text = buildInventory(config, nodesFromOutputs(documents));
    if (options.out !== undefined) {
      writeFileSync(options.out, text);
      return { stdout: `wrote ${displayPath(options.out)}`, exitCode: 0 };
    }
    return { stdout: text, exitCode: 0 };
  } catch (error) {
    if (error instanceof InventoryError) throw new UsageError(error.message);
    throw error;
  }
}
