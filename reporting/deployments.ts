/**
 * What ran, and what it cost: `aiwc record` stores each deployed state in the ledger (the
 * priced report of the synthesis that was deployed: time, config digest, git commit, totals
 * per node group and per resource, setup fees, the gate's verdict and any override), and the
 * month's infrastructure cost actually incurred is computed from those states.
 *
 * The method (`incurredCost`), as the providers bill:
 * - a recorded state is in force from its time until the next record (the last one until the
 *   month's end, or now for the current month); nothing is known before the first record;
 * - each resource costs its monthly price ÷ 730 (the catalogs' hours per month) for every hour
 *   it is in force, and at most its monthly price in a calendar month (the highest it had in
 *   that month) — Hetzner's and OVH's hourly billing with a monthly cap; AWS has no cap and
 *   bills up to 2 % more in a 31-day month;
 * - a resource's setup fee falls in the month it first appears in any record.
 * Amounts are decimals throughout, rounded to cents only when shown.
 */
import type { ReportJson } from "../cost/report-schema";
import { money, type Money } from "../catalog/money";
import type { Queryable } from "../billing/ledger";
import { monthBounds as billMonth } from "../billing/bill";

export const HOURS_PER_MONTH = 730;
/** Catalog keys of machines: cloud server types and dedicated servers, on every provider. */
const MACHINE_PRICE = /^[a-z]+\.(server_types|dedicated)\./;
const HOUR_MS = 3_600_000;

export interface DeployedResource {
  readonly address: string;
  readonly group: string;
  /** Monthly price, decimal string (EUR). */
  readonly monthly: string;
  readonly setup: string;
  /** The node group's role (aiwc/role), where the resource has one. */
  readonly role?: string;
  /** A machine (a server type or a dedicated server is its price): what GPU hours are counted on. */
  readonly machine?: true;
}

export interface Deployment {
  readonly id?: number;
  /** ISO instant. */
  readonly recordedAt: string;
  readonly cluster: string;
  readonly configDigest: string;
  readonly gitCommit: string | null;
  readonly pricingDate: string;
  readonly totalMonthly: string;
  readonly setupOneTime: string;
  readonly passed: boolean;
  readonly overrideReason: string | null;
  readonly reasons: readonly string[];
  readonly groups: readonly { readonly name: string; readonly monthly: string; readonly setup: string; readonly resources: number }[];
  readonly resources: readonly DeployedResource[];
}

/** A deployment from a cost report (`aiwc-report.json` of the synthesis, or a fresh pricing). */
export function deploymentOf(report: ReportJson, meta: { readonly recordedAt: string; readonly cluster: string; readonly configDigest: string; readonly gitCommit: string | null }): Deployment {
  return {
    ...meta,
    pricingDate: report.pricingDate,
    totalMonthly: report.totalMonthly,
    setupOneTime: report.setupOneTime,
    passed: report.gate.passed,
    overrideReason: report.gate.override?.reason ?? null,
    reasons: report.gate.reasons,
    groups: report.groups,
    // Unsupported resources have no price: recorded at 0, as the report totals them.
    resources: report.resources.map((r) => ({
      address: r.stack !== undefined ? `${r.stack}:${r.address}` : r.address,
      group: r.group,
      monthly: r.monthly ?? "0",
      setup: r.setup ?? "0",
      ...(r.role !== undefined ? { role: r.role } : {}),
      ...(r.components.some((c) => MACHINE_PRICE.test(c.priceKey)) ? { machine: true as const } : {}),
    })),
  };
}

export async function recordDeployment(ledger: Queryable, d: Deployment): Promise<number> {
  const [row] = await ledger.query<{ id: string }>(
    `insert into deployments (recorded_at, cluster, config_digest, git_commit, pricing_date, total_monthly, setup_one_time, passed, override_reason, reasons, groups, resources)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id`,
    [d.recordedAt, d.cluster, d.configDigest, d.gitCommit, d.pricingDate, d.totalMonthly, d.setupOneTime, d.passed, d.overrideReason, JSON.stringify(d.reasons), JSON.stringify(d.groups), JSON.stringify(d.resources)],
  );
  return Number(row!.id);
}

interface Row {
  id: string;
  recorded_at: Date | string;
  cluster: string;
  config_digest: string;
  git_commit: string | null;
  pricing_date: string;
  total_monthly: string;
  setup_one_time: string;
  passed: boolean | string;
  override_reason: string | null;
  reasons: unknown;
  groups: unknown;
  resources: unknown;
}

const json = <T>(value: unknown): T => (typeof value === "string" ? (JSON.parse(value) as T) : (value as T));

/** The recorded deployments up to `until` (exclusive), oldest first. */
export async function deploymentsUntil(ledger: Queryable, until: Date): Promise<Deployment[]> {
  const rows = await ledger.query<Row>("select * from deployments where recorded_at < $1 order by recorded_at, id", [until.toISOString()]);
  return rows.map((r) => ({
    id: Number(r.id),
    recordedAt: new Date(r.recorded_at).toISOString(),
    cluster: r.cluster,
    configDigest: r.config_digest,
    gitCommit: r.git_commit,
    pricingDate: r.pricing_date,
    totalMonthly: money(r.total_monthly).toFixed(),
    setupOneTime: money(r.setup_one_time).toFixed(),
    // The embedded ledger answers a boolean, PostgreSQL's text protocol `t`/`f`.
    passed: r.passed === true || r.passed === "t",
    overrideReason: r.override_reason,
    reasons: json<string[]>(r.reasons),
    groups: json<Deployment["groups"]>(r.groups),
    resources: json<DeployedResource[]>(r.resources),
  }));
}

export interface IncurredGroup {
  readonly group: string;
  readonly cost: Money;
  readonly setup: Money;
}

export interface IncurredCost {
  readonly month: string;
  /** Running cost (hourly, capped), without setup fees. */
  readonly running: Money;
  readonly setup: Money;
  readonly total: Money;
  readonly groups: readonly IncurredGroup[];
  /** The states in force during the month (records before it included). */
  readonly deployments: number;
  /** From when the month is covered by records (null: not at all). */
  readonly coveredFrom: string | null;
  /** Until when it is counted (the month's end, or now). */
  readonly coveredUntil: string;
}

/** The month's first instant and the next month's, as instants (the bill's month, parsed once there). */
export function monthBounds(month: string): { start: Date; end: Date } {
  const { from, next } = billMonth(month);
  return { start: new Date(`${from}T00:00:00Z`), end: new Date(`${next}T00:00:00Z`) };
}

interface InForce {
  /** The recorded states, oldest first. */
  readonly sorted: readonly Deployment[];
  readonly start: number;
  /** The month's end, or now for the current month. */
  readonly end: number;
  /** The states in force during the month, each from when and for how many hours. */
  readonly spans: readonly { readonly deployment: Deployment; readonly from: number; readonly hours: Money }[];
}

/** Which recorded state was in force when in `month` (up to `now`): each until the next record. */
function inForceDuring(deployments: readonly Deployment[], month: string, now: Date): InForce {
  const { start: monthStart, end: monthEnd } = monthBounds(month);
  const start = monthStart.getTime();
  const end = Math.min(monthEnd.getTime(), Math.max(now.getTime(), start));
  const sorted = [...deployments].sort((a, b) => Date.parse(a.recordedAt) - Date.parse(b.recordedAt));
  const spans = sorted.flatMap((deployment, i) => {
    const from = Math.max(Date.parse(deployment.recordedAt), start);
    const to = Math.min(i + 1 < sorted.length ? Date.parse(sorted[i + 1]!.recordedAt) : Number.POSITIVE_INFINITY, end);
    return to > from ? [{ deployment, from, hours: money(to - from).dividedBy(HOUR_MS) }] : [];
  });
  return { sorted, start, end, spans };
}

/** The month's infrastructure cost actually incurred, from the recorded states (see the file's comment). */
export function incurredCost(deployments: readonly Deployment[], month: string, now: Date = new Date()): IncurredCost {
  const { sorted, start, end, spans } = inForceDuring(deployments, month, now);
  // Setup fees: where a resource first appears in any record, if that is in the month.
  const firstSeen = new Set<string>();
  const setups = new Map<string, { group: string; setup: Money }>();
  for (const d of sorted) {
    const from = Date.parse(d.recordedAt);
    for (const r of d.resources) {
      if (firstSeen.has(r.address)) continue;
      firstSeen.add(r.address);
      if (from >= start && from < end && !money(r.setup).isZero()) setups.set(r.address, { group: r.group, setup: money(r.setup) });
    }
  }
  const accrued = new Map<string, { group: string; amount: Money; cap: Money }>();
  for (const { deployment, hours } of spans) {
    for (const r of deployment.resources) {
      const monthly = money(r.monthly);
      const sum = hours.times(monthly).dividedBy(HOURS_PER_MONTH);
      const entry = accrued.get(r.address);
      if (entry === undefined) accrued.set(r.address, { group: r.group, amount: sum, cap: monthly });
      else accrued.set(r.address, { group: r.group, amount: entry.amount.plus(sum), cap: monthly.greaterThan(entry.cap) ? monthly : entry.cap });
    }
  }
  const groups = new Map<string, { cost: Money; setup: Money }>();
  const at = (group: string) => groups.get(group) ?? { cost: money(0), setup: money(0) };
  let running = money(0);
  for (const { group, amount, cap } of accrued.values()) {
    const cost = amount.greaterThan(cap) ? cap : amount;
    running = running.plus(cost);
    groups.set(group, { ...at(group), cost: at(group).cost.plus(cost) });
  }
  let setup = money(0);
  for (const { group, setup: fee } of setups.values()) {
    setup = setup.plus(fee);
    groups.set(group, { ...at(group), setup: at(group).setup.plus(fee) });
  }
  return {
    month,
    running,
    setup,
    total: running.plus(setup),
    groups: [...groups].map(([group, g]) => ({ group, ...g })).sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0)),
    deployments: spans.length,
    coveredFrom: spans.length === 0 ? null : new Date(spans[0]!.from).toISOString(),
    coveredUntil: new Date(end).toISOString(),
  };
}

/**
 * Machine-hours of the nodes with `role` in the month: each state's machines of that role × the
 * hours it was in force (what the GPU workers could have worked).
 */
export function machineHours(deployments: readonly Deployment[], month: string, role: string, now: Date = new Date()): { hours: Money; machines: number } {
  let hours = money(0);
  let machines = 0;
  for (const span of inForceDuring(deployments, month, now).spans) {
    machines = span.deployment.resources.filter((r) => r.role === role && r.machine === true).length;
    hours = hours.plus(span.hours.times(machines));
  }
  return { hours, machines };
}
