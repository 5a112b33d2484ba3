/**
 * The cdktf app entry (`cdktf.json` → `npx tsx stacks/main.ts`). Reads the config named by
 * AIWC_CONFIG (default: config/), builds the platform and users stacks and synthesizes them.
 * A config error prints every problem and exits 1 without a stack trace.
 */
import { loadConfig } from "../model/load";
import { ConfigError, formatProblem } from "../config/problems";
import { ensureTerraformEnv } from "../providers/tf-env";
import { synthesize } from "./app";
import { GateFailure } from "./gate-failure";
import { InputError } from "../cost/input";

function main(): void {
  ensureTerraformEnv();
  try {
    const config = loadConfig();
    for (const warning of config.warnings) console.warn(`warning: ${warning}`);
    const { cost } = synthesize(config);
    const report = cost();
    if (report?.gate.override !== undefined) console.warn(`aiwc: cost gate override (${report.gate.override.source}): ${report.gate.override.reason}`);
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) console.error(formatProblem(problem));
      console.error(`aiwc: configuration has ${error.problems.length} problem(s); nothing was synthesized`);
      process.exit(1);
    }
    if (error instanceof InputError) {
      console.error(`aiwc: ${error.message}`);
      process.exit(1);
    }
    if (error instanceof GateFailure) {
      console.error(error.message);
      console.error("aiwc: nothing was synthesized; see `aiwc cost` for the full report");
      process.exit(1);
    }
    throw error;
  }
}

main();
