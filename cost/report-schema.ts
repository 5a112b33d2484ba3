/**
 * The report JSON (`aiwc cost --format json`, `cdktf.out/aiwc-report.json`): one zod schema,
 * the type `reportJson` produces and `cost diff`/`compare` read, and the JSON Schema that
 * `aiwc schema report` prints. Amounts are decimal strings (never floats), in EUR unless a
 * field says otherwise. A change that breaks readers raises `version`.
 */
import { z } from "zod";

/** Arrays are read-only in the type: the report is a value, built once. */
export const list = <T extends z.ZodType>(item: T) => z.array(item).readonly();
/** An amount as a decimal string with two places, e.g. "924.62". */
export const amount = z.string().regex(/^-?\d+\.\d{2}$/).describe("EUR amount, decimal string with two places");
/** A unit price as a decimal string with at least two places, e.g. "0.0572". */
const unitPrice = z.string().regex(/^-?\d+\.\d{2,}$/).describe("unit price, decimal string");
export const percent = z.string().regex(/^-?\d+\.\d$/).describe("percent, one decimal place");
const status = z.enum(["priced", "free", "unsupported"]);
export const dataAtRiskSchema = z.strictObject({
  address: z.string(),
  type: z.string(),
  stack: z.string().optional(),
  group: z.string(),
  user: z.string().optional(),
  action: z.enum(["delete", "replace"]),
  allowed: z.boolean(),
});

/** Who a per-user row is about (the cost report's and the monthly report's users). */
export const userFields = { user: z.string(), tariff: z.string(), packs: list(z.string()), profile: z.string() };

const stackRequests = z.strictObject({ stack: z.string(), resources: z.number().int(), servers: z.number().int(), refresh: z.number().int(), create: z.number().int() });

export const reportSchema = z.strictObject({
  version: z.literal(1),
  /** What was priced: "config", or the plan/JSON files. */
  source: z.string(),
  currency: z.literal("EUR"),
  pricingDate: z.iso.date(),
  pricingDateSource: z.enum(["command line", "environment", "today"]),
  catalogs: list(z.strictObject({ provider: z.string(), version: z.string(), asOf: z.iso.date(), currency: z.string() })),
  fx: list(z.strictObject({ currency: z.string(), perEur: z.string(), asOf: z.iso.date() })),
  /** A lower bound when `complete` is false. */
  totalMonthly: amount,
  complete: z.boolean(),
  incomplete: list(z.string()).optional(),
  references: list(z.strictObject({ label: z.string(), amount, currency: z.string(), eur: amount, difference: amount })),
  setupOneTime: amount,
  counts: z.strictObject({ priced: z.number().int(), free: z.number().int(), unsupported: z.number().int() }),
  groups: list(z.strictObject({ name: z.string(), monthly: amount, setup: amount, resources: z.number().int() })),
  users: list(
    z.strictObject({
      ...userFields,
      cost: amount,
      revenue: amount,
      revenueBase: amount,
      revenuePacks: amount,
      revenuePayg: amount,
    }),
  ),
  resources: list(
    z.strictObject({
      address: z.string(),
      type: z.string(),
      stack: z.string().optional(),
      constructPath: z.string().optional(),
      group: z.string(),
      user: z.string().optional(),
      role: z.string().optional(),
      name: z.string().optional(),
      status,
      reason: z.string().optional(),
      actions: list(z.string()).optional(),
      /** Digest of the attributes whose change replaces the resource (cost diff compares it). */
      replaceKey: z.string().optional(),
      /** Digest of the boot-only attributes (user data, keys): a change means "run the playbook". */
      bootKey: z.string().optional(),
      /** null: an unsupported resource has no price of its own. */
      monthly: amount.nullable(),
      setup: amount.nullable(),
      components: list(
        z.strictObject({
          name: z.string(),
          unit: z.string(),
          quantity: z.string().nullable(),
          unitPrice: unitPrice.nullable(),
          monthly: amount.nullable(),
          setup: amount.optional(),
          priceKey: z.string(),
          usageKey: z.string().optional(),
          missing: z.string().optional(),
          estimate: z.string().optional(),
        }),
      ),
    }),
  ),
  /** Resources a plan deletes, at what they cost before. */
  removed: list(
    z.strictObject({ address: z.string(), type: z.string(), stack: z.string().optional(), group: z.string(), user: z.string().optional(), role: z.string().optional(), monthlyBefore: amount }),
  ),
  unsupported: list(z.strictObject({ address: z.string(), type: z.string(), reason: z.string().optional() })),
  usageBased: list(z.strictObject({ address: z.string(), component: z.string(), unit: z.string(), unitPrice, usageKey: z.string().optional() })),
  tariff: z
    .strictObject({
      users: z.number().int(),
      revenueMonthly: amount,
      revenue: z.strictObject({ base: amount, packs: amount, payg: amount }),
      costMonthly: amount,
      costFixed: amount,
      costPerUserVariable: amount,
      marginMonthly: amount,
      /** Margin and break-even computed from a lower-bound cost: at most, at least. */
      fromIncompleteCost: z.literal(true).optional(),
      marginPercent: percent.nullable(),
      breakEvenUsers: z.number().int().nullable(),
      marginalUser: z.strictObject({ tariff: z.string(), profile: z.string(), revenue: amount, cost: amount.nullable(), margin: amount.nullable() }),
      groups: list(
        z.strictObject({
          group: z.string(),
          role: z.string(),
          cost: amount,
          revenue: amount,
          margin: amount,
          marginPercent: percent.nullable(),
          /** The revenue streams (tariffs.<id>, packs.<id>, payg.<meter>) that pay the group's revenue, largest first. */
          paidBy: list(z.strictObject({ stream: z.string(), amount })),
        }),
      ),
      gpu: list(
        z.strictObject({ group: z.string(), workers: z.number().int(), costPerWorker: amount, maxPaygPerUser: amount, hoursPerMonth: z.number(), concurrentUsersNeeded: z.number() }),
      ),
    })
    .optional(),
  /** Each synthesized stack's digest over what it declares (configurations only): the diff's touched stacks. */
  stacks: list(z.strictObject({ name: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })).optional(),
  /** Provider API requests of a plan (refresh) and a first apply (create) per stack: estimates, against the documented rate. */
  apiBudget: z
    .strictObject({
      provider: z.string(),
      rate: z.strictObject({ perSecond: z.number(), burst: z.number().int(), scope: z.string(), source: z.string() }).optional(),
      noRate: z.string().optional(),
      stacks: list(stackRequests),
      total: stackRequests,
      serverLimit: z.number().int().optional(),
    })
    .optional(),
  gate: z.strictObject({
    passed: z.boolean(),
    reasons: list(z.string()),
    warnings: list(z.string()),
    override: z.strictObject({ reason: z.string(), source: z.enum(["config", "environment"]) }).optional(),
    dataAtRisk: list(dataAtRiskSchema),
    allowances: list(z.strictObject({ address: z.string(), source: z.enum(["config", "environment", "command line"]) })),
  }),
});

export type ReportJson = z.infer<typeof reportSchema>;
