/**
 * Identical resources are priced once per run (cost/engine.ts): what the memo shares must be
 * exactly what pricing each resource on its own gives.
 */
import { describe, expect, test } from "vitest";
import { estimate, estimateEach, priceInstance, type LineItem } from "../cost/engine";
import { documentsSource, fromConfiguration, fromTerraformJson } from "../cost/input";
import { money, sum, toAmount } from "../catalog/money";
import { PriceBook } from "../catalog/prices";
import { loadConfig } from "../model/load";
import { DEFAULT_CONFIG } from "./helpers";

const config = loadConfig(DEFAULT_CONFIG);
const newBook = () => new PriceBook(config.catalogs, config.fx, "2026-11-27");

function server(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, server_type: "cpx12", location: "fsn1", labels: { "aiwc/group": "user-vms", "aiwc/user": name }, public_net: [{ ipv4_enabled: false, ipv6_enabled: false }], ...extra };
}

/** Every field of a line item, as its report reads them (amounts as strings). */
const plain = (item: LineItem) => JSON.parse(JSON.stringify(item)) as unknown;

describe("pricing identical resources once", () => {
  const document = {
    resource: {
      hcloud_server: {
        a: server("a"),
        b: server("b", { image: "debian-13" }),
        c: server("c", { server_type: "cpx22" }),
        d: server("d", { location: "hel1" }),
        e: server("e", { labels: { "aiwc/group": "user-vms", "aiwc/created": "2026-05-01" } }),
        f: server("f", { public_net: [{ ipv4_enabled: true }] }),
        g: server("g", { server_type: 12 }),
      },
      hcloud_volume: { v1: { name: "v1", size: 20, location: "fsn1" }, v2: { name: "v2", size: "20", location: "fsn1" }, v3: { name: "v3", size: 21, location: "fsn1" } },
    },
  };

  test("every line item is what pricing that resource alone (a fresh run) gives", () => {
    const shared = estimate(fromConfiguration(document, "users"), newBook());
    for (const item of shared.resources) {
      const instance = fromConfiguration(document, "users").find((i) => i.address === item.address)!;
      const alone = priceInstance(instance, newBook());
      expect(plain(item), item.address).toEqual(plain(alone));
    }
  });

  test("a difference in an attribute the price reads prices differently; one it does not read does not", () => {
    const byAddress = Object.fromEntries(estimate(fromConfiguration(document, "users"), newBook()).resources.map((r) => [r.address, r]));
    const monthly = (address: string) => toAmount(byAddress[address]!.monthly);
    expect(monthly("hcloud_server.b")).toBe(monthly("hcloud_server.a"));
    expect(monthly("hcloud_server.c")).not.toBe(monthly("hcloud_server.a"));
    // Created before Hetzner's 2026 repricing: the old price.
    expect(monthly("hcloud_server.e")).not.toBe(monthly("hcloud_server.a"));
    // An automatic IPv4 adds its own component.
    expect(byAddress["hcloud_server.f"]!.components.length).toBe(2);
    expect(byAddress["hcloud_server.g"]!.status).toBe("unsupported");
    expect(monthly("hcloud_volume.v2")).toBe(monthly("hcloud_volume.v1"));
    expect(monthly("hcloud_volume.v3")).not.toBe(monthly("hcloud_volume.v1"));
    // Names and groups stay each resource's own.
    expect(byAddress["hcloud_server.b"]!.name).toBe("b");
    expect(byAddress["hcloud_server.b"]!.user).toBe("b");
  });

  test("attribute values that could run into each other are told apart", () => {
    const book = newBook();
    const tricky = {
      resource: {
        hcloud_server: {
          // Without a separator that cannot occur in a value, these two would share one key.
          a: { name: "a", server_type: "cpx12", location: "fsn1\u0000snbg1" },
          b: { name: "b", server_type: "cpx12\u0000sfsn1", location: "nbg1" },
          c: { name: "c", server_type: "cpx12", location: "1" },
          d: { name: "d", server_type: "cpx12", location: 1 },
        },
      },
    };
    const items = estimate(fromConfiguration(tricky, "users"), book).resources;
    for (const item of items) {
      const alone = priceInstance(fromConfiguration(tricky, "users").find((i) => i.address === item.address)!, newBook());
      expect([item.status, item.reason, toAmount(item.monthly)], item.address).toEqual([alone.status, alone.reason, toAmount(alone.monthly)]);
    }
    expect(items.find((i) => i.address === "hcloud_server.d")!.status).toBe("unsupported");
  });

  test("a nested attribute the price reads tells resources apart, labels beside it do not", () => {
    // terraform_data has several price models, each reading part of `input`.
    const dedicated = (product: string, user: string, extra: Record<string, unknown> = {}) => ({ input: { aiwc_kind: "dedicated_server", product, labels: { "aiwc/group": "gpu", "aiwc/user": user }, ...extra } });
    const document = {
      resource: {
        terraform_data: {
          a: dedicated("GEX44-1", "a"),
          b: dedicated("GEX44-1", "b"),
          c: dedicated("GEX131-1", "c"),
          d: dedicated("GEX44-1", "d", { ordered_on: "2026-01-05" }),
          e: dedicated("GEX44-1", "e", { product: ["GEX44-1"] }),
          s: { input: { aiwc_kind: "object_storage", provider: "hetzner", buckets: ["backups"] } },
          t: { input: { aiwc_kind: "object_storage", provider: "hetzner", buckets: [] } },
        },
      },
    };
    const items = estimate(fromConfiguration(document, "platform"), newBook()).resources;
    for (const item of items) {
      const alone = priceInstance(fromConfiguration(document, "platform").find((i) => i.address === item.address)!, newBook());
      expect(plain(item), item.address).toEqual(plain(alone));
    }
    const byName = Object.fromEntries(items.map((i) => [i.address.split(".")[1], i]));
    expect(toAmount(byName.b!.monthly)).toBe(toAmount(byName.a!.monthly));
    expect(byName.b!.user).toBe("b");
    expect(toAmount(byName.c!.monthly)).not.toBe(toAmount(byName.a!.monthly));
    expect(byName.e!.status).toBe("unsupported");
    expect(byName.s!.status).toBe("priced");
    expect(byName.t!.status).toBe("unsupported");
  });

  test("totals, counts and the usage note count every resource of a shared outcome, not the outcome once", () => {
    // Three identical NAT gateways share one outcome (a usage-based component without usage),
    // as do five identical servers; one server type is not understood.
    const document = {
      provider: { aws: [{ region: "eu-central-1" }] },
      resource: {
        aws_nat_gateway: { n1: {}, n2: {}, n3: {} },
        hcloud_server: { ...Object.fromEntries(["a", "b", "c", "d", "e"].map((n) => [n, server(n)])), g: server("g", { server_type: 12 }) },
      },
    };
    const result = estimate(fromConfiguration(document, "platform"), newBook());
    const items = result.resources;
    expect(items).toHaveLength(9);
    // Each figure recomputed from the line items themselves.
    expect(result.counts).toEqual({ priced: items.filter((i) => i.status === "priced").length, free: 0, unsupported: 1 });
    expect(result.counts.priced).toBe(8);
    expect(toAmount(result.totalMonthly)).toBe(toAmount(sum(items.map((i) => i.monthly))));
    const unknownUsage = items.flatMap((i) => i.components).filter((c) => c.quantity === null && c.unitPrice !== null).length;
    expect(unknownUsage).toBe(3);
    expect(result.incomplete).toEqual(["1 resource(s) cannot be priced", "3 usage-based price(s) have no usage estimate (--usage)"]);
  });

  test("a kind met again after another, or after another date, reuses what it was priced to", () => {
    // a, c and e are alike (one kind, one date); b reads another type between them, d another
    // creation date of the same kind. What a, c and e price to is shared, not priced again.
    const created = (name: string, date: string) => server(name, { labels: { "aiwc/group": "user-vms", "aiwc/created": date } });
    const document = { resource: { hcloud_server: { a: server("a"), b: server("b", { server_type: "cpx22" }), c: server("c"), d: created("d", "2026-05-01"), e: server("e"), f: created("f", "2026-05-01") } } };
    const items = estimate(fromConfiguration(document, "users"), newBook()).resources;
    for (const item of items) {
      const alone = priceInstance(fromConfiguration(document, "users").find((i) => i.address === item.address)!, newBook());
      expect(plain(item), item.address).toEqual(plain(alone));
    }
    const [a, b, c, d, e, f] = items as [LineItem, LineItem, LineItem, LineItem, LineItem, LineItem];
    expect(c.components).toBe(a.components);
    expect(e.components).toBe(a.components);
    expect(f.components).toBe(d.components);
    expect(b.components).not.toBe(a.components);
    expect(toAmount(d.monthly)).not.toBe(toAmount(a.monthly));
  });

  test("volumes of every size share one price lookup: each is its size (at least 10 GB) times the price per GB", () => {
    const sizes = [5, 10, 20, 21, 20, 400];
    const document = { resource: { hcloud_volume: Object.fromEntries(sizes.map((size, i) => [`v${i}`, { name: `v${i}`, size, location: "fsn1" }])) } };
    const items = estimate(fromConfiguration(document, "users"), newBook()).resources;
    const perGb = items[0]!.components[0]!.unitPrice!;
    expect(perGb.greaterThan(0)).toBe(true);
    expect(items.map((i) => toAmount(i.monthly))).toEqual(sizes.map((size) => toAmount(perGb.times(Math.max(size, 10)))));
    for (const item of items) expect(item.components[0]!.unitPrice, item.address).toBe(perGb);
    // Equal sizes share their component; 5 GB is billed as 10 GB, with its own quantity.
    expect(items[4]!.components[0]).toBe(items[2]!.components[0]);
    expect(items[0]!.components[0]!.quantity!.toFixed()).toBe("10");
    for (const item of items) expect(plain(item), item.address).toEqual(plain(priceInstance(fromConfiguration(document, "users").find((i) => i.address === item.address)!, newBook())));
  });

  test("a literal count prices each instance; an expression count prices one and says so, sharing the price but not the note", () => {
    const document = {
      resource: {
        hcloud_server: {
          fixed: { ...server("fixed"), count: 3 },
          planned: { ...server("planned"), count: "${var.workers}" },
          each: { ...server("each"), for_each: "${toset(var.names)}" },
          plain: server("plain"),
        },
      },
    };
    const result = estimate(fromConfiguration(document, "users"), newBook());
    const byAddress = Object.fromEntries(result.resources.map((r) => [r.address, r]));
    expect(Object.keys(byAddress)).toEqual(["hcloud_server.fixed[0]", "hcloud_server.fixed[1]", "hcloud_server.fixed[2]", "hcloud_server.planned", "hcloud_server.each", "hcloud_server.plain"]);
    const note = "count/for_each is an expression: priced as one instance";
    expect(byAddress["hcloud_server.planned"]!.reason).toBe(note);
    expect(byAddress["hcloud_server.each"]!.reason).toBe(note);
    expect(byAddress["hcloud_server.plain"]!.reason).toBeUndefined();
    expect(byAddress["hcloud_server.fixed[1]"]!.reason).toBeUndefined();
    // One price for all: the note is the only difference.
    const monthly = toAmount(byAddress["hcloud_server.plain"]!.monthly);
    for (const item of result.resources) expect(toAmount(item.monthly), item.address).toBe(monthly);
    expect(toAmount(result.totalMonthly)).toBe(toAmount(byAddress["hcloud_server.plain"]!.monthly.times(6)));
  });

  test("one pass over documents (priced as read) gives what pricing their instance lists gives", () => {
    const volume = { availability_zone: "eu-central-1a", size: 400, type: "gp3", tags: { "aiwc/group": "ceph-storage" } };
    const plan = {
      format_version: "1.2",
      terraform_version: "1.11.0",
      planned_values: { root_module: { resources: [{ address: "aws_ebs_volume.a", mode: "managed", type: "aws_ebs_volume", name: "a", values: volume }] } },
      resource_changes: [
        { address: "aws_ebs_volume.a", mode: "managed", type: "aws_ebs_volume", change: { actions: ["delete", "create"], before: volume, after: volume } },
        { address: "aws_ebs_volume.b", mode: "managed", type: "aws_ebs_volume", change: { actions: ["delete"], before: volume, after: null } },
      ],
      configuration: { provider_config: { aws: { name: "aws", expressions: { region: { constant_value: "eu-central-1" } } } } },
    };
    const configuration = {
      provider: { aws: [{ region: "eu-central-1" }] },
      resource: {
        hcloud_server: { a: server("a"), b: { ...server("b"), count: 2 }, c: { ...server("c"), count: "${var.n}" }, d: server("d", { server_type: 12 }) },
        aws_instance: { w: { instance_type: "t3.small", ami: "ami-0a1b2c3d4e5f67890", root_block_device: { volume_size: 30, volume_type: "gp3" } } },
        hcloud_network: { n: { name: "n", ip_range: "10.0.0.0/16" } },
      },
      module: { vpc: { source: "terraform-aws-modules/vpc/aws" } },
    };
    const documents = [
      { name: "platform", json: configuration },
      { name: "plan", json: plan },
      { name: "users", json: document },
    ];
    const listed = estimate(documents.flatMap((d) => fromTerraformJson(d.json, d.name)), newBook());
    const passed = estimateEach(documentsSource(documents), newBook());
    expect(passed.resources.map(plain)).toEqual(listed.resources.map(plain));
    expect(passed.removed.map(plain)).toEqual(listed.removed.map(plain));
    expect(passed.removed.map((r) => r.address)).toEqual(["aws_ebs_volume.b"]);
    expect([toAmount(passed.totalMonthly), passed.counts, passed.incomplete]).toEqual([toAmount(listed.totalMonthly), listed.counts, listed.incomplete]);
    // Configuration: a, b[0], b[1], c, w priced; n free; d and the module call unsupported. Plan:
    // the replaced volume stays, the deleted one is removed. Users: all but e (no price before
    // cpx12 existed) and g; three volumes.
    expect(passed.counts).toEqual({ priced: 14, free: 1, unsupported: 4 });
    // A broken document is the same clear error either way.
    const broken = [...documents, { name: "bad", json: { resource: { hcloud_server: { x: { ...server("x"), count: -1 } } } } }];
    expect(() => estimateEach(documentsSource(broken), newBook())).toThrow('resource.hcloud_server.x.count: must be a whole number ≥ 0, got -1');
    expect(() => broken.flatMap((d) => fromTerraformJson(d.json, d.name))).toThrow('resource.hcloud_server.x.count: must be a whole number ≥ 0, got -1');
  });

  test("totals of many identical amounts are exact", () => {
    const price = money("7.6923");
    const values = [...Array.from({ length: 10_000 }, () => price), money("0.01"), price];
    expect(sum(values).toFixed()).toBe("76930.7023");
    expect(sum([]).toFixed()).toBe("0");
  });
});
