/**
 * The price catalog: provider products with specs, prices and provenance
 * (config/prices/<provider>.yaml). The foundation uses it to check server types and to pick
 * the smallest type that fits a tariff; the cost engine prices with the same entries.
 */
import { z } from "zod";

const money = z.string().regex(/^\d+(\.\d{1,6})?$/, "must be a decimal string such as \"5.49\"");
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD");

const price = z.strictObject({
  /** First day this price applies to resources created (or rescaled) on or after it. */
  valid_from: isoDate,
  monthly: money,
  hourly: money.optional(),
  /** One-time setup fee (dedicated servers). */
  setup: money.optional(),
  /** Keys into `sources:`; at least one. */
  source: z.array(z.string()).min(1, "every price needs a source"),
  as_of: isoDate,
  /** True when the number is arithmetic on a sourced number. */
  derived: z.boolean().optional(),
  /** Present (with the reason) when no source states the number. */
  estimate: z.string().optional(),
});

const priced = { prices: z.array(price).min(1, "every product needs at least one price") };

export const catalogSchema = z.strictObject({
  provider: z.string(),
  version: z.string(),
  as_of: isoDate,
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
      disk_gb: z.number().int().positive(),
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
    z.strictObject({ unit: z.string(), minimum: z.number().optional(), ...priced }),
  ),
  sources: z.record(
    z.string(),
    z.strictObject({ description: z.string(), url: z.string(), date: z.string() }),
  ),
});

export type Catalog = z.infer<typeof catalogSchema>;
export type ServerTypeSpec = Catalog["server_types"][string];
export type DedicatedSpec = Catalog["dedicated"][string];
