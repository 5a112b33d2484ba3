/**
 * Golden tests per priced resource, one case per cost branch (Infracost style): GIVEN the
 * attributes of one resource, WHEN it is priced, THEN its line item matches the golden file
 * (update with `npx vitest run -u`, a diff on failure).
 */
import { describe, expect, test } from "vitest";
import { loadConfig } from "../model/load";
import { priceInstance, type LineItem, type Usage } from "../cost/engine";
import { toAmount, toUnitPrice } from "../catalog/money";
import { PriceBook } from "../catalog/prices";
import { DEFAULT_CONFIG, stableJson } from "./helpers";

const config = loadConfig(DEFAULT_CONFIG);
const book = new PriceBook(config.catalogs, config.fx, "2026-11-27");

interface Case {
  readonly name: string;
  readonly values: Record<string, unknown>;
  readonly region?: string;
  readonly usage?: Usage;
}

function line(type: string, c: Case): Record<string, unknown> {
  const item: LineItem = priceInstance({ address: `${type}.${c.name}`, type, values: c.values, ...(c.region !== undefined ? { providerRegion: c.region } : {}) }, book, c.usage ?? {});
  return {
    case: c.name,
    status: item.status,
    ...(item.reason !== undefined ? { reason: item.reason } : {}),
    group: item.group,
    monthly: toAmount(item.monthly),
    setup: toAmount(item.setup),
    components: item.components.map((x) => ({
      name: x.name,
      unit: x.unit,
      quantity: x.quantity?.toFixed() ?? null,
      unitPrice: x.unitPrice === null ? null : toUnitPrice(x.unitPrice),
      monthly: x.monthly === null ? null : toAmount(x.monthly),
      ...(x.setup !== undefined ? { setup: toAmount(x.setup) } : {}),
      priceKey: x.priceKey,
      ...(x.missing !== undefined ? { missing: x.missing } : {}),
      ...(x.estimate !== undefined ? { estimate: x.estimate } : {}),
    })),
  };
}

const labels = { "aiwc/group": "controllers" };

const CASES: Record<string, Case[]> = {
  hcloud_server: [
    { name: "private_only", values: { server_type: "cpx22", location: "fsn1", labels, public_net: [{ ipv4_enabled: false, ipv6_enabled: false }] } },
    { name: "default_public_net_gets_ipv4", values: { server_type: "cpx22", location: "fsn1" } },
    { name: "ipv4_from_primary_ip_resource", values: { server_type: "cpx12", location: "fsn1", public_net: [{ ipv4_enabled: true, ipv4: "${hcloud_primary_ip.x.id}" }] } },
    { name: "with_backups", values: { server_type: "cpx42", location: "nbg1", backups: true, public_net: [{ ipv4_enabled: false }] } },
    { name: "hourly_below_the_cap", values: { server_type: "cpx42", location: "fsn1", public_net: [{ ipv4_enabled: false }] }, usage: { hcloud_server: { monthly_hours: 100 } } },
    { name: "hourly_capped", values: { server_type: "cpx42", location: "fsn1", public_net: [{ ipv4_enabled: false }] }, usage: { hcloud_server: { monthly_hours: 730 } } },
    { name: "created_before_june_keeps_april_price", values: { server_type: "cpx22", location: "fsn1", labels: { "aiwc/created": "2026-05-10" }, public_net: [{ ipv4_enabled: false }] } },
    { name: "unknown_type_is_a_missing_price", values: { server_type: "cpx99", location: "fsn1", public_net: [{ ipv4_enabled: false }] } },
    { name: "interpolated_type_is_a_missing_price", values: { server_type: "${var.type}", location: "fsn1" } },
    { name: "missing_server_type", values: { location: "fsn1" } },
  ],
  hcloud_volume: [
    { name: "ceph_400gb", values: { size: 400, location: "fsn1" } },
    { name: "below_minimum_bills_10gb", values: { size: 5, location: "fsn1" } },
  ],
  hcloud_primary_ip: [
    { name: "ipv4", values: { type: "ipv4", location: "fsn1" } },
    { name: "ipv6_is_free", values: { type: "ipv6", location: "fsn1" } },
  ],
  hcloud_floating_ip: [{ name: "ipv4_has_no_sourced_price", values: { type: "ipv4", home_location: "fsn1" } }],
  hcloud_load_balancer: [
    { name: "lb11", values: { load_balancer_type: "lb11", location: "fsn1" } },
    { name: "lb21_has_no_sourced_price", values: { load_balancer_type: "lb21", location: "fsn1" } },
  ],
  terraform_data: [
    { name: "dedicated_gex44_1_with_setup_fee", values: { input: { aiwc_kind: "dedicated_server", product: "GEX44-1", labels: { "aiwc/group": "gpu-workers" } } } },
    { name: "dedicated_gex44_ordered_january", values: { input: { aiwc_kind: "dedicated_server", product: "GEX44", ordered_on: "2026-01-15" } } },
    { name: "dedicated_gex44_1_before_it_existed", values: { input: { aiwc_kind: "dedicated_server", product: "GEX44-1", ordered_on: "2026-03-01" } } },
    { name: "plain_terraform_data_is_free", values: { input: { anything: 1 } } },
  ],
  aws_instance: [
    { name: "t3_large_default_root", values: { instance_type: "t3.large" }, region: "eu-central-1" },
    { name: "g5_xlarge_100gb_root_public_ip", values: { instance_type: "g5.xlarge", root_block_device: [{ volume_size: 100, volume_type: "gp3" }], associate_public_ip_address: true }, region: "us-east-1" },
    { name: "extra_iops_in_us_east_1", values: { instance_type: "m5.large", root_block_device: [{ volume_size: 50, volume_type: "gp3", iops: 6000, throughput: 250 }] }, region: "us-east-1" },
    { name: "extra_iops_unpriced_in_eu_central_1", values: { instance_type: "m5.large", root_block_device: [{ volume_size: 50, volume_type: "gp3", iops: 6000 }] }, region: "eu-central-1" },
    { name: "no_region_is_a_missing_price", values: { instance_type: "t3.small" } },
  ],
  aws_ebs_volume: [
    { name: "ceph_2tb_gp3", values: { size: 2048, type: "gp3", labels: {}, tags: { "aiwc/group": "ceph-storage" } }, region: "eu-central-1" },
    { name: "gp2_has_no_price", values: { size: 100 }, region: "eu-central-1" },
  ],
  aws_nat_gateway: [
    { name: "usage_unknown", values: {}, region: "eu-central-1" },
    { name: "with_500gb_processed", values: {}, region: "eu-central-1", usage: { aws_nat_gateway: { monthly_gb_processed: 500 } } },
  ],
  aws_eip: [{ name: "elastic_ip", values: { domain: "vpc" }, region: "eu-central-1" }],
  aws_lb: [
    { name: "application", values: { load_balancer_type: "application" }, region: "eu-central-1" },
    { name: "network_with_usage", values: { load_balancer_type: "network" }, region: "us-east-1", usage: { aws_lb: { monthly_capacity_unit_hours: 730 } } },
  ],
  aws_s3_bucket: [
    { name: "usage_unknown", values: { bucket: "backups" }, region: "eu-central-1" },
    { name: "with_200gb", values: { bucket: "backups" }, region: "eu-central-1", usage: { aws_s3_bucket: { storage_gb: 200 } } },
  ],
  ovh_cloud_instance: [
    { name: "l4_90_gpu", values: { flavor_id: "l4-90", region: "GRA11" } },
    { name: "flavor_uuid_has_no_price", values: { flavor_id: "0d9a3c2e-5d3f-4a0e-9f1d-3e2b1c4d5e6f", region: "GRA11" } },
  ],
  ovh_cloud_project_volume: [
    { name: "classic_500gb", values: { size: 500, type: "classic", region_name: "GRA11" } },
    { name: "high_speed_gen2_100gb", values: { size: 100, type: "high-speed-gen2", region_name: "GRA11" } },
  ],
};

describe("priced resources", () => {
  test.each(Object.keys(CASES))("%s", async (type) => {
    await expect(stableJson(CASES[type]!.map((c) => line(type, c)))).toMatchFileSnapshot(`golden/cost/${type}.json`);
  });

  test("a missing price never counts as zero", () => {
    const item = priceInstance({ address: "hcloud_load_balancer.x", type: "hcloud_load_balancer", values: { load_balancer_type: "lb31" } }, book);
    expect(item.status).toBe("unsupported");
    expect(item.components[0]!.monthly).toBeNull();
    expect(item.reason).toMatch(/missing price: "lb31" is not in the hetzner catalog/);
  });

  test("unknown resource types are unsupported, listed types are free", () => {
    expect(priceInstance({ address: "hcloud_snapshot.s", type: "hcloud_snapshot", values: {} }, book)).toMatchObject({ status: "unsupported", reason: "no price model for resource type hcloud_snapshot" });
    expect(priceInstance({ address: "hcloud_network.n", type: "hcloud_network", values: {} }, book)).toMatchObject({ status: "free", reason: "private networks are free" });
  });

  test("USD prices are converted with the dated FX rate", () => {
    const item = priceInstance({ address: "aws_eip.e", type: "aws_eip", values: {}, providerRegion: "eu-central-1" }, book);
    // 0.005 USD/h × 730 h = 3.65 USD; / 1.1133 USD per EUR = 3.2785… EUR
    expect(toAmount(item.monthly, 4)).toBe("3.2785");
  });
});
