import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { buildInventory, InventoryError, nodesFromOutputs } from "../../ansible/inventory";
import { displayPath, loadConfig } from "../../config/load";
import { UsageError, type CommandResult } from "../result";

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
  const documents = options.outputs.map((file) => {
    if (!existsSync(file)) throw new UsageError(`${file}: file not found`);
    try {
      return { file: displayPath(file), json: JSON.parse(readFileSync(file, "utf8")) as unknown };
    } catch (error) {
      throw new UsageError(`${displayPath(file)}: not valid JSON (${(error as Error).message})`);
    }
  });
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
