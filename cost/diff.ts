/**
 * The cost diff of a change: two versioned JSON reports (base and head) compared per node
 * group, per user and per resource (added / removed / replaced / changed, before → after),
 * with totals, setup fees, revenue and margin change, and the gate after the change: resources
 * holding data that are destroyed or replaced are *data at risk* and fail it unless allowed by
 * address. Boot-only changes (user data, keys) that Terraform ignores on running machines come
 * with the playbook to run instead.
 */
import { dataLossReason, isAllowed, type Allowance } from "./gate";
import { money, ZERO, type Money } from "../catalog/money";
import { holdsData } from "./replacement";
import type { DataAtRisk } from "./engine";
import { shardOfStackName } from "../config/placement";
import { thousands } from "../config/text";

export { holdsData };

export const DIFF_VERSION = 1;

interface ReportResource {
  address: string;
  type: string;
  stack?: string;
  group: string;
  user?: string;
  role?: string;
  name?: string;
  status: string;
  /** null for an unsupported resource (no price of its own). */
  monthly: string | null;
  setup: string | null;
  replaceKey?: string;
  bootKey?: string;
  actions?: readonly string[];
  components: readonly { name: string }[];
}

/**
 * The parts of a report (ReportJson, cost/report-schema.ts) the diff reads; fields added to
 * the report later are optional here, so reports saved before them still compare.
 */
export interface ReportDoc {
  readonly version: number;
  readonly source: string;
  readonly totalMonthly: string;
  readonly setupOneTime: string;
  /** False when the total is a lower bound (absent in reports before it existed). */
  readonly complete?: boolean;
  readonly counts?: { priced: number; free: number; unsupported: number };
  readonly catalogs?: readonly { provider: string; version: string; asOf: string }[];
  readonly pricingDate?: string;
  readonly groups: readonly { name: string; monthly: string; setup: string }[];
  readonly users: readonly { user: string; tariff: string; packs: readonly string[]; cost: string; revenue: string }[];
  readonly resources: readonly ReportResource[];
  readonly tariff?: { revenueMonthly: string; marginPercent: string | null };
  /** Stack digests (reports of configurations since sharding). */
  readonly stacks?: readonly { name: string; sha256: string }[];
  readonly apiBudget?: {
    readonly provider: string;
    readonly rate?: { readonly perSecond: number; readonly burst: number; readonly scope: string; readonly source: string };
    readonly stacks: readonly { readonly stack: string; readonly resources: number; readonly refresh: number; readonly create: number }[];
  };
  readonly gate: {
    passed: boolean;
    reasons: readonly string[];
    warnings: readonly string[];
    override?: { reason: string; source: string };
    dataAtRisk?: readonly DataAtRisk[];
    allowances?: readonly Allowance[];
  };
}

export type Change = "added" | "removed" | "replaced" | "changed" | "moved";

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
  /** Data loss on this address is explicitly allowed. */
  readonly allowed: boolean;
  /** A resource that moves between users stacks (`state.shards` changed): the stack it leaves. */
  readonly from?: string;
}

/** The stacks a change touches: what a deploy must plan and apply, and nothing else. */
export interface TouchedStacks {
  /** Stacks whose declarations differ (added and removed ones included), sorted platform first. */
  readonly touched: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Stacks in the head that do not change. */
  readonly unchanged: number;
  /** Requests a plan of the touched stacks makes (refresh), where the head has an API budget. */
  readonly refreshRequests?: number;
}

/** A boot-only change Terraform ignores on the running machine, and what to run instead. */
export interface AnsibleHint {
  readonly address: string;
  readonly stack?: string;
  readonly host: string;
  readonly user?: string;
  readonly playbook: string;
  readonly message: string;
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
  readonly users: readonly (Delta & { readonly change: Exclude<Change, "moved"> | "unchanged" })[];
  readonly resources: readonly ResourceChange[];
  readonly dataAtRisk: readonly ResourceChange[];
  readonly hints: readonly AnsibleHint[];
  readonly allowances: readonly Allowance[];
  readonly stacks: TouchedStacks;
  /** The head's gate with this change's data at risk: what `cdktf deploy` should be held to. */
  readonly gate: { readonly passed: boolean; readonly reasons: readonly string[] };
}

export function isReportDoc(value: unknown): value is ReportDoc {
  const doc = value as Partial<ReportDoc> | null;
  return doc !== null && typeof doc === "object" && doc.version === 1 && typeof doc.totalMonthly === "string" && Array.isArray(doc.resources) && typeof doc.gate === "object" && doc.gate !== null;
}

function byName<T>(items: readonly T[], name: (item: T) => string): Map<string, T> {
  return new Map(items.map((item) => [name(item), item]));
}

function hintFor(r: ReportResource): AnsibleHint {
  const host = r.name ?? r.address;
  const playbook = r.role === "user-vm" || r.user !== undefined ? "users.yml" : r.role === "bastion" ? "bastion.yml" : "site.yml";
  const what = r.user !== undefined ? `${r.user}'s account, key, sudo or firewall changed` : r.role === "bastion" ? "the bastion's admin CIDRs, keys or firewall changed" : "the node's keys or boot configuration changed";
  return {
    address: r.address,
    ...(r.stack !== undefined ? { stack: r.stack } : {}),
    host,
    ...(r.user !== undefined ? { user: r.user } : {}),
    playbook,
    message: `${what}: run \`ansible-playbook -i inventory.yml ${playbook} --limit ${host}\` (Terraform keeps the running machine and ignores its new boot data)`,
  };
}

function usersStack(stack: string | undefined): boolean {
  return stack !== undefined && (stack === "users" || shardOfStackName(stack) !== undefined);
}

/** Platform first, then users stacks by name. */
function byStack(a: string, b: string): number {
  return a === b ? 0 : a === "platform" ? -1 : b === "platform" ? 1 : a < b ? -1 : 1;
}

/**
 * The stacks a change touches: by digest where both reports carry them (every declaration,
 * tags and outputs included). Where one side has none (a report of aiwc before stack digests,
 * or of plans), a change to a stack need not show in the cost: every stack is touched.
 */
function touchedStacks(base: ReportDoc, head: ReportDoc, resources: readonly ResourceChange[]): TouchedStacks {
  let touched: string[];
  let added: string[] = [];
  let removed: string[] = [];
  let all: string[];
  if (base.stacks !== undefined && head.stacks !== undefined) {
    const before = new Map(base.stacks.map((s) => [s.name, s.sha256]));
    const after = new Map(head.stacks.map((s) => [s.name, s.sha256]));
    added = [...after.keys()].filter((n) => !before.has(n));
    removed = [...before.keys()].filter((n) => !after.has(n));
    touched = [...after.keys()].filter((n) => before.has(n) && before.get(n) !== after.get(n));
    all = [...after.keys()];
  } else {
    all = [...new Set([...head.resources.map((r) => r.stack), ...resources.map((r) => r.from)].filter((s): s is string => s !== undefined))];
    touched = all;
  }
  const named = new Set([...touched, ...added, ...removed]);
  const budget = head.apiBudget;
  const refresh = budget === undefined ? undefined : budget.stacks.filter((s) => named.has(s.stack)).reduce((sum, s) => sum + s.refresh, 0);
  return { touched: [...named].sort(byStack), added: added.sort(byStack), removed: removed.sort(byStack), unchanged: all.filter((n) => !named.has(n)).length, ...(refresh !== undefined ? { refreshRequests: refresh } : {}) };
}

/** Options of a diff: allowances beyond the head's, and whether the shard moves' states were moved already. */
export interface DiffOptions {
  readonly allowances?: readonly Allowance[];
  /** `aiwc shards plan`'s script has run: resources moving between users stacks are moved in state too. */
  readonly shardsMigrated?: boolean;
}

export function diffReports(base: ReportDoc, head: ReportDoc, options: DiffOptions = {}): CostDiff {
  const { allowances: extraAllowances = [], shardsMigrated = false } = options;
  const allowances = [...(head.gate.allowances ?? []), ...extraAllowances];
  // Users stacks share one namespace of addresses (a user's resources are named after the user):
  // the same address in another users stack is the same machine moved there, not a new one.
  const key = (r: { stack?: string; address: string }) => `${usersStack(r.stack) ? "users*" : (r.stack ?? "")}:${r.address}`;
  const before = byName(base.resources, key);
  const after = byName(head.resources, key);
  const resources: ResourceChange[] = [];
  const hints: AnsibleHint[] = [];
  for (const k of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const b = before.get(k);
    const a = after.get(k);
    const ref = (a ?? b)!;
    const common = { key: k, address: ref.address, type: ref.type, ...(ref.stack !== undefined ? { stack: ref.stack } : {}), group: ref.group, ...(ref.user !== undefined ? { user: ref.user } : {}), allowed: isAllowed(ref, allowances) };
    if (b === undefined) {
      resources.push({ ...common, change: "added", before: ZERO, after: money(a!.monthly ?? 0), dataAtRisk: false });
    } else if (a === undefined) {
      resources.push({ ...common, change: "removed", before: money(b.monthly ?? 0), after: ZERO, dataAtRisk: holdsData(b) });
    } else if (a.stack !== b.stack) {
      // Without `aiwc shards plan`'s state moves, deploying the old stack destroys it there.
      resources.push({ ...common, change: "moved", from: b.stack!, before: money(b.monthly ?? 0), after: money(a.monthly ?? 0), dataAtRisk: false });
    } else {
      const names = (r: typeof a) => r.components.map((c) => c.name).join(", ");
      const detail = names(a) !== names(b) ? { detail: `${names(b) || b.status} → ${names(a) || a.status}` } : {};
      if (a.replaceKey !== undefined && b.replaceKey !== undefined && a.replaceKey !== b.replaceKey) {
        resources.push({ ...common, change: "replaced", before: money(b.monthly ?? 0), after: money(a.monthly ?? 0), ...detail, dataAtRisk: holdsData(a) || holdsData(b) });
        continue;
      }
      if (a.bootKey !== undefined && b.bootKey !== undefined && a.bootKey !== b.bootKey) hints.push(hintFor(a));
      const changed = a.monthly !== b.monthly || a.setup !== b.setup || names(a) !== names(b) || a.status !== b.status;
      if (changed) resources.push({ ...common, change: "changed", before: money(b.monthly ?? 0), after: money(a.monthly ?? 0), ...detail, dataAtRisk: false });
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
      return { name, before: money(b?.revenue ?? 0), after: money(a?.revenue ?? 0), change } as Delta & { change: Exclude<Change, "moved"> | "unchanged" };
    })
    .filter((u) => u.change !== "unchanged");

  const dataAtRisk = resources.filter((r) => r.dataAtRisk);
  const moved = resources.filter((r) => r.change === "moved");
  const movedUsers = new Set(moved.flatMap((r) => (r.user !== undefined ? [r.user] : [])));
  const pairs = [...new Set(moved.map((r) => `${r.from} → ${r.stack}`))].sort();
  const moveReason =
    moved.length > 0 && !shardsMigrated
      ? `users move between stacks: ${thousands(movedUsers.size)} users' machines (${thousands(moved.length)} resources; ${pairs.slice(0, 4).join(", ")}${pairs.length > 4 ? `, and ${pairs.length - 4} more` : ""}) leave their stack, whose deploy would destroy them; run \`aiwc shards plan --from <the shard count deployed now>\` and its script first, then pass --shards-migrated`
      : undefined;
  const stacks = touchedStacks(base, head, resources);
  const loss = dataLossReason(dataAtRisk.map((r) => ({ address: r.address, type: r.type, ...(r.stack !== undefined ? { stack: r.stack } : {}), group: r.group, action: r.change === "removed" ? ("delete" as const) : ("replace" as const), allowed: r.allowed })));
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
    dataAtRisk,
    hints,
    allowances,
    stacks,
    gate: {
      passed: head.gate.passed && loss === undefined && moveReason === undefined,
      reasons: [...head.gate.reasons, ...(loss !== undefined ? [loss] : []), ...(moveReason !== undefined ? [moveReason] : [])],
    },
  };
}
