/**
 * The cost engine: prices every resource instance from the catalogs. Each resource is
 * *priced*, *free* (explicit list) or *unsupported* (unknown type, attributes it cannot read,
 * or a price the catalog does not have — a missing price is never zero).
 */
import { MODULE_CALL, type ResourceInstance } from "./input";
import { plannedAction } from "./replacement";
import { money, sum, ZERO, type Money } from "../catalog/money";

import { isMissing, type PriceBook } from "../catalog/prices";
import { FREE_TYPES, PRICED_BY_TYPE } from "./registry";
import type { ComponentSpec, PricedResourceType, PricingContext } from "../catalog/priced-resource";

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
  /** When the price's source stated it. */
  readonly asOf?: string;
}

export type Status = "priced" | "free" | "unsupported";

export interface LineItem {
  readonly address: string;
  readonly type: string;
  readonly stack?: string;
  readonly constructPath?: string;
  readonly group: string;
  readonly user?: string;
  /** The node's role (aiwc/role label), where it has one. */
  readonly role?: string;
  /** The machine's or volume's name (`name`, or the `Name` tag). */
  readonly name?: string;
  readonly status: Status;
  readonly reason?: string;
  readonly components: readonly LineComponent[];
  /** EUR per month (known components only). */
  readonly monthly: Money;
  readonly setup: Money;
  readonly actions?: readonly string[];
  /**
   * The resource's attributes as read (configuration JSON only): the report derives its
   * replacement and boot keys from them (replacement.ts) when it is serialized, so pricing
   * itself stays as fast as before.
   */
  readonly values?: Readonly<Record<string, unknown>>;
}

/** A resource a plan destroys or replaces that holds data. */
export interface DataAtRisk {
  readonly address: string;
  readonly type: string;
  readonly stack?: string;
  readonly group: string;
  readonly user?: string;
  readonly action: "delete" | "replace";
  /** Explicitly allowed (--allow-data-loss, policy.allowDataLoss, AIWC_ALLOW_DATA_LOSS). */
  readonly allowed: boolean;
}

export interface Estimate {
  readonly pricingDate: string;
  /** What exists after the change (a plan's planned state, or the configuration). */
  readonly resources: readonly LineItem[];
  /** What a plan deletes (priced at what it cost before; not in the totals). */
  readonly removed: readonly LineItem[];
  /** Sum of the priced resources: a lower bound unless `complete`. */
  readonly totalMonthly: Money;
  readonly setupOneTime: Money;
  readonly counts: Readonly<Record<Status, number>>;
  /** Every resource priced and every usage-based price given its usage. */
  readonly complete: boolean;
  /** Why the total is only a lower bound. */
  readonly incomplete: readonly string[];
}

/** Group name for resources that belong to no node group (networks, firewalls, keys, …). */
export const SHARED_GROUP = "shared";

const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

function asLabels(value: unknown): Record<string, string> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, string>) : undefined;
}

/** hcloud `labels`, AWS `tags`/`tags_all`, terraform_data `input.labels`: usually only one exists. */
function labelsOf(values: Readonly<Record<string, unknown>>): Readonly<Record<string, string>> {
  // Without an intermediate array: this runs once per resource.
  const tagsAll = asLabels(values.tags_all);
  const tags = asLabels(values.tags);
  const labels = asLabels(values.labels);
  const input = asLabels(asLabels(values.input)?.labels);
  const count = (tagsAll !== undefined ? 1 : 0) + (tags !== undefined ? 1 : 0) + (labels !== undefined ? 1 : 0) + (input !== undefined ? 1 : 0);
  if (count === 0) return NO_LABELS;
  if (count === 1) return (labels ?? tags ?? input ?? tagsAll)!;
  return { ...tagsAll, ...tags, ...labels, ...input };
}

function isDate(value: unknown): value is string {
  return typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value);
}

/**
 * Components repeat (every cpx22 server has the same one): results are memoized per book, and
 * being immutable, shared between line items.
 */
const componentMemo = new WeakMap<PriceBook, Map<string, LineComponent>>();

function computeComponent(spec: ComponentSpec, book: PriceBook, region: string | undefined, date: string): LineComponent {
  let memo = componentMemo.get(book);
  if (memo === undefined) componentMemo.set(book, (memo = new Map()));
  const key = [
    spec.name,
    spec.unit,
    spec.quantity === null ? "" : spec.quantity.toString(),
    spec.price.provider,
    spec.price.section,
    spec.price.id,
    spec.rate ?? "",
    spec.percent?.id ?? "",
    spec.cappedUnits?.toString() ?? "",
    spec.setup === true ? "s" : "",
    spec.usageKey ?? "",
    region ?? "",
    date,
  ].join("\u0000");
  let component = memo.get(key);
  if (component === undefined) {
    component = computeComponentOnce(spec, book, region, date);
    memo.set(key, component);
  }
  return component;
}

function computeComponentOnce(spec: ComponentSpec, book: PriceBook, region: string | undefined, date: string): LineComponent {
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
    asOf: price.asOf,
    ...(price.estimate !== undefined ? { estimate: price.estimate } : {}),
  };
}

const NONE: readonly PricedResourceType<any>[] = [];

type Classification = { definition: PricedResourceType<any>; attributes: unknown; key: string | undefined } | { free: string } | { unsupported: string };

/**
 * The attribute names a priced type's schema reads: the keys of a plain (stripping) object
 * schema, whose result depends on those keys alone. Undefined for any other schema (strict,
 * passthrough, a union, a transform of the whole object): those are parsed every time.
 */
const shapeKeysMemo = new WeakMap<PricedResourceType<any>, readonly string[] | null>();

function shapeKeys(definition: PricedResourceType<any>): readonly string[] | undefined {
  let keys = shapeKeysMemo.get(definition);
  if (keys === undefined) {
    const schema = definition.schema as unknown as { _zod?: { def?: { type?: string; catchall?: unknown } }; shape?: Record<string, unknown> };
    keys = schema._zod?.def?.type === "object" && schema._zod.def.catchall === undefined && schema.shape !== undefined ? Object.keys(schema.shape) : null;
    shapeKeysMemo.set(definition, keys);
  }
  return keys ?? undefined;
}

/**
 * Resources whose read attributes are equal classify alike (every cpx12 user VM): the result
 * is memoized per pricing run under the type and those attributes' JSON, which then also keys
 * the components. Values come from JSON documents (parsed, or resolved by cdktf), so JSON
 * tells equal values from different ones.
 */
function classify(instance: ResourceInstance, memo: Map<string, Classification>): Classification {
  const candidates = PRICED_BY_TYPE.get(instance.type);
  const only = candidates?.length === 1 ? candidates[0]! : undefined;
  const keys = only !== undefined ? shapeKeys(only) : undefined;
  if (keys === undefined) return classifyOnce(instance, undefined);
  // Strings (most read attributes) go in as they are, length-prefixed so no value can run into
  // the next and "1" stays apart from 1; anything else as JSON.
  let json = instance.type;
  for (const name of keys) {
    const value = instance.values[name];
    json += typeof value === "string" ? `\u0000s${value.length}:${value}` : `\u0000${JSON.stringify(value) ?? ""}`;
  }
  let result = memo.get(json);
  if (result === undefined) {
    result = classifyOnce(instance, json);
    memo.set(json, result);
  }
  return result;
}

function classifyOnce(instance: ResourceInstance, key: string | undefined): Classification {
  if (instance.type === MODULE_CALL) {
    const source = typeof instance.values.source === "string" ? ` (source ${instance.values.source})` : "";
    return { unsupported: `a module's resources are not in this JSON${source}; price a plan (terraform show -json), which lists them with their provider configuration` };
  }
  const candidates = PRICED_BY_TYPE.get(instance.type) ?? NONE;
  let problems: string[] | undefined;
  for (const definition of candidates) {
    const parsed = definition.schema.safeParse(instance.values);
    if (parsed.success) return { definition, attributes: parsed.data, key };
    (problems ??= []).push(parsed.error.issues.map((i) => `${i.path.join(".") || "(resource)"}: ${i.message}`).join("; "));
  }
  const free = FREE_TYPES[instance.type];
  if (free !== undefined) return { free };
  if (problems !== undefined) return { unsupported: `attributes not understood (${problems.join(" | ")})` };
  return { unsupported: `no price model for resource type ${instance.type}` };
}

/** Labels by resource name, for resources that carry none (OVH instances): from the topology. */
export type LabelsByName = Readonly<Record<string, Readonly<Record<string, string>>>>;

export function priceInstance(instance: ResourceInstance, book: PriceBook, usage: Usage = NO_USAGE_AT_ALL, labelsByName: LabelsByName = {}): LineItem {
  let labels = labelsOf(instance.values);
  if (labels === NO_LABELS && typeof instance.values.name === "string") labels = labelsByName[instance.values.name] ?? NO_LABELS;
  const user = labels["aiwc/user"];
  const item: {
    address: string;
    type: string;
    stack?: string;
    constructPath?: string;
    group: string;
    user?: string;
    role?: string;
    name?: string;
    actions?: readonly string[];
    values?: Readonly<Record<string, unknown>>;
    status: Status;
    reason?: string;
    components: readonly LineComponent[];
    monthly: Money;
    setup: Money;
  } = {
    // Every field from the start, so all line items share one shape.
    address: instance.address,
    type: instance.type,
    stack: instance.stack,
    constructPath: instance.constructPath,
    group: labels["aiwc/group"] ?? SHARED_GROUP,
    user,
    role: labels["aiwc/role"],
    name: typeof instance.values.name === "string" ? instance.values.name : labels.Name,
    actions: instance.actions,
    values: instance.actions === undefined ? instance.values : undefined,
    status: "free",
    reason: undefined,
    components: NO_COMPONENTS,
    monthly: ZERO,
    setup: ZERO,
  };

  const memos = memosOf(book);
  const kind = classify(instance, memos.classes);
  if ("free" in kind) {
    item.reason = kind.free;
    return item;
  }
  if ("unsupported" in kind) {
    item.status = "unsupported";
    item.reason = kind.unsupported;
    return item;
  }
  const { definition, attributes, key: attributesKey } = kind;
  if (definition.free?.(attributes) === true) {
    item.reason = "free variant";
    return item;
  }

  // Price date: when the resource was created or ordered, if it says so (Hetzner kept old
  // prices for servers created before 2026-06-15); otherwise the pricing date.
  const input = asLabels(instance.values.input);
  const created = labels["aiwc/created"];
  const date = isDate(created) ? created : isDate(input?.ordered_on) ? input.ordered_on : book.pricingDate;
  const region = definition.region?.(attributes) ?? instance.providerRegion;
  // Without a usage file, no lookups (a missing key walks the prototype chain, per resource).
  const byType = usage === NO_USAGE_AT_ALL ? undefined : usage[instance.type];
  const byAddress = usage === NO_USAGE_AT_ALL ? undefined : usage[instance.address];
  const resourceUsage = byType === undefined ? byAddress ?? NO_USAGE : byAddress === undefined ? byType : { ...byType, ...byAddress };
  // Identical resources (every cpx12 user VM) price identically: without usage, the priced
  // components are memoized per pricing run — on the shared classification of equal
  // attributes by region and date, else by the attributes' JSON.
  let priced: Priced | undefined;
  let store: Map<string, Priced> | undefined;
  let key: string | undefined;
  if (resourceUsage === NO_USAGE) {
    if (attributesKey !== undefined) {
      // By region, then date: no key string built per resource.
      const byRegion = ((kind as { lines?: Map<string, Map<string, Priced>> }).lines ??= new Map());
      const regionKey = region ?? "";
      store = byRegion.get(regionKey);
      if (store === undefined) byRegion.set(regionKey, (store = new Map()));
      key = date;
    } else {
      store = memos.lines;
      key = `${definition.provider}\u0000${region ?? ""}\u0000${date}\u0000${definition.type}\u0000${JSON.stringify(attributes)}`;
    }
    priced = store.get(key);
  }
  if (priced === undefined) {
    const context: PricingContext = { book, region, date, usage: resourceUsage, hoursPerMonth: book.hoursPerMonth(definition.provider) ?? 730 };
    priced = summarize(definition.components(attributes, context).map((spec) => computeComponent(spec, book, region, date)));
    if (store !== undefined && key !== undefined) store.set(key, priced);
  }
  item.components = priced.components;
  if (priced.missing !== undefined) {
    item.status = "unsupported";
    item.reason = priced.missing;
    // An unsupported resource shows no price of its own (not the part that could be priced):
    // the amounts stay zero.
  } else {
    item.status = "priced";
    item.monthly = priced.monthly;
    item.setup = priced.setup;
    if (instance.values["aiwc:unknown_count"] === true) item.reason = "count/for_each is an expression: priced as one instance";
  }
  return item;
}

/** A resource's components with their totals, shared by identical resources. */
interface Priced {
  readonly components: readonly LineComponent[];
  readonly monthly: Money;
  readonly setup: Money;
  /** Why it cannot be priced, when a component has no price. */
  readonly missing?: string;
}

function summarize(components: readonly LineComponent[]): Priced {
  // Most resources have one component: its (shared, immutable) amounts as they are.
  let monthly = components.length === 1 ? components[0]!.monthly ?? ZERO : ZERO;
  let setup = components.length === 1 ? components[0]!.setup ?? ZERO : ZERO;
  const missing: string[] = [];
  for (const c of components) {
    if (components.length > 1) {
      if (c.monthly !== null) monthly = monthly.plus(c.monthly);
      if (c.setup !== undefined) setup = setup.plus(c.setup);
    }
    if (c.missing !== undefined) missing.push(c.missing);
  }
  return { components, monthly, setup, ...(missing.length > 0 ? { missing: `missing price: ${missing.join("; ")}` } : {}) };
}

const NO_USAGE: Readonly<Record<string, number>> = Object.freeze({});
const NO_USAGE_AT_ALL: Usage = Object.freeze({});
const NO_COMPONENTS: readonly LineComponent[] = Object.freeze([]);
/** Per pricing run (a PriceBook): classifications and components of identical resources. */
const runMemos = new WeakMap<PriceBook, { readonly classes: Map<string, Classification>; readonly lines: Map<string, Priced> }>();

function memosOf(book: PriceBook): { readonly classes: Map<string, Classification>; readonly lines: Map<string, Priced> } {
  let memos = runMemos.get(book);
  if (memos === undefined) runMemos.set(book, (memos = { classes: new Map(), lines: new Map() }));
  return memos;
}

export function estimate(instances: readonly ResourceInstance[], book: PriceBook, given: Usage = NO_USAGE_AT_ALL, labelsByName: LabelsByName = {}): Estimate {
  const usage = Object.keys(given).length === 0 ? NO_USAGE_AT_ALL : given;
  const resources: LineItem[] = [];
  const removed: LineItem[] = [];
  for (const instance of instances) {
    const item = priceInstance(instance, book, usage, labelsByName);
    // Only a deletion: the resource is gone after the change (a replacement stays).
    (plannedAction(instance.actions) === "delete" ? removed : resources).push(item);
  }
  const counts: Record<Status, number> = { priced: 0, free: 0, unsupported: 0 };
  for (const item of resources) counts[item.status]++;
  const incomplete: string[] = [];
  if (counts.unsupported > 0) incomplete.push(`${counts.unsupported} resource(s) cannot be priced`);
  let unknownUsage = 0;
  for (const r of resources) for (const c of r.components) if (c.quantity === null && c.unitPrice !== null) unknownUsage++;
  if (unknownUsage > 0) incomplete.push(`${unknownUsage} usage-based price(s) have no usage estimate (--usage)`);
  return {
    pricingDate: book.pricingDate,
    resources,
    removed,
    complete: incomplete.length === 0,
    incomplete,
    totalMonthly: sum(resources.map((r) => r.monthly)),
    setupOneTime: sum(resources.map((r) => r.setup)),
    counts,
  };
}
