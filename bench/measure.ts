/**
 * Whole-process measurements for the benchmarks: wall time and peak RSS of `node <args>`,
 * medians over a number of runs. Peak RSS comes from a one-line preload that writes
 * `process.resourceUsage().maxRSS` at exit.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export interface ProcessMeasure {
  /** Median wall time, ms. */
  readonly ms: number;
  /** Median peak RSS, MB. */
  readonly rssMb: number;
  readonly runs: readonly { readonly ms: number; readonly rssMb: number }[];
}

/** Runs `node <args>` `runs` times in `cwd`; exit codes 0 and 2 (a gate verdict) count as runs. */
export function measureProcess(args: readonly string[], options: { readonly cwd: string; readonly runs: number }): ProcessMeasure {
  const scratch = mkdtempSync(join(tmpdir(), "aiwc-measure-"));
  const rssFile = join(scratch, "rss");
  const preload = join(scratch, "rss.cjs");
  writeFileSync(preload, `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`);
  try {
    const runs: { ms: number; rssMb: number }[] = [];
    for (let i = 0; i < options.runs; i++) {
      const started = process.hrtime.bigint();
      const r = spawnSync(process.execPath, ["-r", preload, ...args], { cwd: options.cwd, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" }, maxBuffer: 512 * 1024 * 1024 });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (r.status !== 0 && r.status !== 2) throw new Error(`${args.join(" ")} failed (${r.status}): ${r.stderr.slice(-500)}`);
      runs.push({ ms: Math.round(ms), rssMb: Math.round(Number(readFileSync(rssFile, "utf8")) / 1024) });
    }
    return { ms: median(runs.map((r) => r.ms)), rssMb: median(runs.map((r) => r.rssMb)), runs };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
