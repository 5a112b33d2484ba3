/**
 * One config file, three clouds (config/examples/portable): switching `provider:` alone
 * synthesizes the same topology on Hetzner, AWS and OVH — same node names, the bastion the
 * only thing exposed — with golden platform stacks, and prices each.
 */
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { cost } from "../cli/commands/cost";
import { loadShippedSchemas, validateTerraformJson } from "../providers/schema-validator";
import { portableOn, ROOT, resources, stableJson, synthesize, type Synthesized } from "./helpers";
import { PROVIDER_IDS } from "../clouds/sections";

const PROVIDERS = PROVIDER_IDS;


const nodeNames = (s: Synthesized) => Object.keys(s.platform.output.nodes.value).sort();

/** Names of the platform nodes that can be reached from the internet, per provider. */
function exposed(provider: string, s: Synthesized): string[] {
  if (provider === "hetzner") {
    return resources(s.platform, "hcloud_server").filter(([, b]) => b.public_net[0].ipv4_enabled === true).map(([, b]) => b.name);
  }
  if (provider === "aws") {
    const withEip = new Set(resources(s.platform, "aws_eip").flatMap(([, b]) => (typeof b.instance === "string" ? [b.instance] : [])));
    return resources(s.platform, "aws_instance").filter(([id, b]) => b.associate_public_ip_address === true || withEip.has(`\${aws_instance.${id}.id}`)).map(([, b]) => b.tags.Name);
  }
  return resources(s.platform, "ovh_cloud_instance").filter(([, b]) => b.networks.some((n: Record<string, unknown>) => n.auto_assign_public_ip === true)).map(([, b]) => b.name);
}

describe("the portable topology on every provider", () => {
  test.each(PROVIDERS)("%s: golden platform stack, bastion the only exposed node, schema-valid", async (provider) => {
    const s = await synthesize(portableOn(provider));
    await expect(stableJson(s.platform)).toMatchFileSnapshot(join("golden", "portable", `${provider}.platform.json`));
    expect(exposed(provider, s)).toEqual(["aiwc-port-bastion-01"]);
    expect(Object.keys(s.users.output.nodes.value)).toHaveLength(30);
    if (provider !== "aws") expect(validateTerraformJson(s.platform, loadShippedSchemas(ROOT))).toEqual([]);
  });

  test("the same node names on every provider", async () => {
    const names = await Promise.all(PROVIDERS.map(async (p) => nodeNames(await synthesize(portableOn(p)))));
    expect(names[1]).toEqual(names[0]);
    expect(names[2]).toEqual(names[0]);
    expect(names[0]).toHaveLength(11);
  });

  test("priced on each provider, nothing unsupported", () => {
    const totals = Object.fromEntries(
      PROVIDERS.map((p) => {
        const report = JSON.parse(cost({ config: portableOn(p), format: "json", date: "2026-11-27" }).stdout);
        expect(report.unsupported, p).toEqual([]);
        return [p, report.totalMonthly];
      }),
    );
    expect(totals).toEqual({ hetzner: "992.11", aws: "2079.79", ovh: "1270.85" });
  });
});
