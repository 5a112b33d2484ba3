/**
 * The shape of a priced resource (Infracost's design, adapted): per Terraform type, a zod
 * schema of the attributes it reads and a function from attributes to cost components. Cost
 * logic stays here; mapping from IaC to attributes is in input.ts.
 */
import { z } from "zod";
import type { Money } from "./money";
import type { PriceBook, PriceRef } from "./prices";

export interface ComponentSpec {
  /** Stable name, variable part in one bracket: "Server (cpx22)". */
  readonly name: string;
  /** Plural unit of `quantity`: "months", "GB", "hours", "IPs". */
  readonly unit: string;
  /** Quantity per month; `null` when it depends on usage that is not known. */
  readonly quantity: Money | null;
  readonly price: PriceRef;
  /**
   * How the price applies: `monthly` (quantity × monthly price), `hourly` (quantity in hours ×
   * hourly price), `capped` (Hetzner: hours × hourly, at most the monthly cap per unit).
   * @default monthly
   */
  readonly rate?: "monthly" | "hourly" | "capped";
  /** A catalog entry holding a percentage applied to the price (Hetzner backups: 20 %). */
  readonly percent?: PriceRef;
  /** Units the cap applies to, for `capped` (servers: 1). */
  readonly cappedUnits?: Money;
  /** Count the price's one-time setup fee (dedicated servers). */
  readonly setup?: boolean;
  /** The usage key that sets `quantity`, shown when usage is unknown. */
  readonly usageKey?: string;
}

export interface PricingContext {
  readonly book: PriceBook;
  /** Region or location of the resource, for regional prices. */
  readonly region?: string | undefined;
  /** Date the resource's prices are taken for (creation date when known). */
  readonly date: string;
  /** Usage estimates for this resource (e.g. `{ monthly_gb_processed: 100 }`). */
  readonly usage: Readonly<Record<string, number>>;
  readonly hoursPerMonth: number;
}

export interface PricedResourceType<A> {
  readonly type: string;
  /** Catalog the prices come from. */
  readonly provider: string;
  /** Attributes read from the resource; validated, so a malformed value is a clear error. */
  readonly schema: z.ZodType<A>;
  /** Region of the resource when it carries one (hcloud `location`); else the provider's. */
  region?(attributes: A): string | undefined;
  components(attributes: A, context: PricingContext): ComponentSpec[];
  /** True when this instance costs nothing (e.g. an IPv6 primary IP). @default false */
  free?(attributes: A): boolean;
}

/** Helper so each file keeps its attribute type. */
export function pricedResource<A>(definition: PricedResourceType<A>): PricedResourceType<A> {
  return definition;
}

/**
 * A nested block as a list: Terraform JSON allows a single block as an object (cdktf writes
 * `root_block_device` that way), plans always show a list.
 */
export function blocks<T extends z.ZodType>(item: T) {
  return z.preprocess((value) => (value !== null && typeof value === "object" && !Array.isArray(value) ? [value] : value), z.array(item));
}
