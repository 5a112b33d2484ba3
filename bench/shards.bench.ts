/**
 * Users sharded into stacks at scale (issue #18): the default cluster with 100,000 generated
 * users in ceil(users / 200) users stacks, as whole processes beside `node -e 0`:
 *
 * - `aiwc synth` (every stack built, priced, gated and written) — target ≤ 60 s and ≤ 2 GB;
 * - `aiwc cost` (the same in memory, table output);
 * - after a one-user change (a pack added): `aiwc synth --stack <their stack>` — target ≤ 1 s.
 *
 *   npm run bench:shards              # 100,000 users, BENCH_RUNS (default 3) runs each
 *   npm run bench:shards -- 20000     # another user count
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { configWithUsers } from "../test/helpers-scale";
import { proposedShards, shardStackName, userShard } from "../config/placement";
import { measureProcess } from "./measure";

const ROOT = resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const users = Number(process.argv[2] ?? 100_000);
const shards = proposedShards(users, 200);
const bin = join(ROOT, "bin", "aiwc.cjs");

const dir = mkdtempSync(join(tmpdir(), "aiwc-bench-shards-"));
try {
  // users − 1 generated users and one more whose packs change below (aiwc's limit is 100,000 users).
  configWithUsers(users - 1, dir, "hetzner", shards);
  const newcomer = "zz-newcomer";
  const entry = (packs: string) => `  - name: ${newcomer}\n    tariff: basic\n    packs: [${packs}]\n    sshKey: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBuiZ5GD2kh710VAvt4oM+BSUW3xZD+Fd0wH9X6Nbm8P ${newcomer}\n`;
  appendFileSync(join(dir, "users.yaml"), entry(""));
  const out = join(dir, "out");
  const rows: [string, ReturnType<typeof measureProcess>][] = [
    ["node -e 0", measureProcess(["-e", "0"], { cwd: ROOT, runs: RUNS })],
    [`aiwc synth (${users.toLocaleString("en")} users, ${shards} users stacks)`, measureProcess([bin, "synth", "-c", dir, "-o", out, "--quiet"], { cwd: ROOT, runs: RUNS })],
    ["aiwc cost (table)", measureProcess([bin, "cost", "-c", dir, "--quiet", "--date", "2026-11-27"], { cwd: ROOT, runs: RUNS })],
  ];
  // One user's change (a pack added): only their stack is synthesized again.
  const text = readFileSync(join(dir, "users.yaml"), "utf8");
  writeFileSync(join(dir, "users.yaml"), text.replace(entry(""), entry("storage-plus")));
  const stack = shardStackName(userShard(newcomer, shards));
  rows.push([`one user's packs changed: aiwc synth --stack ${stack}`, measureProcess([bin, "synth", "-c", dir, "-o", out, "--quiet", "--stack", stack], { cwd: ROOT, runs: Math.max(RUNS, 5) })]);
  console.log(`node ${process.version}, ${RUNS} runs each (5 for --stack), median (all runs)\n`);
  console.log("| command | median wall | peak RSS | runs |\n|---|---:|---:|---|");
  for (const [name, m] of rows) console.log(`| ${name} | ${(m.ms / 1000).toFixed(2)} s | ${m.rssMb} MB | ${m.runs.map((r) => `${(r.ms / 1000).toFixed(1)} s / ${r.rssMb} MB`).join(", ")} |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
