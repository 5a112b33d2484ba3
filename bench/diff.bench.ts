/**
 * `aiwc cost diff --base <git ref>` on the default config against two plain `aiwc synth` runs,
 * as an operator or CI runs them (whole processes, same machine, same run). Target (issue #5):
 * the diff takes at most 1.2× the time of two syntheses.
 *
 *   npm run bench:diff
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BIN = join(ROOT, "bin", "aiwc.cjs");

function timed(args: string[], cwd: string): number {
  const started = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
  if (r.status !== 0 && r.status !== 2) throw new Error(`aiwc ${args.join(" ")} failed:\n${r.stderr}`);
  return performance.now() - started;
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

const repo = mkdtempSync(join(tmpdir(), "aiwc-bench-diff-"));
try {
  const git = (...args: string[]) => spawnSync("git", ["-c", "user.name=b", "-c", "user.email=b@example.org", ...args], { cwd: repo, encoding: "utf8" });
  git("init", "-q");
  cpSync(join(ROOT, "config"), join(repo, "config"), { recursive: true, filter: (src) => !src.includes("examples") });
  git("add", "-A");
  git("commit", "-qm", "base");
  const out = join(repo, "out");
  const diffs: number[] = [];
  const twoSyntheses: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    diffs.push(timed(["cost", "diff", "--base", "HEAD", "--config", "config", "--format", "json"], repo));
    twoSyntheses.push(timed(["synth", "--config", "config", "--out", out], repo) + timed(["synth", "--config", "config", "--out", out], repo));
  }
  const d = median(diffs);
  const s = median(twoSyntheses);
  console.log(`node ${process.version}, ${RUNS} runs each, median\n`);
  console.log("| default config | wall time |");
  console.log("|---|---:|");
  console.log(`| aiwc cost diff --base HEAD | ${d.toFixed(0)} ms |`);
  console.log(`| two aiwc synth runs | ${s.toFixed(0)} ms |`);
  console.log(`| ratio | ${(d / s).toFixed(2)}× |`);
} finally {
  rmSync(repo, { recursive: true, force: true });
}
