/**
 * `aiwc cost diff`: golden diffs for the changes operators make (scale a group, add and remove
 * users, change a server type, switch provider, shrink Ceph), data at risk flagged in every
 * format, the git-ref base in a temporary worktree, and bad input naming the side.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseDocument } from "yaml";
import { costDiff } from "../cli/commands/cost-diff";
import { DEFAULT_CONFIG, fixtureConfig, portableOn, ROOT, tempDir } from "./helpers";

const DATE = "2026-11-27";
const BIN = join(ROOT, "bin", "aiwc.cjs");
type Doc = ReturnType<typeof parseDocument>;


/** The diff as JSON, with the sides' labels (temp paths, commit SHAs) made stable for goldens. */
const diffJson = (base: string, head: string) => {
  const json = JSON.parse(costDiff({ base, config: head, format: "json", date: DATE }).stdout);
  json.base.source = "<base>";
  json.head.source = "<head>";
  return json;
};

describe("golden diffs", () => {
  test.each([
    ["scale-service-nodes", { cluster: (d: Doc) => d.setIn(["nodeGroups", "service-nodes", "count"], 3) }],
    [
      "add-and-remove-users",
      {
        users: (d: Doc) => {
          const users = d.get("users") as { items: unknown[] };
          users.items.splice(19, 1); // tina leaves (Storage+: her volume goes too)
          d.addIn(["users"], { name: "yara", tariff: "basic", packs: ["pro"], profile: "power", sshKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRlLLIDP6lKXFpf0QZANOZ6Rv09q2NVrXRQop+AP8+G yara@example.org" });
        },
      },
    ],
    ["change-server-type", { cluster: (d: Doc) => d.setIn(["nodeGroups", "controllers", "serverType"], "cpx32") }],
    ["shrink-ceph", { cluster: (d: Doc) => { d.setIn(["ceph", "replication"], 2); d.setIn(["nodeGroups", "ceph-storage", "count"], 2); } }],
  ] as const)("%s", async (name, edits) => {
    const json = diffJson(DEFAULT_CONFIG, fixtureConfig(edits));
    await expect(`${JSON.stringify(json, null, 2)}\n`).toMatchFileSnapshot(`golden/diffs/${name}.json`);
  });

  test("switch provider: the portable topology from Hetzner to OVH", async () => {
    const json = diffJson(portableOn("hetzner"), portableOn("ovh"));
    await expect(`${JSON.stringify(json, null, 2)}\n`).toMatchFileSnapshot("golden/diffs/switch-provider.json");
    expect(json.monthly).toEqual({ before: "992.11", after: "1270.85", change: "278.74" });
    expect(json.resources.some((r: { change: string; type: string }) => r.change === "removed" && r.type === "hcloud_server")).toBe(true);
  });

  test("a removed Ceph node with its volume and a removed user VM are data at risk in every format", () => {
    const head = fixtureConfig({ cluster: (d) => { d.setIn(["ceph", "replication"], 2); d.setIn(["nodeGroups", "ceph-storage", "count"], 2); } });
    const json = diffJson(DEFAULT_CONFIG, head);
    expect(json.dataAtRisk.map((r: { type: string }) => r.type)).toEqual(["hcloud_server", "hcloud_volume"]);
    expect(json.gate.passed).toBe(false);
    expect(json.gate.reasons.at(-1)).toMatch(/^data at risk: 2 resource\(s\) holding data would be destroyed or replaced/);
    const table = costDiff({ base: DEFAULT_CONFIG, config: head, date: DATE }).stdout;
    expect(table).toMatch(/- hcloud_volume\.CephStorage_DataVolume3_[0-9A-F]+ .* DATA AT RISK/);
    const markdown = costDiff({ base: DEFAULT_CONFIG, config: head, date: DATE, format: "markdown" }).stdout;
    expect(markdown).toContain("> **⚠️ Data at risk:** this change destroys or replaces 2 resource(s) that hold data");
    const users = diffJson(DEFAULT_CONFIG, fixtureConfig({ users: (d) => (d.get("users") as { items: unknown[] }).items.splice(0, 1) }));
    expect(users.dataAtRisk).toEqual([expect.objectContaining({ type: "hcloud_server", user: "anna", change: "removed", dataAtRisk: true })]);
  });

  test("--fail-on thresholds give CI a non-zero exit", () => {
    const head = fixtureConfig({ cluster: (d) => d.setIn(["nodeGroups", "service-nodes", "count"], 3) });
    expect(costDiff({ base: DEFAULT_CONFIG, config: head, date: DATE, failOn: ["monthly:100"] }).exitCode).toBe(0);
    const over = costDiff({ base: DEFAULT_CONFIG, config: head, date: DATE, failOn: ["monthly:50", "percent:5", "margin"], format: "json" });
    expect(over.exitCode).toBe(2);
    expect(JSON.parse(over.stdout).failOn).toEqual([
      "monthly cost rises by 69.49 €, more than 50.00 €",
      "monthly cost rises by 7.4 %, more than 5.0 %",
      expect.stringMatching(/^gross margin -0\.4 % is below policy\.minMarginPercent 5 %/),
    ]);
  });

  test("a saved report works as the base", () => {
    const file = join(tempDir(), "base.json");
    const run = spawnSync(process.execPath, [BIN, "cost", "--format", "json", "--date", DATE], { cwd: ROOT, encoding: "utf8" });
    writeFileSync(file, run.stdout);
    const json = diffJson(file, fixtureConfig({ cluster: (d) => d.setIn(["nodeGroups", "controllers", "serverType"], "cpx32") }));
    expect(json.monthly).toEqual({ before: "944.11", after: "992.11", change: "48.00" });
  });
});

describe("git ref as the base", () => {
  function repo(): { root: string; git: (...args: string[]) => string } {
    const root = tempDir("aiwc-repo-");
    const git = (...args: string[]) => {
      const r = spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.org", ...args], { cwd: root, encoding: "utf8" });
      if (r.status !== 0) throw new Error(r.stderr);
      return r.stdout.trim();
    };
    git("init", "-q");
    cpSync(DEFAULT_CONFIG, join(root, "config"), { recursive: true, filter: (src) => !src.includes("examples") });
    mkdirSync(join(root, "docs"));
    writeFileSync(join(root, "docs", "README"), "x\n");
    git("add", "-A");
    git("commit", "-qm", "base");
    return { root, git };
  }

  const worktreesOf = (root: string) => spawnSync("git", ["worktree", "list", "--porcelain"], { cwd: root, encoding: "utf8" }).stdout.match(/^worktree /gm)?.length ?? 0;
  const leftovers = () => readdirSync(tmpdir()).filter((d) => d.startsWith("aiwc-base-"));

  test("works from a subdirectory with uncommitted changes present, leaves no worktree and changes nothing", () => {
    const { root } = repo();
    const cluster = join(root, "config", "cluster.yaml");
    const edited = readFileSync(cluster, "utf8").replace("  service-nodes:\n    role: service\n    count: 2", "  service-nodes:\n    role: service\n    count: 3");
    writeFileSync(cluster, edited);
    const before = leftovers().length;
    const r = spawnSync(process.execPath, [BIN, "cost", "diff", "--base", "HEAD", "--config", "../config", "--format", "json", "--date", DATE], { cwd: join(root, "docs"), encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).monthly).toEqual({ before: "944.11", after: "1013.60", change: "69.49" });
    expect(readFileSync(cluster, "utf8")).toBe(edited);
    expect(worktreesOf(root)).toBe(1);
    expect(leftovers().length).toBe(before);
  });

  test("a base that fails validation names the side and still removes the worktree", () => {
    const { root, git } = repo();
    const cluster = join(root, "config", "cluster.yaml");
    const good = readFileSync(cluster, "utf8");
    writeFileSync(cluster, good.replace("    count: 3\n    serverType: cpx22\n  gpu-workers", "    count: 4\n    serverType: cpx22\n  gpu-workers"));
    git("commit", "-qam", "broken controllers");
    writeFileSync(cluster, good);
    const r = spawnSync(process.execPath, [BIN, "cost", "diff", "--base", "HEAD", "--config", "config"], { cwd: root, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^aiwc: base \(HEAD\): the configuration has 1 problem\(s\):\n .*cluster\.yaml: nodeGroups\.controllers\.count: controllers must number 1, 3, 5 or 7/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(worktreesOf(root)).toBe(1);
  });

  test("an unknown ref", () => {
    const { root } = repo();
    const r = spawnSync(process.execPath, [BIN, "cost", "diff", "--base", "no-such-branch", "--config", "config"], { cwd: root, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`aiwc: base: "no-such-branch" is neither a file nor a git ref of ${root}\n`);
  });
});

describe("bad input", () => {
  test("a head with unsupported resources fails its gate, and --fail-on gate says so", () => {
    const prices = join(tempDir(), "prices");
    cpSync(join(ROOT, "config", "prices"), prices, { recursive: true });
    const catalog = parseDocument(readFileSync(join(prices, "hetzner.yaml"), "utf8"));
    catalog.setIn(["server_types", "cpx42", "prices", 0, "valid_from"], "2027-01-01");
    catalog.setIn(["server_types", "cpx42", "prices", 1, "valid_from"], "2027-01-01");
    writeFileSync(join(prices, "hetzner.yaml"), catalog.toString());
    const head = fixtureConfig({ cluster: (d) => d.setIn(["files", "prices"], prices) });
    const r = costDiff({ base: DEFAULT_CONFIG, config: head, date: DATE, failOn: ["gate"], format: "json" });
    expect(r.exitCode).toBe(2);
    const json = JSON.parse(r.stdout);
    expect(json.gate.reasons[0]).toMatch(/^2 resource\(s\) cannot be priced/);
    expect(json.failOn).toEqual(["the gate fails after this change"]);
  });

  test("unknown --fail-on condition, missing head, report of the wrong kind", () => {
    expect(() => costDiff({ base: DEFAULT_CONFIG, failOn: ["cheap"] })).toThrow('--fail-on: unknown condition "cheap"; use monthly:<euros>, percent:<percent>, margin, gate or data-at-risk');
    expect(() => costDiff({ base: DEFAULT_CONFIG, head: "/nonexistent" })).toThrow("head: /nonexistent does not exist");
    const file = join(tempDir(), "other.json");
    writeFileSync(file, JSON.stringify({ hello: 1 }));
    expect(() => costDiff({ base: file })).toThrow(`base: ${file} is not an aiwc cost report (version 1); write one with \`aiwc cost --format json\``);
  });

});
