/** Renderings of a cost diff: JSON (versioned), a terminal table, and Markdown for a PR comment. */
import Table from "cli-table3";
import { DIFF_VERSION, type CostDiff, type Delta, type ResourceChange } from "./diff";
import { formatEur, toAmount, type Money } from "./money";

const signed = (m: Money) => `${m.isNegative() ? "" : "+"}${formatEur(m)}`;
const amount = (m: Money) => toAmount(m);

function percentChange(d: Delta): string {
  if (d.before.isZero()) return d.after.isZero() ? "0.0 %" : "new";
  const p = d.after.minus(d.before).dividedBy(d.before).times(100);
  return `${p.isNegative() ? "" : "+"}${toAmount(p, 1)} %`;
}

function marginPoints(diff: CostDiff): string | undefined {
  const m = diff.marginPercent;
  if (m === undefined || m.before === null || m.after === null) return undefined;
  const pp = m.after.minus(m.before);
  return `${toAmount(m.before, 1)} % → ${toAmount(m.after, 1)} % (${pp.isNegative() ? "" : "+"}${toAmount(pp, 1)} pp)`;
}

export function diffJson(diff: CostDiff, failures: readonly string[]): Record<string, unknown> {
  const delta = (d: Delta) => ({ before: amount(d.before), after: amount(d.after), change: amount(d.after.minus(d.before)) });
  const change = (r: ResourceChange) => ({
    address: r.address,
    type: r.type,
    ...(r.stack !== undefined ? { stack: r.stack } : {}),
    group: r.group,
    ...(r.user !== undefined ? { user: r.user } : {}),
    change: r.change,
    before: amount(r.before),
    after: amount(r.after),
    ...(r.detail !== undefined ? { detail: r.detail } : {}),
    dataAtRisk: r.dataAtRisk,
    ...(r.dataAtRisk ? { allowed: r.allowed } : {}),
  });
  return {
    version: DIFF_VERSION,
    currency: "EUR",
    base: { source: diff.base.source, totalMonthly: diff.base.totalMonthly },
    head: { source: diff.head.source, totalMonthly: diff.head.totalMonthly },
    monthly: delta(diff.monthly),
    setupOneTime: delta(diff.setup),
    ...(diff.revenue !== undefined ? { revenueMonthly: delta(diff.revenue) } : {}),
    ...(diff.marginPercent !== undefined
      ? {
          marginPercent: {
            before: diff.marginPercent.before === null ? null : toAmount(diff.marginPercent.before, 1),
            after: diff.marginPercent.after === null ? null : toAmount(diff.marginPercent.after, 1),
            points: diff.marginPercent.before === null || diff.marginPercent.after === null ? null : toAmount(diff.marginPercent.after.minus(diff.marginPercent.before), 1),
          },
        }
      : {}),
    groups: diff.groups.map((g) => ({ name: g.name, ...delta(g) })),
    users: diff.users.map((u) => ({ user: u.name, change: u.change, revenueBefore: amount(u.before), revenueAfter: amount(u.after) })),
    resources: diff.resources.map(change),
    dataAtRisk: diff.dataAtRisk.map(change),
    allowances: diff.allowances,
    ansible: diff.hints,
    gate: { ...diff.gate, head: diff.head.gate },
    failOn: failures,
  };
}

export function diffTable(diff: CostDiff, failures: readonly string[]): string {
  const out: string[] = [
    `Cost change: ${formatEur(diff.monthly.before)} → ${formatEur(diff.monthly.after)} per month, ${signed(diff.monthly.after.minus(diff.monthly.before))} (${percentChange(diff.monthly)})`,
  ];
  if (!diff.setup.before.equals(diff.setup.after)) out.push(`One-time setup: ${formatEur(diff.setup.before)} → ${formatEur(diff.setup.after)}`);
  if (diff.revenue !== undefined) out.push(`Revenue: ${formatEur(diff.revenue.before)} → ${formatEur(diff.revenue.after)}; margin ${marginPoints(diff) ?? "—"}`);
  if (diff.groups.length > 0) {
    const table = new Table({ head: ["Node group", "Before", "After", "Change"], colAligns: ["left", "right", "right", "right"], style: { head: [], border: [], compact: true } });
    for (const g of diff.groups) table.push([g.name, formatEur(g.before), formatEur(g.after), signed(g.after.minus(g.before))]);
    out.push(table.toString());
  }
  if (diff.users.length > 0) out.push(`Users: ${diff.users.map((u) => `${u.change === "added" ? "+" : u.change === "removed" ? "-" : "~"}${u.name}`).join(", ")}`);
  for (const r of diff.resources) {
    out.push(`  ${MARK[r.change]} ${r.address}  ${formatEur(r.before)} → ${formatEur(r.after)}${r.change === "replaced" ? "  REPLACED" : ""}${r.detail !== undefined ? `  (${r.detail})` : ""}${r.dataAtRisk ? (r.allowed ? "  DATA AT RISK (allowed)" : "  DATA AT RISK") : ""}`);
  }
  if (diff.dataAtRisk.length > 0) out.push(`DATA AT RISK: ${diff.dataAtRisk.length} resource(s) holding data would be destroyed or replaced: ${diff.dataAtRisk.map((r) => `${r.address} (${r.change === "removed" ? "destroyed" : "replaced"}${r.allowed ? ", allowed" : ""})`).join(", ")}`);
  for (const a of diff.allowances) out.push(`Data loss allowed (${a.source}): ${a.address}`);
  for (const h of diff.hints) out.push(`Ansible: ${h.message}`);
  out.push(`Gate (after this change): ${gateWord(diff)}`);
  for (const reason of diff.gate.reasons) out.push(`  ✗ ${reason}`);
  for (const failure of failures) out.push(`fail-on: ${failure}`);
  return out.join("\n");
}

const MARK: Record<ResourceChange["change"], string> = { added: "+", removed: "-", replaced: "±", changed: "~" };

function gateWord(diff: CostDiff): string {
  return diff.gate.passed ? (diff.gate.reasons.length > 0 ? "failed, overridden" : "passed") : "FAILED";
}

export function diffMarkdown(diff: CostDiff, failures: readonly string[]): string {
  const change = diff.monthly.after.minus(diff.monthly.before);
  const gate = diff.gate.passed ? (diff.gate.reasons.length > 0 ? "⚠️ failed, overridden" : "✅ passed") : "❌ failed";
  const out: string[] = [
    `### aiwc cost diff: ${signed(change)} per month (${formatEur(diff.monthly.before)} → ${formatEur(diff.monthly.after)}, ${percentChange(diff.monthly)}) — gate ${gate}`,
    "",
  ];
  if (diff.revenue !== undefined) out.push(`Revenue ${formatEur(diff.revenue.before)} → ${formatEur(diff.revenue.after)}; margin ${marginPoints(diff) ?? "—"}.`, "");
  if (diff.dataAtRisk.length > 0) {
    out.push(`> **⚠️ Data at risk:** this change destroys or replaces ${diff.dataAtRisk.length} resource(s) that hold data: ${diff.dataAtRisk.map((r) => `\`${r.address}\` (${r.change === "removed" ? "destroyed" : "replaced"}${r.allowed ? ", allowed" : ""})`).join(", ")}.`, "");
  }
  for (const a of diff.allowances) out.push(`- Data loss allowed (${a.source}): \`${a.address}\``);
  if (diff.hints.length > 0) out.push("**After the deploy, run Ansible:**", "", ...diff.hints.map((h) => `- ${h.message}`), "");
  if (diff.groups.length > 0) {
    out.push("| Node group | Before | After | Change |", "|---|---:|---:|---:|", ...diff.groups.map((g) => `| ${g.name} | ${formatEur(g.before)} | ${formatEur(g.after)} | ${signed(g.after.minus(g.before))} |`), "");
  }
  if (!diff.setup.before.equals(diff.setup.after)) out.push(`One-time setup: ${formatEur(diff.setup.before)} → ${formatEur(diff.setup.after)}.`, "");
  for (const reason of diff.gate.reasons) out.push(`- ❌ ${reason}`);
  for (const failure of failures) out.push(`- 🚫 fail-on: ${failure}`);
  if (diff.gate.reasons.length > 0 || failures.length > 0) out.push("");
  if (diff.resources.length > 0) {
    out.push(
      `<details><summary>${diff.resources.length} resource change(s)${diff.users.length > 0 ? `, ${diff.users.length} user(s)` : ""}</summary>`,
      "",
      "| | Resource | Group | Before | After | |",
      "|---|---|---|---:|---:|---|",
      ...diff.resources.map((r) => `| ${r.change === "added" ? "➕" : r.change === "removed" ? "➖" : r.change === "replaced" ? "♻️ replaced" : "✏️"} | \`${r.address}\` | ${r.group} | ${formatEur(r.before)} | ${formatEur(r.after)} | ${[r.detail, r.dataAtRisk ? (r.allowed ? "data at risk (allowed)" : "**data at risk**") : undefined].filter(Boolean).join("; ")} |`),
      "",
      "</details>",
    );
  }
  return out.join("\n");
}
