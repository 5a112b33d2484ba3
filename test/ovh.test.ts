/**
 * The same cluster on OVH (config/examples/ovh): golden synthesis, every ovh resource checked
 * against the provider schema snapshot, only the bastion exposed, and pricing by flavor id.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { cost } from "../cli/commands/cost";
import { loadShippedSchemas, validateTerraformJson } from "../providers/schema-validator";
import { resources, ROOT, stableJson, synthesize, type Synthesized } from "./helpers";

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
    expect(instances).toHaveLength(10 + 30);
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

describe("ovh pricing", () => {
  test("instances are priced by flavor id and attributed to their groups and users", () => {
    const report = JSON.parse(cost({ config: EXAMPLE, format: "json", date: "2026-11-27" }).stdout);
    expect(report.unsupported).toEqual([]);
    expect(report.totalMonthly).toBe("1644.74");
    const groups = Object.fromEntries(report.groups.map((g: { name: string; monthly: string }) => [g.name, g.monthly]));
    expect(groups).toMatchObject({ "gpu-workers": "540.00", controllers: "112.14", "ceph-storage": "332.04", shared: "0.00" });
    const vera = report.users.find((u: { user: string }) => u.user === "vera");
    expect(vera.cost).toBe("13.24");
  });
});
