/**
 * Issuing: a month's draft becomes invoices with numbers — `<prefix><year>-<sequence>`, the
 * sequence without gaps per year of the issue date, shared by invoices and credit notes — stored
 * in the ledger as issued and never changed. A month is issued once; a mistake is corrected by a
 * credit note of the whole invoice (`aiwc bill credit NUMBER`). Every usage event billed is
 * recorded with the invoice that billed it, so usage arriving later is billed once, in a later
 * month, as late usage.
 */
import { isCalendarDate, today } from "../config/dates";
import { money, toAmount } from "../catalog/money";
import type { Config } from "../model/load";
import { BillError, draftBill, GAUGE_METERS, issuedBill, issuedMonths, monthBounds, type Bill, type Invoice } from "./bill";
import type { Ledger, Queryable } from "./ledger";

function numberOf(prefix: string, year: number, seq: number): string {
  return `${prefix}${year}-${String(seq).padStart(5, "0")}`;
}

/** The next sequence number of `year`, with the invoices table locked against concurrent issuers. */
async function nextSeq(tx: Queryable, year: number): Promise<number> {
  const rows = await tx.query<{ seq: string | number | null }>("select max(seq) as seq from invoices where year = $1", [year]);
  return Number(rows[0]?.seq ?? 0) + 1;
}

async function lockInvoices(tx: Queryable, ledger: Ledger): Promise<void> {
  // PostgreSQL: one issuer at a time (gapless numbers); PGlite has a single connection.
  if (ledger.description.startsWith("postgres")) await tx.query("lock table invoices in share row exclusive mode");
}

export interface IssueOptions {
  /** The invoices' date (YYYY-MM-DD). @default today (UTC) */
  readonly date?: string;
}

/** Issues `month`: refused when it was issued before or is not over yet. */
export async function issueBill(config: Config, ledger: Ledger, month: string, options: IssueOptions = {}): Promise<Bill> {
  const { from, next } = monthBounds(month);
  const date = options.date ?? today();
  if (!isCalendarDate(date)) throw new BillError(`--date must be a date YYYY-MM-DD, got "${date}"`);
  if (date < next) throw new BillError(`${month} is not over on ${date}: issue it on ${next} or later`);
  const seller = config.cluster.billing.seller;
  return ledger.transaction(async (tx) => {
    await lockInvoices(tx, ledger);
    const issued = await issuedMonths(tx);
    const when = issued.get(month);
    if (when !== undefined) throw new BillError(`${month} was issued on ${when.slice(0, 10)}; issued invoices never change: correct one with \`aiwc bill credit NUMBER\``);
    const draft = await draftBill(config, tx, month);
    const year = Number(date.slice(0, 4));
    let seq = await nextSeq(tx, year);
    for (const invoice of draft.invoices) {
      const number = numberOf(config.cluster.billing.invoicePrefix, year, seq++);
      const document: Invoice = { ...invoice, number, issueDate: date, kind: "invoice", ...(seller !== undefined ? { seller } : {}) };
      await tx.query(
        "insert into invoices (number, year, seq, kind, month, user_name, issue_date, net, vat, gross, document) values ($1, $2, $3, 'invoice', $4, $5, $6, $7, $8, $9, $10)",
        [number, year, seq - 1, month, invoice.user, date, invoice.net, invoice.vat, invoice.gross, JSON.stringify(document)],
      );
    }
    // The events these invoices billed: the month's own, and late ones of months issued before.
    await tx.query(
      `insert into billed_events (source, id, number)
       select e.source, e.id, i.number
         from usage_events e
         left join usage_events c on e.corrects is not null and c.source = e.source and c.id = e.corrects
         join invoices i on i.user_name = e.user_name and i.month = $1 and i.kind = 'invoice'
        where not exists (select 1 from billed_events b where b.source = e.source and b.id = e.id)
          and (
            (coalesce(c.time, e.time) >= $2::timestamptz and coalesce(c.time, e.time) < $3::timestamptz)
            or (coalesce(c.time, e.time) < $2::timestamptz and to_char(coalesce(c.time, e.time) at time zone 'UTC', 'YYYY-MM') in (select month from billed_months)
                and (not (e.meter = any($4::text[])) or e.imported_at > (select issued_at from billed_months m where m.month = to_char(e.time at time zone 'UTC', 'YYYY-MM'))))
          )`,
      [month, `${from}T00:00:00Z`, `${next}T00:00:00Z`, [...GAUGE_METERS]],
    );
    await tx.query("insert into billed_months (month) values ($1)", [month]);
    return issuedBill(tx, month);
  });
}

/** A credit note cancelling issued invoice `number` in full; refused for a credit note or one already credited. */
export async function creditNote(config: Config, ledger: Ledger, number: string, options: IssueOptions & { readonly reason?: string } = {}): Promise<Invoice> {
  const date = options.date ?? today();
  if (!isCalendarDate(date)) throw new BillError(`--date must be a date YYYY-MM-DD, got "${date}"`);
  return ledger.transaction(async (tx) => {
    await lockInvoices(tx, ledger);
    const rows = await tx.query<{ kind: string; month: string; user_name: string; document: string }>("select kind, month, user_name, document from invoices where number = $1", [number]);
    const original = rows[0];
    if (original === undefined) throw new BillError(`no issued invoice ${number}`);
    if (original.kind !== "invoice") throw new BillError(`${number} is a credit note; only invoices are credited`);
    const credited = await tx.query<{ number: string }>("select number from invoices where credits = $1", [number]);
    if (credited.length > 0) throw new BillError(`${number} was credited already by ${credited[0]!.number}`);
    const invoice = JSON.parse(original.document) as Invoice;
    const negate = (amount: string) => toAmount(money(amount).negated());
    const year = Number(date.slice(0, 4));
    const seq = await nextSeq(tx, year);
    const creditNumber = numberOf(config.cluster.billing.invoicePrefix, year, seq);
    const note: Invoice = {
      ...invoice,
      number: creditNumber,
      issueDate: date,
      kind: "credit",
      credits: number,
      lines: invoice.lines.map((line) => ({ ...line, amount: negate(line.amount) })),
      net: negate(invoice.net),
      vat: negate(invoice.vat),
      gross: negate(invoice.gross),
      notes: [...invoice.notes, `Credit note for invoice ${number} of ${invoice.issueDate ?? ""}${options.reason !== undefined ? `: ${options.reason}` : ""}`],
    };
    await tx.query(
      "insert into invoices (number, year, seq, kind, month, user_name, credits, issue_date, net, vat, gross, document) values ($1, $2, $3, 'credit', $4, $5, $6, $7, $8, $9, $10, $11)",
      [creditNumber, year, seq, original.month, original.user_name, number, date, note.net, note.vat, note.gross, JSON.stringify(note)],
    );
    return note;
  });
}
