/**
 * Issued invoices and credit notes as documents: HTML and PDF, with what a German invoice must
 * carry (§ 14 Abs. 4 UStG): both parties' names and addresses, the seller's tax number or VAT
 * ID, the date, the sequential number, the service period, each item, net, rate, tax and gross,
 * and the reverse-charge note where it applies. Built from the stored document alone, so a
 * re-export years later gives the same invoice.
 */
import PDFDocument from "pdfkit";
import { formatEur, money } from "../catalog/money";
import type { Invoice } from "./bill";

const eur = (amount: string) => formatEur(money(amount));

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function title(invoice: Invoice): string {
  return `${invoice.kind === "credit" ? "Gutschrift / Credit note" : "Rechnung / Invoice"} ${invoice.number ?? "(draft)"}`;
}

/** The facts of the document, in order, shared by the HTML and the PDF. */
function facts(invoice: Invoice): { parties: string[][]; meta: string[]; rows: string[][]; totals: string[][]; notes: readonly string[] } {
  const seller = invoice.seller;
  const customer = invoice.customer;
  const sellerLines = seller === undefined ? ["(billing.seller is not set in cluster.yaml)"] : [seller.name, ...seller.address.split("\n"), seller.country, ...(seller.vatId !== undefined ? [`USt-IdNr. / VAT ID ${seller.vatId}`] : []), ...(seller.taxNumber !== undefined ? [`Steuernummer ${seller.taxNumber}`] : [])];
  const customerLines = customer === undefined ? [`User ${invoice.user}`] : [customer.name, ...customer.address.split("\n"), customer.country, ...(customer.vatId !== undefined ? [`VAT ID ${customer.vatId}`] : []), `User ${invoice.user}`];
  return {
    parties: [sellerLines, customerLines],
    meta: [
      `Datum / Date: ${invoice.issueDate ?? "—"}`,
      `Leistungszeitraum / Service period: ${invoice.period.from} – ${invoice.period.to}`,
      ...(invoice.credits !== undefined ? [`Zu Rechnung / For invoice: ${invoice.credits}`] : []),
    ],
    rows: invoice.lines.map((line) => [line.description, `${line.quantity} ${line.unit}`, line.unitPrice, eur(line.amount)]),
    totals: [
      ["Netto / Net", eur(invoice.net)],
      [`USt. / VAT ${invoice.vatRate} %`, eur(invoice.vat)],
      ["Brutto / Gross", eur(invoice.gross)],
    ],
    notes: invoice.notes,
  };
}

export function invoiceHtml(invoice: Invoice): string {
  const f = facts(invoice);
  const cell = (text: string, right = false) => `<td${right ? ' class="num"' : ""}>${escapeHtml(text)}</td>`;
  return `<!doctype html>
<html lang="de">
<head><meta charset="utf-8"><title>${escapeHtml(title(invoice))}</title>
<style>body{font-family:sans-serif;max-width:48em;margin:2em auto}table{border-collapse:collapse;width:100%}td,th{padding:.3em;border-bottom:1px solid #ddd;text-align:left}.num{text-align:right}.parties{display:flex;justify-content:space-between}</style>
</head>
<body>
<h1>${escapeHtml(title(invoice))}</h1>
<div class="parties">${f.parties.map((p) => `<address>${p.map(escapeHtml).join("<br>")}</address>`).join("")}</div>
<p>${f.meta.map(escapeHtml).join("<br>")}</p>
<table>
<thead><tr><th>Leistung / Item</th><th class="num">Menge / Quantity</th><th class="num">Einzelpreis / Unit price (EUR)</th><th class="num">Betrag / Amount</th></tr></thead>
<tbody>
${f.rows.map((r) => `<tr>${cell(r[0]!)}${cell(r[1]!, true)}${cell(r[2]!, true)}${cell(r[3]!, true)}</tr>`).join("\n")}
</tbody>
<tfoot>
${f.totals.map((t) => `<tr><td colspan="3">${escapeHtml(t[0]!)}</td>${cell(t[1]!, true)}</tr>`).join("\n")}
</tfoot>
</table>
${f.notes.map((n) => `<p>${escapeHtml(n)}</p>`).join("\n")}
</body>
</html>
`;
}

/** The PDF (A4, the standard Helvetica fonts, its metadata dated by the invoice). */
export function invoicePdf(invoice: Invoice): Promise<Buffer> {
  const f = facts(invoice);
  const date = new Date(`${invoice.issueDate ?? "2000-01-01"}T00:00:00Z`);
  const doc = new PDFDocument({ size: "A4", margin: 50, info: { Title: title(invoice), CreationDate: date, ModDate: date, Producer: "aiwc", Creator: "aiwc" } });
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on("end", () => resolve(Buffer.concat(chunks))));
  doc.font("Helvetica-Bold").fontSize(16).text(title(invoice));
  doc.moveDown();
  const top = doc.y;
  doc.font("Helvetica").fontSize(10).text(f.parties[0]!.join("\n"), 50, top, { width: 240 });
  const afterSeller = doc.y;
  doc.text(f.parties[1]!.join("\n"), 310, top, { width: 240 });
  doc.y = Math.max(afterSeller, doc.y);
  doc.x = 50;
  doc.moveDown();
  doc.text(f.meta.join("\n"));
  doc.moveDown();
  const columns = [50, 300, 400, 480];
  const widths = [245, 95, 75, 65];
  const row = (cells: readonly string[], bold = false) => {
    const y = doc.y;
    doc.font(bold ? "Helvetica-Bold" : "Helvetica");
    let bottom = y;
    cells.forEach((text, i) => {
      doc.text(text, columns[i]!, y, { width: widths[i]!, align: i === 0 ? "left" : "right" });
      bottom = Math.max(bottom, doc.y);
    });
    doc.y = bottom + 4;
  };
  row(["Leistung / Item", "Menge / Quantity", "Preis / Unit (EUR)", "Betrag / Amount"], true);
  for (const r of f.rows) row(r);
  doc.moveDown(0.5);
  for (const [label, amount] of f.totals) row([label!, "", "", amount!], label!.startsWith("Brutto"));
  doc.x = 50;
  doc.moveDown();
  for (const note of f.notes) doc.font("Helvetica").text(note, 50, doc.y, { width: 495 });
  doc.end();
  return done;
}
