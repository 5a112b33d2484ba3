import type { Config } from "../../model/load";
import { loadConfig } from "../../model/load";
import { capacityNeeds } from "../../config/capacity";
import type { UserConfig } from "../../config/schema";
import { formatEur, toAmount, type Money } from "../../catalog/money";
import { priceConfig } from "../../stacks/app";
import { UsageError, type CommandResult } from "../result";
import { gitlabSizingNote } from "../../model/rules";

export interface WhatifOptions {
  readonly config?: string;
  /** "50", "30,60,100" or a range "10..100:10". */
  readonly users: string;
  readonly format?: string;
  readonly date?: string;
}

export interface WhatifRow {
  readonly users: number;
  readonly nodes: Readonly<Record<string, number>>;
  readonly fixed: Money;
  readonly perUser: Money;
  readonly total: Money;
  readonly revenue: Money;
  readonly margin: Money;
  readonly marginPercent: Money | null;
  readonly breakEvenUsers: number | null;
}

export function parseUserCounts(text: string): number[] {
  const range = /^(\d+)\.\.(\d+)(?::(\d+))?$/.exec(text.trim());
  if (range !== null) {
    const [from, to, step] = [Number(range[1]), Number(range[2]), Number(range[3] ?? 10)];
    if (from > to || step < 1) throw new UsageError(`--users: a range is from..to[:step] with from ≤ to, got "${text}"`);
    const out: number[] = [];
    for (let n = from; n <= to; n += step) out.push(n);
    return out;
  }
  const list = text.split(",").map((s) => s.trim());
  if (list.some((s) => !/^\d+$/.test(s))) throw new UsageError(`--users takes counts like 50, 30,60,100 or 10..100:10, got "${text}"`);
  return list.map(Number);
}

/** The config with `count` users, the current mix of tariffs, packs and profiles repeated. */
export function withUsers(config: Config, count: number): Config {
  const mix = config.users;
  if (mix.length === 0) throw new UsageError("whatif needs at least one user in users.yaml to take the mix of tariffs and packs from");
  const users: UserConfig[] = Array.from({ length: count }, (_, i) => (i < mix.length ? mix[i]! : { ...mix[i % mix.length]!, name: `whatif-${String(i + 1).padStart(5, "0")}` }));
  const nodeGroups = { ...config.cluster.nodeGroups };
  for (const need of capacityNeeds(config.cluster, users)) {
    const group = nodeGroups[need.group]!;
    const count = Math.max(group.count, need.needed);
    nodeGroups[need.group] = { ...group, count, ...(group.dedicated?.hosts !== undefined ? { dedicated: { ...group.dedicated, hosts: undefined as never } } : {}) };
  }
  // Thousands of users need room in the users subnet.
  const network = count > 4000 ? { ...config.cluster.network, usersSubnet: "10.0.64.0/18" } : config.cluster.network;
  return { ...config, users, cluster: { ...config.cluster, nodeGroups, network, policy: { ...config.cluster.policy } } };
}

function chart(rows: readonly WhatifRow[]): string[] {
  const max = rows.reduce((m, r) => Math.max(m, r.revenue.toNumber(), r.total.toNumber()), 1);
  const width = 40;
  const bar = (v: Money, c: string) => c.repeat(Math.max(0, Math.round((v.toNumber() / max) * width)));
  const out = ["", "Revenue (█) against cost (░) per month:"];
  for (const r of rows) {
    out.push(`${String(r.users).padStart(6)} users │${bar(r.revenue, "█")}`);
    out.push(`${"".padStart(12)} │${bar(r.total, "░")}  ${r.margin.isNegative() ? "loss" : "margin"} ${formatEur(r.margin)}`);
  }
  return out;
}

/** `aiwc whatif`: cost, revenue and margin at other user counts, with capacity steps. */
export function whatif(options: WhatifOptions): CommandResult {
  const format = options.format ?? "table";
  if (!["table", "json", "csv"].includes(format)) throw new UsageError(`--format must be table, json or csv, got "${format}"`);
  const counts = parseUserCounts(options.users);
  const config = loadConfig(options.config);
  const rows: WhatifRow[] = counts.map((count) => {
    const scaled = withUsers(config, count);
    const report = priceConfig(scaled, { pricing: options.date !== undefined ? { date: options.date } : {}, outdir: "cdktf.out" });
    const t = report.tariff!;
    return {
      users: count,
      nodes: Object.fromEntries(Object.entries(scaled.cluster.nodeGroups).map(([name, g]) => [name, g.count])),
      fixed: t.cost.fixed,
      perUser: count > 0 ? t.cost.variable.dividedBy(count) : t.cost.variable,
      total: t.cost.total,
      revenue: t.revenue.total,
      margin: t.margin,
      marginPercent: t.marginPercent,
      breakEvenUsers: t.breakEvenUsers,
    };
  });
  const pct = (m: Money | null) => (m === null ? null : toAmount(m, 1));
  // Sizes no capacity rule can reach: GitLab is one node.
  const largest = Math.max(...counts);
  const sizing = config.cluster.software.services.includes("gitlab") ? gitlabSizingNote(largest) : undefined;
  const notes = sizing !== undefined ? [`At ${largest} users: ${sizing}.`] : [];
  if (format === "json") {
    return {
      stdout: JSON.stringify(
        {
          version: 1,
          currency: "EUR",
          notes,
          rows: rows.map((r) => ({ users: r.users, nodes: r.nodes, fixedMonthly: toAmount(r.fixed), perUserMonthly: toAmount(r.perUser), totalMonthly: toAmount(r.total), revenueMonthly: toAmount(r.revenue), marginMonthly: toAmount(r.margin), marginPercent: pct(r.marginPercent), breakEvenUsers: r.breakEvenUsers })),
        },
        null,
        2,
      ),
      exitCode: 0,
    };
  }
  if (format === "csv") {
    const groups = Object.keys(rows[0]?.nodes ?? {});
    const lines = [["users", "fixed_monthly", "per_user_monthly", "total_monthly", "revenue_monthly", "margin_monthly", "margin_percent", "break_even_users", ...groups.map((g) => `nodes_${g}`)].join(",")];
    for (const r of rows) lines.push([r.users, toAmount(r.fixed), toAmount(r.perUser), toAmount(r.total), toAmount(r.revenue), toAmount(r.margin), pct(r.marginPercent) ?? "", r.breakEvenUsers ?? "", ...groups.map((g) => r.nodes[g])].join(","));
    return { stdout: lines.join("\n"), exitCode: 0 };
  }
  const out = ["   users      fixed   per user      total    revenue     margin   break-even  nodes"];
  let previous: Readonly<Record<string, number>> | undefined;
  for (const r of rows) {
    const steps = previous === undefined ? [] : Object.entries(r.nodes).filter(([g, n]) => n !== previous![g]).map(([g, n]) => `${g} ${previous![g]}→${n}`);
    out.push(
      `${String(r.users).padStart(8)} ${formatEur(r.fixed).padStart(10)} ${formatEur(r.perUser).padStart(10)} ${formatEur(r.total).padStart(10)} ${formatEur(r.revenue).padStart(10)} ${(pct(r.marginPercent) === null ? "—" : `${pct(r.marginPercent)} %`).padStart(10)} ${String(r.breakEvenUsers ?? "never").padStart(12)}  ${steps.length > 0 ? `step: ${steps.join(", ")}` : ""}`,
    );
    previous = r.nodes;
  }
  const rules = config.cluster.capacity.map((c) => `${c.group}: one node per ${c.per} ${c.of !== undefined ? `${c.of} users` : "users"}`);
  if (rules.length > 0) out.push("", `Capacity rules: ${rules.join("; ")}.`);
  for (const note of notes) out.push("", note);
  out.push(...chart(rows));
  return { stdout: out.join("\n"), exitCode: 0 };
}
