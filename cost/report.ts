/**
 * A cost report: the estimate of every resource, the tariff model held against it and the
 * gate's verdict, with the catalog versions and exchange rates it used. Built from a config
 * (synthesized in memory) or from Terraform JSON documents (plans or configurations).
 */
import type { ReportJson } from "./report-schema";
import type { Config } from "../model/load";
import { buildTopology, dataVolumeName, storageVolumeName, type Topology } from "../model/topology";
import { PROVIDERS, PROVIDERS_BY_ID } from "../clouds/registry";
import { apiBudget, type ApiBudget } from "./api-budget";
import { sha256 } from "../config/digest";
import { estimateEach, type Estimate, type LabelsByName, type LineComponent, type Usage } from "./engine";
import { ENV } from "../config/environment";
import { isCalendarDate, today } from "../config/dates";
import { evaluateGate, type GateResult } from "./gate";
import { capacityShortfalls } from "../config/capacity";
import { replacementKeys } from "./replacement";
import { documentsSource, InputError, isPlan, type InstanceSource } from "./input";
import { money, toAmount, toUnitPrice, type Money } from "../catalog/money";
import { PriceBook } from "../catalog/prices";
import { tariffReport, type TariffReport } from "./tariff";
import { groupTotals, usageBased, usedProviders } from "./totals";

export const REPORT_VERSION = 1;

/** A figure to compare the estimate with (e.g. the seed's assumed $2,680 per month). */
export interface Reference {
  readonly label: string;
  readonly amount: Money;
  readonly currency: string;
  /** The amount in EUR (with the FX table). */
  readonly eur: Money;
}

export interface CostReport {
  readonly source: string;
  readonly references: readonly Reference[];
  readonly estimate: Estimate;
  readonly tariff?: TariffReport;
  readonly gate: GateResult;
  readonly book: PriceBook;
  /** Where the pricing date came from. */
  readonly pricingDateSource: PricingDateSource;
  /** The provider API requests each stack needs, against the provider's documented limits. */
  readonly apiBudget: ApiBudget;
  /** Each synthesized stack's digest (what it declares, not where its state lives): the diff names the stacks a change touches. */
  readonly stacks?: readonly StackDigest[];
}

export interface StackDigest {
  readonly name: string;
  readonly sha256: string;
}

export type PricingDateSource = "command line" | "environment" | "today";

export interface PricingOptions {
  /** Date prices are taken for (YYYY-MM-DD). @default today, or AIWC_PRICING_DATE */
  readonly date?: string;
  readonly usage?: Usage;
  readonly env?: NodeJS.ProcessEnv;
  /** Addresses whose data loss is allowed (--allow-data-loss), besides config and environment. */
  readonly allowDataLoss?: readonly string[];
  /** Monthly figures to show beside the estimate: `{ label, amount, currency }`. */
  readonly references?: readonly { readonly label: string; readonly amount: string; readonly currency: string }[];
  /** The config's topology when the caller has built it already (synthesis): not built twice. */
  readonly topology?: Topology;
}

/** The pricing date and its source: --date, else AIWC_PRICING_DATE (validated with the config), else today. */
export function pricingDate(options: PricingOptions = {}): { date: string; source: PricingDateSource } {
  if (options.date !== undefined) return { date: options.date, source: "command line" };
  const env = (options.env ?? process.env)[ENV.pricingDate];
  if (env !== undefined && env !== "") {
    if (!isCalendarDate(env)) throw new InputError(`environment: ${ENV.pricingDate}: "${env.slice(0, 40)}" is not a date YYYY-MM-DD`);
    return { date: env, source: "environment" };
  }
  return { date: today(), source: "today" };
}

/** Node and user-VM labels by name, for resources that cannot carry labels themselves. */
function labelsByName(topology: Topology): LabelsByName {
  const out: Record<string, Readonly<Record<string, string>>> = {};
  for (const group of topology.groups) {
    for (const node of group.nodes) out[node.name] = out[dataVolumeName(node.name)] = node.labels;
  }
  for (const user of topology.users) out[user.name] = out[storageVolumeName(user.name)] = user.labels;
  return out;
}

/** Prices resource instances against a config's catalogs, tariffs and policy. */
export function reportFor(config: Config, instances: InstanceSource, source: string, options: PricingOptions = {}): CostReport {
  // Providers whose plans name types by id (OVH flavors) say how ids map to catalog names.
  const aliases = Object.fromEntries(PROVIDERS.flatMap((p) => (p.priceAliases !== undefined ? [[p.id, p.priceAliases(config.cluster)]] : [])));
  const date = pricingDate(options);
  const book = new PriceBook(config.catalogs, config.fx, date.date, aliases);
  const result = estimateEach(instances, book, options.usage ?? {}, labelsByName(options.topology ?? buildTopology(config)));
  const tariff = tariffReport(config, result, book);
  const capacity = capacityShortfalls(config.cluster, config.users).map((s) => s.message);
  const gate = evaluateGate(config.cluster.policy, result, tariff, book, options.env ?? process.env, options.allowDataLoss ?? [], capacity);
  const references = (options.references ?? []).map(({ label, amount, currency }) => {
    const rate = currency === "EUR" ? "1" : config.fx.rates[currency]?.per_eur;
    if (rate === undefined) throw new InputError(`no exchange rate for ${currency} in fx.yaml`);
    return { label, amount: money(amount), currency, eur: money(amount).dividedBy(rate) };
  });
  const provider = PROVIDERS_BY_ID[config.cluster.provider]!;
  // Every instance is a line item: what remains after the change, or what it removes.
  const budget = apiBudget(provider.displayName, provider.api, config.cluster, result.removed.length === 0 ? result.resources : [...result.resources, ...result.removed]);
  return { source, references, estimate: result, tariff, gate: { ...gate, warnings: [...gate.warnings, ...budget.warnings] }, book, pricingDateSource: date.source, apiBudget: budget };
}

/**
 * A stack's digest over what it declares: everything but the backend (`terraform`), the
 * metadata (`//`) and the remote state it reads (whose path is the backend's), so a base and a
 * head synthesized in different directories compare equal when nothing they declare differs.
 */
export function stackDigest(json: unknown): string {
  const doc = { ...(json as Record<string, unknown>) };
  delete doc["//"];
  delete doc.terraform;
  const data = doc.data as Record<string, unknown> | undefined;
  if (data?.terraform_remote_state !== undefined) {
    const rest = { ...data };
    delete rest.terraform_remote_state;
    doc.data = rest;
  }
  return sha256(JSON.stringify(doc));
}

/** Prices Terraform JSON documents (plans or configurations), one per stack or file. */
export function reportForDocuments(config: Config, documents: readonly { name: string; json: unknown }[], source: string, options: PricingOptions = {}): CostReport {
  // One pass: each resource priced as it is read (cost/input.ts documentsSource).
  const report = reportFor(config, documentsSource(documents), source, options);
  // Configurations (not plans) are what stacks declare: their digests tell a diff which stacks changed.
  const configurations = documents.filter((d) => !isPlan(d.json) && d.json !== null && typeof d.json === "object");
  if (configurations.length === 0) return report;
  // Hashing a document means serializing it whole (about 0.2 s at 100,000 resources), and only
  // the JSON report and diffs read the digests: computed on first read, then kept.
  let stacks: StackDigest[] | undefined;
  return Object.defineProperty({ ...report }, "stacks", {
    enumerable: true,
    get: () => (stacks ??= configurations.map((d) => ({ name: d.name, sha256: stackDigest(d.json) }))),
  });
}

/**
 * Cents as the JSON carries them. Identical resources share their amount objects (engine.ts),
 * so each distinct amount is formatted once, not once per resource.
 */
const amounts = new WeakMap<Money, string>();
function amount(m: Money): string {
  let text = amounts.get(m);
  if (text === undefined) amounts.set(m, (text = toAmount(m)));
  return text;
}
const nullable = (m: Money | null) => (m === null ? null : amount(m));

/** A component list as the JSON carries it: shared by identical resources, so made once per list. */
const componentJson = new WeakMap<readonly LineComponent[], ReportJson["resources"][number]["components"]>();
function componentsOf(components: readonly LineComponent[]): ReportJson["resources"][number]["components"] {
  let json = componentJson.get(components);
  if (json !== undefined) return json;
  json = components.map((c) => ({
    name: c.name,
    unit: c.unit,
    quantity: c.quantity === null ? null : c.quantity.toFixed(),
    unitPrice: c.unitPrice === null ? null : toUnitPrice(c.unitPrice),
    monthly: nullable(c.monthly),
    ...(c.setup !== undefined ? { setup: amount(c.setup) } : {}),
    priceKey: c.priceKey,
    ...(c.usageKey !== undefined ? { usageKey: c.usageKey } : {}),
    ...(c.missing !== undefined ? { missing: c.missing } : {}),
    ...(c.estimate !== undefined ? { estimate: c.estimate } : {}),
  }));
  componentJson.set(components, json);
  return json;
}

/** The versioned JSON form: money as decimal strings, stable order. */
export function reportJson(report: CostReport): ReportJson {
  const { estimate: e, tariff: t, gate, book } = report;
  const used = usedProviders(e.resources);
  return {
    version: REPORT_VERSION,
    source: report.source,
    currency: "EUR",
    pricingDate: e.pricingDate,
    pricingDateSource: report.pricingDateSource,
    catalogs: Object.entries(book.catalogs)
      .filter(([p]) => used.includes(p))
      .map(([provider, c]) => ({ provider, version: c.version, asOf: c.as_of, currency: c.currency })),
    fx: Object.entries(book.fx.rates).map(([currency, r]) => ({ currency, perEur: r.per_eur, asOf: r.as_of })),
    totalMonthly: amount(e.totalMonthly),
    complete: e.complete,
    ...(e.complete ? {} : { incomplete: e.incomplete }),
    references: report.references.map((r) => ({
      label: r.label,
      amount: amount(r.amount),
      currency: r.currency,
      eur: amount(r.eur),
      difference: amount(e.totalMonthly.minus(r.eur)),
    })),
    setupOneTime: amount(e.setupOneTime),
    counts: e.counts,
    groups: groupTotals(e.resources).map((g) => ({ name: g.group, monthly: amount(g.monthly), setup: amount(g.setup), resources: g.resources })),
    users: (t?.perUser ?? []).map((u) => ({
      user: u.user,
      tariff: u.tariff,
      packs: u.packs,
      profile: u.profile,
      cost: amount(u.cost),
      revenue: amount(u.total),
      revenueBase: amount(u.base),
      revenuePacks: amount(u.packsTotal),
      revenuePayg: amount(u.payg),
    })),
    resources: e.resources.map((r) => ({
      address: r.address,
      type: r.type,
      ...(r.stack !== undefined ? { stack: r.stack } : {}),
      ...(r.constructPath !== undefined ? { constructPath: r.constructPath } : {}),
      group: r.group,
      ...(r.user !== undefined ? { user: r.user } : {}),
      ...(r.role !== undefined ? { role: r.role } : {}),
      ...(r.name !== undefined ? { name: r.name } : {}),
      status: r.status,
      ...(r.reason !== undefined ? { reason: r.reason } : {}),
      ...(r.actions !== undefined ? { actions: r.actions } : {}),
      ...(r.values !== undefined ? replacementKeys(r.type, r.values) : {}),
      // An unsupported resource has no price of its own.
      monthly: r.status === "unsupported" ? null : amount(r.monthly),
      setup: r.status === "unsupported" ? null : amount(r.setup),
      components: componentsOf(r.components),
    })),
    removed: e.removed.map((r) => ({
      address: r.address,
      type: r.type,
      ...(r.stack !== undefined ? { stack: r.stack } : {}),
      group: r.group,
      ...(r.user !== undefined ? { user: r.user } : {}),
      ...(r.role !== undefined ? { role: r.role } : {}),
      monthlyBefore: amount(r.monthly),
    })),
    unsupported: e.resources.filter((r) => r.status === "unsupported").map((r) => ({ address: r.address, type: r.type, reason: r.reason })),
    usageBased: usageBased(e.resources).map(({ item: r, component: c }) => ({ address: r.address, component: c.name, unit: c.unit, unitPrice: toUnitPrice(c.unitPrice!), usageKey: c.usageKey })),
    ...(t !== undefined
      ? {
          tariff: {
            users: t.users,
            revenueMonthly: amount(t.revenue.total),
            revenue: { base: amount(t.revenue.base), packs: amount(t.revenue.packs), payg: amount(t.revenue.payg) },
            costMonthly: amount(t.cost.total),
            costFixed: amount(t.cost.fixed),
            costPerUserVariable: amount(t.cost.variable),
            marginMonthly: amount(t.margin),
            // Margin and break-even from a lower-bound cost are bounds too: at most, at least.
            ...(e.complete ? {} : { fromIncompleteCost: true }),
            marginPercent: t.marginPercent === null ? null : toAmount(t.marginPercent, 1),
            breakEvenUsers: t.breakEvenUsers,
            marginalUser: {
              tariff: t.marginalUser.tariff,
              profile: t.marginalUser.profile,
              revenue: amount(t.marginalUser.revenue),
              cost: nullable(t.marginalUser.cost),
              margin: nullable(t.marginalUser.margin),
            },
            groups: t.groups.map((g) => ({
              group: g.group,
              role: g.role,
              cost: amount(g.cost),
              revenue: amount(g.revenue),
              margin: amount(g.margin),
              marginPercent: g.marginPercent === null ? null : toAmount(g.marginPercent, 1),
              paidBy: g.paidBy.map((p) => ({ stream: p.stream, amount: amount(p.amount) })),
            })),
            gpu: t.gpu.map((g) => ({
              group: g.group,
              workers: g.workers,
              costPerWorker: amount(g.costPerWorker),
              maxPaygPerUser: amount(g.maxPaygPerUser),
              hoursPerMonth: g.hoursPerMonth,
              concurrentUsersNeeded: g.concurrentUsersNeeded,
            })),
          },
        }
      : {}),
    ...(report.stacks !== undefined ? { stacks: report.stacks } : {}),
    apiBudget: (({ warnings: _, ...budget }) => budget)(report.apiBudget),
    gate: {
      passed: gate.passed,
      reasons: gate.reasons,
      warnings: gate.warnings,
      ...(gate.override !== undefined ? { override: gate.override } : {}),
      dataAtRisk: gate.dataAtRisk,
      allowances: gate.allowances,
    },
  };
}
