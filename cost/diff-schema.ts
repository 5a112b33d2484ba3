/**
 * The cost diff JSON (`aiwc cost diff --format json`, `--json-out`, the CI artifact): its zod
 * schema, the type `diffJson` returns, and what `aiwc schema diff` prints. Amounts are decimal
 * strings in EUR. A change that breaks readers raises `version`.
 */
import { z } from "zod";
import { amount, dataAtRiskSchema, list, percent } from "./report-schema";

const delta = { before: amount, after: amount, change: amount };
const change = z.enum(["added", "removed", "replaced", "changed", "moved"]);
const resourceChange = z.strictObject({
  address: z.string(),
  type: z.string(),
  stack: z.string().optional(),
  group: z.string(),
  user: z.string().optional(),
  change,
  before: amount,
  after: amount,
  /** Component names before → after, where they differ (e.g. a server type change). */
  detail: z.string().optional(),
  dataAtRisk: z.boolean(),
  /** Present on data at risk: whether its loss is explicitly allowed. */
  allowed: z.boolean().optional(),
  /** A move between users stacks: the stack it leaves (`stack` is where it goes). */
  from: z.string().optional(),
});
const allowance = z.strictObject({ address: z.string(), source: z.enum(["config", "environment", "command line"]) });

export const diffSchema = z.strictObject({
  version: z.literal(1),
  currency: z.literal("EUR"),
  base: z.strictObject({ source: z.string(), totalMonthly: amount }),
  head: z.strictObject({ source: z.string(), totalMonthly: amount }),
  monthly: z.strictObject(delta),
  setupOneTime: z.strictObject(delta),
  revenueMonthly: z.strictObject(delta).optional(),
  marginPercent: z.strictObject({ before: percent.nullable(), after: percent.nullable(), points: percent.nullable() }).optional(),
  groups: list(z.strictObject({ name: z.string(), ...delta })),
  users: list(z.strictObject({ user: z.string(), change: z.enum(["added", "removed", "replaced", "changed", "unchanged"]), revenueBefore: amount, revenueAfter: amount })),
  resources: list(resourceChange),
  dataAtRisk: list(resourceChange),
  allowances: list(allowance),
  /** The stacks the change touches (deploy these, platform first) and the plan requests they need. */
  stacks: z.strictObject({
    touched: list(z.string()),
    added: list(z.string()),
    removed: list(z.string()),
    unchanged: z.number().int(),
    refreshRequests: z.number().int().optional(),
  }),
  /** Boot-only changes Terraform ignores on running machines, and the playbook to run instead. */
  ansible: list(z.strictObject({ address: z.string(), stack: z.string().optional(), host: z.string(), user: z.string().optional(), playbook: z.string(), message: z.string() })),
  gate: z.strictObject({
    passed: z.boolean(),
    reasons: list(z.string()),
    head: z.strictObject({
      passed: z.boolean(),
      reasons: list(z.string()),
      warnings: list(z.string()),
      override: z.strictObject({ reason: z.string(), source: z.string() }).optional(),
      /** The head's own data at risk (a plan's destroys), before this diff adds its own. */
      dataAtRisk: list(dataAtRiskSchema).optional(),
      allowances: list(allowance).optional(),
    }),
  }),
  /** The --fail-on thresholds this diff crossed. */
  failOn: list(z.string()),
});

export type DiffJson = z.infer<typeof diffSchema>;
