/**
 * The tariff model held against the infrastructure: revenue from base tariffs, packs and the
 * PAYG forecast (users × tariffs × usage profiles), gross margin, break-even users, the
 * marginal user, and the margin of every node group — revenue streams are attributed to the
 * roles they pay for (`serves` in tariffs.yaml) in proportion to those groups' cost.
 */
import type { Config } from "../model/load";
import type { TariffsConfig, UserConfig } from "../config/schema";
import { userServerType } from "../clouds/registry";
import { SHARED_GROUP, type Estimate } from "./engine";
import { money, sum, ZERO, type Money } from "../catalog/money";
import { isMissing, type PriceBook } from "../catalog/prices";
import { byText } from "../config/text";
import { monthlyBy } from "./totals";

export interface UserRevenue {
  readonly user: string;
  readonly tariff: string;
  readonly packs: readonly string[];
  readonly profile: string;
  readonly base: Money;
  readonly packsTotal: Money;
  readonly payg: Money;
  readonly paygByMeter: Readonly<Record<string, Money>>;
  readonly total: Money;
  /** Infrastructure that exists for this user alone (VM, Storage+ volume). */
  readonly cost: Money;
}

export interface GroupMargin {
  readonly group: string;
  readonly role: string;
  readonly cost: Money;
  readonly revenue: Money;
  readonly margin: Money;
  /** null when the group earns nothing. */
  readonly marginPercent: Money | null;
  /** Which revenue streams pay the group's revenue ("packs.devops", "payg.ci_minutes", …), largest share first. */
  readonly paidBy: readonly { readonly stream: string; readonly amount: Money }[];
}

export interface GpuCoverage {
  readonly group: string;
  readonly workers: number;
  readonly costPerWorker: Money;
  /** PAYG one user can pay for one worker in a month at full use (price × hours per month). */
  readonly maxPaygPerUser: Money;
  readonly hoursPerMonth: number;
  /** Users who must use each worker concurrently, around the clock, to cover it from PAYG. */
  readonly concurrentUsersNeeded: number;
}

export interface TariffReport {
  readonly users: number;
  readonly revenue: { readonly base: Money; readonly packs: Money; readonly payg: Money; readonly total: Money };
  readonly perUser: readonly UserRevenue[];
  readonly cost: { readonly total: Money; readonly fixed: Money; readonly variable: Money };
  readonly margin: Money;
  /** null without revenue. */
  readonly marginPercent: Money | null;
  /** Users needed to cover the fixed cost at today's average revenue and variable cost; null if never. */
  readonly breakEvenUsers: number | null;
  readonly marginalUser: { readonly tariff: string; readonly profile: string; readonly revenue: Money; readonly cost: Money | null; readonly margin: Money | null };
  readonly groups: readonly GroupMargin[];
  readonly gpu: readonly GpuCoverage[];
}

function allowancesOf(tariffs: TariffsConfig, tariff: string, packs: readonly string[]): Record<string, number> {
  const total: Record<string, number> = {};
  const add = (entries: Record<string, number>) => {
    for (const [meter, value] of Object.entries(entries)) total[meter] = (total[meter] ?? 0) + value;
  };
  add(tariffs.tariffs[tariff]?.allowances ?? {});
  for (const id of packs) {
    const pack = tariffs.packs[id];
    if (pack === undefined) continue;
    add(pack.allowances);
    if (pack.gpuTokens !== undefined) add({ [tariffs.gpuTokenMeter]: (pack.gpuTokens * tariffs.gpuTokenSeconds) / 3600 });
  }
  return total;
}

/** PAYG charge per meter for a usage profile beyond the allowances. */
export function paygFor(tariffs: TariffsConfig, tariff: string, packs: readonly string[], profile: string): Record<string, Money> {
  const usage = tariffs.profiles[profile] ?? {};
  const included = allowancesOf(tariffs, tariff, packs);
  const out: Record<string, Money> = {};
  for (const [meter, quantity] of Object.entries(usage)) {
    const rate = tariffs.payg[meter];
    if (rate === undefined) continue;
    const billable = money(quantity).minus(included[meter] ?? 0);
    out[meter] = billable.greaterThan(0) ? billable.dividedBy(rate.per).times(rate.price) : ZERO;
  }
  return out;
}

/** A user's forecast revenue: base, packs and PAYG for their profile (the cost is the caller's). */
export function userRevenue(tariffs: TariffsConfig, user: UserConfig, cost: Money): UserRevenue {
  const profile = user.profile ?? tariffs.defaultProfile;
  const base = money(tariffs.tariffs[user.tariff]?.monthly ?? 0);
  const packsTotal = sum(user.packs.map((p) => money(tariffs.packs[p]?.monthly ?? 0)));
  const paygByMeter = paygFor(tariffs, user.tariff, user.packs, profile);
  const payg = sum(Object.values(paygByMeter));
  return { user: user.name, tariff: user.tariff, packs: user.packs, profile, base, packsTotal, payg, paygByMeter, total: base.plus(packsTotal).plus(payg), cost };
}

/** Revenue streams (named by their place in tariffs.yaml) and the roles each pays for. */
function streams(config: Config, perUser: readonly UserRevenue[]): { name: string; amount: Money; serves: readonly string[] }[] {
  const { tariffs } = config;
  const out: { name: string; amount: Money; serves: readonly string[] }[] = [];
  for (const [id, tariff] of Object.entries(tariffs.tariffs)) {
    out.push({ name: `tariffs.${id}`, amount: sum(perUser.filter((u) => u.tariff === id).map((u) => u.base)), serves: tariff.serves });
  }
  for (const [id, pack] of Object.entries(tariffs.packs)) {
    out.push({ name: `packs.${id}`, amount: money(pack.monthly).times(perUser.filter((u) => u.packs.includes(id)).length), serves: pack.serves });
  }
  for (const [meter, rate] of Object.entries(tariffs.payg)) {
    out.push({ name: `payg.${meter}`, amount: sum(perUser.map((u) => u.paygByMeter[meter] ?? ZERO)), serves: rate.serves });
  }
  return out;
}

export function tariffReport(config: Config, estimate: Estimate, book: PriceBook): TariffReport {
  const { tariffs } = config;
  const costByUser = monthlyBy(estimate.resources, (item) => item.user);
  const costByGroup = monthlyBy(estimate.resources, (item) => item.group);
  const perUser = config.users.map((u) => userRevenue(tariffs, u, costByUser.get(u.name) ?? ZERO));
  const revenue = {
    base: sum(perUser.map((u) => u.base)),
    packs: sum(perUser.map((u) => u.packsTotal)),
    payg: sum(perUser.map((u) => u.payg)),
    total: sum(perUser.map((u) => u.total)),
  };
  const variable = sum(perUser.map((u) => u.cost));
  const total = estimate.totalMonthly;
  const fixed = total.minus(variable);
  const margin = revenue.total.minus(total);
  const marginPercent = revenue.total.isZero() ? null : margin.dividedBy(revenue.total).times(100);

  let breakEvenUsers: number | null = null;
  if (perUser.length > 0) {
    const contribution = revenue.total.minus(variable).dividedBy(perUser.length);
    if (contribution.greaterThan(0)) breakEvenUsers = Math.max(0, fixed.dividedBy(contribution).ceil().toNumber());
  }

  // The next user: on the first tariff, no packs, the default profile.
  const tariffId = Object.keys(tariffs.tariffs)[0]!;
  const marginalRevenue = money(tariffs.tariffs[tariffId]!.monthly).plus(sum(Object.values(paygFor(tariffs, tariffId, [], tariffs.defaultProfile))));
  const type = userServerType(config, tariffId);
  const vmPrice = type !== undefined ? book.lookup({ provider: config.cluster.provider, section: "server_types", id: type }) : undefined;
  const marginalCost = vmPrice !== undefined && !isMissing(vmPrice) ? vmPrice.monthly : null;

  // Margin per node group.
  const roleOf = (group: string): string =>
    group === "user-vms" ? "user-vm" : group === SHARED_GROUP ? "shared" : config.cluster.nodeGroups[group]?.role ?? "unknown";
  const revenueByGroup = new Map<string, Money>();
  const paidBy = new Map<string, { stream: string; amount: Money }[]>();
  for (const stream of streams(config, perUser)) {
    const groups = [...costByGroup.keys()].filter((g) => stream.serves.includes(roleOf(g)));
    const groupCost = sum(groups.map((g) => costByGroup.get(g)!));
    for (const group of groups) {
      const share = groupCost.isZero() ? money(1).dividedBy(groups.length) : costByGroup.get(group)!.dividedBy(groupCost);
      const amount = stream.amount.times(share);
      revenueByGroup.set(group, (revenueByGroup.get(group) ?? ZERO).plus(amount));
      if (!amount.isZero()) paidBy.set(group, [...(paidBy.get(group) ?? []), { stream: stream.name, amount }]);
    }
  }
  const groups: GroupMargin[] = [...costByGroup.entries()]
    .filter(([group, cost]) => !cost.isZero() || revenueByGroup.has(group))
    .map(([group, cost]) => {
      const earned = revenueByGroup.get(group) ?? ZERO;
      const groupMargin = earned.minus(cost);
      const sources = [...(paidBy.get(group) ?? [])].sort((a, b) => b.amount.comparedTo(a.amount) || byText(a.stream, b.stream));
      return { group, role: roleOf(group), cost, revenue: earned, margin: groupMargin, marginPercent: earned.isZero() ? null : groupMargin.dividedBy(earned).times(100), paidBy: sources };
    })
    .sort((a, b) => byText(a.group, b.group));

  // GPU workers against the GPU meter: what one user can pay per worker at full use.
  const gpuMeter = tariffs.payg[tariffs.gpuTokenMeter];
  const gpu: GpuCoverage[] = [];
  if (gpuMeter !== undefined) {
    const hours = book.hoursPerMonth(config.cluster.provider) ?? 730;
    const maxPaygPerUser = money(gpuMeter.price).dividedBy(gpuMeter.per).times(hours);
    for (const [name, group] of Object.entries(config.cluster.nodeGroups)) {
      if (group.role !== "gpu-worker" || group.count === 0) continue;
      const cost = costByGroup.get(name) ?? ZERO;
      const costPerWorker = cost.dividedBy(group.count);
      gpu.push({
        group: name,
        workers: group.count,
        costPerWorker,
        maxPaygPerUser,
        hoursPerMonth: hours,
        concurrentUsersNeeded: maxPaygPerUser.isZero() ? Infinity : costPerWorker.dividedBy(maxPaygPerUser).ceil().toNumber(),
      });
    }
  }

  return {
    users: perUser.length,
    revenue,
    perUser,
    cost: { total, fixed, variable },
    margin,
    marginPercent,
    breakEvenUsers,
    marginalUser: {
      tariff: tariffId,
      profile: tariffs.defaultProfile,
      revenue: marginalRevenue,
      cost: marginalCost,
      margin: marginalCost !== null ? marginalRevenue.minus(marginalCost) : null,
    },
    groups,
    gpu,
  };
}
