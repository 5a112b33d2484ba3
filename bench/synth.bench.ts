/**
 * Synthesis benchmark: the default config, and the same cluster with 1,000 and 10,000 users.
 * Each case runs in its own process (peak RSS is per process), three times; the median is
 * reported. Targets (issue #2): default ≤ 1 s, 10,000 users ≤ 15 s and ≤ 2 GB.
 *
 *   npm run bench            # all cases
 *   npm run bench -- 1000    # only the given user counts (0 = default config)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { configWithUsers } from "../test/helpers-scale";

const ROOT = resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

interface Sample {
  users: number;
  resources: number;
  importMs: number;
  loadMs: number;
  synthMs: number;
  totalMs: number;
  peakRssMb: number;
  wallMs: number;
}


function once(users: number, provider: "hetzner" | "aws"): Sample {
  const dir = mkdtempSync(join(tmpdir(), "aiwc-bench-"));
  try {
    configWithUsers(users, join(dir), provider);
    const started = performance.now();
    const result = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "bench", "synth-once.ts"), dir, join(dir, "out")], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, CHECKPOINT_DISABLE: "1" },
      maxBuffer: 1 << 20,
    });
    const wallMs = Math.round(performance.now() - started);
    if (result.status !== 0) throw new Error(`synthesis of ${users} users failed:\n${result.stderr}`);
    return { ...(JSON.parse(result.stdout.trim().split("\n").pop()!) as Omit<Sample, "wallMs">), wallMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(samples: Sample[], key: keyof Sample): number {
  const values = samples.map((s) => s[key]).sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)]!;
}

// `npm run bench -- aws 0 1000`: the aws-seed stacks (deep imports of @cdktf/provider-aws).
const args = process.argv.slice(2);
const provider = args[0] === "aws" ? "aws" : "hetzner";
const cases = args.filter((a) => a !== "aws").map(Number);
const userCounts = cases.length > 0 ? cases : [0, 1000, 10000];
console.log(`node ${process.version}, ${RUNS} runs each, median\n`);
console.log("| config | users | resources | in-process: config load + synthesis | process wall time (incl. start-up) | peak RSS |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const users of userCounts) {
  const samples = Array.from({ length: RUNS }, () => once(users, provider));
  const inProcess = median(samples, "loadMs") + median(samples, "synthMs");
  console.log(
    `| ${provider === "aws" ? "aws-seed" : "default"}${users === 0 ? "" : ` + ${users} users`} | ${samples[0]!.users} | ${samples[0]!.resources} | ${inProcess} ms (${median(samples, "loadMs")} + ${median(samples, "synthMs")}) | ${median(samples, "wallMs")} ms | ${median(samples, "peakRssMb")} MB |`,
  );
}
