/**
 * The `aiwc` command and `npx cdktf synth`, run as an operator runs them: real processes,
 * exit codes, stdout/stderr, no stack traces for expected failures.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { fixtureConfig, ROOT, tempDir } from "./helpers";

const BIN = join(ROOT, "bin", "aiwc.cjs");

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT) {
  const result = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: join(ROOT, "providers", "terraform.rc"), ...env },
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const aiwc = (args: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT) => run(process.execPath, [BIN, ...args], env, cwd);

describe("aiwc", () => {
  test("--help lists the commands", () => {
    const { code, stdout } = aiwc(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Usage: aiwc/);
    expect(stdout).toMatch(/validate/);
    expect(stdout).toMatch(/synth/);
  });

  test("an unknown command exits 1 with usage, no stack trace", () => {
    const { code, stderr } = aiwc(["deploy-everything"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/unknown command 'deploy-everything'/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  test("validate accepts the default config", () => {
    const { code, stdout } = aiwc(["validate"]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe("config/cluster.yaml: valid — hetzner, 6 node groups, 11 nodes, 30 users");
  });

  test("validate prints every problem, exits 1, no stack trace, and loses nothing", () => {
    const dir = fixtureConfig({
      cluster: (d) => d.setIn(["nodeGroups", "controllers", "count"], 2),
      users: (d) => d.setIn(["users", 1, "name"], "anna"),
    });
    const before = readFileSync(join(dir, "cluster.yaml"), "utf8");
    const { code, stdout, stderr } = aiwc(["validate", "--config", dir]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain(`${dir}/cluster.yaml: nodeGroups.controllers.count: controllers must number 1, 3, 5 or 7`);
    expect(stderr).toContain(`${dir}/users.yaml: users[1].name: "anna" is already used by users[0]`);
    expect(stderr).toMatch(/the configuration has 2 problem\(s\)/);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(join(dir, "cluster.yaml"), "utf8")).toBe(before);
  });

  test("validate --format json returns the problems for machines", () => {
    const dir = fixtureConfig({ cluster: (d) => d.setIn(["nodeGroups", "bastion", "count"], 3) });
    const { code, stdout } = aiwc(["validate", "--config", join(dir, "cluster.yaml"), "--format", "json"]);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({
      valid: false,
      problems: [{ file: `${dir}/cluster.yaml`, path: "nodeGroups.bastion.count", message: "must be 1: the bastion is the single SSH entry and NAT gateway, got 3" }],
      warnings: [],
    });
  });

  test("AIWC_CONFIG selects the config when --config is absent", () => {
    const { code, stdout } = aiwc(["validate"], { AIWC_CONFIG: join(ROOT, "config", "examples", "seed-18") });
    expect(code).toBe(0);
    expect(stdout).toContain("5 node groups, 17 nodes, 30 users");
  });

  test("a missing config path says so", () => {
    const { code, stderr } = aiwc(["validate", "--config", "/nonexistent/aiwc"]);
    expect(code).toBe(1);
    expect(stderr).toContain("/nonexistent/aiwc: file not found");
  });

  test("synth writes both stacks to --out", () => {
    const out = tempDir();
    const { code, stdout } = aiwc(["synth", "--out", out]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/synthesized platform/);
    for (const stack of ["platform", "users-00"]) expect(existsSync(join(out, "stacks", stack, "cdk.tf.json"))).toBe(true);
  });

  test("synth and cost print no deprecation warning on Node 22 and later (util's type checks)", () => {
    // Node 22 deprecates util.isArray and its kin at run time (DEP0044 …): a call prints a
    // DeprecationWarning on stderr. Preloaded here as Node 22 does it, so this Node shows it too.
    const dir = tempDir();
    const preload = join(dir, "node22-util.cjs");
    writeFileSync(
      preload,
      [
        'const util = require("node:util");',
        'for (const name of ["isArray", "isBoolean", "isBuffer", "isDate", "isError", "isFunction", "isNull", "isNullOrUndefined", "isNumber", "isObject", "isPrimitive", "isRegExp", "isString", "isSymbol", "isUndefined", "_extend"]) {',
        '  if (typeof util[name] === "function") util[name] = util.deprecate(util[name], `The \\`util.${name}\\` API is deprecated.`, "DEP0044");',
        "}",
        "",
      ].join("\n"),
    );
    const node22 = { NODE_OPTIONS: `--require ${preload}` };
    const synth = aiwc(["synth", "--out", join(dir, "out")], node22);
    expect(synth.code).toBe(0);
    expect(synth.stderr).toBe("");
    const cost = aiwc(["cost", "--quiet"], node22);
    expect(cost.code).toBe(0);
    expect(cost.stderr).toBe("");
  });

  test("synth refuses a bad config without writing anything", () => {
    const out = tempDir();
    const dir = fixtureConfig({ cluster: (d) => d.setIn(["network", "cidr"], "nope") });
    const { code } = aiwc(["synth", "--config", dir, "--out", out]);
    expect(code).toBe(1);
    expect(existsSync(join(out, "stacks"))).toBe(false);
  });
});

describe("npx cdktf synth", () => {
  test("writes the platform and users stacks offline, without credentials", () => {
    const out = tempDir();
    const env = { HCLOUD_TOKEN: "", AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" };
    const { code, stdout, stderr } = run(join(ROOT, "node_modules", ".bin", "cdktf"), ["synth", "--output", out], env);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/Generated Terraform code for the stacks: platform, users/);
    for (const stack of ["platform", "users-00"]) expect(existsSync(join(out, "stacks", stack, "cdk.tf.json"))).toBe(true);
  });

  test("fails with the config problems when AIWC_CONFIG is bad", () => {
    const out = tempDir();
    const dir = fixtureConfig({ cluster: (d) => d.setIn(["ceph", "replication"], 5) });
    const { code, stdout, stderr } = run(join(ROOT, "node_modules", ".bin", "cdktf"), ["synth", "--output", out], { AIWC_CONFIG: dir });
    expect(code).not.toBe(0);
    expect(`${stdout}${stderr}`).toContain("Ceph needs at least ceph.replication (5) storage nodes, got 3");
  });
});
