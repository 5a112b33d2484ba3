/**
 * Sums over an estimate's line items, as the report, its renderings, the tariff and the gate
 * need them: per node group, per user, and the price providers used. One pass each, exact, and
 * cheap at 100,000 resources: identical resources share one amount object (engine.ts), so an
 * amount is counted where it repeats and multiplied once (money.ts sumCounted) instead of being
 * added as a Decimal per line item; components are looked at once per shared component list.
 */
import { isUsageBased, type LineComponent, type LineItem } from "./engine";
import { sumCounted, ZERO, type Money } from "../catalog/money";
import { byText } from "../config/text";

/** An exact sum of amounts that repeat: counted per distinct amount, runs of one amount counted in place. */
class CountedSum {
  private readonly counts = new Map<Money, number>();
  private last: Money | undefined;
  private run = 0;

  add(amount: Money): void {
    if (amount === this.last) {
      this.run++;
      return;
    }
    this.flush();
    this.last = amount;
    this.run = 1;
  }

  total(): Money {
    this.flush();
    return sumCounted(this.counts);
  }

  private flush(): void {
    if (this.last !== undefined && this.last !== ZERO) this.counts.set(this.last, (this.counts.get(this.last) ?? 0) + this.run);
    this.last = undefined;
    this.run = 0;
  }
}

/**
 * Line items gathered per key, in the order the keys first occur (items whose key is undefined
 * are left out): `add` folds each into its key's sums. Items of one key mostly come together,
 * so the last key's sums are kept at hand.
 */
function perKey<S>(items: readonly LineItem[], keyOf: (item: LineItem) => string | undefined, create: () => S, add: (sums: S, item: LineItem) => void): Map<string, S> {
  const byKey = new Map<string, S>();
  let lastKey: string | undefined;
  let last: S | undefined;
  for (const item of items) {
    const key = keyOf(item);
    if (key === undefined) continue;
    if (key !== lastKey || last === undefined) {
      last = byKey.get(key);
      if (last === undefined) byKey.set(key, (last = create()));
      lastKey = key;
    }
    add(last, item);
  }
  return byKey;
}

/** Monthly amounts summed per key (a node group, a user), in the order the keys first occur; items whose key is undefined are left out. */
export function monthlyBy(items: readonly LineItem[], keyOf: (item: LineItem) => string | undefined): Map<string, Money> {
  const sums = perKey(items, keyOf, () => new CountedSum(), (sum, item) => sum.add(item.monthly));
  return new Map([...sums].map(([key, sum]) => [key, sum.total()]));
}

/** A node group's line items: how many, how many unsupported, and their monthly and one-time sums. */
export interface GroupTotal {
  readonly group: string;
  readonly resources: number;
  readonly unsupported: number;
  readonly monthly: Money;
  readonly setup: Money;
}

const groupMemo = new WeakMap<readonly LineItem[], readonly GroupTotal[]>();

/** Totals per node group, sorted by name; computed once per list of line items. */
export function groupTotals(items: readonly LineItem[]): readonly GroupTotal[] {
  const known = groupMemo.get(items);
  if (known !== undefined) return known;
  type Sums = { resources: number; unsupported: number; readonly monthly: CountedSum; readonly setup: CountedSum };
  const byGroup = perKey<Sums>(
    items,
    (item) => item.group,
    () => ({ resources: 0, unsupported: 0, monthly: new CountedSum(), setup: new CountedSum() }),
    (sums, item) => {
      sums.resources++;
      if (item.status === "unsupported") sums.unsupported++;
      sums.monthly.add(item.monthly);
      sums.setup.add(item.setup);
    },
  );
  const totals = [...byGroup]
    .map(([group, s]) => ({ group, resources: s.resources, unsupported: s.unsupported, monthly: s.monthly.total(), setup: s.setup.total() }))
    .sort((a, b) => byText(a.group, b.group));
  groupMemo.set(items, totals);
  return totals;
}

/** Each distinct component list once (identical resources share theirs), in the order first met. */
export function componentLists(items: readonly LineItem[]): Set<readonly LineComponent[]> {
  const lists = new Set<readonly LineComponent[]>();
  let last: readonly LineComponent[] | undefined;
  for (const item of items) {
    const components = item.components;
    if (components === last) continue;
    lists.add(components);
    last = components;
  }
  return lists;
}

/** The price providers (catalogs) the line items' components use, sorted. */
export function usedProviders(items: readonly LineItem[]): string[] {
  const used = new Set<string>();
  for (const components of componentLists(items)) for (const c of components) used.add(c.priceKey.split(".")[0]!);
  return [...used].sort();
}

/** The usage-based components without a usage estimate, with their line items, in line item order. */
export function usageBased(items: readonly LineItem[]): { readonly item: LineItem; readonly component: LineComponent }[] {
  const lists = new Set([...componentLists(items)].filter((components) => components.some(isUsageBased)));
  const out: { item: LineItem; component: LineComponent }[] = [];
  if (lists.size === 0) return out;
  for (const item of items) {
    if (!lists.has(item.components)) continue;
    for (const component of item.components) if (isUsageBased(component)) out.push({ item, component });
  }
  return out;
}
