/**
 * `aiwc prices refresh`: a provider's own price list mapped onto its catalog file. Prices are
 * never overwritten — a price that changed gets a new entry with `valid_from` set to the day of
 * the refresh (servers created before it keep the price they were created at), a price that
 * did not change is confirmed (its `as_of` becomes that day and the list joins its sources).
 * The file is edited in place, line by line where it changes, so comments, alignment and
 * every other entry stay as the operator wrote them; the result must pass the catalog schema
 * again or nothing is written.
 */
import { isScalar, parseDocument, type Node, type Pair, type YAMLMap, type YAMLSeq } from "yaml";
import { catalogSchema, type Catalog, type CatalogPrice } from "./catalog";
import { money, type Money } from "./money";
import { inForce, type CatalogSection } from "./prices";

/** A price as the provider's list states it, for one catalog row (and region, where it varies). */
export interface ObservedPrice {
  readonly section: CatalogSection;
  readonly id: string;
  /** Location or region the price is for; absent when the list has one price everywhere. */
  readonly region?: string;
  readonly monthly?: string;
  readonly hourly?: string;
  readonly setup?: string;
  /** The unit of a `products` row, when the list states it: a row the catalog lacks is then added. */
  readonly unit?: string;
}

/** A server type as the provider describes it: where it can be ordered, and its specs (to add a type the catalog lacks). */
export interface ObservedServerType {
  readonly id: string;
  /** Locations it can be ordered in now. */
  readonly locations: readonly string[];
  readonly orderable: boolean;
  readonly spec: {
    readonly vcpu: number;
    readonly ram_gb: number;
    readonly disk_gb: number;
    readonly arch: "x86" | "arm";
    readonly cpu: "shared" | "dedicated";
    readonly gpu?: { readonly model: string; readonly memory_gb: number; readonly count: number };
  };
}

export interface Observation {
  readonly prices: readonly ObservedPrice[];
  /** Server types with their availability and specs, where the list has them. */
  readonly serverTypes?: readonly ObservedServerType[];
  /** What the list holds that the catalog does not (and is therefore not added), and similar notes. */
  readonly notes: readonly string[];
  /** The list's currency; must be the catalog's. */
  readonly currency: string;
}

export interface PriceListInfo {
  /** Key under the catalog's `sources:`. */
  readonly key: string;
  readonly description: string;
  readonly url: string;
}

/** A provider's price list: fetched (or replayed from a file), validated and mapped onto the catalog. */
export interface PriceList {
  readonly info: PriceListInfo;
  /** The credentials it needs, by environment variable (none for public lists). */
  readonly credentials: readonly string[];
  /** Fetches the list (what it asks for may depend on the catalog: AWS asks for its types and regions). */
  fetch(options: PriceListOptions, catalog: Catalog): Promise<unknown>;
  /** Validates a response and maps it; throws PriceListError naming every problem. */
  observe(response: unknown, catalog: Catalog, options: PriceListOptions): Observation;
}

export interface PriceListOptions {
  readonly region?: string;
  readonly env: NodeJS.ProcessEnv;
}

/** A response the mapping refuses (its shape, its currency): nothing is written. */
export class PriceListError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "PriceListError";
  }
}

export interface PriceChange {
  /** `section.id`, with the region where the price is regional. */
  readonly row: string;
  readonly region?: string;
  /** The price in force before (monthly, else hourly), or null when the catalog had none there. */
  readonly old: string | null;
  readonly new: string;
  /** Change in percent, one decimal; null without an old price. */
  readonly percent: string | null;
}

export interface AvailabilityChange {
  readonly row: string;
  /** Where it could be ordered before (empty for a type new to the catalog) and now. */
  readonly before: readonly string[];
  readonly after: readonly string[];
  readonly orderable: boolean;
  readonly added: boolean;
}

export interface RefreshResult {
  readonly text: string;
  readonly changes: readonly PriceChange[];
  readonly availability: readonly AvailabilityChange[];
  /** Rows whose price the list confirmed unchanged. */
  readonly confirmed: readonly string[];
  /** Catalog rows the list does not price: left as they were. */
  readonly unlisted: readonly string[];
  readonly notes: readonly string[];
}

const SECTIONS: readonly CatalogSection[] = ["server_types", "dedicated", "products"];

/** Whether the catalog's price `a` is what the list states in `b` (figures the list does not state are not compared). */
function samePrice(a: { monthly?: string | undefined; hourly?: string | undefined; setup?: string | undefined }, b: { monthly?: string | undefined; hourly?: string | undefined; setup?: string | undefined }): boolean {
  const eq = (x: string | undefined, y: string | undefined) => y === undefined || (x !== undefined && money(x).equals(y));
  return eq(a.monthly, b.monthly) && eq(a.hourly, b.hourly) && eq(a.setup, b.setup);
}

/** The figure a change is shown by: monthly when the list states it, else hourly — the same one for old and new. */
const shownBy = (listed: ObservedPrice) => (listed.monthly !== undefined ? "monthly" : "hourly");

/** A decimal as the catalogs write it: no exponent, no trailing zeros beyond two places. */
export function catalogDecimal(value: Money | string): string {
  const text = money(value).toFixed();
  const [whole, fraction = ""] = text.split(".");
  const trimmed = fraction.replace(/0+$/, "");
  return trimmed.length === 0 ? whole! : `${whole}.${trimmed.length < 2 ? trimmed.padEnd(2, "0") : trimmed}`;
}

const plain = (s: string) => (/^[A-Za-z0-9_.-]+$/.test(s) ? s : JSON.stringify(s));

function renderPrice(p: CatalogPrice): string {
  const parts = [`valid_from: "${p.valid_from}"`];
  if (p.region !== undefined) parts.push(`region: ${plain(p.region)}`);
  if (p.monthly !== undefined) parts.push(`monthly: "${p.monthly}"`);
  if (p.hourly !== undefined) parts.push(`hourly: "${p.hourly}"`);
  if (p.setup !== undefined) parts.push(`setup: "${p.setup}"`);
  parts.push(`source: [${p.source.map(plain).join(", ")}]`, `as_of: "${p.as_of}"`);
  return `{ ${parts.join(", ")} }`;
}

/** A price as the list states it, valid and confirmed from `today`, sourced to the list. */
function listedPrice(p: ObservedPrice, today: string, source: string): CatalogPrice {
  return {
    valid_from: today,
    ...(p.region !== undefined ? { region: p.region } : {}),
    ...(p.monthly !== undefined ? { monthly: catalogDecimal(p.monthly) } : {}),
    ...(p.hourly !== undefined ? { hourly: catalogDecimal(p.hourly) } : {}),
    source: [source],
    as_of: today,
  };
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

function pairOf(map: YAMLMap, key: string): Pair<Node, Node> | undefined {
  return map.items.find((pair) => isScalar(pair.key) && pair.key.value === key) as Pair<Node, Node> | undefined;
}

/**
 * Applies `observation` to the catalog file's `text` as of `today`. Pure: returns the new text
 * and what changed; the caller writes it (or, with --dry-run, does not).
 */
export function applyRefresh(text: string, file: string, observation: Observation, info: PriceListInfo, today: string, only?: string): RefreshResult {
  const document = parseDocument(text, { keepSourceTokens: false });
  if (document.errors.length > 0) throw new PriceListError(document.errors.map((e) => `${file}: ${e.message}`));
  const before = catalogSchema.safeParse(document.toJS());
  if (!before.success) throw new PriceListError([`${file}: is not a valid price catalog (run aiwc validate): ${before.error.issues[0]?.message ?? ""}`]);
  const catalog = before.data;
  if (observation.currency !== catalog.currency) {
    throw new PriceListError([`the price list is in ${observation.currency}, the catalog ${file} in ${catalog.currency}: nothing is converted, nothing written`]);
  }
  const root = document.contents as YAMLMap;
  const edits: Edit[] = [];
  const changes: PriceChange[] = [];
  const confirmed: string[] = [];
  const notes = [...observation.notes];

  // Server types: where they can be ordered now, and the ones the catalog lacks (with specs).
  const availability: AvailabilityChange[] = [];
  const added = new Set<string>();
  const gainedBy = new Map<string, string[]>();
  const known = (location: string) => catalog.locations[location] !== undefined;
  const typesNode = pairOf(root, "server_types")!.value as YAMLMap;
  for (const type of observation.serverTypes ?? []) {
    const foreign = type.locations.filter((l) => !known(l));
    if (foreign.length > 0) notes.push(`server_types.${type.id} is also sold in ${foreign.join(", ")}, which the catalog's locations: do not list`);
    const locations = type.locations.filter(known);
    const entry = catalog.server_types[type.id];
    if (entry === undefined) {
      const prices = observation.prices.filter((p) => p.section === "server_types" && p.id === type.id && (p.region === undefined || locations.includes(p.region)));
      if (only !== undefined || locations.length === 0 || prices.length === 0) continue;
      // A new type: its specs and where it is sold from the list, one price for all its
      // locations when they agree, else one per location.
      const alike = prices.every((p) => p.monthly === prices[0]!.monthly && p.hourly === prices[0]!.hourly);
      const rendered = (alike ? [{ ...prices[0]!, region: undefined }] : prices).map((p) =>
        renderPrice(listedPrice(p, today, info.key)),
      );
      const spec = type.spec;
      const gpu = spec.gpu !== undefined ? ` gpu: { model: ${JSON.stringify(spec.gpu.model)}, memory_gb: ${spec.gpu.memory_gb}, count: ${spec.gpu.count} },` : "";
      const line = `${plain(type.id)}: { vcpu: ${spec.vcpu}, ram_gb: ${spec.ram_gb}, disk_gb: ${spec.disk_gb}, arch: ${spec.arch}, cpu: ${spec.cpu}, orderable: ${type.orderable},${gpu} locations: [${locations.map(plain).join(", ")}], prices: [${rendered.join(", ")}] }`;
      edits.push(appendEntry(text, typesNode, line));
      availability.push({ row: `server_types.${type.id}`, before: [], after: locations, orderable: type.orderable, added: true });
      added.add(type.id);
      continue;
    }
    if (only !== undefined) continue;
    // Locations are only ever added: a location the list no longer names keeps pricing the
    // servers already running there (removing it would leave them unpriced).
    const before = entry.locations;
    const gained = locations.filter((l) => !before.includes(l));
    const gone = before.filter((l) => !type.locations.includes(l));
    if (gone.length > 0) notes.push(`server_types.${type.id} is no longer sold in ${gone.join(", ")}: kept there for the servers that run there (set orderable or remove it by hand)`);
    const entryNode = pairOf(typesNode, type.id)!.value as YAMLMap;
    if (gained.length > 0) {
      gainedBy.set(type.id, gained);
      const list = pairOf(entryNode, "locations")!.value as Node;
      edits.push({ start: list.range![0], end: list.range![1], text: `[${[...before, ...gained].map(plain).join(", ")}]` });
    }
    if (type.orderable !== entry.orderable) {
      const flag = pairOf(entryNode, "orderable")!.value as Node;
      edits.push({ start: flag.range![0], end: flag.range![1], text: String(type.orderable) });
    }
    if (gained.length > 0 || type.orderable !== entry.orderable) availability.push({ row: `server_types.${type.id}`, before, after: [...before, ...gained], orderable: type.orderable, added: false });
  }

  // Products the catalog lacks, where the list states their unit: added with their prices.
  const newProducts = new Map<string, ObservedPrice[]>();
  for (const p of observation.prices) {
    if (p.section !== "products" || p.unit === undefined || catalog.products[p.id] !== undefined || (only !== undefined && p.region !== only)) continue;
    newProducts.set(p.id, [...(newProducts.get(p.id) ?? []), p]);
  }
  const productsNode = pairOf(root, "products")?.value as YAMLMap | undefined;
  for (const [id, prices] of productsNode !== undefined ? newProducts : []) {
    const rendered = prices.map((p) =>
      renderPrice(listedPrice(p, today, info.key)),
    );
    edits.push(appendEntry(text, productsNode!, `${plain(id)}: { unit: ${JSON.stringify(prices[0]!.unit)}, prices: [${rendered.join(", ")}] }`));
    availability.push({ row: `products.${id}`, before: [], after: prices.flatMap((p) => (p.region !== undefined ? [p.region] : [])), orderable: true, added: true });
    added.add(`products\u0000${id}`);
  }

  // The observed prices per catalog row.
  const byRow = new Map<string, ObservedPrice[]>();
  for (const p of observation.prices) {
    if (p.section === "server_types" && added.has(p.id)) continue;
    if (p.section === "products" && added.has(`products\u0000${p.id}`)) continue;
    const entry = (catalog[p.section] as Record<string, unknown>)[p.id];
    if (entry === undefined) {
      notes.push(`${p.section}.${p.id} is in the price list but not in the catalog: not added (its specs are not known here)`);
      continue;
    }
    if (only !== undefined && p.region !== undefined && p.region !== only) continue;
    const key = `${p.section}\u0000${p.id}`;
    byRow.set(key, [...(byRow.get(key) ?? []), p]);
  }
  const unlisted: string[] = [];
  for (const section of SECTIONS) {
    for (const id of Object.keys(catalog[section] ?? {})) if (!byRow.has(`${section}\u0000${id}`)) unlisted.push(`${section}.${id}`);
  }

  for (const [key, observed] of byRow) {
    const [section, id] = key.split("\u0000") as [CatalogSection, string];
    const entry = (catalog[section] as Record<string, { prices: CatalogPrice[]; locations?: string[] }>)[id]!;
    const row = `${section}.${id}`;
    const entryNode = pairOf(pairOf(root, section)!.value as YAMLMap, id)!.value as YAMLMap;
    const pricesNode = pairOf(entryNode, "prices")!.value as YAMLSeq<YAMLMap>;
    // Where the catalog sells the row (else every region the list prices it in, or nowhere in particular).
    let regions: (string | undefined)[] = entry.locations !== undefined ? [...entry.locations, ...(section === "server_types" ? (gainedBy.get(id) ?? []) : [])] : [...new Set(observed.flatMap((o) => (o.region !== undefined ? [o.region] : [])))];
    const allRegions = Math.max(1, regions.length);
    if (only !== undefined) {
      if (regions.length > 0 && !regions.includes(only)) continue; // not sold there
      regions = regions.filter((r) => r === only);
    }
    if (regions.length === 0) regions.push(undefined);
    const general = observed.find((o) => o.region === undefined);
    const listedAt = (region: string | undefined) => (region === undefined ? general : (observed.find((o) => o.region === region) ?? general));

    // Per region: the price in force today against the list's.
    const differing: { region: string | undefined; price: ObservedPrice; old: number }[] = [];
    const confirmedIndexes = new Map<number, ObservedPrice>();
    for (const region of regions) {
      const listed = listedAt(region);
      if (listed === undefined) {
        notes.push(`${row} has no price for ${region ?? "its region"} in the list: left as it was there`);
        continue;
      }
      const index = inForce(entry.prices, region, today);
      if (index >= 0 && samePrice(entry.prices[index]!, listed)) confirmedIndexes.set(index, listed);
      else differing.push({ region, price: listed, old: index });
    }

    // Confirmations: the prices in force get today's as_of and the list among their sources.
    for (const [index, listed] of confirmedIndexes) {
      const item = pricesNode.items[index]!;
      const asOf = pairOf(item, "as_of")!.value as Node;
      const price = entry.prices[index]!;
      if (price.as_of !== today) edits.push({ start: asOf.range![0], end: asOf.range![1], text: `"${today}"` });
      // The list states every number of it: it is neither an estimate nor derived any more.
      const statesAll = (price.monthly === undefined || listed.monthly !== undefined) && (price.hourly === undefined || listed.hourly !== undefined);
      for (const flag of statesAll ? ["estimate", "derived"] : []) {
        const pair = pairOf(item, flag);
        if (pair === undefined) continue;
        const from = text.lastIndexOf(",", (pair.key as Node).range![0]);
        edits.push({ start: from, end: (pair.value as Node).range![1], text: "" });
      }
      if (!price.source.includes(info.key)) {
        const sources = pairOf(item, "source")!.value as YAMLSeq<Node>;
        const last = sources.items[sources.items.length - 1]!;
        edits.push({ start: last.range![1], end: last.range![1], text: `, ${plain(info.key)}` });
      }
    }
    if (differing.length === 0) {
      if (confirmedIndexes.size > 0) confirmed.push(row);
      continue;
    }

    const rowChanges = differing.map((d) => {
      const before = entry.prices[d.old];
      const by = shownBy(d.price);
      const oldFigure = before === undefined ? undefined : by === "monthly" ? before.monthly : before.hourly;
      const old = oldFigure === undefined ? null : catalogDecimal(oldFigure);
      const next = catalogDecimal(d.price[by]!);
      return { row, ...(d.region !== undefined ? { region: d.region } : {}), old, new: next, percent: old === null || money(old).isZero() ? null : money(next).minus(old).dividedBy(old).times(100).toFixed(1) };
    });
    // The same change in every region the row is sold in is one line.
    const alike = rowChanges.every((c) => c.old === rowChanges[0]!.old && c.new === rowChanges[0]!.new);
    // With --region the list was read for one region only: what it says holds there, not everywhere.
    const everywhere = only === undefined && differing.length === allRegions;
    if (everywhere && alike) changes.push({ row, old: rowChanges[0]!.old, new: rowChanges[0]!.new, percent: rowChanges[0]!.percent });
    else changes.push(...rowChanges);
    // New prices, valid from today: one for all regions when every region changed (the most
    // common new price; the others per region), else one per changed region.
    const groups = new Map<string, { price: ObservedPrice; regions: (string | undefined)[] }>();
    for (const d of differing) {
      const k = `${d.price.monthly ?? ""}|${d.price.hourly ?? ""}|${d.price.setup ?? ""}`;
      groups.set(k, { price: d.price, regions: [...(groups.get(k)?.regions ?? []), d.region] });
    }
    const added: CatalogPrice[] = [];
    [...groups.values()]
      .sort((a, b) => b.regions.length - a.regions.length)
      .forEach((g, i) => {
        for (const region of i === 0 && everywhere ? [undefined] : g.regions) {
          added.push({
            valid_from: today,
            ...(region !== undefined ? { region } : {}),
            ...(g.price.monthly !== undefined ? { monthly: catalogDecimal(g.price.monthly) } : {}),
            ...(g.price.hourly !== undefined ? { hourly: catalogDecimal(g.price.hourly) } : {}),
            ...(g.price.setup !== undefined ? { setup: catalogDecimal(g.price.setup) } : {}),
            source: [info.key],
            as_of: today,
          });
        }
      });
    // A price already added today (an earlier refresh the same day) is replaced; older ones never are.
    const fresh: string[] = [];
    for (const price of added) {
      const index = entry.prices.findIndex((p) => p.valid_from === today && p.region === price.region);
      if (index >= 0) {
        const item = pricesNode.items[index]!;
        edits.push({ start: item.range![0], end: item.range![1], text: renderPrice(price) });
      } else fresh.push(renderPrice(price));
    }
    if (fresh.length > 0) {
      const first = pricesNode.items[0]!;
      edits.push({ start: first.range![0], end: first.range![0], text: `${fresh.join(", ")}, ` });
    }
  }

  if (edits.length > 0 || confirmed.length > 0 || availability.length > 0) {
    // The catalog as a whole: confirmed today, by this list.
    const asOf = pairOf(root, "as_of")!.value as Node;
    if (catalog.as_of !== today) edits.push({ start: asOf.range![0], end: asOf.range![1], text: `"${today}"` });
    const sources = pairOf(root, "sources")!.value as YAMLMap;
    const existing = pairOf(sources, info.key);
    const rendered = `{ description: ${JSON.stringify(info.description)}, url: ${JSON.stringify(info.url)}, date: "${today}" }`;
    if (existing !== undefined) {
      const value = existing.value as Node;
      edits.push({ start: value.range![0], end: value.range![1], text: rendered });
    } else {
      edits.push(appendEntry(text, sources, `${info.key}: ${rendered}`));
    }
  }

  const out = applyEdits(text, edits);
  // The result must be a catalog, and every price it had must still be there.
  const after = catalogSchema.safeParse(parseDocument(out).toJS());
  if (!after.success) throw new Error(`bug: the refreshed ${file} is not a valid catalog: ${JSON.stringify(after.error.issues.slice(0, 3))}`);
  for (const section of SECTIONS) {
    for (const [id, entry] of Object.entries(catalog[section] ?? {}) as [string, { prices: CatalogPrice[] }][]) {
      const kept = (after.data[section] as Record<string, { prices: CatalogPrice[] }>)[id]!.prices;
      for (const p of entry.prices) {
        if (p.valid_from === today) continue;
        if (!kept.some((k) => k.valid_from === p.valid_from && k.region === p.region && k.monthly === p.monthly && k.hourly === p.hourly)) throw new Error(`bug: the refresh lost ${section}.${id}'s price from ${p.valid_from}`);
      }
    }
  }
  return { text: out, changes, availability, confirmed, unlisted, notes: [...new Set(notes)] };
}

/** An edit that adds `line` after the last entry of a block map, indented like it. */
function appendEntry(text: string, map: YAMLMap, line: string): Edit {
  const last = map.items[map.items.length - 1] as Pair<Node, Node>;
  const keyStart = (last.key as Node).range![0];
  const indent = text.slice(text.lastIndexOf("\n", keyStart) + 1, keyStart);
  const end = (last.value as Node).range![1];
  return { start: end, end, text: `\n${indent}${line}` };
}

function applyEdits(text: string, edits: readonly Edit[]): string {
  // Last first, so earlier offsets stay true; insertions at one place keep their order.
  const sorted = edits.map((edit, index) => ({ edit, index })).sort((a, b) => b.edit.start - a.edit.start || b.edit.end - a.edit.end || b.index - a.index);
  let out = text;
  for (const { edit } of sorted) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return out;
}

