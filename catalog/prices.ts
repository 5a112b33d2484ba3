/**
 * Price lookup over the catalogs: the newest price valid on a date (and for a region),
 * converted to EUR with the FX table. A missing price is a reported state, never zero.
 */
import type { Catalog, CatalogPrice, FxTable } from "./catalog";
import { money, type Money } from "./money";
import { keepShape } from "./shapes";

/** Region of a resource whose provider configuration aiwc cannot resolve: priced nowhere. */
export const UNKNOWN_REGION = "(unknown region)";

export type CatalogSection = "server_types" | "dedicated" | "products";

export interface PriceRef {
  readonly provider: string;
  readonly section: CatalogSection;
  readonly id: string;
}

export interface ResolvedPrice {
  /** `provider.section.id`, e.g. `hetzner.server_types.cpx22`. */
  readonly key: string;
  /** Price per month in EUR: the monthly price (cap, plan) or hourly × hours per month. */
  readonly monthly: Money;
  /** Hourly price in EUR, where the catalog has one. */
  readonly hourly?: Money;
  /** One-time setup fee in EUR. */
  readonly setup?: Money;
  readonly currency: string;
  readonly validFrom: string;
  readonly asOf: string;
  readonly sources: readonly string[];
  readonly estimate?: string;
  readonly derived?: boolean;
}

export interface MissingPrice {
  readonly key: string;
  readonly missing: string;
}

export function isMissing(price: ResolvedPrice | MissingPrice): price is MissingPrice {
  return "missing" in price;
}

/** The index of the price in force on `date` in `region`, as the price book chooses it (newest; regional before general on the same day); -1 when none is. */
export function inForce(prices: readonly CatalogPrice[], region: string | undefined, date: string): number {
  let best = -1;
  prices.forEach((p, i) => {
    if (p.valid_from > date || (p.region !== undefined && p.region !== region)) return;
    const b = prices[best];
    if (b === undefined || p.valid_from > b.valid_from || (p.valid_from === b.valid_from && p.region !== undefined && b.region === undefined)) best = i;
  });
  return best;
}

export class PriceBook {
  constructor(
    readonly catalogs: Readonly<Record<string, Catalog>>,
    readonly fx: FxTable,
    /** Date prices are taken for when a resource names none (YYYY-MM-DD). */
    readonly pricingDate: string,
    /** Provider ids of catalog entries, by provider (OVH flavor UUID → flavor name). */
    readonly aliases: Readonly<Record<string, Readonly<Record<string, string>>>> = {},
  ) {}

  /** The catalog id an provider-side id stands for (itself when it is no alias). */
  resolveAlias(provider: string, id: string): string {
    return this.aliases[provider]?.[id] ?? id;
  }

  hoursPerMonth(provider: string): number | undefined {
    return this.catalogs[provider]?.hours_per_month;
  }

  /** Units of EUR per unit of `currency`. */
  private toEur(currency: string): Money | undefined {
    if (currency === "EUR") return money(1);
    const rate = this.fx.rates[currency];
    return rate === undefined ? undefined : money(1).dividedBy(rate.per_eur);
  }

  /** Lookups repeat for every server of a type: memoized per book (one pricing run). */
  private readonly memo = new Map<string, ResolvedPrice | MissingPrice>();

  lookup(ref: PriceRef, options: { region?: string; date?: string } = {}): ResolvedPrice | MissingPrice {
    const memoKey = `${ref.provider}\u0000${ref.section}\u0000${ref.id}\u0000${options.region ?? ""}\u0000${options.date ?? ""}`;
    let found = this.memo.get(memoKey);
    if (found === undefined) {
      found = this.resolve(ref, options);
      this.memo.set(memoKey, found);
    }
    return found;
  }

  private resolve(ref: PriceRef, options: { region?: string; date?: string }): ResolvedPrice | MissingPrice {
    const key = `${ref.provider}.${ref.section}.${ref.id}`;
    const catalog = this.catalogs[ref.provider];
    if (catalog === undefined) return { key, missing: `no ${ref.provider} price catalog` };
    const entry = (catalog[ref.section] as Record<string, { prices: CatalogPrice[]; locations?: readonly string[] }> | undefined)?.[ref.id];
    if (entry === undefined) return { key, missing: `"${ref.id}" is not in the ${ref.provider} catalog (${ref.section})` };
    // Sold (and priced) only where the catalog says: never another location's price.
    if (options.region !== undefined && entry.locations !== undefined && !entry.locations.includes(options.region)) {
      return { key, missing: `"${ref.id}" is not sold (or has no sourced price) in ${options.region}; the catalog has it in ${entry.locations.join(", ")}` };
    }
    if (options.region === UNKNOWN_REGION) {
      return { key, missing: `the region of the resource's provider configuration (an alias, a module's provider or a variable) cannot be resolved; aiwc never assumes the default provider's region` };
    }
    const date = options.date ?? this.pricingDate;
    const chosen = entry.prices[inForce(entry.prices, options.region, date)];
    if (chosen === undefined) {
      const regions = [...new Set(entry.prices.flatMap((p) => (p.region !== undefined ? [p.region] : [])))];
      if (options.region === undefined && regions.length > 0) {
        return { key, missing: `"${ref.id}" is priced per region (${regions.join(", ")}) but the resource's region is not known; set the provider's region` };
      }
      const where = options.region !== undefined ? ` in ${options.region}` : "";
      return { key, missing: `no price for "${ref.id}"${where} valid on ${date}` };
    }
    const rate = this.toEur(catalog.currency);
    if (rate === undefined) return { key, missing: `no exchange rate for ${catalog.currency}` };
    const hourly = chosen.hourly !== undefined ? money(chosen.hourly).times(rate) : undefined;
    const monthly = chosen.monthly !== undefined ? money(chosen.monthly).times(rate) : hourly!.times(catalog.hours_per_month);
    return {
      key,
      monthly,
      ...(hourly !== undefined ? { hourly } : {}),
      ...(chosen.setup !== undefined ? { setup: money(chosen.setup).times(rate) } : {}),
      currency: catalog.currency,
      validFrom: chosen.valid_from,
      asOf: chosen.as_of,
      sources: chosen.source,
      ...(chosen.estimate !== undefined ? { estimate: chosen.estimate } : {}),
      ...(chosen.derived === true ? { derived: true } : {}),
    };
  }

  /** Unit of a product, as the catalog states it. */
  unit(ref: PriceRef): string | undefined {
    const entry = (this.catalogs[ref.provider]?.[ref.section] as Record<string, { unit?: string }> | undefined)?.[ref.id];
    return entry?.unit;
  }
}
// A price book per run: its class outlives the runs (shapes.ts).
keepShape(PriceBook, new PriceBook({}, { base: "EUR", rates: {}, sources: {} }, "1970-01-01"));
