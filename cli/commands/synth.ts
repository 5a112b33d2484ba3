import { relative } from "node:path";
import { loadConfig } from "../../model/load";
import { selectStacks, stackNames, synthesize } from "../../stacks/app";
import type { CommandResult } from "../result";
import { withProgress } from "../progress";
import { InputError } from "../../cost/input";

export interface SynthOptions {
  readonly config?: string;
  readonly out?: string;
  /** No progress lines on stderr. */
  readonly quiet?: boolean;
  /** Only these users stacks (`users-07`): written without the cost gate. */
  readonly stack?: readonly string[];
}

/** `aiwc synth`: the same App as `cdktf synth`, built in-process (no CLI start-up, no subprocess). */
export function synth(options: SynthOptions): CommandResult {
  const config = loadConfig(options.config);
  const selected = options.stack === undefined || options.stack.length === 0 ? undefined : selectStacks(config, options.stack);
  if (selected?.includes("platform")) throw new InputError("--stack names users stacks only: the platform is synthesized (and judged by the cost gate) with every stack; run `aiwc synth` without --stack");
  const { app, cost } = withProgress(config.users.length, { quiet: options.quiet === true }, (onStep) =>
    synthesize(config, { ...(options.out !== undefined ? { outdir: options.out } : {}), ...(selected !== undefined ? { stacks: selected } : {}), onStep }),
  );
  const report = cost();
  const where = relative(process.cwd(), app.outdir) || ".";
  return {
    stdout: (selected ?? stackNames(config)).map((name) => `synthesized ${name} → ${where}/stacks/${name}/cdk.tf.json`).join("\n"),
    stderr: [
      ...config.warnings.map((w) => `warning: ${w}`),
      ...(selected !== undefined
        ? [`note: only ${selected.join(", ")} written, without the cost gate (it judges every stack together); the gate record is unchanged, so \`aiwc verify\` refuses a stack whose JSON changed until a full \`aiwc synth\``]
        : []),
      ...(report?.gate.warnings ?? []).map((w) => `warning: ${w}`),
      ...(report?.gate.override !== undefined ? [`cost gate override (${report.gate.override.source}): ${report.gate.override.reason}`] : []),
    ].join("\n"),
    exitCode: 0,
  };
}
