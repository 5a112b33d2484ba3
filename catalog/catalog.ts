/**
 * The price catalog: provider products with specs, prices and provenance
 * (config/prices/<provider>.yaml). The foundation uses it to check server types and to pick
 * the smallest type that fits a tariff; the cost engine prices with the same entries.
 */
import { z } from "zod";
import { isCalendarDate, today } from "../config/dates";

const money = z.string().regex(/^\d+(\.\d{1,10})?$/, "must be a decimal string such as \"5.49\"");
const isoDate = z.string().refine(isCalendarDate, "must be a real date YYYY-MM-DD");
/**
 * When a source confirmed a price: never after today. A date in the future would make the
 * catalog look fresh for years and switch off the gate's stale-price check.
 */
const confirmedOn = isoDate.refine((d) => !isCalendarDate(d) || d <= today(), { message: `must not be in the future (a price cannot have been confirmed after today); use the date the source stated it` });

const price = z.strictObject({
  /** First day this price applies to resources created (or rescaled) on or after it. */
  valid_from: isoDate,
  /** Region or location the price is for; @default every location of the provider */
  region: z.string().optional(),
  /** Monthly price (cap for hourly billing, monthly plan, or per-unit month price). */
  monthly: money.optional(),
  /** Hourly price; without `monthly`, a month costs hourly × hours_per_month. */
  hourly: money.optional(),
  /** One-time setup fee (dedicated servers). */
  setup: money.optional(),
  /** Keys into `sources:`; at least one. */
  source: z.array(z.string()).min(1, "every price needs a source"),
  as_of: confirmedOn,
  /** True when the number is arithmetic on a sourced number. */
  derived: z.boolean().optional(),
  /** Present (with the reason) when no source states the number. */
  estimate: z.string().optional(),
}).refine((p) => p.monthly !== undefined || p.hourly !== undefined, { message: "needs monthly or hourly" });

const priced = { prices: z.array(price).min(1, "every product needs at least one price") };

export const catalogSchema = z.strictObject({
  provider: z.string(),
  version: z.string(),
  as_of: confirmedOn,
  currency: z.enum(["EUR", "USD"]),
  hours_per_month: z.number().int().positive(),
  locations: z.record(
    z.string(),
    z.strictObject({ network_zone: z.string(), country: z.string(), city: z.string() }),
  ),
  server_types: z.record(
    z.string(),
    z.strictObject({
      vcpu: z.number().int().positive(),
      ram_gb: z.number().positive(),
      disk_gb: z.number().int().min(0),
      arch: z.enum(["x86", "arm"]),
      cpu: z.enum(["shared", "dedicated"]),
      orderable: z.boolean(),
      locations: z.array(z.string()).min(1),
      gpu: z.strictObject({ model: z.string(), memory_gb: z.number(), count: z.number().int() }).optional(),
      ...priced,
    }),
  ),
  dedicated: z
    .record(
      z.string(),
      z.strictObject({
        cpu: z.string(),
        vcpu: z.number().int().positive(),
        ram_gb: z.number().positive(),
        disk: z.string(),
        gpu: z.strictObject({ model: z.string(), memory_gb: z.number(), count: z.number().int() }).optional(),
        locations: z.array(z.string()).min(1),
        note: z.string().optional(),
        ...priced,
      }),
    )
    .default({}),
  products: z.record(
    z.string(),
    z.strictObject({
      unit: z.string(),
      minimum: z.number().optional(),
      /** Locations the sourced prices are for; elsewhere the product is unpriced. @default every location */
      locations: z.array(z.string()).min(1).optional(),
      ...priced,
    }),
  ),
  sources: z.record(
    z.string(),
    z.strictObject({ description: z.string(), url: z.string(), date: z.string() }),
  ),
});

export type Catalog = z.infer<typeof catalogSchema>;
export type CatalogPrice = z.infer<typeof price>;

export const fxSchema = z.strictObject({
  base: z.literal("EUR"),
  rates: z.record(
    z.string(),
    z.strictObject({
      /** Units of this currency per 1 EUR (as the ECB quotes it). */
      per_eur: money.refine((m) => Number(m) > 0, "must be greater than 0 (units of the currency per euro)"),
      as_of: confirmedOn,
      source: z.array(z.string()).min(1, "every rate needs a source"),
    }),
  ),
  sources: z.record(z.string(), z.strictObject({ description: z.string(), url: z.string(), date: z.string() })),
});
export type FxTable = z.infer<typeof fxSchema>;

/** Every price whose sources are not listed under `sources:` (path, key). */
export function unknownSources(catalog: { sources: Record<string, unknown> } & Record<string, unknown>): [string[], string][] {
  const out: [string[], string][] = [];
  for (const section of ["server_types", "dedicated", "products"] as const) {
    const entries = (catalog[section] ?? {}) as Record<string, { prices: CatalogPrice[] }>;
    for (const [id, entry] of Object.entries(entries)) {
      entry.prices.forEach((p, i) => {
        p.source.forEach((key, k) => {
          if (!(key in catalog.sources)) out.push([[section, id, "prices", String(i), "source", String(k)], key]);
        });
      });
    }
  }
  return out;
}
export type ServerTypeSpec = Catalog["server_types"][string];
export type DedicatedSpec = Catalog["dedicated"][string];
