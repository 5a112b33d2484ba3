import { resolve } from "node:path";
import { verifyOutput } from "../../stacks/gate-record";
import type { CommandResult } from "../result";

/** Exit code when a stack differs from what the gate judged, or the gate failed. */
export const EXIT_NOT_VERIFIED = 2;

/** `aiwc verify [dir]`: the stacks in the synthesis output are exactly what the gate passed. */
export function verify(options: { readonly dir: string }): CommandResult {
  const result = verifyOutput(resolve(options.dir));
  return { stdout: result.lines.join("\n"), exitCode: result.ok ? 0 : EXIT_NOT_VERIFIED };
}
