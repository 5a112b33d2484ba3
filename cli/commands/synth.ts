import { relative } from "node:path";
import { loadConfig } from "../../model/load";
import { STACK_NAMES, synthesize } from "../../stacks/app";
import type { CommandResult } from "../result";
import { withProgress } from "../progress";

export interface SynthOptions {
  readonly config?: string;
  readonly out?: string;
  /** No progress lines on stderr. */
  readonly quiet?: boolean;
}

/** `aiwc synth`: the same App as `cdktf synth`, built in-process (no CLI start-up, no subprocess). */
export function synth(options: SynthOptions): CommandResult {
  const config = loadConfig(options.config);
  const { app, cost } = withProgress(config.users.length, { quiet: options.quiet === true }, (onStep) =>
    synthesize(config, { ...(options.out !== undefined ? { outdir: options.out } : {}), onStep }),
  );
  const report = cost();
  const where = relative(process.cwd(), app.outdir) || ".";
  return {
    stdout: STACK_NAMES.map((name) => `synthesized ${name} → ${where}/stacks/${name}/cdk.tf.json`).join("\n"),
    stderr: [
      ...config.warnings.map((w) => `warning: ${w}`),
      ...(report?.gate.warnings ?? []).map((w) => `warning: ${w}`),
      ...(report?.gate.override !== undefined ? [`cost gate override (${report.gate.override.source}): ${report.gate.override.reason}`] : []),
    ].join("\n"),
    exitCode: 0,
  };
}
