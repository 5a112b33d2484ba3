/**
 * The same cluster on OVH (config/examples/ovh): golden synthesis, every ovh resource checked
 * against the provider schema snapshot, only the bastion exposed, and pricing by flavor id.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { cost } from "../cli/commands/cost";
import { loadShippedSchemas, validateTerraformJson } from "../providers/schema-validator";
import { resources, ROOT, stableJson, synthesize, tempDir, type Synthesized } from "./helpers";

const EXAMPLE = join(ROOT, "config", "examples", "ovh");
let s: Synthesized;
beforeAll(async () => {
  s = await synthesize(EXAMPLE);
});

describe("ovh synthesis", () => {
  test("matches the golden stacks", async () => {
    await expect(stableJson(s.platform)).toMatchFileSnapshot(join("golden", "ovh", "platform.json"));
    await expect(stableJson(s.users)).toMatchFileSnapshot(join("golden", "ovh", "users.json"));
  });

  test("every ovh resource matches the provider schema snapshot", () => {
    const schemas = loadShippedSchemas(ROOT);
    expect(validateTerraformJson(s.platform, schemas)).toEqual([]);
    expect(validateTerraformJson(s.users, schemas)).toEqual([]);
    expect(s.platform.terraform.required_providers.ovh).toEqual({ source: "registry.terraform.io/ovh/ovh", version: "2.19.0" });
  });

  test("the validator catches an argument the snapshot does not know", () => {
    const [[name, instance]] = resources(s.users, "ovh_cloud_instance") as [[string, Record<string, unknown>]];
    const broken = { resource: { ovh_cloud_instance: { [name]: { ...instance, user_data: "#cloud-config" } } } };
    expect(validateTerraformJson(broken, loadShippedSchemas(ROOT))).toEqual([
      { at: `ovh_cloud_instance.${name}.user_data`, message: "is not an argument or block of this schema" },
    ]);
  });

  test("only the bastion has a public interface; private subnets route through it", () => {
    const instances = [...resources(s.platform, "ovh_cloud_instance"), ...resources(s.users, "ovh_cloud_instance")].map(([, b]) => b);
    expect(instances).toHaveLength(11 + 30);
    const exposed = instances.filter((i) => i.networks.some((n: Record<string, unknown>) => n.auto_assign_public_ip === true || (n.network_id === undefined && n.ip !== undefined)));
    expect(exposed.map((i) => i.name)).toEqual(["aiwc-ovh-bastion-01"]);
    for (const [, subnet] of resources(s.platform, "ovh_cloud_project_network_private_subnet_v2")) {
      expect(subnet.host_route).toEqual([{ destination: "0.0.0.0/0", nexthop: "10.0.1.10" }]);
    }
  });

  test("Ceph and Storage+ volumes are protected from deletion", () => {
    for (const [, volume] of [...resources(s.platform, "ovh_cloud_project_volume"), ...resources(s.users, "ovh_cloud_project_volume")]) {
      expect(volume.lifecycle).toEqual({ prevent_destroy: true });
    }
  });

  test("no credentials in the JSON", () => {
    expect(s.platform.provider.ovh).toEqual([{ endpoint: "ovh-eu" }]);
  });
});

describe("ovh node addresses", () => {
  test("the outputs read each node's address from its observed interfaces, and real Terraform evaluates them", () => {
    const nodes = s.platform.output.nodes.value as Record<string, Record<string, string>>;
    const privateIp = nodes["aiwc-ovh-controllers-01"]!.private_ip!;
    const publicIp = nodes["aiwc-ovh-bastion-01"]!.public_ip!;
    expect(privateIp).toMatch(/^\$\{one\(flatten\(\[for n in ovh_cloud_instance\.Controllers1\.current_state\.networks : .* if n\.subnet_id == ovh_cloud_project_network_private_subnet_v2\.Platform\.id\]\)\)\}$/);
    // Evaluate the same expressions against an instance shaped like the provider's current_state.
    const dir = tempDir("aiwc-tf-expr-");
    const mock = {
      current_state: {
        networks: [
          { id: null, subnet_id: null, addresses: [{ ip: "203.0.113.5", version: 4 }, { ip: "2001:db8::5", version: 6 }] },
          { id: "net-1", subnet_id: "subnet-platform", addresses: [{ ip: "10.0.1.23", version: 4 }] },
        ],
      },
    };
    const rewrite = (expr: string) =>
      expr.replace(/ovh_cloud_instance\.\w+\.current_state/, "var.instance.current_state").replace("ovh_cloud_project_network_private_subnet_v2.Platform.id", '"subnet-platform"');
    writeFileSync(
      join(dir, "main.tf.json"),
      JSON.stringify({ variable: { instance: { default: mock } }, output: { private: { value: rewrite(privateIp) }, public: { value: rewrite(publicIp) } } }),
    );
    const env = { ...process.env, TF_CLI_CONFIG_FILE: join(ROOT, "providers", "terraform.rc"), CHECKPOINT_DISABLE: "1" };
    expect(spawnSync("terraform", ["init", "-input=false", "-no-color"], { cwd: dir, env, encoding: "utf8" }).status).toBe(0);
    const apply = spawnSync("terraform", ["apply", "-auto-approve", "-input=false", "-no-color"], { cwd: dir, env, encoding: "utf8" });
    expect(apply.status, apply.stderr).toBe(0);
    const out = JSON.parse(spawnSync("terraform", ["output", "-json"], { cwd: dir, env, encoding: "utf8" }).stdout);
    expect([out.private.value, out.public.value]).toEqual(["10.0.1.23", "203.0.113.5"]);
  });
});

describe("ovh pricing", () => {
  test("instances are priced by flavor id and attributed to their groups and users", () => {
    const report = JSON.parse(cost({ config: EXAMPLE, format: "json", date: "2026-11-27" }).stdout);
    expect(report.unsupported).toEqual([]);
    expect(report.totalMonthly).toBe("1656.18");
    const groups = Object.fromEntries(report.groups.map((g: { name: string; monthly: string }) => [g.name, g.monthly]));
    expect(groups).toMatchObject({ "gpu-workers": "540.00", controllers: "112.14", "ceph-storage": "332.04", shared: "0.00" });
    const vera = report.users.find((u: { user: string }) => u.user === "vera");
    expect(vera.cost).toBe("13.24");
  });
});

describe("ovh config rules", () => {
  test("a tariff's flavor override must exist in the catalog (it was accepted unchecked before the shared type checks)", () => {
    const dir = tempDir("aiwc-ovh-override-");
    const { cpSync, readFileSync } = require("node:fs") as typeof import("node:fs");
    cpSync(EXAMPLE, dir, { recursive: true });
    const tariffs = readFileSync(join(ROOT, "config", "tariffs.yaml"), "utf8").replace(/^(\s*)vm:\s*\{([^}]*)\}/m, "$1vm: {$2, serverType: { ovh: b9-99 } }");
    expect(tariffs).toContain("ovh: b9-99");
    writeFileSync(join(dir, "tariffs.yaml"), tariffs);
    const cluster = readFileSync(join(dir, "cluster.yaml"), "utf8");
    writeFileSync(join(dir, "cluster.yaml"), cluster.replace("tariffs: ../../tariffs.yaml", "tariffs: tariffs.yaml").replace("users: ../../users.yaml", `users: ${join(ROOT, "config", "users.yaml")}`));
    const r = spawnSync(process.execPath, [join(ROOT, "bin", "aiwc.cjs"), "validate", "--config", dir], { encoding: "utf8" });
    expect(r.status).toBe(1);
    // The override is the only problem: everything else of the example is valid.
    expect(r.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("warning:"))).toEqual([
      expect.stringMatching(/tariffs\.yaml: tariffs\.\w+\.vm\.serverType\.ovh: .*"b9-99"/),
      "aiwc: the configuration has 1 problem(s)",
    ]);
  });

  test("a flavor OVH no longer sells is a warning that names OVH as people write it", async () => {
    const { checkServerType } = await import("../catalog/server-types");
    const { loadConfig } = await import("../model/load");
    const catalog = loadConfig(EXAMPLE).catalogs.ovh!;
    const warnings: string[] = [];
    checkServerType("OVH", catalog, "GRA11", "a10-45", (m) => warnings.push(`error: ${m}`), (m) => warnings.push(m));
    expect(warnings).toEqual([`OVH lists "a10-45" as not available for new servers (catalog ${catalog.as_of}); creating it may fail for lack of capacity`]);
  });
});
