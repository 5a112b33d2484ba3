/**
 * Start-up benchmark: whole `aiwc` processes, median of BENCH_RUNS (default 5), beside
 * `node -e 0` and `node -e 'require("cdktf")'` measured in the same run (the targets are
 * ratios to those). Usage: tsx bench/startup.bench.ts [aiwc-root]  — the root defaults to this
 * checkout; pass another (e.g. a worktree of an older commit) to measure it the same way.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(process.argv[2] ?? join(__dirname, ".."));
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

// Peak RSS of the measured process: a one-line preload writes it at exit.
const scratch = mkdtempSync(join(tmpdir(), "aiwc-startup-"));
const rssFile = join(scratch, "rss");
const preload = join(scratch, "rss.cjs");
writeFileSync(preload, `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`);

/** Wall time (ms) and peak RSS (MB) of one process, medians over RUNS. */
function measure(args: string[]): { ms: number; rssMb: number } {
  const times: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ["-r", preload, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" }, maxBuffer: 512 * 1024 * 1024 });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (r.status !== 0 && r.status !== 2) throw new Error(`${args.join(" ")} failed (${r.status}): ${r.stderr.slice(-500)}`);
    rss.push(Number(readFileSync(rssFile, "utf8")) / 1024);
  }
  return { ms: Math.round(median(times)), rssMb: Math.round(median(rss)) };
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
rmSync(scratch, { recursive: true, force: true });
