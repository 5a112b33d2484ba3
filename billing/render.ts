/**
 * The bill for people (a terminal table, Markdown) and for accounting (CSV, one row per
 * invoice line). JSON is the Bill object itself.
 */
import Table from "cli-table3";
import { stringify } from "csv-stringify/sync";
import { formatEur, money } from "../catalog/money";
import type { Bill } from "./bill";

const eur = (amount: string) => formatEur(money(amount));

export function billTable(bill: Bill): string {
  const table = new Table({ head: [...(bill.issued ? ["number"] : []), "user", "period", "lines", "net", "VAT", "gross", "notes"], style: { head: [], border: [] } });
  for (const invoice of bill.invoices) {
    const flagged = invoice.lines.filter((l) => l.note !== undefined).map((l) => `${l.item}: ${l.note}`);
    table.push([...(bill.issued ? [invoice.number ?? ""] : []), invoice.user, `${invoice.period.from} – ${invoice.period.to}`, String(invoice.lines.length), eur(invoice.net), `${eur(invoice.vat)} (${invoice.vatRate} %)`, eur(invoice.gross), [...invoice.notes, ...flagged].join("; ")]);
  }
  const state = bill.issued ? "issued" : "draft";
  const out = [`Bill ${bill.month} (${state}): ${bill.totals.invoices} ${bill.issued ? "invoice(s) and credit note(s)" : "invoice(s)"}`, table.toString(), `Total: net ${eur(bill.totals.net)}, VAT ${eur(bill.totals.vat)}, gross ${eur(bill.totals.gross)}`];
  for (const warning of bill.warnings) out.push(`! ${warning}`);
  return out.join("\n");
}

export function billMarkdown(bill: Bill): string {
  const out = [`## Bill ${bill.month} (${bill.issued ? "issued" : "draft"})`, ""];
  for (const invoice of bill.invoices) {
    out.push(`### ${invoice.number !== null ? `${invoice.kind === "credit" ? "Credit note" : "Invoice"} ${invoice.number}: ` : ""}${invoice.user} — ${eur(invoice.gross)}`, "", `Period ${invoice.period.from} – ${invoice.period.to}`, "", "| item | description | quantity | unit | unit price | amount |", "|---|---|---:|---|---:|---:|");
    for (const line of invoice.lines) out.push(`| ${line.item} | ${line.description}${line.note !== undefined ? ` (${line.note})` : ""} | ${line.quantity} | ${line.unit} | ${line.unitPrice} | ${line.amount} |`);
    out.push(`| | net | | | | ${invoice.net} |`, `| | VAT ${invoice.vatRate} % | | | | ${invoice.vat} |`, `| | gross | | | | ${invoice.gross} |`, "");
    for (const note of invoice.notes) out.push(`_${note}_`, "");
  }
  out.push(`**Total:** net ${eur(bill.totals.net)}, VAT ${eur(bill.totals.vat)}, gross ${eur(bill.totals.gross)} (${bill.totals.invoices} invoices)`);
  for (const warning of bill.warnings) out.push("", `> ${warning}`);
  return out.join("\n");
}

export function billCsv(bill: Bill): string {
  const rows: string[][] = [["month", "user", "invoice", "period_from", "period_to", "item", "description", "quantity", "unit", "unit_price", "amount", "vat_rate", "note"]];
  for (const invoice of bill.invoices) {
    for (const line of invoice.lines) {
      rows.push([bill.month, invoice.user, invoice.number ?? "", invoice.period.from, invoice.period.to, line.item, line.description, line.quantity, line.unit, line.unitPrice, line.amount, invoice.vatRate, line.note ?? ""]);
    }
  }
  return stringify(rows).trimEnd();
}
