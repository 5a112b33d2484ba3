/**
 * The monthly report for people: a terminal table and Markdown (JSON is the report itself, the
 * page is reporting/page.ts). One section list, two syntaxes.
 */
import Table from "cli-table3";
import { formatEur, money } from "../catalog/money";
import type { MonthlyJson } from "./monthly-schema";

const eur = (amount: string | null) => (amount === null ? "—" : formatEur(money(amount)));
const pct = (p: string | null) => (p === null ? "—" : `${p} %`);

interface Section {
  readonly title: string;
  readonly head: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly notes?: readonly string[];
}

function sections(r: MonthlyJson): Section[] {
  const top = r.users.slice(0, 10);
  const byUsage = r.payg
    .filter((p) => money(p.actual).greaterThan(0))
    .map((p) => {
      const heaviest = [...r.users].sort((a, b) => money(b.usage[p.meter] ?? 0).comparedTo(money(a.usage[p.meter] ?? 0)))[0];
      return [p.meter, heaviest !== undefined ? `${heaviest.user} (${heaviest.usage[p.meter] ?? "0"} ${p.unit})` : "—"];
    });
  const unpaid = (u: MonthlyJson["users"][number]) => u.payment !== null && u.payment !== "paid";
  const flagged = r.users.filter((u) => u.overQuota || u.unentitled.length > 0 || unpaid(u));
  return [
    {
      title: `Platform ${r.month}: cost, revenue, margin`,
      head: ["", "actual", "forecast"],
      rows: [
        ["cost (infrastructure)", eur(r.cost.incurred), eur(r.cost.forecast)],
        [`revenue (${r.revenue.source === "issued" ? "issued invoices" : "draft bill"})`, eur(r.revenue.net), eur(r.revenue.forecast)],
        ["gross margin", `${eur(r.margin.actual)} (${pct(r.margin.percent)})`, eur(r.margin.forecast)],
      ],
      notes: [`cost from ${r.cost.deployments} recorded deployment(s)${r.cost.coveredFrom !== null ? `, ${r.cost.coveredFrom} – ${r.cost.coveredUntil}` : ""}; setup fees ${eur(r.cost.setup)}`],
    },
    { title: "Cost per node group", head: ["group", "incurred", "setup", "monthly (forecast)"], rows: r.cost.groups.map((g) => [g.group, eur(g.incurred), eur(g.setup), eur(g.forecast)]) },
    {
      title: "PAYG per meter",
      head: ["meter", "actual", "forecast", "revenue", "per profile (actual / forecast per user)"],
      rows: r.payg.map((p) => [p.meter, `${p.actual} ${p.unit}`, `${p.forecast} ${p.unit}`, eur(p.revenue), p.profiles.map((x) => `${x.profile} ×${x.users}: ${x.actualPerUser} / ${x.forecastPerUser}`).join("; ")]),
      notes: r.payg.flatMap((p) => p.calibration.map((c) => `${p.meter}: ${c}`)),
    },
    ...(r.gpu !== null
      ? [
          {
            title: "GPU workers",
            head: ["workers", "worker hours", "metered GPU hours", "utilisation", "a worker per month", "break-even users"],
            rows: [[String(r.gpu.workers), r.gpu.workerHours, r.gpu.meteredHours, pct(r.gpu.utilisation), eur(r.gpu.workerMonthly), r.gpu.breakEvenUsers === null ? "—" : String(r.gpu.breakEvenUsers)]],
            notes: [r.gpu.advice],
          },
        ]
      : []),
    { title: "Top users by revenue", head: ["user", "tariff", "packs", "revenue (net)", "invoice"], rows: top.map((u) => [u.user, u.tariff, u.packs.join(", "), eur(u.revenue), u.invoice ?? "draft"]) },
    { title: "Heaviest user per meter", head: ["meter", "user"], rows: byUsage },
    {
      title: "Users to look at",
      head: ["user", "storage", "usage not included", "payment"],
      rows: flagged.map((u) => [u.user, u.overQuota ? `${u.storageGb} GB of ${u.storageQuotaGb} GB: at quota` : u.storageGb === null ? "—" : `${u.storageGb} GB`, u.unentitled.join(", "), unpaid(u) ? `${u.invoice}: not paid (${u.payment})` : ""]),
    },
  ];
}

export function monthlyTable(r: MonthlyJson): string {
  const out: string[] = [];
  for (const s of sections(r)) {
    out.push(s.title);
    if (s.rows.length === 0) out.push("  none");
    else {
      const table = new Table({ head: [...s.head], style: { head: [], border: [] } });
      for (const row of s.rows) table.push([...row]);
      out.push(table.toString());
    }
    for (const note of s.notes ?? []) out.push(`  ${note}`);
    out.push("");
  }
  for (const warning of r.warnings) out.push(`! ${warning}`);
  return out.join("\n").trimEnd();
}

const cell = (text: string) => text.replace(/\|/g, "\\|");

export function monthlyMarkdown(r: MonthlyJson): string {
  const out: string[] = [`## aiwc report ${r.month}`, ""];
  for (const s of sections(r)) {
    out.push(`### ${s.title}`, "");
    if (s.rows.length === 0) out.push("none", "");
    else {
      out.push(`| ${s.head.map(cell).join(" | ")} |`, `|${s.head.map(() => "---").join("|")}|`);
      for (const row of s.rows) out.push(`| ${row.map(cell).join(" | ")} |`);
      out.push("");
    }
    for (const note of s.notes ?? []) out.push(`_${note}_`, "");
  }
  for (const warning of r.warnings) out.push(`> ${warning}`, "");
  return out.join("\n").trimEnd();
}
