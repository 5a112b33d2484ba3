/**
 * Start-up benchmark: whole `aiwc` processes, median of BENCH_RUNS (default 5), beside
 * `node -e 0` and `node -e 'require("cdktf")'` measured in the same run (the targets are
 * ratios to those). Usage: tsx bench/startup.bench.ts [aiwc-root]  — the root defaults to this
 * checkout; pass another (e.g. a worktree of an older commit) to measure it the same way.
 */
import { join, resolve } from "node:path";
import { measureProcess } from "./measure";

const ROOT = resolve(process.argv[2] ?? join(__dirname, ".."));
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

/** Wall time (ms) and peak RSS (MB) of one process, medians over RUNS. */
function measure(args: string[]): { ms: number; rssMb: number } {
  const { ms, rssMb } = measureProcess(args, { cwd: ROOT, runs: RUNS });
  return { ms, rssMb };
}

const bin = join(ROOT, "bin", "aiwc.cjs");
const cases: [string, string[]][] = [
  ["node -e 0", ["-e", "0"]],
  ['node -e \'require("cdktf")\'', ["-e", 'require("cdktf")']],
  ["aiwc --help", [bin, "--help"]],
  ["aiwc validate", [bin, "validate"]],
  ["aiwc cost (default config)", [bin, "cost", "--date", "2026-11-27"]],
  ["aiwc cost --format json", [bin, "cost", "--format", "json", "--date", "2026-11-27"]],
];
const results = cases.map(([name, args]) => ({ name, ...measure(args) }));
const base = results[0]!.ms;
const cdktf = results[1]!.ms;
console.log(`| command | median wall | × node -e 0 | × require("cdktf") | peak RSS |\n|---|---:|---:|---:|---:|`);
for (const r of results) console.log(`| ${r.name} | ${r.ms} ms | ${(r.ms / base).toFixed(2)} | ${(r.ms / cdktf).toFixed(2)} | ${r.rssMb} MB |`);
