/**
 * The provider seam, proven: GIVEN a copy of this project with a fourth provider, "fake",
 * added exactly as README "Adding a provider" lists (its folder clouds/fake/ with section,
 * model, pricing and constructs; one line in clouds/sections.ts, clouds/registry.ts and
 * clouds/stacks.ts; its catalog config/prices/fake.yaml) and no other file touched, WHEN the
 * copy is type-checked, layer-checked and built, THEN a config with `provider: fake` validates,
 * synthesizes, prices at the catalog's prices and yields an Ansible inventory with the fake
 * cloud's login user.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { copyWorkingTree, ROOT, tempDir } from "./helpers";

let copy: string;

const FILES: Record<string, string> = {
  "clouds/fake/section.ts": `import { z } from "zod";
export const fakeSection = z.strictObject({ location: z.string().default("lab1") }).prefault({});
`,
  "clouds/fake/pricing/index.ts": `import { z } from "zod";
import { money } from "../../../catalog/money";
import { pricedResource, type PricedResourceType } from "../../../catalog/priced-resource";
const fakeServer = pricedResource({
  type: "fake_server",
  provider: "fake",
  schema: z.object({ server_type: z.string(), location: z.string() }),
  region: (a) => a.location,
  components: (a) => [{ name: \`Server (\${a.server_type})\`, unit: "months", quantity: money(1), price: { provider: "fake", section: "server_types", id: a.server_type } }],
});
export const priced: readonly PricedResourceType<any>[] = [fakeServer];
export const free: Readonly<Record<string, string>> = {};
`,
  "clouds/fake/model.ts": `import { hostAddress, parseCidr, type Cidr } from "../../config/cidr";
import type { ProviderModel } from "../provider-model";
import { checkUserVmTypes } from "../type-checks";
import * as pricing from "./pricing";
export const fakeModel: ProviderModel = {
  id: "fake",
  displayName: "Fake",
  checkConfig(config, files, sink) {
    const catalog = config.catalogs.fake!;
    if (catalog.locations[config.cluster.fake.location] === undefined) sink.add(files.cluster, ["fake", "location"], "unknown location");
    else checkUserVmTypes(config, files, sink, { id: "fake", displayName: "Fake", catalog, location: config.cluster.fake.location, noun: "fake server type" });
  },
  location: (cluster) => cluster.fake.location,
  image: () => "fake-os",
  bastionIp: (cluster) => cluster.network.bastionIp ?? hostAddress(parseCidr(cluster.network.platformSubnet) as Cidr, 10),
  extraSubnets: () => [],
  reservedPlatformAddresses: () => 3,
  onPlatformSubnet: () => true,
  zonePins: false,
  loginUser: "tester",
  bastionIsNat: () => true,
  api: { noRate: "the fake cloud publishes no rate limit", requests: { fake_server: { refresh: 1, create: 4 } }, otherResource: { refresh: 1, create: 2 } },
  pricing: () => pricing,
};
`,
  "clouds/fake/constructs/stacks.ts": `import { TerraformOutput, TerraformProvider, TerraformResource, type Construct, type TerraformStack } from "../../../constructs/cdk";
import type { ProviderStacks } from "../../../constructs/provider-stacks";
import { NODES_OUTPUT, type NodesOutput } from "../../../model/node-output";
import type { Topology } from "../../../model/topology";
class FakeServer extends TerraformResource {
  constructor(scope: Construct, id: string, private readonly args: { name: string; serverType: string; location: string }) {
    super(scope, id, { terraformResourceType: "fake_server", terraformGeneratorMetadata: { providerName: "fake" } });
  }
  get ipv4(): string {
    return this.getStringAttribute("ipv4");
  }
  protected override synthesizeAttributes(): Record<string, unknown> {
    return { name: this.args.name, server_type: this.args.serverType, location: this.args.location };
  }
}
class FakeProvider extends TerraformProvider {
  constructor(scope: Construct) {
    super(scope, "fake", { terraformResourceType: "fake", terraformGeneratorMetadata: { providerName: "fake" }, terraformProviderSource: "example/fake" });
  }
  protected override synthesizeAttributes(): Record<string, unknown> {
    return {};
  }
}
type FakeExports = Record<string, never>;
function platform(stack: TerraformStack, topology: Topology): FakeExports {
  new FakeProvider(stack);
  const nodes: NodesOutput = {};
  for (const group of topology.groups) {
    if (group.kind !== "cloud") continue;
    for (const node of group.nodes) {
      const server = new FakeServer(stack, node.name, { name: node.name, serverType: group.serverType, location: topology.config.cluster.fake.location });
      nodes[node.name] = { group: group.name, role: group.role, kind: "cloud", server_type: group.serverType, private_ip: server.ipv4, ...(group.role === "bastion" ? { public_ip: server.ipv4 } : {}) };
    }
  }
  new TerraformOutput(stack, NODES_OUTPUT, { value: nodes });
  return {};
}
function users(stack: TerraformStack, topology: Topology): void {
  new FakeProvider(stack);
  const vms: NodesOutput = {};
  for (const spec of topology.users) {
    const server = new FakeServer(stack, spec.name, { name: spec.name, serverType: spec.serverType, location: topology.config.cluster.fake.location });
    vms[spec.name] = { group: "user-vms", role: "user-vm", kind: "cloud", user: spec.user, tariff: spec.tariff, packs: [...spec.packs], server_type: spec.serverType, private_ip: server.ipv4 };
  }
  new TerraformOutput(stack, NODES_OUTPUT, { value: vms });
}
export const fakeStacks: ProviderStacks<FakeExports> = { platform, users };
`,
  "config/prices/fake.yaml": `provider: fake
version: "2026.11.0"
as_of: "2026-11-01"
currency: EUR
hours_per_month: 730
locations:
  lab1: { network_zone: eu, country: DE, city: Testville }
server_types:
  f-small: { vcpu: 2, ram_gb: 4, disk_gb: 40, arch: x86, cpu: shared, orderable: true, locations: [lab1], prices: [{ valid_from: "2026-01-01", monthly: "10.00", source: [F], as_of: "2026-11-01" }] }
  f-large: { vcpu: 8, ram_gb: 32, disk_gb: 160, arch: x86, cpu: dedicated, orderable: true, locations: [lab1], prices: [{ valid_from: "2026-01-01", monthly: "40.00", source: [F], as_of: "2026-11-01" }] }
  f-gpu: { vcpu: 8, ram_gb: 32, disk_gb: 160, arch: x86, cpu: dedicated, orderable: true, gpu: { model: "Test GPU", memory_gb: 24, count: 1 }, locations: [lab1], prices: [{ valid_from: "2026-01-01", monthly: "300.00", source: [F], as_of: "2026-11-01" }] }
products: {}
sources:
  F: { description: "test fixture prices", url: "https://example.org/fake-prices", date: "2026-11-01" }
`,
};

/** The one line each compiler-checked list gets. */
const LINES: [string, string, string][] = [
  ["clouds/sections.ts", 'import { ovhSection } from "./ovh/section";', 'import { ovhSection } from "./ovh/section";\nimport { fakeSection } from "./fake/section";'],
  ["clouds/sections.ts", "ovh: ovhSection }", "ovh: ovhSection, fake: fakeSection }"],
  ["clouds/registry.ts", 'import { ovhModel } from "./ovh/model";', 'import { ovhModel } from "./ovh/model";\nimport { fakeModel } from "./fake/model";'],
  ["clouds/registry.ts", "ovh: ovhModel }", "ovh: ovhModel, fake: fakeModel }"],
  ["clouds/stacks.ts", "} as const satisfies", '  fake: () => (require("./fake/constructs/stacks") as typeof import("./fake/constructs/stacks")).fakeStacks,\n} as const satisfies'],
];

const aiwc = (args: string[]) => spawnSync(process.execPath, [join(copy, "bin", "aiwc.cjs"), ...args], { cwd: copy, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });

beforeAll(() => {
  copy = join(tempDir("aiwc-fake-provider-"), "aiwc");
  mkdirSync(copy);
  copyWorkingTree(copy);
  symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"), "dir");
  execFileSync("cp", ["-r", join(ROOT, ".gen"), join(copy, ".gen")]);
  for (const [file, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    writeFileSync(join(copy, file), text);
  }
  for (const [file, from, to] of LINES) {
    const text = readFileSync(join(copy, file), "utf8");
    expect(text, `${file}: ${from}`).toContain(from);
    writeFileSync(join(copy, file), text.replace(from, to));
  }
  execFileSync(process.execPath, [join(copy, "scripts", "build.cjs"), "--no-compile-cache"], { cwd: copy });
  const config = join(copy, "lab");
  mkdirSync(config);
  writeFileSync(
    join(config, "cluster.yaml"),
    `name: aiwc-lab
provider: fake
access:
  adminCidrs: [198.51.100.0/24]
  sshKeys:
    - { name: ops, publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRlLLIDP6lKXFpf0QZANOZ6Rv09q2NVrXRQop+AP8+G ops@example.org" }
nodeGroups:
  controllers: { role: controller, count: 3, requirements: { vcpu: 2, ramGb: 4 } }
  gpu-workers: { role: gpu-worker, count: 1, requirements: { vcpu: 4, ramGb: 16, gpu: { count: 1, memoryGb: 20 } } }
  ceph-storage: { role: ceph, count: 3, requirements: { vcpu: 2, ramGb: 4 }, dataVolumeGb: 100 }
  service-nodes: { role: service, count: 2, requirements: { vcpu: 4, ramGb: 16 } }
  bastion: { role: bastion, count: 1, requirements: { vcpu: 1, ramGb: 2 } }
software:
  backups: { endpoint: "https://s3.example.org", bucket: lab-backups }
policy:
  override: { reason: "a test cloud" }
files:
  users: ${join(ROOT, "config", "users.yaml")}
  tariffs: ${join(ROOT, "config", "tariffs.yaml")}
`,
  );
}, 300_000);

describe("a fourth provider through the registry alone", () => {
  test("the copy type-checks and keeps the layers", () => {
    const tsc = spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", "tsconfig.json"], { cwd: copy, encoding: "utf8" });
    expect(tsc.status, tsc.stdout).toBe(0);
    const cruise = spawnSync(process.execPath, [join(ROOT, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs"), "clouds", "config", "catalog", "model", "cost", "constructs", "stacks", "cli", "--config", ".dependency-cruiser.cjs", "--preserve-symlinks", "--output-type", "err"], { cwd: copy, encoding: "utf8" });
    expect(cruise.status, cruise.stdout).toBe(0);
  }, 180_000);

  test("validates, prices at the catalog's prices, and passes its config to the gate", () => {
    const validate = aiwc(["validate", "--config", "lab"]);
    expect(validate.status, validate.stderr).toBe(0);
    expect(validate.stdout).toContain("valid — fake");
    const r = aiwc(["cost", "--config", "lab", "--format", "json", "--date", "2026-11-27"]);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    // 3 controllers, 3 Ceph, 1 bastion and 30 user VMs on f-small (10.00), 2 service nodes on f-large (40.00), 1 GPU worker (300.00).
    expect(report.totalMonthly).toBe(((3 + 3 + 1 + 30) * 10 + 2 * 40 + 300).toFixed(2));
    expect(report.counts).toEqual({ priced: 40, free: 0, unsupported: 0 });
    expect(report.catalogs).toEqual([{ provider: "fake", version: "2026.11.0", asOf: "2026-11-01", currency: "EUR" }]);
  });

  test("synthesizes both stacks and inventories them with the fake cloud's login user", () => {
    const synth = aiwc(["synth", "--config", "lab", "--out", "out"]);
    expect(synth.status, synth.stderr).toBe(0);
    const stack = (name: string) => JSON.parse(readFileSync(join(copy, "out", "stacks", name, "cdk.tf.json"), "utf8"));
    const platform = stack("platform");
    const users = stack("users-00");
    expect(Object.keys(platform.resource.fake_server)).toHaveLength(10);
    expect(Object.keys(users.resource.fake_server)).toHaveLength(30);
    // What `cdktf output --outputs-file` would give after an apply: the nodes with addresses.
    let n = 10;
    const resolved = (nodes: Record<string, Record<string, unknown>>) => Object.fromEntries(Object.entries(nodes).map(([name, node]) => [name, { ...node, private_ip: `10.0.1.${n++}`, ...("public_ip" in node ? { public_ip: "203.0.113.7" } : {}) }]));
    writeFileSync(join(copy, "outputs.json"), JSON.stringify({ platform: { nodes: resolved(platform.output.nodes.value) }, users: { nodes: resolved(users.output.nodes.value) } }));
    const inv = aiwc(["inventory", "--config", "lab", "--outputs", "outputs.json"]);
    expect(inv.status, inv.stderr).toBe(0);
    const inventory = parse(inv.stdout) as { all: { vars: Record<string, unknown>; children: Record<string, { hosts: Record<string, Record<string, unknown>> }> } };
    expect(inventory.all.vars).toMatchObject({ aiwc_provider: "fake", ansible_user: "tester", ansible_become: true });
    expect(Object.keys(inventory.all.children.controllers!.hosts)).toHaveLength(3);
    expect(Object.keys(inventory.all.children.user_vms!.hosts)).toHaveLength(30);
  });
});
