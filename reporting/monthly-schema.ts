/**
 * The monthly report JSON (`aiwc report --month … --format json`): one zod schema, the type
 * `monthlyReport` produces and the page reads, and the JSON Schema `aiwc schema monthly`
 * prints. Amounts are decimal strings in EUR; a change that breaks readers raises `version`.
 */
import { z } from "zod";
import { amount, list, percent, userFields } from "../cost/report-schema";

const quantity = z.string().regex(/^-?\d+(\.\d+)?$/).describe("a quantity in the meter's unit, decimal string");
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/);

export const monthlySchema = z.strictObject({
  version: z.literal(1),
  month,
  currency: z.literal("EUR"),
  generatedAt: z.iso.datetime(),
  cost: z.strictObject({
    /** Incurred from the recorded deployments (running + setup). */
    incurred: amount,
    running: amount,
    setup: amount,
    /** The monthly total of the last state in force (what `aiwc cost` said a month costs). */
    forecast: amount.nullable(),
    deployments: z.number().int(),
    coveredFrom: z.iso.datetime().nullable(),
    coveredUntil: z.iso.datetime(),
    groups: list(z.strictObject({ group: z.string(), incurred: amount, setup: amount, forecast: amount.nullable() })),
  }),
  revenue: z.strictObject({
    /** `issued`: the month's issued invoices; `draft`: the draft bill (nothing issued yet). */
    source: z.enum(["issued", "draft"]),
    net: amount,
    invoices: z.number().int(),
    /** The tariff model's revenue for the config's users (base, packs, PAYG by profile). */
    forecast: amount,
  }),
  margin: z.strictObject({ actual: amount, percent: percent.nullable(), forecast: amount.nullable() }),
  payg: list(
    z.strictObject({
      meter: z.string(),
      unit: z.string(),
      actual: quantity,
      forecast: quantity,
      revenue: amount,
      profiles: list(z.strictObject({ profile: z.string(), users: z.number().int(), actualPerUser: quantity, forecastPerUser: quantity })),
      /** What the actual usage says about the profiles, e.g. "normal users used 3.1 GPU hours each, the profile says 5". */
      calibration: list(z.string()),
    }),
  ),
  gpu: z
    .strictObject({
      meter: z.string(),
      workers: z.number().int(),
      workerHours: quantity,
      meteredHours: quantity,
      utilisation: percent.nullable(),
      /** A worker's monthly cost, and how many GPU-pack users pay for one. */
      workerMonthly: amount.nullable(),
      breakEvenUsers: z.number().int().nullable(),
      advice: z.string(),
    })
    .nullable(),
  users: list(
    z.strictObject({
      ...userFields,
      revenue: amount,
      invoice: z.string().nullable(),
      usage: z.record(z.string(), quantity),
      /** Per meter, what the tariff and packs include this month. */
      included: z.record(z.string(), quantity),
      lines: list(z.strictObject({ item: z.string(), description: z.string(), quantity: z.string(), unit: z.string(), amount: z.string(), note: z.string().optional() })),
      /** The storage sample of the month's last day with one, against the quota. */
      storageGb: quantity.nullable(),
      storageQuotaGb: z.number().nullable(),
      overQuota: z.boolean(),
      /**
       * Payment as the provider last said (`aiwc bill status`): "paid", the provider's word for
       * an unpaid invoice (Stripe "open", PayPal "SENT", …), or null (not handed over or not asked).
       */
      payment: z.string().nullable(),
      /** Meters used that the tariff and packs do not include. */
      unentitled: list(z.string()),
    }),
  ),
  history: list(z.strictObject({ month, cost: amount.nullable(), revenue: amount.nullable(), revenueSource: z.enum(["issued", "draft"]).nullable() })),
  /** Usage per meter per day (UTC), for the page's chart. */
  daily: list(z.strictObject({ day: z.iso.date(), meter: z.string(), quantity })),
  warnings: list(z.string()),
});

export type MonthlyJson = z.infer<typeof monthlySchema>;
