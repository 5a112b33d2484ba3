/**
 * The policy gate: the verdict every synthesis (and so every `cdktf deploy`) must pass.
 * Fails on cost above the budget, margin below the minimum, resources that cannot be priced
 * (fail closed) and stale catalogs — each reason says what pushed it over. An explicit
 * override (policy.override.reason in cluster.yaml, or AIWC_COST_OVERRIDE) lets it pass, and
 * the reason is printed in every report.
 */
import { ENV, environmentOverride, splitAddresses } from "../config/environment";
import type { ClusterConfig } from "../config/schema";
import type { DataAtRisk, Estimate, LineItem } from "./engine";
import { holdsData, plannedAction } from "./replacement";
import { formatEur, money, toAmount } from "../catalog/money";
import type { PriceBook } from "../catalog/prices";
import type { TariffReport } from "./tariff";
import { daysBetween } from "../config/dates";
import { componentLists, monthlyBy, usedProviders } from "./totals";

export const OVERRIDE_ENV = ENV.override;

/** An address whose data loss is allowed, and who allowed it. */
export interface Allowance {
  readonly address: string;
  readonly source: "config" | "environment" | "command line";
}

export interface GateResult {
  /** The verdict after any override. */
  readonly passed: boolean;
  /** What failed, before any override. */
  readonly reasons: readonly string[];
  readonly warnings: readonly string[];
  readonly override?: { readonly reason: string; readonly source: "config" | "environment" };
  /** Resources holding data that the change destroys or replaces (plans; diffs add their own). */
  readonly dataAtRisk: readonly DataAtRisk[];
  /** Data loss explicitly allowed, by address. */
  readonly allowances: readonly Allowance[];
}

/** The allowances in force: policy.allowDataLoss, AIWC_ALLOW_DATA_LOSS and --allow-data-loss. */
export function allowances(policy: ClusterConfig["policy"], env: NodeJS.ProcessEnv, cli: readonly string[] = []): Allowance[] {
  return [
    ...policy.allowDataLoss.map((address) => ({ address, source: "config" as const })),
    ...splitAddresses(env[ENV.allowDataLoss]).map((address) => ({ address, source: "environment" as const })),
    ...cli.map((address) => ({ address, source: "command line" as const })),
  ];
}

export function isAllowed(resource: { readonly address: string; readonly stack?: string | undefined }, allowed: readonly Allowance[]): boolean {
  return allowed.some((a) => a.address === resource.address || (resource.stack !== undefined && a.address === `${resource.stack}:${resource.address}`));
}

/** Resources holding data that a plan deletes or replaces. */
export function planDataAtRisk(estimate: Estimate, allowed: readonly Allowance[]): DataAtRisk[] {
  const out: DataAtRisk[] = [];
  const add = (r: LineItem, action: "delete" | "replace") => {
    if (!holdsData(r)) return;
    out.push({
      address: r.address,
      type: r.type,
      ...(r.stack !== undefined ? { stack: r.stack } : {}),
      group: r.group,
      ...(r.user !== undefined ? { user: r.user } : {}),
      action,
      allowed: isAllowed(r, allowed),
    });
  };
  for (const r of estimate.resources) if (plannedAction(r.actions) === "replace") add(r, "replace");
  for (const r of estimate.removed) add(r, "delete");
  return out;
}

/** The gate reason for data at risk that nobody allowed, if any. */
export function dataLossReason(atRisk: readonly DataAtRisk[]): string | undefined {
  const blocked = atRisk.filter((d) => !d.allowed);
  if (blocked.length === 0) return undefined;
  const list = blocked.slice(0, 5).map((d) => `${d.stack !== undefined ? `${d.stack}:` : ""}${d.address} (${d.action === "delete" ? "destroyed" : "replaced"})`).join(", ");
  const more = blocked.length > 5 ? ` and ${blocked.length - 5} more` : "";
  return `data at risk: ${blocked.length} resource(s) holding data would be destroyed or replaced: ${list}${more}. If that is intended, allow each by address (--allow-data-loss ADDRESS, policy.allowDataLoss or ${ENV.allowDataLoss})`;
}

export function evaluateGate(
  policy: ClusterConfig["policy"],
  estimate: Estimate,
  tariff: TariffReport | undefined,
  book: PriceBook,
  env: NodeJS.ProcessEnv = process.env,
  allowDataLoss: readonly string[] = [],
  capacity: readonly string[] = [],
): GateResult {
  const reasons: string[] = [];
  // The configured nodes must be able to serve the configured users (capacity: rules).
  for (const shortfall of capacity) reasons.push(`capacity: ${shortfall}`);
  const allowed = allowances(policy, env, allowDataLoss);
  const dataAtRisk = planDataAtRisk(estimate, allowed);
  const lossReason = dataLossReason(dataAtRisk);
  if (lossReason !== undefined) reasons.push(lossReason);
  const warnings: string[] = [];

  const unsupported = estimate.resources.filter((r) => r.status === "unsupported");
  if (unsupported.length > 0) {
    const list = unsupported.slice(0, 5).map((r) => `${r.address} (${r.reason})`).join("; ");
    const more = unsupported.length > 5 ? `; and ${unsupported.length - 5} more` : "";
    const message = `${unsupported.length} resource(s) cannot be priced, so the cost is not known: ${list}${more}`;
    if (policy.failOnUnsupported) reasons.push(`${message}. Add the price to config/prices/ or set policy.failOnUnsupported: false`);
    else warnings.push(message);
  }

  const byGroup = monthlyBy(estimate.resources, (r) => r.group);
  const biggest = [...byGroup.entries()].sort((a, b) => b[1].comparedTo(a[1])).slice(0, 3).map(([g, c]) => `${g} ${formatEur(c)}`).join(", ");

  if (policy.maxMonthlyCost !== undefined && estimate.totalMonthly.greaterThan(policy.maxMonthlyCost)) {
    const over = estimate.totalMonthly.minus(policy.maxMonthlyCost);
    reasons.push(
      `monthly cost ${formatEur(estimate.totalMonthly)} exceeds policy.maxMonthlyCost ${formatEur(money(policy.maxMonthlyCost))} by ${formatEur(over)}; largest groups: ${biggest}`,
    );
  }

  if (tariff !== undefined) {
    const percent = tariff.marginPercent;
    if (percent === null || percent.lessThan(policy.minMarginPercent)) {
      const losing = tariff.groups.filter((g) => g.margin.isNegative()).sort((a, b) => a.margin.comparedTo(b.margin));
      const losers = losing.length > 0 ? `; groups not covered by their revenue: ${losing.slice(0, 4).map((g) => `${g.group} ${formatEur(g.margin)}`).join(", ")}` : "";
      reasons.push(
        `gross margin ${percent === null ? "undefined (no revenue)" : `${toAmount(percent, 1)} %`} is below policy.minMarginPercent ${policy.minMarginPercent} %: revenue ${formatEur(tariff.revenue.total)}, cost ${formatEur(tariff.cost.total)}${losers}`,
      );
    }
  }

  for (const provider of usedProviders(estimate.resources)) {
    const catalog = book.catalogs[provider];
    if (catalog === undefined) continue;
    const age = daysBetween(catalog.as_of, book.pricingDate);
    if (age > policy.maxCatalogAgeDays) {
      reasons.push(`the ${provider} price catalog is ${age} days old (as_of ${catalog.as_of}), more than policy.maxCatalogAgeDays ${policy.maxCatalogAgeDays}; refresh config/prices/${provider}.yaml`);
    }
  }
  const notes = new Set<string>();
  // Once per component list: identical resources share theirs.
  for (const components of componentLists(estimate.resources)) {
    for (const c of components) {
      if (c.estimate !== undefined) notes.add(`${c.priceKey} is an estimate (${c.estimate})`);
      if (c.asOf !== undefined && daysBetween(c.asOf, book.pricingDate) > policy.maxCatalogAgeDays) {
        notes.add(`${c.priceKey} was last confirmed ${c.asOf}, more than ${policy.maxCatalogAgeDays} days ago`);
      }
    }
  }
  warnings.push(...[...notes].sort());

  const environment = environmentOverride(env);
  const override =
    environment !== undefined
      ? { reason: environment, source: "environment" as const }
      : policy.override !== undefined
        ? { reason: policy.override.reason, source: "config" as const }
        : undefined;
  return {
    // A cost override never covers data loss: that is allowed by address only.
    passed: lossReason === undefined && (reasons.length === 0 || override !== undefined),
    reasons,
    warnings,
    ...(override !== undefined ? { override } : {}),
    dataAtRisk,
    allowances: allowed,
  };
}
