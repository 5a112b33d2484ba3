/**
 * Identical resources are priced once per run (cost/engine.ts): what the memo shares must be
 * exactly what pricing each resource on its own gives.
 */
import { describe, expect, test } from "vitest";
import { estimate, priceInstance, type LineItem } from "../cost/engine";
import { fromConfiguration } from "../cost/input";
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

  test("totals of many identical amounts are exact", () => {
    const price = money("7.6923");
    const values = [...Array.from({ length: 10_000 }, () => price), money("0.01"), price];
    expect(sum(values).toFixed()).toBe("76930.7023");
    expect(sum([]).toFixed()).toBe("0");
  });
});
