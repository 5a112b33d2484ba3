/**
 * The cost engine: prices every resource instance from the catalogs. Each resource is
 * *priced*, *free* (explicit list) or *unsupported* (unknown type, attributes it cannot read,
 * or a price the catalog does not have — a missing price is never zero).
 */
import type { ResourceInstance } from "./input";
import { money, sum, ZERO, type Money } from "./money";
import { isMissing, type PriceBook } from "./prices";
import { FREE_TYPES, PRICED_BY_TYPE } from "./registry";
import type { ComponentSpec, PricedResourceType } from "./resource";

export type Usage = Readonly<Record<string, Readonly<Record<string, number>>>>;

export interface LineComponent {
  readonly name: string;
  readonly unit: string;
  /** Monthly quantity; null when usage-based and unknown. */
  readonly quantity: Money | null;
  /** EUR per unit (after FX and percentages). */
  readonly unitPrice: Money | null;
  /** EUR per month; null when the quantity or the price is unknown. */
  readonly monthly: Money | null;
  /** One-time EUR. */
  readonly setup?: Money;
  readonly priceKey: string;
  readonly usageKey?: string;
  /** Why there is no price, when there is none. */
  readonly missing?: string;
  readonly estimate?: string;
}

export type Status = "priced" | "free" | "unsupported";

export interface LineItem {
  readonly address: string;
  readonly type: string;
  readonly stack?: string;
  readonly constructPath?: string;
  readonly group: string;
  readonly user?: string;
  readonly status: Status;
  readonly reason?: string;
  readonly components: readonly LineComponent[];
  /** EUR per month (known components only). */
  readonly monthly: Money;
  readonly setup: Money;
  readonly actions?: readonly string[];
}

export interface Estimate {
  readonly pricingDate: string;
  readonly resources: readonly LineItem[];
  readonly totalMonthly: Money;
  readonly setupOneTime: Money;
  readonly counts: Readonly<Record<Status, number>>;
}

/** Group name for resources that belong to no node group (networks, firewalls, keys, …). */
export const SHARED_GROUP = "shared";

function labelsOf(values: Readonly<Record<string, unknown>>): Record<string, string> {
  const pick = (v: unknown) => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, string>) : undefined);
  const input = pick(values.input);
  return { ...pick(values.tags_all), ...pick(values.tags), ...pick(values.labels), ...pick(input?.labels) };
}

function isDate(value: unknown): value is string {
  return typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value);
}

function computeComponent(
  spec: ComponentSpec,
  book: PriceBook,
  region: string | undefined,
  date: string,
): LineComponent {
  const price = book.lookup(spec.price, { ...(region !== undefined ? { region } : {}), date });
  const base = {
    name: spec.name,
    unit: spec.unit,
    quantity: spec.quantity,
    priceKey: price.key,
    ...(spec.usageKey !== undefined ? { usageKey: spec.usageKey } : {}),
  };
  if (isMissing(price)) return { ...base, unitPrice: null, monthly: null, missing: price.missing };
  let factor = money(1);
  if (spec.percent !== undefined) {
    const percent = book.lookup(spec.percent, { date });
    if (isMissing(percent)) return { ...base, unitPrice: null, monthly: null, missing: percent.missing };
    factor = percent.monthly.dividedBy(100);
  }
  const hours = book.hoursPerMonth(spec.price.provider)!;
  const rate = spec.rate ?? "monthly";
  const unitPrice = (rate === "monthly" ? price.monthly : price.hourly ?? price.monthly.dividedBy(hours)).times(factor);
  let monthly = spec.quantity === null ? null : spec.quantity.times(unitPrice);
  if (rate === "capped" && monthly !== null) {
    const cap = price.monthly.times(factor).times(spec.cappedUnits ?? money(1));
    if (monthly.greaterThan(cap)) monthly = cap;
  }
  return {
    ...base,
    unitPrice,
    monthly,
    ...(spec.setup === true && price.setup !== undefined ? { setup: price.setup } : {}),
    ...(price.estimate !== undefined ? { estimate: price.estimate } : {}),
  };
}

function classify(instance: ResourceInstance): { definition: PricedResourceType<any>; attributes: unknown } | { free: string } | { unsupported: string } {
  const candidates = PRICED_BY_TYPE.get(instance.type) ?? [];
  const problems: string[] = [];
  for (const definition of candidates) {
    const parsed = definition.schema.safeParse(instance.values);
    if (parsed.success) return { definition, attributes: parsed.data };
    problems.push(parsed.error.issues.map((i) => `${i.path.join(".") || "(resource)"}: ${i.message}`).join("; "));
  }
  const free = FREE_TYPES[instance.type];
  if (free !== undefined) return { free };
  if (candidates.length > 0) return { unsupported: `attributes not understood (${problems.join(" | ")})` };
  return { unsupported: `no price model for resource type ${instance.type}` };
}

export function priceInstance(instance: ResourceInstance, book: PriceBook, usage: Usage = {}): LineItem {
  const labels = labelsOf(instance.values);
  const user = labels["aiwc/user"];
  const common = {
    address: instance.address,
    type: instance.type,
    ...(instance.stack !== undefined ? { stack: instance.stack } : {}),
    ...(instance.constructPath !== undefined ? { constructPath: instance.constructPath } : {}),
    group: labels["aiwc/group"] ?? SHARED_GROUP,
    ...(user !== undefined ? { user } : {}),
    ...(instance.actions !== undefined ? { actions: instance.actions } : {}),
  };
  const kind = classify(instance);
  if ("free" in kind) return { ...common, status: "free", reason: kind.free, components: [], monthly: ZERO, setup: ZERO };
  if ("unsupported" in kind) return { ...common, status: "unsupported", reason: kind.unsupported, components: [], monthly: ZERO, setup: ZERO };
  const { definition, attributes } = kind;
  if (definition.free?.(attributes) === true) return { ...common, status: "free", reason: "free variant", components: [], monthly: ZERO, setup: ZERO };

  // Price date: when the resource was created or ordered, if it says so (Hetzner kept old
  // prices for servers created before 2026-06-15); otherwise the pricing date.
  const input = (instance.values.input ?? {}) as Record<string, unknown>;
  const date = isDate(labels["aiwc/created"]) ? labels["aiwc/created"] : isDate(input.ordered_on) ? input.ordered_on : book.pricingDate;
  const region = definition.region?.(attributes) ?? instance.providerRegion;
  const context = {
    book,
    ...(region !== undefined ? { region } : {}),
    date,
    usage: { ...usage[instance.type], ...usage[instance.address] },
    hoursPerMonth: book.hoursPerMonth(definition.provider) ?? 730,
  };
  const components = definition.components(attributes, context).map((spec) => computeComponent(spec, book, region, date));
  const missing = components.filter((c) => c.missing !== undefined);
  const monthly = sum(components.flatMap((c) => (c.monthly !== null ? [c.monthly] : [])));
  const setup = sum(components.flatMap((c) => (c.setup !== undefined ? [c.setup] : [])));
  const unknownCount = instance.values["aiwc:unknown_count"] === true;
  if (missing.length > 0) {
    return { ...common, status: "unsupported", reason: `missing price: ${missing.map((c) => c.missing).join("; ")}`, components, monthly, setup };
  }
  return { ...common, status: "priced", ...(unknownCount ? { reason: "count/for_each is an expression: priced as one instance" } : {}), components, monthly, setup };
}

export function estimate(instances: readonly ResourceInstance[], book: PriceBook, usage: Usage = {}): Estimate {
  const resources = instances.map((instance) => priceInstance(instance, book, usage));
  const counts: Record<Status, number> = { priced: 0, free: 0, unsupported: 0 };
  for (const item of resources) counts[item.status]++;
  return {
    pricingDate: book.pricingDate,
    resources,
    totalMonthly: sum(resources.map((r) => r.monthly)),
    setupOneTime: sum(resources.map((r) => r.setup)),
    counts,
  };
}
