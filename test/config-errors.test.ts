/**
 * GIVEN a copy of the default config with one mistake (or several),
 * WHEN it is loaded,
 * THEN loading fails with exactly these `file: dot.path: message` lines — every problem at
 * once, none a crash.
 */
import { describe, expect, test } from "vitest";
import type { parseDocument } from "yaml";
import { loadConfig } from "../model/load";
import { ConfigError, formatProblem } from "../config/problems";
import { fixtureConfig, type FixtureEdits } from "./helpers";

type Doc = ReturnType<typeof parseDocument>;
const set = (path: (string | number)[], value: unknown) => (d: Doc) => d.setIn(path, value);
const del = (path: (string | number)[]) => (d: Doc) => d.deleteIn(path);
const all = (...edits: ((d: Doc) => void)[]) => (d: Doc) => edits.forEach((e) => e(d));
const rename = (from: string, to: string) => (d: Doc) => {
  const value = d.get(from, true);
  d.delete(from);
  d.set(to, value);
};

interface Case {
  readonly name: string;
  readonly edits: FixtureEdits;
  readonly expected: readonly string[];
}

const CASES: readonly Case[] = [
  {
    name: "wrong type for a count",
    edits: { cluster: set(["nodeGroups", "controllers", "count"], "three") },
    expected: ['cluster.yaml: nodeGroups.controllers.count: must be a whole number, got "three"'],
  },
  {
    name: "fractional count",
    edits: { cluster: set(["nodeGroups", "service-nodes", "count"], 2.5) },
    expected: ["cluster.yaml: nodeGroups.service-nodes.count: must be a whole number, got 2.5"],
  },
  {
    name: "misspelt top-level key",
    edits: { cluster: rename("nodeGroups", "nodeGroup") },
    expected: [
      "cluster.yaml: nodeGroups: is required (a mapping)",
      'cluster.yaml: nodeGroup: unknown key; did you mean "nodeGroups"?',
    ],
  },
  {
    name: "misspelt key inside a group",
    edits: { cluster: all(del(["nodeGroups", "controllers", "count"]), set(["nodeGroups", "controllers", "cont"], 3)) },
    expected: [
      "cluster.yaml: nodeGroups.controllers.count: is required (a number)",
      'cluster.yaml: nodeGroups.controllers.cont: unknown key; did you mean "count"?',
    ],
  },
  {
    name: "unknown key with nothing close",
    edits: { cluster: set(["hetzner", "zzz"], 1) },
    expected: ["cluster.yaml: hetzner.zzz: unknown key; allowed keys: location, image, vswitchId, serverLimit"],
  },
  {
    name: "negative count",
    edits: { cluster: set(["nodeGroups", "gpu-workers", "count"], -1) },
    expected: ["cluster.yaml: nodeGroups.gpu-workers.count: must be 0 or more"],
  },
  {
    name: "even controller count",
    edits: { cluster: set(["nodeGroups", "controllers", "count"], 4) },
    expected: ["cluster.yaml: nodeGroups.controllers.count: controllers must number 1, 3, 5 or 7 in total so the control plane keeps quorum, got 4"],
  },
  {
    name: "zero controllers",
    edits: { cluster: set(["nodeGroups", "controllers", "count"], 0) },
    expected: [
      "cluster.yaml: nodeGroups.controllers.count: a controller group cannot have 0 nodes; set count to at least 1 or remove the group",
      "cluster.yaml: nodeGroups.controllers.count: controllers must number 1, 3, 5 or 7 in total so the control plane keeps quorum, got 0",
    ],
  },
  {
    name: "two bastions",
    edits: { cluster: set(["nodeGroups", "bastion", "count"], 2) },
    expected: ["cluster.yaml: nodeGroups.bastion.count: must be 1: the bastion is the single SSH entry and NAT gateway, got 2"],
  },
  {
    name: "no bastion group",
    edits: { cluster: del(["nodeGroups", "bastion"]) },
    expected: ["cluster.yaml: nodeGroups: needs exactly one group with role bastion (the only SSH entry and the NAT gateway), found 0"],
  },
  {
    name: "fewer Ceph nodes than the replication size",
    edits: { cluster: set(["nodeGroups", "ceph-storage", "count"], 2) },
    expected: ["cluster.yaml: nodeGroups.ceph-storage.count: Ceph needs at least ceph.replication (3) storage nodes, got 2; add nodes or lower ceph.replication"],
  },
  {
    name: "unknown role, close to a known one",
    edits: { cluster: set(["nodeGroups", "controllers", "role"], "controler") },
    expected: ['cluster.yaml: nodeGroups.controllers.role: must be one of controller, gpu-worker, ceph, service, bastion, ci-runner, got "controler" (did you mean "controller"?)'],
  },
  {
    name: "group name not DNS-safe",
    edits: { cluster: ((d: Doc) => {
      const group = d.getIn(["nodeGroups", "service-nodes"], true);
      d.deleteIn(["nodeGroups", "service-nodes"]);
      d.setIn(["nodeGroups", "Service_Nodes"], group);
    }) },
    expected: [
      "cluster.yaml: nodeGroups.Service_Nodes: must be DNS-safe: lower-case letters, digits and '-', starting with a letter and not ending with '-'",
    ],
  },
  {
    name: "overlapping subnets",
    edits: { cluster: set(["network", "usersSubnet"], "10.0.1.128/25") },
    expected: ["cluster.yaml: network.usersSubnet: 10.0.1.128/25 overlaps network.platformSubnet 10.0.1.0/24; subnets must not overlap"],
  },
  {
    name: "malformed CIDR",
    edits: { cluster: set(["network", "cidr"], "10.0.0/16") },
    expected: ['cluster.yaml: network.cidr: "10.0.0/16" is not an IPv4 CIDR (write it as a.b.c.d/n, e.g. 10.0.0.0/16)'],
  },
  {
    name: "CIDR with host bits",
    edits: { cluster: set(["network", "platformSubnet"], "10.0.1.5/24") },
    expected: ['cluster.yaml: network.platformSubnet: "10.0.1.5/24" has host bits set; the network address is 10.0.1.0/24'],
  },
  {
    name: "subnet outside the network",
    edits: { cluster: set(["network", "vswitchSubnet"], "10.1.2.0/24") },
    expected: ["cluster.yaml: network.vswitchSubnet: 10.1.2.0/24 is outside network.cidr 10.0.0.0/16; pick a range inside it"],
  },
  {
    name: "public network range",
    edits: { cluster: all(set(["network", "cidr"], "8.8.0.0/16"), set(["network", "platformSubnet"], "8.8.1.0/24"), set(["network", "usersSubnet"], "8.8.16.0/20"), set(["network", "vswitchSubnet"], "8.8.2.0/24")) },
    expected: ["cluster.yaml: network.cidr: 8.8.0.0/16 is not a private range; use one inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16"],
  },
  {
    name: "broken YAML",
    edits: { cluster: "name: aiwc\nnodeGroups: [controllers\n" },
    expected: ["cluster.yaml:3:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]"],
  },
  {
    name: "duplicate YAML key",
    edits: { users: "users: []\nusers: []\n" },
    expected: ["users.yaml:2:1: YAML syntax error: Map keys must be unique"],
  },
  {
    name: "YAML alias bomb",
    edits: {
      users: ["a: &a [x, x, x, x, x, x, x, x, x, x]", "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]", "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]", "users: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]", ""].join("\n"),
    },
    expected: [
      "users.yaml: YAML aliases expand too far (Excessive alias count indicates a resource exhaustion attack); write the values out instead of using *aliases",
    ],
  },
  {
    name: "empty users file",
    edits: { users: "" },
    expected: ["users.yaml: file is empty; expected `users:` with one entry per user (may be `users: []`)"],
  },
  {
    name: "duplicate user",
    edits: { users: set(["users", 1, "name"], "anna") },
    expected: ['users.yaml: users[1].name: "anna" is already used by users[0]; user names must be unique'],
  },
  {
    name: "two users with one e-mail",
    edits: { users: (doc) => { doc.setIn(["users", 0, "email"], "Team@example.org"); doc.setIn(["users", 2, "email"], "team@example.org"); } },
    expected: ['users.yaml: users[2].email: "team@example.org" is already the e-mail of users[0]; each user signs into the services with an address of their own'],
  },
  {
    name: "user name not DNS-safe",
    edits: { users: set(["users", 0, "name"], "Anna") },
    expected: ["users.yaml: users[0].name: must be DNS-safe: lower-case letters, digits and '-', starting with a letter and not ending with '-'"],
  },
  {
    name: "unknown pack",
    edits: { users: set(["users", 0, "packs"], ["gpu"]) },
    expected: ['users.yaml: users[0].packs[0]: unknown pack "gpu"; known packs: pro, team, devops, storage-plus (defined in tariffs.yaml)'],
  },
  {
    name: "pack listed twice",
    edits: { users: set(["users", 0, "packs"], ["team", "team"]) },
    expected: ['users.yaml: users[0].packs[1]: pack "team" is listed twice; list each pack once'],
  },
  {
    name: "unknown tariff",
    edits: { users: set(["users", 2, "tariff"], "premium") },
    expected: ['users.yaml: users[2].tariff: unknown tariff "premium"; known tariffs: basic (defined in tariffs.yaml)'],
  },
  {
    name: "not an SSH public key",
    edits: { users: set(["users", 0, "sshKey"], "-----BEGIN OPENSSH PRIVATE KEY-----") },
    expected: ['users.yaml: users[0].sshKey: must be an OpenSSH public key line (e.g. "ssh-ed25519 AAAA… name"); never a private key'],
  },
  {
    name: "money as a float",
    edits: { tariffs: set(["packs", "pro", "monthly"], 10) },
    expected: ['tariffs.yaml: packs.pro.monthly: must be an amount as a quoted decimal string, e.g. "20.00" (money is never a float), got 10'],
  },
  {
    name: "unknown server type",
    edits: { cluster: set(["nodeGroups", "service-nodes", "serverType"], "cpx99") },
    expected: ['cluster.yaml: nodeGroups.service-nodes.serverType: unknown Hetzner server type "cpx99"; did you mean "cpx12"? (known: cx23, cx33, cx43, cx53, cax11, cax21, cax31, cax41, cpx12, cpx22, cpx32, cpx42, cpx52, cpx62, ccx13, ccx23, ccx33, ccx43, ccx53, ccx63, cpx11, cpx21, cpx31, cpx41, cpx51)'],
  },
  {
    name: "server type not offered in the location",
    edits: { cluster: set(["nodeGroups", "controllers", "serverType"], "cpx11") },
    expected: ["cluster.yaml: nodeGroups.controllers.serverType: server type \"cpx11\" is not offered in fsn1; it is offered in ash, hil"],
  },
  {
    name: "cloud GPU workers on Hetzner",
    edits: { cluster: all(del(["nodeGroups", "gpu-workers", "dedicated"]), set(["nodeGroups", "gpu-workers", "serverType"], "ccx33")) },
    expected: ["cluster.yaml: nodeGroups.gpu-workers: Hetzner Cloud has no GPU server types; declare the GPU workers as dedicated servers, e.g. `dedicated: { product: GEX44-1 }`"],
  },
  {
    name: "dedicated bastion",
    edits: { cluster: set(["nodeGroups", "bastion", "dedicated"], { product: "AX42-1" }) },
    expected: ["cluster.yaml: nodeGroups.bastion.dedicated: dedicated servers are supported for gpu-worker groups only; give this bastion group a cloud serverType"],
  },
  {
    name: "unknown dedicated product",
    edits: { cluster: set(["nodeGroups", "gpu-workers", "dedicated", "product"], "GEX45-1") },
    expected: ['cluster.yaml: nodeGroups.gpu-workers.dedicated.product: unknown Hetzner dedicated product "GEX45-1"; did you mean "GEX44-1"? (known: GEX44-1, GEX44, GEX131-1, AX42-1, AX102-1, AX162-1)'],
  },
  {
    name: "dedicated servers without a vSwitch",
    edits: { cluster: del(["hetzner", "vswitchId"]) },
    expected: ["cluster.yaml: nodeGroups.gpu-workers.dedicated: dedicated servers join the cloud network through a vSwitch; set hetzner.vswitchId to your Robot vSwitch id"],
  },
  {
    name: "data volume on a non-Ceph group, none on Ceph",
    edits: { cluster: all(set(["nodeGroups", "service-nodes", "dataVolumeGb"], 100), del(["nodeGroups", "ceph-storage", "dataVolumeGb"])) },
    expected: [
      "cluster.yaml: nodeGroups.ceph-storage.dataVolumeGb: is required for a ceph group (size of each node's data volume in GB, e.g. 500)",
      "cluster.yaml: nodeGroups.service-nodes.dataVolumeGb: only ceph groups get a data volume; remove it from this service group",
    ],
  },
  {
    name: "Pro users without GPU workers",
    edits: { cluster: set(["nodeGroups", "gpu-workers", "count"], 0) },
    expected: ["cluster.yaml: nodeGroups: 10 user(s) have a GPU pack (pro) but no gpu-worker nodes exist; add a gpu-worker group with count ≥ 1"],
  },
  {
    name: "unknown state backend",
    edits: { cluster: set(["state"], { backend: "gcs" }) },
    expected: ['cluster.yaml: state.backend: must be local or s3, got "gcs"'],
  },
  {
    name: "DynamoDB locking without a table, on an S3-compatible endpoint",
    edits: { cluster: set(["state"], { backend: "s3", bucket: "aiwc-state", region: "fsn1", endpoint: "https://fsn1.your-objectstorage.com", locking: "dynamodb" }) },
    expected: [
      "cluster.yaml: state.dynamodbTable: is required with locking: dynamodb (the DynamoDB table holding the locks)",
      "cluster.yaml: state.locking: dynamodb locking exists only on AWS; with an S3-compatible endpoint use locking: lockfile",
    ],
  },
  {
    name: "S3 state without a bucket",
    edits: { cluster: set(["state"], { backend: "s3", region: "fsn1" }) },
    expected: ["cluster.yaml: state.bucket: is required (a string)"],
  },
  {
    name: "missing sibling file",
    edits: { cluster: set(["files"], { tariffs: "nope.yaml" }) },
    expected: ["nope.yaml: file not found; expected `tariffs:` and `packs:`"],
  },
  {
    name: "problems in several files at once",
    edits: { cluster: set(["nodeGroups", "controllers", "count"], 2), users: set(["users", 0, "packs"], ["turbo"]), tariffs: set(["packs", "team", "monthly"], "15,00") },
    expected: [
      "cluster.yaml: nodeGroups.controllers.count: controllers must number 1, 3, 5 or 7 in total so the control plane keeps quorum, got 2",
      'tariffs.yaml: packs.team.monthly: must be an amount as a quoted decimal string, e.g. "20.00"',
    ],
  },
  {
    name: "a service a pack sells is not enabled; a quota below the included storage",
    edits: {
      cluster: set(["software", "services"], ["open-webui", "searxng", "flowise", "supabase", "langfuse", "n8n"]),
      tariffs: set(["tariffs", "basic", "storageQuotaGb"], 1),
    },
    expected: [
      "cluster.yaml: nodeGroups.ci-runners.role: ci-runner nodes run GitLab CI jobs and register with the platform's GitLab: add gitlab to software.services, or remove the group",
      'cluster.yaml: software.services: "gitlab" is sold by packs.team, packs.devops in tariffs.yaml but not enabled here; add it, or take it out of those tariffs and packs',
      'cluster.yaml: software.services: "qdrant" is sold by packs.team in tariffs.yaml but not enabled here; add it, or take it out of those tariffs and packs',
      "tariffs.yaml: tariffs.basic.storageQuotaGb: 1 GB is less than the 2 GB the tariff includes (allowances.storage_gb); raise the quota to at least 2",
    ],
  },
  {
    name: "billing: a meter's feature nothing includes",
    edits: { tariffs: set(["payg", "n8n_runs", "feature"], "n8n") },
    expected: [
      'tariffs.yaml: payg.n8n_runs.feature: "n8n" is not in any tariff\'s or pack\'s includes: (extra-storage, flowise, gitlab-ci, gitlab-group, gpu-access, langfuse, n8n-global, open-webui, qdrant-shared, searxng, supabase-shared, vm); name the feature that grants this meter, or remove feature:',
    ],
  },
  {
    name: "billing: a user billed until before since",
    edits: { users: all(set(["users", 2, "since"], "2026-11-10"), set(["users", 2, "until"], "2026-11-09")) },
    expected: ["users.yaml: users[2].until: 2026-11-09 is before since: 2026-11-10; a user is billed from since through until"],
  },
  {
    name: "billing: bad user dates and billing details, a bad VAT rate",
    edits: {
      users: all(set(["users", 0, "since"], "2026-02-30"), set(["users", 1, "billing"], { name: "Ben", address: "x", country: "Germany", vatId: "12345" })),
      cluster: set(["billing", "vatRate"], 19),
    },
    expected: [
      'cluster.yaml: billing.vatRate: must be a string, got 19',
      'users.yaml: users[0].since: must be a date YYYY-MM-DD',
      'users.yaml: users[1].billing.country: must be a two-letter country code such as DE',
      'users.yaml: users[1].billing.vatId: must be a VAT ID such as ATU12345678',
    ],
  },
  {
    name: "unknown service, bad model name, plain-http backup endpoint",
    edits: { cluster: all(set(["software", "services", 0], "gitea"), set(["software", "models", 0], "Llama 3"), set(["software", "backups", "endpoint"], "http://fsn1.your-objectstorage.com")) },
    expected: [
      'cluster.yaml: software.services[0]: must be one of open-webui, searxng, qdrant, langfuse, n8n, flowise, supabase, gitlab, got "gitea" (did you mean "gitlab"?)',
      'cluster.yaml: software.models[0]: must be an Ollama model such as "llama3.1:8b" or "namespace/model:tag"',
      "cluster.yaml: software.backups.endpoint: must be an https:// URL such as https://fsn1.your-objectstorage.com",
    ],
  },
  {
    name: "a sold item nothing delivers, extra storage without its volume, GitLab on a service node below its memory floor",
    edits: {
      tariffs: all(set(["packs", "team", "includes", 1], "gitlab-grup"), set(["tariffs", "basic", "includes", 0], "vm-large"), (d) => d.deleteIn(["packs", "storage-plus", "extraVolumeGb"])),
      cluster: set(["nodeGroups", "service-nodes", "serverType"], "cpx22"),
    },
    expected: [
      'cluster.yaml: nodeGroups.service-nodes.serverType: cpx22 has 4 GB of memory; GitLab (software.services) needs at least 8 GB on the service node it runs on (docs.gitlab.com/install/requirements); choose a larger type or take gitlab out of software.services',
      'tariffs.yaml: packs.storage-plus.extraVolumeGb: is required: the pack sells extra-storage, and this volume is what delivers it',
      'tariffs.yaml: packs.team.includes[1]: "gitlab-grup" is delivered by nothing aiwc deploys (did you mean "gitlab-group"?): name a service (open-webui, searxng, qdrant, langfuse, n8n, flowise, supabase, gitlab), an offer (qdrant-shared, supabase-shared, n8n-global, gitlab-group, gitlab-ci) or a built-in (vm, gpu-access, extra-storage)',
      'tariffs.yaml: tariffs.basic.includes[0]: "vm-large" is delivered by nothing aiwc deploys: name a service (open-webui, searxng, qdrant, langfuse, n8n, flowise, supabase, gitlab), an offer (qdrant-shared, supabase-shared, n8n-global, gitlab-group, gitlab-ci) or a built-in (vm, gpu-access, extra-storage)',
    ],
  },
];

function problemsOf(dir: string): string[] {
  try {
    loadConfig(dir);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => formatProblem(p).replaceAll(`${dir}/`, ""));
    throw error;
  }
  return [];
}

describe("config errors", () => {
  test("has at least 25 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });

  test.each(CASES)("$name", ({ edits, expected }) => {
    const dir = fixtureConfig(edits);
    expect(problemsOf(dir).sort()).toEqual([...expected].sort());
  });

  test("the default config loads without problems", () => {
    expect(problemsOf(fixtureConfig())).toEqual([]);
  });

  test("GitLab CI sold with no runner nodes is a warning naming the sellers; with runners, none", () => {
    const dir = fixtureConfig({ cluster: set(["nodeGroups", "ci-runners", "count"], 0) });
    expect(loadConfig(dir).warnings.map((w) => w.replaceAll(`${dir}/`, ""))).toEqual([
      "cluster.yaml: nodeGroups: packs.devops in tariffs.yaml sells gitlab-ci but no ci-runner group has nodes: the users' pipelines run only on runners they bring themselves; add a group with role: ci-runner",
    ]);
    expect(loadConfig(fixtureConfig()).warnings).toEqual([]);
  });

  test("warnings do not fail loading and name the path", () => {
    const config = loadConfig(fixtureConfig({ cluster: set(["access", "adminCidrs"], ["0.0.0.0/0"]) }));
    expect(config.warnings).toEqual([
      expect.stringMatching(/cluster\.yaml: access\.adminCidrs\[0\]: 0\.0\.0\.0\/0 lets the whole internet try SSH on the bastion/),
    ]);
  });
});
