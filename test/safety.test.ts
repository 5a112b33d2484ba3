/**
 * Safe by default: routine changes never replace users' machines, every destroy and
 * replacement is seen and fails the gate unless allowed by address, nothing gets past the
 * gate quietly, work is bounded, and bad input is an error naming file and path.
 *
 * Each `describe` names the finding of the safety issue it covers.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseDocument } from "yaml";
import { cost } from "../cli/commands/cost";
import { costDiff } from "../cli/commands/cost-diff";
import { loadConfig } from "../model/load";
import { ConfigError, formatProblem } from "../config/problems";
import { fixtureConfig, portableOn, ROOT, tempDir, type FixtureEdits } from "./helpers";

const BIN = join(ROOT, "bin", "aiwc.cjs");
const DATE = "2026-11-27";

function aiwc(args: string[], env: NodeJS.ProcessEnv = {}) {
  const { AIWC_COST_OVERRIDE: _o, AIWC_ALLOW_DATA_LOSS: _a, AIWC_PRICING_DATE: _p, ...inherited } = process.env;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", env: { ...inherited, CHECKPOINT_DISABLE: "1", ...env }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, out: `${r.stdout}${r.stderr}` };
}

function problemsOf(dir: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    loadConfig(dir, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => formatProblem(p).replaceAll(`${dir}/`, ""));
    throw error;
  }
  return [];
}

type Doc = ReturnType<typeof parseDocument>;
const set = (path: (string | number)[], value: unknown) => (d: Doc) => d.setIn(path, value);

function awsConfig(users?: (d: Doc) => void): string {
  const dir = portableOn("aws");
  const cluster = parseDocument(readFileSync(join(dir, "cluster.yaml"), "utf8"));
  const usersDoc = parseDocument(readFileSync(join(ROOT, "config", "users.yaml"), "utf8"));
  users?.(usersDoc);
  writeFileSync(join(dir, "users.yaml"), usersDoc.toString());
  cluster.setIn(["files", "users"], "users.yaml");
  cluster.setIn(["policy", "override"], { reason: "safety test: placement only, not the budget" });
  writeFileSync(join(dir, "cluster.yaml"), cluster.toString());
  return dir;
}

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBuiZ5GD2kh710VAvt4oM+BSUW3xZD+Fd0wH9X6Nbm8P";

describe("Found 1: AWS onboarding moves nobody", () => {
  test("a user whose name sorts first changes no other instance or volume; the diff shows no replacement", () => {
    const base = awsConfig();
    const head = awsConfig((d) => (d.get("users") as { items: unknown[] }).items.unshift(d.createNode({ name: "aardvark", tariff: "basic", packs: ["storage-plus"], sshKey: `${KEY} aardvark` })));
    const json = JSON.parse(costDiff({ base, config: head, date: DATE, format: "json", failOn: ["data-at-risk", "gate"] }).stdout);
    expect(json.resources.filter((r: { change: string }) => r.change !== "added")).toEqual([]);
    expect(json.resources.map((r: { address: string }) => r.address).every((a: string) => a.includes("aardvark"))).toBe(true);
    expect(json.dataAtRisk).toEqual([]);
    expect(json.failOn).toEqual([]);
  });

  test("a users[].zone pin places the VM; a zone outside aws.availabilityZones is an error", () => {
    const pinned = awsConfig((d) => d.setIn(["users", 0, "zone"], "eu-central-1b"));
    expect(problemsOf(pinned)).toEqual([]);
    const wrong = awsConfig((d) => d.setIn(["users", 0, "zone"], "eu-west-1a"));
    expect(problemsOf(wrong)).toEqual([
      'users.yaml: users[0].zone: "eu-west-1a" is not one of aws.availabilityZones (eu-central-1a, eu-central-1b); pin the zone the VM is in, or add it to aws.availabilityZones',
    ]);
  });
});

describe("Found 2: key rotation, sudo and admin CIDRs replace nothing", () => {
  const rotated: FixtureEdits = {
    users: (d) => {
      d.setIn(["users", 1, "sshKey"], "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOnewkeyOnewkeyOnewkeyOnewkeyOnewkeyOnewkey0 ben@laptop");
      d.setIn(["users", 2, "sudo"], true);
    },
    cluster: (d) => (d.getIn(["access", "adminCidrs"]) as { items: unknown[] }).items.push(d.createNode("203.0.113.0/24")),
  };

  test("the diff lists no replacement and says which playbook to run for whom", () => {
    const json = JSON.parse(costDiff({ base: join(ROOT, "config"), config: fixtureConfig(rotated), date: DATE, format: "json" }).stdout);
    expect(json.resources).toEqual([]);
    expect(json.dataAtRisk).toEqual([]);
    expect(json.ansible.map((h: { host: string; playbook: string }) => `${h.playbook} ${h.host}`).sort()).toEqual(["bastion.yml aiwc-bastion-01", "users.yml aiwc-u-ben", "users.yml aiwc-u-clara"]);
    expect(json.ansible.find((h: { user?: string }) => h.user === "ben").message).toContain("ben's account, key, sudo or firewall changed: run `ansible-playbook -i inventory.yml users.yml --limit aiwc-u-ben`");
    const markdown = costDiff({ base: join(ROOT, "config"), config: fixtureConfig(rotated), date: DATE, format: "markdown" }).stdout;
    expect(markdown).toContain("**After the deploy, run Ansible:**");
  });

  test("changing a replacement-forcing attribute is reported as replaced and is data at risk", () => {
    const moved = fixtureConfig({ cluster: set(["hetzner", "location"], "nbg1") });
    const json = JSON.parse(costDiff({ base: join(ROOT, "config"), config: moved, date: DATE, format: "json" }).stdout);
    const replaced = json.resources.filter((r: { change: string }) => r.change === "replaced");
    expect(replaced.some((r: { type: string; user?: string }) => r.type === "hcloud_server" && r.user === "anna")).toBe(true);
    expect(replaced.some((r: { type: string }) => r.type === "hcloud_volume")).toBe(true);
    expect(json.gate.passed).toBe(false);
    expect(json.gate.reasons.at(-1)).toMatch(/^data at risk: \d+ resource\(s\) holding data would be destroyed or replaced/);
  });
});

/** A hand-written `terraform show -json` plan: one EBS volume deleted, one Ceph volume replaced. */
function destroyingPlan(): string {
  const volume = (name: string, size: number) => ({ availability_zone: "eu-central-1a", size, type: "gp3", encrypted: true, tags: { "aiwc/group": "ceph-storage", "aiwc/role": "ceph" }, tags_all: {} , iops: 3000, throughput: 125, name });
  const plan = {
    format_version: "1.2",
    terraform_version: "1.11.0",
    planned_values: { root_module: { resources: [{ address: "aws_ebs_volume.ceph_1", mode: "managed", type: "aws_ebs_volume", name: "ceph_1", values: volume("ceph-1", 400) }] } },
    resource_changes: [
      { address: "aws_ebs_volume.ceph_1", mode: "managed", type: "aws_ebs_volume", name: "ceph_1", change: { actions: ["delete", "create"], before: volume("ceph-1", 400), after: volume("ceph-1", 400) } },
      { address: "aws_ebs_volume.user_ben", mode: "managed", type: "aws_ebs_volume", name: "user_ben", change: { actions: ["delete"], before: volume("ben", 2000), after: null } },
    ],
    configuration: { provider_config: { aws: { name: "aws", expressions: { region: { constant_value: "eu-central-1" } } } } },
  };
  const file = join(tempDir(), "plan.json");
  writeFileSync(file, JSON.stringify(plan));
  return file;
}

describe("Found 3: plan deletes and replacements", () => {
  test("cost --plan shows the destroy and the replacement, and the gate fails (exit 2) in every format", () => {
    const plan = destroyingPlan();
    const table = aiwc(["cost", "--plan", plan, "--date", DATE]);
    expect(table.code).toBe(2);
    expect(table.stdout).toContain("DATA AT RISK: plan:aws_ebs_volume.ceph_1 replaced");
    expect(table.stdout).toContain("DATA AT RISK: plan:aws_ebs_volume.user_ben destroyed");
    expect(table.stdout).toMatch(/destroyed by the plan: aws_ebs_volume\.user_ben \(\d+\.\d\d € per month before\)/);
    const json = JSON.parse(aiwc(["cost", "--plan", plan, "--date", DATE, "--format", "json"]).stdout);
    expect(json.gate.dataAtRisk).toEqual([
      expect.objectContaining({ address: "aws_ebs_volume.ceph_1", action: "replace", allowed: false }),
      expect.objectContaining({ address: "aws_ebs_volume.user_ben", action: "delete", allowed: false }),
    ]);
    expect(json.removed).toEqual([expect.objectContaining({ address: "aws_ebs_volume.user_ben" })]);
    expect(aiwc(["cost", "--plan", plan, "--date", DATE, "--format", "markdown"]).stdout).toContain("**⚠️ Data at risk:**");
  });

  test("allowed by address (command line, config or environment), the gate passes and prints the allowance", () => {
    const plan = destroyingPlan();
    const cli = aiwc(["cost", "--plan", plan, "--date", DATE, "--allow-data-loss", "aws_ebs_volume.ceph_1", "aws_ebs_volume.user_ben"]);
    expect(cli.stdout).toContain("data loss allowed (command line): aws_ebs_volume.ceph_1");
    expect(cli.stdout).not.toContain("data at risk:");
    const env = aiwc(["cost", "--plan", plan, "--date", DATE, "--format", "json"], { AIWC_ALLOW_DATA_LOSS: "aws_ebs_volume.ceph_1,aws_ebs_volume.user_ben" });
    expect(JSON.parse(env.stdout).gate.allowances).toEqual([
      { address: "aws_ebs_volume.ceph_1", source: "environment" },
      { address: "aws_ebs_volume.user_ben", source: "environment" },
    ]);
    const partly = aiwc(["cost", "--plan", plan, "--date", DATE, "--allow-data-loss", "aws_ebs_volume.ceph_1"]);
    expect(partly.stdout).toContain("data at risk: 1 resource(s) holding data would be destroyed or replaced: plan:aws_ebs_volume.user_ben (destroyed)");
    const override = aiwc(["cost", "--plan", plan, "--date", DATE], { AIWC_COST_OVERRIDE: "a cost override is not a data-loss allowance" });
    expect(override.code).toBe(2);
  });
});

describe("Found 4: no ways past the gate", () => {
  test("environment inputs are validated like the config, exit 1", () => {
    expect(problemsOf(join(ROOT, "config"), { AIWC_PRICING_DATE: "zzzz", AIWC_COST_OVERRIDE: "x", AIWC_ALLOW_DATA_LOSS: "not an address!" }).sort()).toEqual([
      'environment: AIWC_PRICING_DATE: "zzzz" is not a date YYYY-MM-DD; set a real date to price as of, or unset it for today',
      "environment: AIWC_COST_OVERRIDE: say why in at least 10 characters (got 1), as policy.override.reason requires; or unset it",
      'environment: AIWC_ALLOW_DATA_LOSS: "not" is not a Terraform resource address (e.g. hcloud_volume.x or users:aws_instance.user-ben); separate addresses with commas',
      'environment: AIWC_ALLOW_DATA_LOSS: "an" is not a Terraform resource address (e.g. hcloud_volume.x or users:aws_instance.user-ben); separate addresses with commas',
      'environment: AIWC_ALLOW_DATA_LOSS: "address!" is not a Terraform resource address (e.g. hcloud_volume.x or users:aws_instance.user-ben); separate addresses with commas',
    ].sort());
    const synth = aiwc(["synth", "--out", join(tempDir(), "out")], { AIWC_PRICING_DATE: "zzzz" });
    expect(synth.code).toBe(1);
    expect(synth.stderr).toContain("environment: AIWC_PRICING_DATE");
  });

  test("catalog dates that are not real or lie in the future are config errors", () => {
    const prices = join(tempDir("aiwc-prices-"), "prices");
    execFileSync("cp", ["-r", join(ROOT, "config", "prices"), prices]);
    const file = join(prices, "hetzner.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace(/^as_of: .*$/m, "as_of: 2999-01-01"));
    const fx = join(prices, "fx.yaml");
    writeFileSync(fx, readFileSync(fx, "utf8").replace(/per_eur: "[^"]+"/, 'per_eur: "0"'));
    const problems = problemsOf(fixtureConfig({ cluster: set(["files", "prices"], prices) }));
    expect(problems.some((p) => /hetzner\.yaml: as_of: must not be in the future/.test(p))).toBe(true);
    expect(problems.some((p) => /fx\.yaml: rates\.USD\.per_eur: must be greater than 0/.test(p))).toBe(true);
    writeFileSync(file, readFileSync(file, "utf8").replace(/^as_of: .*$/m, "as_of: 2026-13-45"));
    expect(problemsOf(fixtureConfig({ cluster: set(["files", "prices"], prices) })).some((p) => /hetzner\.yaml: as_of: must be a real date YYYY-MM-DD/.test(p))).toBe(true);
  });

  test("the verdict goes into cdktf.out; aiwc verify fails on a stack edited after the gate", () => {
    const out = join(tempDir(), "nested", "out");
    const synth = aiwc(["synth", "--out", out], { AIWC_COST_OVERRIDE: "verify test: the override is recorded" });
    expect(synth.code).toBe(0);
    const record = JSON.parse(readFileSync(join(out, "aiwc-gate.json"), "utf8"));
    expect(record.gate.override).toEqual({ reason: "verify test: the override is recorded", source: "environment" });
    expect(Object.keys(record.stacks)).toEqual(["platform", "users-00"]);
    expect(record.stacks["users-00"].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(aiwc(["verify", out]).code).toBe(0);
    const users = join(out, "stacks", "users-00", "cdk.tf.json");
    writeFileSync(users, readFileSync(users, "utf8").replace('"cpx12"', '"cpx62"'));
    const tampered = aiwc(["verify", out]);
    expect(tampered.code).toBe(2);
    expect(tampered.stdout).toContain("✗ stack users-00: stacks/users-00/cdk.tf.json was changed after the gate ran");
    mkdirSync(join(out, "stacks", "extra"));
    writeFileSync(join(out, "stacks", "extra", "cdk.tf.json"), "{}");
    expect(aiwc(["verify", out]).stdout).toContain("✗ stack extra: not judged by the gate");
    expect(aiwc(["verify", tempDir()]).code).toBe(1);
  });

  test.each([
    ['{"planned_values":{"root_module":{"resources":"abc"}}}', "planned_values.root_module.resources: must be a list"],
    ['{"planned_values":{"root_module":null}}', "planned_values.root_module: must be an object"],
    ['{"planned_values":{"root_module":{"child_modules":[null]}}}', "planned_values.root_module.child_modules[0]: must be an object"],
    ['{"planned_values":{"root_module":{"resources":[null]}}}', "planned_values.root_module.resources[0]: must be an object"],
    ['{"planned_values":{"root_module":{"resources":[{"address":"x.y","mode":"managed"}]}}}', "planned_values.root_module.resources[0].type: must be a resource type"],
    ['{"resource":{"hcloud_server":{"a":{"count":-5,"server_type":"cpx22","location":"fsn1"}}}}', "resource.hcloud_server.a.count: must be a whole number ≥ 0, got -5"],
    ['{"resource":{"hcloud_server":{"a":{"count":1000000000}}}}', "resource.hcloud_server.a.count: 1000000000 instances exceed aiwc's limit of 100000 per resource"],
  ])("malformed input %s is an input error naming the JSON path", (json, message) => {
    const file = join(tempDir(), "input.json");
    writeFileSync(file, json);
    const started = Date.now();
    const r = aiwc(["cost", "--plan", file, "--date", DATE]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe("Found 5: bounded work", () => {
  test("a node group of a billion nodes is a config error, not minutes of work", () => {
    expect(problemsOf(fixtureConfig({ cluster: set(["nodeGroups", "service-nodes", "count"], 1_000_000_000) }))).toEqual([
      "cluster.yaml: nodeGroups.service-nodes.count: must be at most 1000 (aiwc's limit per node group)",
    ]);
  });
});

describe("Found 6: errors, not traces", () => {
  test("a directory or a FIFO where a file is expected is refused before reading", () => {
    const dir = fixtureConfig();
    execFileSync("rm", [join(dir, "users.yaml")]);
    mkdirSync(join(dir, "users.yaml"));
    execFileSync("rm", [join(dir, "tariffs.yaml")]);
    execFileSync("mkfifo", [join(dir, "tariffs.yaml")]);
    expect(problemsOf(dir)).toEqual([
      "users.yaml: is a directory; expected a YAML file; expected `users:` with one entry per user (may be `users: []`)",
      "tariffs.yaml: is a named pipe (FIFO); expected a YAML file; expected `tariffs:` and `packs:`",
    ]);
    expect(problemsOf(fixtureConfig({ cluster: set(["files", "users"], ".") }))).toEqual([expect.stringMatching(/: is a directory; expected a YAML file; expected `users:`/)]);
  });

  test("synth --out under a missing directory creates it", () => {
    const out = join(tempDir(), "a", "b", "c");
    expect(aiwc(["synth", "--out", out]).code).toBe(0);
  });
});

interface ConfigCase {
  readonly name: string;
  readonly edits: FixtureEdits;
  readonly expected: readonly (string | RegExp)[];
}

const CASES: readonly ConfigCase[] = [
  { name: "platform /31", edits: { cluster: set(["network", "platformSubnet"], "10.0.1.0/31") }, expected: ["cluster.yaml: network.platformSubnet: 10.0.1.0/31 has room for 0 node addresses but the node groups have 9 cloud nodes; use a larger subnet (the default is a /24)"] },
  { name: "platform /32", edits: { cluster: set(["network", "platformSubnet"], "10.0.1.0/32") }, expected: [/^cluster\.yaml: network\.platformSubnet: 10\.0\.1\.0\/32 has room for 0 node addresses/] },
  { name: "platform /30 for 9 nodes", edits: { cluster: set(["network", "platformSubnet"], "10.0.1.0/30") }, expected: [/^cluster\.yaml: network\.platformSubnet: 10\.0\.1\.0\/30 has room for 1 node addresses but the node groups have 9/] },
  {
    name: "vSwitch /29 for dedicated hosts",
    edits: { cluster: (d) => { d.setIn(["hetzner", "vswitchId"], 4711); d.setIn(["network", "vswitchSubnet"], "10.0.2.0/29"); } },
    expected: ["cluster.yaml: network.vswitchSubnet: 10.0.2.0/29 is too small for dedicated hosts: derived addresses start at its 10th address; use a /27 or larger (default 10.0.2.0/24)"],
  },
  { name: "user named root", edits: { users: set(["users", 0, "name"], "root") }, expected: ['users.yaml: users[0].name: "root" is a system account on the VM\'s image (or one aiwc\'s roles use); choose another user name'] },
  { name: "user named ubuntu", edits: { users: set(["users", 0, "name"], "ubuntu") }, expected: [/^users\.yaml: users\[0\]\.name: "ubuntu" is a system account/] },
  { name: "a 1 MB SSH key", edits: { users: set(["users", 0, "sshKey"], `ssh-ed25519 ${"A".repeat(1_000_000)}`) }, expected: [/^users\.yaml: users\[0\]\.sshKey: is longer than 8192 characters/] },
  {
    name: "dedicated host on the network, gateway and broadcast address",
    edits: {
      cluster: (d) => {
        d.setIn(["hetzner", "vswitchId"], 4711);
        d.setIn(["nodeGroups", "gpu-workers", "count"], 3);
        d.setIn(["nodeGroups", "gpu-workers", "dedicated", "hosts"], [{ address: "10.0.2.0" }, { address: "10.0.2.1" }, { address: "10.0.2.255" }]);
      },
    },
    expected: [
      "cluster.yaml: nodeGroups.gpu-workers.dedicated.hosts[0].address: 10.0.2.0 is the network address of 10.0.2.0/24; use a host address of network.vswitchSubnet other than its first (the vSwitch gateway)",
      "cluster.yaml: nodeGroups.gpu-workers.dedicated.hosts[1].address: 10.0.2.1 is the gateway address of 10.0.2.0/24 (its first host address); use a host address of network.vswitchSubnet other than its first (the vSwitch gateway)",
      "cluster.yaml: nodeGroups.gpu-workers.dedicated.hosts[2].address: 10.0.2.255 is the broadcast address of 10.0.2.0/24; use a host address of network.vswitchSubnet other than its first (the vSwitch gateway)",
    ],
  },
  { name: "plain-http S3 state endpoint", edits: { cluster: set(["state"], { backend: "s3", bucket: "state", region: "fsn1", endpoint: "http://fsn1.your-objectstorage.com" }) }, expected: [/^cluster\.yaml: state\.endpoint: must be an https:\/\/ URL/] },
  { name: "newline in onCalendar", edits: { cluster: set(["software", "backups"], { endpoint: "https://fsn1.your-objectstorage.com", bucket: "backups", onCalendar: "daily\nExecStart=/bin/sh" }) }, expected: [/^cluster\.yaml: software\.backups\.onCalendar: must be one systemd OnCalendar expression/] },
  { name: "reserved label on a node group", edits: { cluster: set(["nodeGroups", "service-nodes", "labels"], { "aiwc/user": "ben" }) }, expected: ['cluster.yaml: nodeGroups.service-nodes.labels["aiwc/user"]: label keys under "aiwc/" are aiwc\'s own (they attribute cost to groups and users); use another prefix, e.g. "ops/user"'] },
];

describe("Found 7: accepted but wrong, now errors with the fix", () => {
  test.each(CASES)("$name", ({ edits, expected }) => {
    const problems = problemsOf(fixtureConfig(edits));
    expect(problems).toHaveLength(expected.length);
    expected.forEach((e, i) => (typeof e === "string" ? expect(problems).toContain(e) : expect(problems[i]).toMatch(e)));
  });

  function awsEdited(edit: (d: Doc) => void): string {
    const dir = awsConfig();
    const doc = parseDocument(readFileSync(join(dir, "cluster.yaml"), "utf8"));
    edit(doc);
    writeFileSync(join(dir, "cluster.yaml"), doc.toString());
    return dir;
  }

  test("70 admin CIDRs on AWS exceed the security group's 60-rule quota (the message cites it); 50 fit", () => {
    const cidrs = (n: number) => Array.from({ length: n }, (_, i) => `198.51.${i}.0/24`);
    expect(problemsOf(awsEdited((d) => d.setIn(["access", "adminCidrs"], cidrs(70))))).toEqual([
      "cluster.yaml: access.adminCidrs: 70 CIDRs make 72 inbound rules on the bastion's security group, more than AWS allows (60; Amazon VPC User Guide, 'Amazon VPC quotas': 60 inbound rules per security group (default quota)); summarize them into fewer ranges",
    ]);
    expect(problemsOf(awsEdited((d) => d.setIn(["access", "adminCidrs"], cidrs(50))))).toEqual([]);
  });

  test("operator keys that make the boot user data exceed AWS's 16 KB are an error citing the limit", () => {
    const big = (c: string) => `ssh-rsa ${c.repeat(8_000)} big`;
    const problems = problemsOf(awsEdited((d) => d.setIn(["access", "sshKeys"], [{ name: "a", publicKey: big("A") }, { name: "b", publicKey: big("B") }])));
    expect(problems).toEqual([expect.stringMatching(/^cluster\.yaml: access\.sshKeys: the bastion nodes' user data would be \d+ bytes, more than 16384 \(Amazon EC2 User Guide/)]);
  });

  test("a plan whose data loss is allowed prices with exit 0 (in process)", () => {
    const r = cost({ plan: [destroyingPlan()], date: DATE, format: "json", allowDataLoss: ["aws_ebs_volume.ceph_1", "aws_ebs_volume.user_ben"] });
    expect(r.exitCode).toBe(0);
  });
});

describe("migration from position-based placement: aiwc pins", () => {
  test("pins each deployed AWS user's zone and each dedicated host's address from the state, comments kept", () => {
    const dir = awsConfig();
    const cluster = parseDocument(readFileSync(join(dir, "cluster.yaml"), "utf8"));
    cluster.setIn(["provider"], "aws");
    writeFileSync(join(dir, "cluster.yaml"), cluster.toString());
    const state = {
      version: 4,
      terraform_version: "1.11.0",
      resources: [
        { mode: "managed", type: "aws_instance", name: "User-anna", provider: 'provider["registry.terraform.io/hashicorp/aws"]', instances: [{ attributes: { availability_zone: "eu-central-1b", tags: { "aiwc/user": "anna" } } }] },
        { mode: "managed", type: "aws_instance", name: "User-ben", provider: 'provider["registry.terraform.io/hashicorp/aws"]', instances: [{ attributes: { availability_zone: "eu-central-1a", tags: { "aiwc/user": "ben" } } }] },
        { mode: "managed", type: "terraform_data", name: "GpuWorkers_Host1", provider: 'provider["terraform.io/builtin/terraform"]', instances: [{ attributes: { input: { value: { aiwc_kind: "dedicated_server", name: "aiwc-port-gpu-workers-01", private_ip: "10.0.2.10" }, type: ["object", {}] } } }] },
      ],
    };
    const file = join(tempDir(), "users.tfstate");
    writeFileSync(file, JSON.stringify(state));
    const dry = aiwc(["pins", "--config", dir, "--state", file]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("users[0].zone: eu-central-1b   # anna");
    expect(readFileSync(join(dir, "users.yaml"), "utf8")).not.toContain("zone:");
    const written = aiwc(["pins", "--config", dir, "--state", file, "--write"]);
    expect(written.stdout).toMatch(/^pinned 3 placement\(s\)/);
    const users = readFileSync(join(dir, "users.yaml"), "utf8");
    expect(users).toContain("# Users of the AI workspace cloud");
    expect(loadConfig(dir).users.slice(0, 2).map((u) => u.zone)).toEqual(["eu-central-1b", "eu-central-1a"]);
    expect(loadConfig(dir).cluster.nodeGroups["gpu-workers"]!.dedicated!.hosts![0]!.address).toBe("10.0.2.10");
    expect(aiwc(["pins", "--config", dir, "--state", file]).stdout).toContain("nothing to pin");
    expect(aiwc(["pins", "--config", dir, "--state", tempDir()]).stderr).toContain(": is a directory; expected a Terraform state");
  });
});
