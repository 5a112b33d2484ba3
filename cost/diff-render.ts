/** Renderings of a cost diff: JSON (versioned), a terminal table, and Markdown for a PR comment. */
import { thousands } from "../config/text";
import type { DiffJson } from "./diff-schema";
import Table from "cli-table3";
import { DIFF_VERSION, type CostDiff, type Delta, type ResourceChange } from "./diff";
import { formatEur, toAmount, type Money } from "../catalog/money";

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

/** The head report's gate, field by field: a saved report may carry more than the diff promises. */
function headGate(g: CostDiff["head"]["gate"]): DiffJson["gate"]["head"] {
  return {
    passed: g.passed,
    reasons: g.reasons,
    warnings: g.warnings,
    ...(g.override !== undefined ? { override: g.override } : {}),
    ...(g.dataAtRisk !== undefined ? { dataAtRisk: g.dataAtRisk } : {}),
    ...(g.allowances !== undefined ? { allowances: g.allowances } : {}),
  };
}

export function diffJson(diff: CostDiff, failures: readonly string[]): DiffJson {
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
    ...(r.from !== undefined ? { from: r.from } : {}),
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
    stacks: diff.stacks,
    ansible: diff.hints,
    gate: { ...diff.gate, head: headGate(diff.head.gate) },
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
    out.push(`  ${MARK[r.change]} ${r.address}  ${formatEur(r.before)} → ${formatEur(r.after)}${r.change === "replaced" ? "  REPLACED" : ""}${r.from !== undefined ? `  MOVED ${r.from} → ${r.stack}` : ""}${r.detail !== undefined ? `  (${r.detail})` : ""}${r.dataAtRisk ? (r.allowed ? "  DATA AT RISK (allowed)" : "  DATA AT RISK") : ""}`);
  }
  if (diff.dataAtRisk.length > 0) out.push(`DATA AT RISK: ${diff.dataAtRisk.length} resource(s) holding data would be destroyed or replaced: ${diff.dataAtRisk.map((r) => `${r.address} (${r.change === "removed" ? "destroyed" : "replaced"}${r.allowed ? ", allowed" : ""})`).join(", ")}`);
  for (const a of diff.allowances) out.push(`Data loss allowed (${a.source}): ${a.address}`);
  for (const h of diff.hints) out.push(`Ansible: ${h.message}`);
  out.push(stacksLine(diff));
  out.push(`Gate (after this change): ${gateWord(diff)}`);
  for (const reason of diff.gate.reasons) out.push(`  ✗ ${reason}`);
  for (const failure of failures) out.push(`fail-on: ${failure}`);
  return out.join("\n");
}

const MARK: Record<ResourceChange["change"], string> = { added: "+", removed: "-", replaced: "±", changed: "~", moved: "→" };

/** "Stacks touched: users-03, users-07 (2 of 12; a plan of them ≈ 412 API requests)", or that none is. */
export function stacksLine(diff: CostDiff): string {
  const s = diff.stacks;
  if (s.touched.length === 0) return "Stacks touched: none";
  const total = s.touched.length - s.removed.length + s.unchanged;
  const marks = s.touched.map((n) => (s.added.includes(n) ? `${n} (new)` : s.removed.includes(n) ? `${n} (removed)` : n));
  const shown = marks.length > 12 ? `${marks.slice(0, 12).join(", ")} and ${marks.length - 12} more` : marks.join(", ");
  return `Stacks touched: ${shown} (${s.touched.length} of ${total}${s.refreshRequests !== undefined ? `; a plan of them ≈ ${thousands(s.refreshRequests)} API requests` : ""})`;
}

function gateWord(diff: CostDiff): string {
  return diff.gate.passed ? (diff.gate.reasons.length > 0 ? "failed, overridden" : "passed") : "FAILED";
}

/** GitHub's limit for a comment body; the Markdown stays below it with room to spare. */
export const COMMENT_LIMIT = 65_536;
/** Data-at-risk entries listed in full before "and N more". */
const AT_RISK_SHOWN = 20;

const bound = (doc: CostDiff["base"], m: Money) => `${doc.complete === false ? "≥ " : ""}${formatEur(m)}`;
const gateMark = (passed: boolean, overridden: boolean) => (passed ? (overridden ? "⚠️" : "✅") : "❌");

function catalogLine(diff: CostDiff): string | undefined {
  const catalogs = [...(diff.head.catalogs ?? [])];
  if (catalogs.length === 0) return undefined;
  return `Catalogs: ${catalogs.map((c) => `${c.provider} ${c.version} (as of ${c.asOf})`).join(", ")}${diff.head.pricingDate !== undefined ? `; prices for ${diff.head.pricingDate}` : ""}.`;
}

function countsLine(diff: CostDiff): string | undefined {
  const b = diff.base.counts;
  const a = diff.head.counts;
  if (a === undefined) return undefined;
  const part = (k: "priced" | "free" | "unsupported") => (b !== undefined && b[k] !== a[k] ? `${b[k]} → ${a[k]} ${k}` : `${a[k]} ${k}`);
  return `Resources: ${part("priced")}, ${part("free")}, ${part("unsupported")}.`;
}

/**
 * The pull-request comment: summary with the gate before → after, total row, refs and SHAs,
 * catalog dates, counts, users added and removed, replaced and destroyed resources, data at risk
 * (capped), then details folded. Kept under GitHub's comment limit: details are cut first,
 * with a note pointing to the full report.
 */
export function diffMarkdown(diff: CostDiff, failures: readonly string[], options: { readonly limit?: number } = {}): string {
  const limit = options.limit ?? COMMENT_LIMIT - 1_000;
  const change = diff.monthly.after.minus(diff.monthly.before);
  const before = gateMark(diff.base.gate.passed, diff.base.gate.reasons.length > 0);
  const after = gateMark(diff.gate.passed, diff.gate.reasons.length > 0);
  const head: string[] = [
    `### aiwc cost diff: ${signed(change)} per month (${bound(diff.base, diff.monthly.before)} → ${bound(diff.head, diff.monthly.after)}, ${percentChange(diff.monthly)}) — gate ${before} → ${after}`,
    "",
    `Base \`${diff.base.source}\` → head \`${diff.head.source}\`.${catalogLine(diff) !== undefined ? ` ${catalogLine(diff)}` : ""}`,
    "",
    "| | Before | After | Change |",
    "|---|---:|---:|---:|",
    ...diff.groups.map((g) => `| ${g.name} | ${formatEur(g.before)} | ${formatEur(g.after)} | ${signed(g.after.minus(g.before))} |`),
    `| **Total** | **${bound(diff.base, diff.monthly.before)}** | **${bound(diff.head, diff.monthly.after)}** | **${signed(change)}** |`,
    ...(diff.setup.before.equals(diff.setup.after) ? [] : [`| Setup (once) | ${formatEur(diff.setup.before)} | ${formatEur(diff.setup.after)} | ${signed(diff.setup.after.minus(diff.setup.before))} |`]),
    ...(diff.revenue !== undefined ? [`| Revenue | ${formatEur(diff.revenue.before)} | ${formatEur(diff.revenue.after)} | ${signed(diff.revenue.after.minus(diff.revenue.before))} |`] : []),
    "",
  ];
  if (diff.revenue !== undefined) head.push(`Margin ${marginPoints(diff) ?? "—"}.`, "");
  const counts = countsLine(diff);
  if (counts !== undefined) head.push(counts, "");
  if (diff.head.complete === false) head.push("> Totals marked ≥ are lower bounds: something could not be priced or has no usage estimate.", "");
  const added = diff.users.filter((u) => u.change === "added").map((u) => u.name);
  const removed = diff.users.filter((u) => u.change === "removed").map((u) => u.name);
  if (added.length > 0) head.push(`Users added (${added.length}): ${added.slice(0, 50).join(", ")}${added.length > 50 ? `, and ${added.length - 50} more` : ""}.`);
  if (removed.length > 0) head.push(`Users removed (${removed.length}): ${removed.slice(0, 50).join(", ")}${removed.length > 50 ? `, and ${removed.length - 50} more` : ""}.`);
  if (added.length > 0 || removed.length > 0) head.push("");
  const replaced = diff.resources.filter((r) => r.change === "replaced");
  const destroyed = diff.resources.filter((r) => r.change === "removed");
  const list = (rs: readonly ResourceChange[]) => `${rs.slice(0, AT_RISK_SHOWN).map((r) => `\`${r.address}\``).join(", ")}${rs.length > AT_RISK_SHOWN ? `, and ${rs.length - AT_RISK_SHOWN} more` : ""}`;
  if (replaced.length > 0) head.push(`♻️ Replaced (${replaced.length}): ${list(replaced)}.`, "");
  if (destroyed.length > 0) head.push(`➖ Destroyed (${destroyed.length}): ${list(destroyed)}.`, "");
  if (diff.dataAtRisk.length > 0) {
    const shown = diff.dataAtRisk.slice(0, AT_RISK_SHOWN).map((r) => `\`${r.address}\` (${r.change === "removed" ? "destroyed" : "replaced"}${r.allowed ? ", allowed" : ""})`);
    const more = diff.dataAtRisk.length > AT_RISK_SHOWN ? `, and ${diff.dataAtRisk.length - AT_RISK_SHOWN} more` : "";
    head.push(`> **⚠️ Data at risk:** this change destroys or replaces ${diff.dataAtRisk.length} resource(s) that hold data: ${shown.join(", ")}${more}.`, "");
  }
  for (const a of diff.allowances) head.push(`- Data loss allowed (${a.source}): \`${a.address}\``);
  if (diff.hints.length > 0) head.push("**After the deploy, run Ansible:**", "", ...diff.hints.slice(0, AT_RISK_SHOWN).map((h) => `- ${h.message}`), ...(diff.hints.length > AT_RISK_SHOWN ? [`- and ${diff.hints.length - AT_RISK_SHOWN} more`] : []), "");
  const moved = diff.resources.filter((r) => r.change === "moved");
  if (moved.length > 0) head.push(`🔀 Moved between users stacks (${moved.length}): ${list(moved)}.`, "");
  head.push(`${stacksLine(diff).replace(/^Stacks touched: /, "**Stacks touched:** ")}.`, "");
  for (const reason of diff.gate.reasons) head.push(`- ❌ ${reason}`);
  for (const failure of failures) head.push(`- 🚫 fail-on: ${failure}`);
  if (diff.gate.reasons.length > 0 || failures.length > 0) head.push("");

  const rows = diff.resources.map((r) => `| ${r.change === "added" ? "➕" : r.change === "removed" ? "➖" : r.change === "replaced" ? "♻️ replaced" : r.change === "moved" ? `🔀 ${r.from} → ${r.stack}` : "✏️"} | \`${r.address}\` | ${r.group} | ${formatEur(r.before)} | ${formatEur(r.after)} | ${[r.detail, r.dataAtRisk ? (r.allowed ? "data at risk (allowed)" : "**data at risk**") : undefined].filter(Boolean).join("; ")} |`);
  const text = head.join("\n");
  if (rows.length === 0) return text;
  const open = [`<details><summary>${diff.resources.length} resource change(s)${diff.users.length > 0 ? `, ${diff.users.length} user(s)` : ""}</summary>`, "", "| | Resource | Group | Before | After | |", "|---|---|---|---:|---:|---|"];
  const close = ["", "</details>"];
  let kept = rows.length;
  const render = (n: number) => [text, ...open, ...rows.slice(0, n), ...(n < rows.length ? [`| | … ${rows.length - n} more resource change(s): the comment is capped at GitHub's limit; the full diff is in the job's artifact (\`--format json\`) | | | | |`] : []), ...close].join("\n");
  let out = render(kept);
  while (out.length > limit && kept > 0) {
    kept = Math.max(0, Math.floor(kept * 0.8) - 1);
    out = render(kept);
  }
  if (out.length > limit) out = `${text.slice(0, limit - 200)}\n\n_… cut at GitHub's comment limit; the full diff is in the job's artifact._`;
  return out;
}
