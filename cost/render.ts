/**
 * Human renderings of a cost report: a terminal table (what an operator reads before a
 * deploy) and Markdown (for a pull-request comment). JSON is reportJson in report.ts.
 */
import { thousands } from "../config/text";
import Table from "cli-table3";
import { formatEur, toAmount, toUnitPrice, ZERO, type Money } from "../catalog/money";
import type { CostReport } from "./report";
import type { GroupMargin } from "./tariff";
import { byText } from "../config/text";
import { groupTotals, usageBased, usedProviders } from "./totals";

const percent = (value: Money | null) => (value === null ? "—" : `${toAmount(value, 1)} %`);

/** A total as a lower bound ("≥ 303.01 €") when something could not be priced. */
export function total(report: CostReport, value: Money): string {
  return report.estimate.complete ? formatEur(value) : `≥ ${formatEur(value)}`;
}

/** Why the total is a lower bound, in one line; empty when it is complete. */
function incompleteLine(report: CostReport): string[] {
  const e = report.estimate;
  return e.complete ? [] : [`Total is a lower bound: ${e.incomplete.join("; ")}. Margin is at most, break-even at least, what is shown.`];
}

/** One line: the provider API requests of a plan and a first deploy, against the documented rate. */
export function budgetLine(report: CostReport): string {
  const b = report.apiBudget;
  const rate = b.rate !== undefined ? `${thousands(b.rate.burst)} requests at once, ${b.rate.perSecond}/s per ${b.rate.scope}` : "no published rate limit";
  const largest = [...b.stacks].sort((x, y) => y.refresh - x.refresh)[0];
  const servers = b.total.servers > 0 ? `; ${thousands(b.total.servers)} servers${b.serverLimit !== undefined ? ` of the project's ${thousands(b.serverLimit)}` : ""}` : "";
  return `API budget (${b.provider}, ${rate}): a plan of ${b.stacks.length === 1 ? "the stack" : `all ${b.stacks.length} stacks`} ≈ ${thousands(b.total.refresh)} requests, a first deploy ≈ ${thousands(b.total.create)}${largest !== undefined && b.stacks.length > 1 ? `; largest ${largest.stack} ≈ ${thousands(largest.refresh)}` : ""}${servers} (estimates)`;
}

function verdictLines(report: CostReport): string[] {
  const { gate } = report;
  const lines = [gate.reasons.length === 0 ? "Gate: PASSED" : gate.passed ? "Gate: FAILED, OVERRIDDEN" : "Gate: FAILED"];
  for (const reason of gate.reasons) lines.push(`  ✗ ${reason}`);
  if (gate.override !== undefined) lines.push(`  override (${gate.override.source}): ${gate.override.reason}`);
  for (const d of gate.dataAtRisk) lines.push(`  DATA AT RISK: ${d.stack !== undefined ? `${d.stack}:` : ""}${d.address} ${d.action === "delete" ? "destroyed" : "replaced"}${d.allowed ? " (allowed)" : ""}`);
  for (const a of gate.allowances) lines.push(`  data loss allowed (${a.source}): ${a.address}`);
  for (const warning of gate.warnings) lines.push(`  ! ${warning}`);
  return lines;
}

function referenceLine(report: CostReport, r: CostReport["references"][number]): string {
  const difference = report.estimate.totalMonthly.minus(r.eur);
  const ratio = r.eur.isZero() ? "" : ` (${difference.isNegative() ? "" : "+"}${toAmount(difference.dividedBy(r.eur).times(100), 1)} %)`;
  const inReference = r.currency === "EUR" ? "" : ` (${toAmount(report.estimate.totalMonthly.times(r.amount).dividedBy(r.eur))} ${r.currency})`;
  return `${r.label}: ${toAmount(r.amount)} ${r.currency} = ${formatEur(r.eur)}; this estimate: ${total(report, report.estimate.totalMonthly)}${inReference}, ${difference.isNegative() ? "" : "+"}${formatEur(difference)}${ratio}`;
}

function headerLine(report: CostReport): string {
  const used = new Set(usedProviders(report.estimate.resources));
  const catalogs = Object.entries(report.book.catalogs)
    .filter(([p]) => used.has(p))
    .map(([p, c]) => `${p} ${c.version} (${c.as_of})`)
    .join(", ");
  return `Prices for ${report.estimate.pricingDate} (${report.pricingDateSource}), net EUR; catalogs: ${catalogs || "none used"}`;
}

export function renderTable(report: CostReport): string {
  const { estimate: e, tariff: t } = report;
  const out: string[] = [headerLine(report), ""];
  const groupTable = new Table({ head: ["Node group", "Resources", "Monthly", "Setup (once)"], colAligns: ["left", "right", "right", "right"], style: { head: [], border: [], compact: true } });
  for (const row of groupTotals(e.resources)) {
    groupTable.push([row.group, row.resources, row.unsupported > 0 ? `≥ ${formatEur(row.monthly)}` : formatEur(row.monthly), row.setup.isZero() ? "" : formatEur(row.setup)]);
  }
  groupTable.push(["Total", e.resources.length, total(report, e.totalMonthly), e.setupOneTime.isZero() ? "" : formatEur(e.setupOneTime)]);
  out.push(groupTable.toString());
  out.push(...incompleteLine(report));
  for (const r of report.references) out.push(referenceLine(report, r));
  out.push(`Resources: ${e.counts.priced} priced, ${e.counts.free} free, ${e.counts.unsupported} unsupported`);
  for (const r of e.resources.filter((x) => x.status === "unsupported")) out.push(`  unsupported (no price): ${r.address} — ${r.reason}`);
  const usage = usageBased(e.resources).map(({ item: r, component: c }) => `  usage-based: ${r.address} ${c.name}: ${toUnitPrice(c.unitPrice!)} € per ${c.unit.replace(/s$/, "")} (set ${c.usageKey ?? "usage"})`);
  out.push(...usage);
  for (const r of e.removed) out.push(`  destroyed by the plan: ${r.address} (${formatEur(r.monthly)} per month before)`);

  if (t !== undefined && t.users > 0) {
    out.push("", `Tariff model: ${t.users} users`);
    const money = new Table({ style: { head: [], border: [], compact: true }, colAligns: ["left", "right"] });
    money.push(
      ["Revenue: base", formatEur(t.revenue.base)],
      ["Revenue: packs", formatEur(t.revenue.packs)],
      ["Revenue: PAYG forecast", formatEur(t.revenue.payg)],
      ["Revenue", formatEur(t.revenue.total)],
      ["Infrastructure (fixed + per user)", `${total(report, t.cost.total)} (${formatEur(t.cost.fixed)} + ${formatEur(t.cost.variable)})`],
      ["Gross margin", `${e.complete ? "" : "≤ "}${formatEur(t.margin)} (${e.complete ? "" : "≤ "}${percent(t.marginPercent)})`],
      ["Break-even users", t.breakEvenUsers === null ? "never at today's mix" : `${e.complete ? "" : "≥ "}${t.breakEvenUsers}`],
      [
        `One more user (${t.marginalUser.tariff}, ${t.marginalUser.profile})`,
        `+${formatEur(t.marginalUser.revenue)} revenue, +${t.marginalUser.cost === null ? "?" : formatEur(t.marginalUser.cost)} cost`,
      ],
    );
    out.push(money.toString());
    // Users summary: one row per tariff, packs and profile combination.
    const mixes = new Map<string, { users: number; revenue: Money; cost: Money }>();
    for (const u of t.perUser) {
      const key = `${u.tariff}${u.packs.length > 0 ? ` + ${[...u.packs].sort().join(" + ")}` : ""} (${u.profile})`;
      const mix = mixes.get(key) ?? { users: 0, revenue: ZERO, cost: ZERO };
      mixes.set(key, { users: mix.users + 1, revenue: mix.revenue.plus(u.total), cost: mix.cost.plus(u.cost) });
    }
    const usersTable = new Table({ head: ["Users: tariff + packs (profile)", "Users", "Revenue / user", "Own cost / user"], colAligns: ["left", "right", "right", "right"], style: { head: [], border: [], compact: true } });
    for (const [key, mix] of [...mixes.entries()].sort(([a], [b]) => byText(a, b))) {
      usersTable.push([key, mix.users, formatEur(mix.revenue.dividedBy(mix.users)), formatEur(mix.cost.dividedBy(mix.users))]);
    }
    out.push(usersTable.toString());
    const margins = new Table({ head: ["Node group", "Role", "Cost", "Revenue", "Margin", "Paid by"], colAligns: ["left", "left", "right", "right", "right", "left"], style: { head: [], border: [], compact: true } });
    for (const g of t.groups) margins.push([g.group, g.role, formatEur(g.cost), formatEur(g.revenue), `${formatEur(g.margin)} (${percent(g.marginPercent)})`, paidBy(g)]);
    out.push(margins.toString());
    for (const g of t.gpu) {
      const covers = g.maxPaygPerUser.greaterThanOrEqualTo(g.costPerWorker);
      out.push(
        `${g.group}: one user's PAYG at full use is ${formatEur(g.maxPaygPerUser)} per worker and month (${g.hoursPerMonth} h); a worker costs ${formatEur(g.costPerWorker)}` +
          (covers ? " — one user at full use covers it." : ` — it takes ${g.concurrentUsersNeeded} users on each worker concurrently, around the clock, to cover it from PAYG alone.`),
      );
    }
  }
  out.push("", budgetLine(report), "", ...verdictLines(report));
  return out.join("\n");
}

/** The streams paying a group, largest first: the top three with their amounts, then how many more. */
function paidBy(group: GroupMargin): string {
  if (group.paidBy.length === 0) return "—";
  const shown = group.paidBy.slice(0, 3).map((p) => `${p.stream} ${formatEur(p.amount)}`);
  const more = group.paidBy.length - shown.length;
  return `${shown.join(", ")}${more > 0 ? ` +${more} more` : ""}`;
}

export function renderMarkdown(report: CostReport): string {
  const { estimate: e, tariff: t, gate } = report;
  const status = gate.reasons.length === 0 ? "✅ passed" : gate.passed ? "⚠️ failed, overridden" : "❌ failed";
  const out: string[] = [
    `### aiwc cost: ${total(report, e.totalMonthly)} per month${e.setupOneTime.isZero() ? "" : ` + ${formatEur(e.setupOneTime)} setup`} — gate ${status}`,
    "",
    `_${headerLine(report)}_`,
    "",
    ...incompleteLine(report).flatMap((line) => [`> ${line}`, ""]),
    ...report.references.flatMap((r) => [referenceLine(report, r), ""]),
    "| Node group | Resources | Monthly | Setup |",
    "|---|---:|---:|---:|",
    ...groupTotals(e.resources).map((r) => `| ${r.group} | ${r.resources} | ${formatEur(r.monthly)} | ${r.setup.isZero() ? "" : formatEur(r.setup)} |`),
    `| **Total** | ${e.resources.length} | **${total(report, e.totalMonthly)}** | ${e.setupOneTime.isZero() ? "" : formatEur(e.setupOneTime)} |`,
    "",
  ];
  if (t !== undefined && t.users > 0) {
    out.push(
      `**Tariff model** (${t.users} users): revenue ${formatEur(t.revenue.total)} (base ${formatEur(t.revenue.base)}, packs ${formatEur(t.revenue.packs)}, PAYG ${formatEur(t.revenue.payg)}), ` +
        `margin ${e.complete ? "" : "at most "}${formatEur(t.margin)} (${percent(t.marginPercent)}), break-even at ${e.complete || t.breakEvenUsers === null ? "" : "at least "}${t.breakEvenUsers ?? "—"} users.`,
      "",
      "| Node group | Role | Cost | Revenue | Margin | Paid by |",
      "|---|---|---:|---:|---:|---|",
      ...t.groups.map((g) => `| ${g.group} | ${g.role} | ${formatEur(g.cost)} | ${formatEur(g.revenue)} | ${formatEur(g.margin)} (${percent(g.marginPercent)}) | ${paidBy(g)} |`),
      "",
    );
  }
  if (gate.dataAtRisk.length > 0) {
    out.push(`> **⚠️ Data at risk:** ${gate.dataAtRisk.map((d) => `\`${d.stack !== undefined ? `${d.stack}:` : ""}${d.address}\` ${d.action === "delete" ? "destroyed" : "replaced"}${d.allowed ? " (allowed)" : ""}`).join(", ")}`, "");
  }
  if (e.removed.length > 0) out.push(`Destroyed by the plan: ${e.removed.map((r) => `\`${r.address}\` (${formatEur(r.monthly)}/month before)`).join(", ")}`, "");
  if (gate.reasons.length > 0 || gate.override !== undefined || gate.warnings.length > 0 || gate.allowances.length > 0) {
    out.push(...gate.reasons.map((r) => `- ❌ ${r}`));
    if (gate.override !== undefined) out.push(`- Override (${gate.override.source}): ${gate.override.reason}`);
    out.push(...gate.allowances.map((a) => `- Data loss allowed (${a.source}): \`${a.address}\``));
    out.push(...gate.warnings.map((w) => `- ⚠️ ${w}`), "");
  }
  out.push(
    budgetLine(report),
    "",
    "<details><summary>Resources</summary>",
    "",
    "| Address | Group | Status | Monthly |",
    "|---|---|---|---:|",
    ...e.resources.filter((r) => r.status !== "free").map((r) => `| \`${r.address}\` | ${r.group} | ${r.status}${r.reason !== undefined ? `: ${r.reason}` : ""} | ${r.status === "unsupported" ? "—" : formatEur(r.monthly)} |`),
    "",
    "</details>",
  );
  return out.join("\n");
}
