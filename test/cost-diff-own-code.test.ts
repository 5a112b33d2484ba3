/**
 * Each side priced by its own code: GIVEN a clone of this project with a commit that changes
 * only code (the Ceph data volume doubled in the Hetzner construct, no config change), WHEN
 * `aiwc cost diff --base HEAD~1` runs, THEN the diff shows what the code change costs — the
 * base synthesized and priced by the base commit's code in its worktree. Also: --base-dir
 * takes a base synthesized elsewhere.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { copyWorkingTree, ROOT, tempDir } from "./helpers";

const DATE = "2026-11-27";
let clone: string;

/** Compiles the clone's checked-out code into its dist/, as `npm ci` and `npm run build` do. */
const build = () => execFileSync(process.execPath, [join(clone, "scripts", "build.cjs"), "--no-compile-cache"], { cwd: clone, stdio: ["ignore", "pipe", "pipe"] });

const git = (args: string[]) => execFileSync("git", args, { cwd: clone, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

function aiwc(args: string[]) {
  const { AIWC_COST_OVERRIDE: _o, AIWC_CONFIG: _c, ...env } = process.env;
  const r = spawnSync(process.execPath, [join(clone, "bin", "aiwc.cjs"), ...args], { cwd: clone, encoding: "utf8", env: { ...env, CHECKPOINT_DISABLE: "1" }, timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  clone = join(tempDir("aiwc-own-code-"), "repo");
  execFileSync("git", ["clone", "--quiet", "--no-hardlinks", ROOT, clone]);
  // The clone's working tree: exactly what this checkout has now (committed or not, files
  // moved or deleted included), so the test exercises the code under test; node_modules and
  // bindings from this checkout.
  copyWorkingTree(clone);
  symlinkSync(join(ROOT, "node_modules"), join(clone, "node_modules"), "dir");
  cpSync(join(ROOT, ".gen"), join(clone, ".gen"), { recursive: true });
  git(["-c", "user.email=ci@example.org", "-c", "user.name=ci", "add", "-A", "."]);
  git(["-c", "user.email=ci@example.org", "-c", "user.name=ci", "commit", "--quiet", "--allow-empty", "-m", "base: the code under test"]);
  // A code-only change: every Ceph data volume twice the configured size.
  const file = join(clone, "clouds", "hetzner", "constructs", "node-group.ts");
  const code = readFileSync(file, "utf8");
  const changed = code.replace("size: props.dataVolumeGb,", "size: props.dataVolumeGb * 2,");
  expect(changed).not.toBe(code);
  writeFileSync(file, changed);
  git(["-c", "user.email=ci@example.org", "-c", "user.name=ci", "commit", "--quiet", "-am", "head: Ceph volumes doubled in code"]);
  build();
}, 300_000);

describe("cost diff prices each side with its own code", () => {
  test("a code-only change shows its cost: the base is priced by the base commit's code", () => {
    const r = aiwc(["cost", "diff", "--base", "HEAD~1", "--date", DATE, "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const diff = JSON.parse(r.stdout);
    const ceph = diff.groups.find((g: { name: string }) => g.name === "ceph-storage");
    expect(ceph).toBeDefined();
    expect(Number(ceph.change)).toBeGreaterThan(50);
    expect(Number(diff.monthly.change)).toBe(Number(ceph.change));
    expect(diff.base.source).toMatch(/^HEAD~1 \([0-9a-f]{12}\)$/);
    // The volumes' size changes in place (a resize, not a replacement).
    expect(diff.resources.filter((x: { change: string }) => x.change === "replaced")).toEqual([]);
  });

  test("--base-dir takes the base's own synthesis output", () => {
    const out = join(tempDir(), "base-out");
    git(["stash", "--quiet", "--include-untracked"]);
    git(["checkout", "--quiet", "HEAD~1"]);
    build();
    expect(aiwc(["synth", "--out", out]).code).toBe(0);
    git(["checkout", "--quiet", "-"]);
    build();
    const r = aiwc(["cost", "diff", "--base-dir", out, "--date", DATE, "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const diff = JSON.parse(r.stdout);
    expect(Number(diff.groups.find((g: { name: string }) => g.name === "ceph-storage").change)).toBeGreaterThan(50);
    expect(aiwc(["cost", "diff", "--base-dir", tempDir(), "--date", DATE]).stderr).toContain("has neither aiwc-report.json nor stacks/*/cdk.tf.json");
    expect(aiwc(["cost", "diff", "--date", DATE]).stderr).toContain("name the base");
  });
});
