/**
 * The cost engine: prices every resource instance from the catalogs. Each resource is
 * *priced*, *free* (explicit list) or *unsupported* (unknown type, attributes it cannot read,
 * or a price the catalog does not have — a missing price is never zero).
 */
import { listSource, MODULE_CALL, type InstanceSource, type ResourceInstance } from "./input";
import { plannedAction } from "./replacement";
import { money, sumCounted, ZERO, type Money } from "../catalog/money";

import { isMissing, type PriceBook } from "../catalog/prices";
import { keepShape } from "../catalog/shapes";
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
 * being immutable, shared between line items. In two steps: what the price comes to apart
 * from the quantity (a rate: the catalog lookup, currency, percentage, cap), then the
 * component per quantity — so a new quantity (every volume size) costs one multiplication.
 */
const rateMemo = new WeakMap<PriceBook, Map<string, Rate>>();

/** A component's price apart from its quantity, with the components made from it by quantity. */
interface Rate {
  readonly priceKey: string;
  /** EUR per unit; null with `missing`. */
  readonly unitPrice: Money | null;
  readonly missing: string | undefined;
  /** EUR per capped unit (`capped`: the monthly price × the percentage). */
  readonly capPerUnit: Money | undefined;
  readonly setup: Money | undefined;
  readonly asOf: string | undefined;
  readonly estimate: string | undefined;
  readonly byQuantity: Map<string, LineComponent>;
}

const ONE = money(1);

function computeComponent(spec: ComponentSpec, book: PriceBook, region: string | undefined, date: string): LineComponent {
  let rates = rateMemo.get(book);
  if (rates === undefined) rateMemo.set(book, (rates = new Map()));
  const { price, percent } = spec;
  const rateKey = `${price.provider}\u0000${price.section}\u0000${price.id}\u0000${spec.rate ?? ""}\u0000${percent === undefined ? "" : `${percent.provider}\u0000${percent.section}\u0000${percent.id}`}\u0000${spec.setup === true ? "s" : ""}\u0000${region ?? ""}\u0000${date}`;
  let rate = rates.get(rateKey);
  if (rate === undefined) rates.set(rateKey, (rate = rateOf(spec, book, region, date)));
  const quantityKey = `${spec.name}\u0000${spec.unit}\u0000${spec.quantity === null ? "" : spec.quantity.toString()}\u0000${spec.cappedUnits?.toString() ?? ""}\u0000${spec.usageKey ?? ""}`;
  let component = rate.byQuantity.get(quantityKey);
  if (component === undefined) rate.byQuantity.set(quantityKey, (component = componentOf(spec, rate)));
  return component;
}

/** A rate whose price (or percentage) the catalog does not have: every component of it is unpriced. */
function missingRate(priceKey: string, missing: string): Rate {
  return { priceKey, unitPrice: null, missing, capPerUnit: undefined, setup: undefined, asOf: undefined, estimate: undefined, byQuantity: new Map() };
}

function rateOf(spec: ComponentSpec, book: PriceBook, region: string | undefined, date: string): Rate {
  const price = book.lookup(spec.price, region !== undefined ? { region, date } : { date });
  if (isMissing(price)) return missingRate(price.key, price.missing);
  let factor = ONE;
  if (spec.percent !== undefined) {
    const percent = book.lookup(spec.percent, { date });
    if (isMissing(percent)) return missingRate(price.key, percent.missing);
    factor = percent.monthly.dividedBy(100);
  }
  const hours = book.hoursPerMonth(spec.price.provider)!;
  const rate = spec.rate ?? "monthly";
  return {
    priceKey: price.key,
    unitPrice: (rate === "monthly" ? price.monthly : price.hourly ?? price.monthly.dividedBy(hours)).times(factor),
    missing: undefined,
    capPerUnit: rate === "capped" ? price.monthly.times(factor) : undefined,
    setup: spec.setup === true ? price.setup : undefined,
    asOf: price.asOf,
    estimate: price.estimate,
    byQuantity: new Map(),
  };
}

/** One shape for every component (absent fields undefined): the report and totals read them all alike. */
function componentOf(spec: ComponentSpec, rate: Rate): LineComponent {
  const { unitPrice, capPerUnit } = rate;
  let monthly = spec.quantity === null || unitPrice === null ? null : spec.quantity.times(unitPrice);
  if (capPerUnit !== undefined && monthly !== null) {
    const cap = capPerUnit.times(spec.cappedUnits ?? ONE);
    if (monthly.greaterThan(cap)) monthly = cap;
  }
  return {
    name: spec.name,
    unit: spec.unit,
    quantity: spec.quantity,
    unitPrice,
    monthly,
    setup: rate.setup,
    priceKey: rate.priceKey,
    usageKey: spec.usageKey,
    missing: rate.missing,
    estimate: rate.estimate,
    asOf: rate.asOf,
  };
}

const NONE: readonly PricedResourceType<any>[] = [];

/**
 * A resource's kind: priced by a model (with what the memo of a memoized kind holds: every
 * field there from the start, so all kinds share one shape, catalog/shapes.ts), free, or not
 * supported.
 */
type Classification = ({ definition: PricedResourceType<any>; attributes: unknown; memoized: boolean } & MemoizedKind) | { free: string } | { unsupported: string };

/**
 * What of a resource's attributes its classification can depend on: `null` for a whole value;
 * for a plain (stripping) zod object, its keys only, each with what of it is read. The union
 * over a type's candidate schemas (terraform_data has several). A strict, loose or any other
 * schema reads the whole value.
 */
type Reads = ReadonlyMap<string, Reads> | null;

function readsOf(schema: unknown): Reads {
  const zod = schema as { _zod?: { def?: { type?: string; catchall?: unknown; innerType?: unknown } }; shape?: Record<string, unknown> };
  const def = zod._zod?.def;
  if (def?.type === "optional" || def?.type === "nullable") return readsOf(def.innerType);
  if (def?.type !== "object" || def.catchall !== undefined || zod.shape === undefined) return null;
  return new Map(Object.entries(zod.shape).map(([key, value]) => [key, readsOf(value)]));
}

function mergeReads(a: Reads, b: Reads): Reads {
  if (a === null || b === null) return null;
  const merged = new Map(a);
  for (const [key, reads] of b) merged.set(key, merged.has(key) ? mergeReads(merged.get(key)!, reads) : reads);
  return merged;
}

/** Reads as walked: the keys of a stripping object schema in order, each with what of it is read. */
interface Shape {
  readonly keys: readonly string[];
  readonly inner: readonly (Shape | null)[];
}

function shapeOf(reads: ReadonlyMap<string, Reads>): Shape {
  return { keys: [...reads.keys()], inner: [...reads.values()].map((r) => (r === null ? null : shapeOf(r))) };
}

/** Per resource type: what its candidates read at the top level (undefined: not memoizable). */
const shapeByType = new Map<string, Shape | undefined>();

function topLevelShape(type: string): Shape | undefined {
  if (shapeByType.has(type)) return shapeByType.get(type);
  const candidates = PRICED_BY_TYPE.get(type) ?? NONE;
  let reads: Reads | undefined;
  for (const definition of candidates) reads = reads === undefined ? readsOf(definition.schema) : mergeReads(reads, readsOf(definition.schema));
  const shape = reads === undefined || reads === null ? undefined : shapeOf(reads);
  shapeByType.set(type, shape);
  return shape;
}

/**
 * A trie over the values a classification reads, walked token by token: primitives are
 * tokens as they are (a Map tells "1" from 1), structure is marked by symbols no value can be.
 * The token sequence of a value is prefix-free, so different values never share a leaf, and
 * walking it allocates nothing once the trie has seen the shape.
 */
interface Trie {
  /** Children by token, made when a second one is seen (most nodes have one: `lastChild`). */
  next: Map<unknown, Trie> | undefined;
  leaf?: Classification;
  /** The token last stepped with and where it led: runs of alike resources skip the map. */
  lastToken?: unknown;
  lastChild?: Trie;
}
const ARRAY = Symbol("array");
const OBJECT = Symbol("object");
const SHAPED = Symbol("shaped");
const END = Symbol("end");

/** A trie node with every field set from the start (one object shape for all nodes). */
const newTrie = (): Trie => ({ next: undefined, leaf: undefined, lastToken: undefined, lastChild: undefined });

function step(node: Trie, token: unknown): Trie {
  const last = node.lastChild;
  // Same token as last time (=== where the map uses SameValueZero: a NaN only misses here).
  if (last !== undefined && node.lastToken === token) return last;
  let child: Trie | undefined;
  if (last === undefined) child = newTrie();
  else {
    // A second token here: from now on the children are in a map (the first one too).
    let next = node.next;
    if (next === undefined) node.next = next = new Map([[node.lastToken, last]]);
    child = next.get(token);
    if (child === undefined) next.set(token, (child = newTrie()));
  }
  node.lastToken = token;
  node.lastChild = child;
  return child;
}

function walk(node: Trie, value: unknown, shape: Shape | null): Trie {
  if (value === null || typeof value !== "object") return step(node, value);
  if (Array.isArray(value)) {
    node = step(node, ARRAY);
    for (const element of value) node = walk(node, element, null);
    return step(node, END);
  }
  const record = value as Record<string, unknown>;
  if (shape !== null) {
    // A stripping object schema: only the keys it reads, in its own order.
    node = step(node, SHAPED);
    const { keys, inner } = shape;
    for (let i = 0; i < keys.length; i++) node = walk(node, record[keys[i]!], inner[i]!);
    return node;
  }
  node = step(node, OBJECT);
  for (const key in record) node = walk(step(node, key), record[key], null);
  return step(node, END);
}

/**
 * Resources whose read attributes are equal classify alike (every cpx12 user VM): the result
 * is memoized per pricing run in a trie per type over those attributes, and the leaf also
 * holds the priced components. Values come from JSON documents (parsed, or resolved by cdktf).
 */
function classify(instance: ResourceInstance, memos: RunMemos): Classification {
  // Resources of one type come together: the type's trie and reads are kept at hand.
  let typed = memos.lastType;
  if (typed === undefined || typed.type !== instance.type) {
    typed = memos.classes.get(instance.type);
    if (typed === undefined) {
      typed = { type: instance.type, shape: topLevelShape(instance.type), root: newTrie() };
      memos.classes.set(instance.type, typed);
    }
    memos.lastType = typed;
  }
  const shape = typed.shape;
  if (shape === undefined) return classifyOnce(instance, false);
  let node = typed.root;
  const values = instance.values;
  const { keys, inner } = shape;
  for (let i = 0; i < keys.length; i++) node = walk(node, values[keys[i]!], inner[i]!);
  return (node.leaf ??= classifyOnce(instance, true));
}

/** A resource type's classifications in one pricing run: what it reads, and the trie over it. */
interface TypedTrie {
  readonly type: string;
  /** What the type's schemas read (undefined: the whole value, not memoized). */
  readonly shape: Shape | undefined;
  readonly root: Trie;
}

function classifyOnce(instance: ResourceInstance, memoized: boolean): Classification {
  if (instance.type === MODULE_CALL) {
    const source = typeof instance.values.source === "string" ? ` (source ${instance.values.source})` : "";
    return { unsupported: `a module's resources are not in this JSON${source}; price a plan (terraform show -json), which lists them with their provider configuration` };
  }
  const candidates = PRICED_BY_TYPE.get(instance.type) ?? NONE;
  let problems: string[] | undefined;
  for (const definition of candidates) {
    const parsed = definition.schema.safeParse(instance.values);
    if (parsed.success) {
      // The pricing code is specialised to the parsed attributes' shape (a model's region,
      // free): kept past the run (catalog/shapes.ts).
      keepShape(definition, parsed.data);
      return { definition, attributes: parsed.data, memoized, lines: undefined, last: undefined };
    }
    (problems ??= []).push(parsed.error.issues.map((i) => `${i.path.join(".") || "(resource)"}: ${i.message}`).join("; "));
  }
  const free = FREE_TYPES[instance.type];
  // terraform_data is free, except what aiwc marks as a priced kind (a dedicated server, object
  // storage): one whose attributes no model reads is unsupported, never silently free.
  const marked = typeof asLabels(instance.values.input)?.aiwc_kind === "string";
  if (free !== undefined && !(marked && problems !== undefined)) return { free };
  if (problems !== undefined) return { unsupported: `attributes not understood (${problems.join(" | ")})` };
  return { unsupported: `no price model for resource type ${instance.type}` };
}

/** Labels by resource name, for resources that carry none (OVH instances): from the topology. */
export type LabelsByName = Readonly<Record<string, Readonly<Record<string, string>>>>;

/**
 * What pricing found for a resource, shared by every identical resource (status, reason,
 * components and amounts).
 */
interface Outcome {
  readonly status: Status;
  readonly reason?: string | undefined;
  readonly components: readonly LineComponent[];
  readonly monthly: Money;
  readonly setup: Money;
}

/**
 * A line item as three references: the resource, its labels and the (shared) outcome. The
 * other fields are read through them, so pricing 100,000 resources allocates 100,000 small
 * objects and not 100,000 copies of the same fields.
 */
class Line implements LineItem {
  constructor(
    private readonly instance: ResourceInstance,
    private readonly labels: Readonly<Record<string, string>>,
    /** Shared by identical resources: the totals count outcomes, not line items. */
    readonly outcome: Outcome,
  ) {}
  get address(): string {
    return this.instance.address;
  }
  get type(): string {
    return this.instance.type;
  }
  get stack(): string | undefined {
    return this.instance.stack;
  }
  get constructPath(): string | undefined {
    return this.instance.constructPath;
  }
  get actions(): readonly string[] | undefined {
    return this.instance.actions;
  }
  get values(): Readonly<Record<string, unknown>> | undefined {
    // A plan's values are not configuration (replacement keys read configuration only).
    return this.instance.actions === undefined ? this.instance.values : undefined;
  }
  get group(): string {
    return this.labels["aiwc/group"] ?? SHARED_GROUP;
  }
  get user(): string | undefined {
    return this.labels["aiwc/user"];
  }
  get role(): string | undefined {
    return this.labels["aiwc/role"];
  }
  get name(): string | undefined {
    const name = this.instance.values.name;
    return typeof name === "string" ? name : this.labels.Name;
  }
  get status(): Status {
    return this.outcome.status;
  }
  get reason(): string | undefined {
    return this.outcome.reason;
  }
  get components(): readonly LineComponent[] {
    return this.outcome.components;
  }
  get monthly(): Money {
    return this.outcome.monthly;
  }
  get setup(): Money {
    return this.outcome.setup;
  }
  /** The plain fields, for tests and debugging output. */
  toJSON(): Record<string, unknown> {
    return { address: this.address, type: this.type, stack: this.stack, constructPath: this.constructPath, group: this.group, user: this.user, role: this.role, name: this.name, status: this.status, reason: this.reason, components: this.components, monthly: this.monthly, setup: this.setup, actions: this.actions, values: this.values };
  }
}

const NO_COMPONENTS: readonly LineComponent[] = Object.freeze([]);

/** A component priced per use whose quantity nobody estimated (no usage file entry). */
export const isUsageBased = (c: LineComponent): boolean => c.quantity === null && c.unitPrice !== null;

const outcome = (status: Status, reason: string | undefined): Outcome => ({ status, reason, components: NO_COMPONENTS, monthly: ZERO, setup: ZERO });
const FREE_VARIANT = outcome("free", "free variant");
// One per resource, all collected after a run: the class outlives them (catalog/shapes.ts).
keepShape(Line, new Line({ address: "", type: "", values: {} }, NO_LABELS, FREE_VARIANT));
/** Outcomes of classifications that are not priced (free or unsupported types), per classification. */
const unpricedOutcomes = new WeakMap<Classification, Outcome>();

export function priceInstance(instance: ResourceInstance, book: PriceBook, usage: Usage = NO_USAGE_AT_ALL, labelsByName: LabelsByName = {}): LineItem {
  return priceWith(instance, book, memosOf(book), usage, labelsByName);
}

function priceWith(instance: ResourceInstance, book: PriceBook, memos: RunMemos, usage: Usage, labelsByName: LabelsByName): Line {
  let labels = labelsOf(instance.values);
  if (labels === NO_LABELS && typeof instance.values.name === "string") labels = labelsByName[instance.values.name] ?? NO_LABELS;

  const kind = classify(instance, memos);
  if (!("definition" in kind)) {
    let known = unpricedOutcomes.get(kind);
    if (known === undefined) unpricedOutcomes.set(kind, (known = "free" in kind ? outcome("free", kind.free) : outcome("unsupported", kind.unsupported)));
    return new Line(instance, labels, known);
  }
  const { definition, attributes, memoized } = kind;
  if (definition.free?.(attributes) === true) return new Line(instance, labels, FREE_VARIANT);

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
    if (memoized) {
      // By region, then date: no key string built per resource; the last one asked first
      // (resources of one kind come together and mostly share both). The maps are made when
      // a kind is seen with a second region or date: most never are.
      const last = kind.last;
      if (last !== undefined) {
        if (last.region === region && last.date === date) return lineOf(instance, labels, last.priced);
        let byRegion = kind.lines;
        if (byRegion === undefined) kind.lines = byRegion = new Map([[last.region ?? "", new Map([[last.date, last.priced]])]]);
        const regionKey = region ?? "";
        store = byRegion.get(regionKey);
        if (store === undefined) byRegion.set(regionKey, (store = new Map()));
        key = date;
      }
    } else {
      store = memos.lines;
      key = `${definition.provider}\u0000${region ?? ""}\u0000${date}\u0000${definition.type}\u0000${JSON.stringify(attributes)}`;
    }
    if (store !== undefined && key !== undefined) priced = store.get(key);
  }
  if (priced === undefined) {
    const context: PricingContext = { book, region, date, usage: resourceUsage, hoursPerMonth: book.hoursPerMonth(definition.provider) ?? 730 };
    priced = summarize(definition.components(attributes, context).map((spec) => computeComponent(spec, book, region, date)));
    if (store !== undefined && key !== undefined) store.set(key, priced);
  }
  if (memoized && resourceUsage === NO_USAGE) kind.last = { region, date, priced };
  return lineOf(instance, labels, priced);
}

function lineOf(instance: ResourceInstance, labels: Readonly<Record<string, string>>, priced: Priced): Line {
  if (instance.unknownCount === true && priced.outcome.status === "priced") {
    return new Line(instance, labels, (priced.unknownCount ??= { ...priced.outcome, reason: "count/for_each is an expression: priced as one instance" }));
  }
  return new Line(instance, labels, priced.outcome);
}

/** A memoized classification's priced outcomes: by region, then date, and the last one asked. */
interface MemoizedKind {
  lines: Map<string, Map<string, Priced>> | undefined;
  last: { readonly region: string | undefined; readonly date: string; readonly priced: Priced } | undefined;
}

/** What identical resources price to, shared by them. */
interface Priced {
  /**
   * The line items' outcome: priced, or unsupported when a component has no price (an
   * unsupported resource shows no price of its own, not the part that could be priced).
   */
  readonly outcome: Outcome;
  /** The outcome of a resource whose count is an expression (priced as one instance). */
  unknownCount?: Outcome;
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
  if (missing.length > 0) return { outcome: { status: "unsupported", reason: `missing price: ${missing.join("; ")}`, components, monthly: ZERO, setup: ZERO } };
  return { outcome: { status: "priced", reason: undefined, components, monthly, setup } };
}

const NO_USAGE: Readonly<Record<string, number>> = Object.freeze({});
const NO_USAGE_AT_ALL: Usage = Object.freeze({});
/** Per pricing run (a PriceBook): classifications and components of identical resources. */
type RunMemos = { readonly classes: Map<string, TypedTrie>; lastType: TypedTrie | undefined; readonly lines: Map<string, Priced> };
const runMemos = new WeakMap<PriceBook, RunMemos>();

function memosOf(book: PriceBook): RunMemos {
  let memos = runMemos.get(book);
  if (memos === undefined) runMemos.set(book, (memos = { classes: new Map(), lastType: undefined, lines: new Map() }));
  return memos;
}

export function estimate(instances: readonly ResourceInstance[], book: PriceBook, given: Usage = NO_USAGE_AT_ALL, labelsByName: LabelsByName = {}): Estimate {
  return estimateEach(listSource(instances), book, given, labelsByName);
}

/**
 * estimate over a pass of instances (documentsSource: each resource priced as it is read). The
 * totals count line items per shared outcome, then amounts per distinct amount object, and
 * multiply once (money.ts sumCounted).
 */
export function estimateEach(source: InstanceSource, book: PriceBook, given: Usage = NO_USAGE_AT_ALL, labelsByName: LabelsByName = {}): Estimate {
  const usage = Object.keys(given).length === 0 ? NO_USAGE_AT_ALL : given;
  const resources: LineItem[] = [];
  const removed: Line[] = [];
  const memos = memosOf(book);
  const outcomes = new Map<Outcome, number>();
  // Alike resources come in runs: counted per run, added to the map when the run ends.
  let current: Outcome | undefined;
  let run = 0;
  source((instance) => {
    const item = priceWith(instance, book, memos, usage, labelsByName);
    // Only a deletion: the resource is gone after the change (a replacement stays).
    if (instance.actions !== undefined && plannedAction(instance.actions) === "delete") {
      removed.push(item);
      return;
    }
    resources.push(item);
    if (item.outcome === current) {
      run++;
      return;
    }
    if (current !== undefined) outcomes.set(current, (outcomes.get(current) ?? 0) + run);
    current = item.outcome;
    run = 1;
  });
  if (current !== undefined) outcomes.set(current, (outcomes.get(current) ?? 0) + run);
  const counts: Record<Status, number> = { priced: 0, free: 0, unsupported: 0 };
  const monthly = new Map<Money, number>();
  const setup = new Map<Money, number>();
  let unknownUsage = 0;
  for (const [shared, count] of outcomes) {
    counts[shared.status] += count;
    if (shared.monthly !== ZERO) monthly.set(shared.monthly, (monthly.get(shared.monthly) ?? 0) + count);
    if (shared.setup !== ZERO) setup.set(shared.setup, (setup.get(shared.setup) ?? 0) + count);
    for (const c of shared.components) if (isUsageBased(c)) unknownUsage += count;
  }
  const incomplete: string[] = [];
  if (counts.unsupported > 0) incomplete.push(`${counts.unsupported} resource(s) cannot be priced`);
  if (unknownUsage > 0) incomplete.push(`${unknownUsage} usage-based price(s) have no usage estimate (--usage)`);
  return {
    pricingDate: book.pricingDate,
    resources,
    removed,
    complete: incomplete.length === 0,
    incomplete,
    totalMonthly: sumCounted(monthly),
    setupOneTime: sumCounted(setup),
    counts,
  };
}
