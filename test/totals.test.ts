/**
 * The sums over line items that the report, its renderings, the tariff and the gate read
 * (cost/totals.ts) count shared amounts instead of adding each: they must be exactly what
 * adding every line item's amount gives, in the same order.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { estimate, type LineItem } from "../cost/engine";
import { fromConfiguration } from "../cost/input";
import { groupTotals, monthlyBy, usageBased, usedProviders } from "../cost/totals";
import { ZERO, type Money } from "../catalog/money";
import { PriceBook } from "../catalog/prices";
import { loadConfig } from "../model/load";
import { byText } from "../config/text";
import { DEFAULT_CONFIG, ROOT } from "./helpers";

const config = loadConfig(DEFAULT_CONFIG);

/**
 * An AWS design (its groups, a NAT gateway priced per GB without usage, a load balancer without
 * a price) and Hetzner users interleaved with it, so that runs of one amount break and resume.
 */
function lineItems(): readonly LineItem[] {
  const seed = JSON.parse(readFileSync(join(ROOT, "test", "fixtures", "aws-seed.tf.json"), "utf8")) as { resource: Record<string, Record<string, unknown>>; provider?: unknown };
  const users: Record<string, unknown> = {};
  for (let i = 0; i < 40; i++) {
    users[`u${i}`] = { name: `u${i}`, server_type: i % 3 === 0 ? "cpx22" : "cpx12", location: "fsn1", labels: { "aiwc/group": i % 5 === 0 ? "gpu" : "user-vms", "aiwc/user": `user${i % 7}` } };
  }
  const hetzner = fromConfiguration({ resource: { hcloud_server: users, hcloud_volume: { shared: { name: "shared", size: 50, location: "fsn1" } } } }, "users");
  const aws = fromConfiguration(seed, "seed");
  const mixed = [...aws.slice(0, 5), ...hetzner.slice(0, 20), ...aws.slice(5), ...hetzner.slice(20)];
  return estimate(mixed, new PriceBook(config.catalogs, config.fx, "2026-11-27")).resources;
}

/** Adding each line item's amount, as the report did before. */
function added(items: readonly LineItem[], keyOf: (item: LineItem) => string | undefined, amountOf: (item: LineItem) => Money = (i) => i.monthly): Map<string, Money> {
  const sums = new Map<string, Money>();
  for (const item of items) {
    const key = keyOf(item);
    if (key !== undefined) sums.set(key, (sums.get(key) ?? ZERO).plus(amountOf(item)));
  }
  return sums;
}

const strings = (sums: ReadonlyMap<string, Money>) => [...sums].map(([key, value]) => [key, value.toFixed()]);

describe("sums over line items", () => {
  const items = lineItems();

  test("the sample has what the sums must get right: groups, users, repeated and interrupted amounts, unsupported and usage-based items", () => {
    const groups = new Set(items.map((i) => i.group));
    expect(groups.size).toBeGreaterThanOrEqual(4);
    expect(new Set(items.map((i) => i.user).filter((u) => u !== undefined)).size).toBe(7);
    expect(items.some((i) => i.status === "unsupported")).toBe(true);
    expect(items.some((i) => i.components.some((c) => c.quantity === null && c.unitPrice !== null))).toBe(true);
  });

  test("per node group: the count, the unsupported ones, monthly and setup sums, sorted by name", () => {
    const totals = groupTotals(items);
    const names = [...new Set(items.map((i) => i.group))].sort(byText);
    expect(totals.map((g) => g.group)).toEqual(names);
    const monthly = added(items, (i) => i.group);
    const setup = added(items, (i) => i.group, (i) => i.setup);
    for (const g of totals) {
      const members = items.filter((i) => i.group === g.group);
      expect({ group: g.group, resources: g.resources, unsupported: g.unsupported, monthly: g.monthly.toFixed(), setup: g.setup.toFixed() }).toEqual({
        group: g.group,
        resources: members.length,
        unsupported: members.filter((i) => i.status === "unsupported").length,
        monthly: monthly.get(g.group)!.toFixed(),
        setup: setup.get(g.group)!.toFixed(),
      });
    }
    // Computed once per list of line items.
    expect(groupTotals(items)).toBe(totals);
  });

  test("per user and per group, in the order the keys first occur; items without a key are left out", () => {
    expect(strings(monthlyBy(items, (i) => i.user))).toEqual(strings(added(items, (i) => i.user)));
    expect(strings(monthlyBy(items, (i) => i.group))).toEqual(strings(added(items, (i) => i.group)));
    expect(monthlyBy([], (i) => i.group).size).toBe(0);
  });

  test("the providers used and the usage-based components, as a walk over every component finds them", () => {
    expect(usedProviders(items)).toEqual([...new Set(items.flatMap((i) => i.components.map((c) => c.priceKey.split(".")[0]!)))].sort());
    expect(usageBased(items).map(({ item, component }) => `${item.address} ${component.name}`)).toEqual(
      items.flatMap((i) => i.components.filter((c) => c.quantity === null && c.unitPrice !== null).map((c) => `${i.address} ${c.name}`)),
    );
  });
});
