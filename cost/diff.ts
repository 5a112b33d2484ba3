/**
 * The cost diff of a change: two versioned JSON reports (base and head) compared per node
 * group, per user and per resource (added / removed / changed, before → after), with totals,
 * setup fees, revenue and margin change, the head's gate verdict, and resources whose removal
 * loses data (volumes, buckets, users' VMs) flagged as data at risk.
 */
import { money, ZERO, type Money } from "./money";

export const DIFF_VERSION = 1;

/** The parts of a reportJson() document the diff reads. */
export interface ReportDoc {
  readonly version: number;
  readonly source: string;
  readonly totalMonthly: string;
  readonly setupOneTime: string;
  readonly groups: readonly { name: string; monthly: string; setup: string }[];
  readonly users: readonly { user: string; tariff: string; packs: readonly string[]; cost: string; revenue: string }[];
  readonly resources: readonly { address: string; type: string; stack?: string; group: string; user?: string; status: string; monthly: string; setup: string; components: readonly { name: string }[] }[];
  readonly tariff?: { revenueMonthly: string; marginPercent: string | null };
  readonly gate: { passed: boolean; reasons: readonly string[]; warnings: readonly string[]; override?: { reason: string; source: string } };
}

export type Change = "added" | "removed" | "changed";

export interface ResourceChange {
  readonly key: string;
  readonly address: string;
  readonly type: string;
  readonly stack?: string;
  readonly group: string;
  readonly user?: string;
  readonly change: Change;
  readonly before: Money;
  readonly after: Money;
  /** Component names before → after, where they differ (e.g. a server type change). */
  readonly detail?: string;
  readonly dataAtRisk: boolean;
}

export interface Delta {
  readonly name: string;
  readonly before: Money;
  readonly after: Money;
}

export interface CostDiff {
  readonly base: ReportDoc;
  readonly head: ReportDoc;
  readonly monthly: Delta;
  readonly setup: Delta;
  readonly revenue?: Delta;
  readonly marginPercent?: { readonly before: Money | null; readonly after: Money | null };
  readonly groups: readonly Delta[];
  readonly users: readonly (Delta & { readonly change: Change | "unchanged" })[];
  readonly resources: readonly ResourceChange[];
  readonly dataAtRisk: readonly ResourceChange[];
}

/** Types whose removal deletes stored data. */
const DATA_TYPES = new Set(["hcloud_volume", "aws_ebs_volume", "ovh_cloud_project_volume", "aws_s3_bucket"]);
/** Machine types: removing one that belongs to a user deletes the user's VM and its disk. */
const MACHINE_TYPES = new Set(["hcloud_server", "aws_instance", "ovh_cloud_instance", "ovh_cloud_project_instance"]);

export function holdsData(resource: { type: string; user?: string }): boolean {
  return DATA_TYPES.has(resource.type) || (resource.user !== undefined && MACHINE_TYPES.has(resource.type));
}

export function isReportDoc(value: unknown): value is ReportDoc {
  const doc = value as Partial<ReportDoc> | null;
  return doc !== null && typeof doc === "object" && doc.version === 1 && typeof doc.totalMonthly === "string" && Array.isArray(doc.resources);
}

function byName<T>(items: readonly T[], name: (item: T) => string): Map<string, T> {
  return new Map(items.map((item) => [name(item), item]));
}

export function diffReports(base: ReportDoc, head: ReportDoc): CostDiff {
  const key = (r: { stack?: string; address: string }) => `${r.stack ?? ""}:${r.address}`;
  const before = byName(base.resources, key);
  const after = byName(head.resources, key);
  const resources: ResourceChange[] = [];
  for (const k of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const b = before.get(k);
    const a = after.get(k);
    const ref = (a ?? b)!;
    const common = { key: k, address: ref.address, type: ref.type, ...(ref.stack !== undefined ? { stack: ref.stack } : {}), group: ref.group, ...(ref.user !== undefined ? { user: ref.user } : {}) };
    if (b === undefined) {
      resources.push({ ...common, change: "added", before: ZERO, after: money(a!.monthly), dataAtRisk: false });
    } else if (a === undefined) {
      resources.push({ ...common, change: "removed", before: money(b.monthly), after: ZERO, dataAtRisk: holdsData(b) });
    } else {
      const names = (r: typeof a) => r.components.map((c) => c.name).join(", ");
      const changed = a.monthly !== b.monthly || a.setup !== b.setup || names(a) !== names(b) || a.status !== b.status;
      if (changed) {
        resources.push({
          ...common,
          change: "changed",
          before: money(b.monthly),
          after: money(a.monthly),
          ...(names(a) !== names(b) ? { detail: `${names(b) || b.status} → ${names(a) || a.status}` } : {}),
          dataAtRisk: false,
        });
      }
    }
  }

  const groupNames = [...new Set([...base.groups.map((g) => g.name), ...head.groups.map((g) => g.name)])].sort();
  const baseGroups = byName(base.groups, (g) => g.name);
  const headGroups = byName(head.groups, (g) => g.name);
  const groups = groupNames
    .map((name) => ({ name, before: money(baseGroups.get(name)?.monthly ?? 0), after: money(headGroups.get(name)?.monthly ?? 0) }))
    .filter((g) => !g.before.equals(g.after));

  const baseUsers = byName(base.users, (u) => u.user);
  const headUsers = byName(head.users, (u) => u.user);
  const users = [...new Set([...baseUsers.keys(), ...headUsers.keys()])]
    .sort()
    .map((name) => {
      const b = baseUsers.get(name);
      const a = headUsers.get(name);
      const change = b === undefined ? "added" : a === undefined ? "removed" : b.cost !== a.cost || b.revenue !== a.revenue ? "changed" : "unchanged";
      return { name, before: money(b?.revenue ?? 0), after: money(a?.revenue ?? 0), change } as Delta & { change: Change | "unchanged" };
    })
    .filter((u) => u.change !== "unchanged");

  const percent = (value: string | null | undefined) => (value === null || value === undefined ? null : money(value));
  return {
    base,
    head,
    monthly: { name: "monthly", before: money(base.totalMonthly), after: money(head.totalMonthly) },
    setup: { name: "setup", before: money(base.setupOneTime), after: money(head.setupOneTime) },
    ...(base.tariff !== undefined && head.tariff !== undefined
      ? {
          revenue: { name: "revenue", before: money(base.tariff.revenueMonthly), after: money(head.tariff.revenueMonthly) },
          marginPercent: { before: percent(base.tariff.marginPercent), after: percent(head.tariff.marginPercent) },
        }
      : {}),
    groups,
    users,
    resources,
    dataAtRisk: resources.filter((r) => r.dataAtRisk),
  };
}
