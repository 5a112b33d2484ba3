/**
 * Handing issued invoices to a payment provider, the part every provider shares: credit notes
 * are skipped, invoices handed over before (recorded in the ledger's `handovers`) are skipped,
 * each new handover is recorded as soon as it is done, and a failure says how far it got and
 * that running again is safe (each provider makes its steps idempotent).
 */
import { BillError, type Invoice } from "./bill";
import type { Queryable } from "./ledger";

export interface Handover {
  readonly number: string;
  readonly externalId: string;
  readonly status: "handed over" | "already handed over";
}

/** A problem a re-run would not cure (the provider's total differs): reported as it is. */
export class HandoverStop extends BillError {}

export async function handOver(ledger: Queryable, provider: "stripe" | "paypal", label: string, invoices: readonly Invoice[], one: (invoice: Invoice) => Promise<string>): Promise<Handover[]> {
  const done = new Map((await ledger.query<{ number: string; external_id: string }>("select number, external_id from handovers where provider = $1 and status = 'done'", [provider])).map((r) => [r.number, r.external_id]));
  const out: Handover[] = [];
  for (const invoice of invoices) {
    if (invoice.kind !== "invoice" || invoice.number === null) continue;
    const before = done.get(invoice.number);
    if (before !== undefined) {
      out.push({ number: invoice.number, externalId: before, status: "already handed over" });
      continue;
    }
    let id: string;
    try {
      id = await one(invoice);
    } catch (error) {
      if (error instanceof HandoverStop) throw error;
      throw new BillError(`${label}: handing over ${invoice.number} failed (${(error as Error).message}); ${out.length} invoice(s) were handed over before it. Run the command again: it continues where it stopped and creates nothing twice`);
    }
    await ledger.query(
      "insert into handovers (number, provider, external_id, status) values ($1, $2, $3, 'done') on conflict (number, provider) do update set external_id = excluded.external_id, status = excluded.status, updated_at = now()",
      [invoice.number, provider, id],
    );
    out.push({ number: invoice.number, externalId: id, status: "handed over" });
  }
  return out;
}

/** Whether a handed-over invoice was paid, as its provider says. */
export interface PaymentStatus {
  readonly number: string;
  readonly externalId: string;
  /** The provider's status word (Stripe: paid, open, void, uncollectible; PayPal: PAID, SENT, …). */
  readonly status: string;
  readonly paid: boolean;
}

/**
 * Asks the provider for the status of each invoice of `numbers` handed over to it, and keeps the
 * answer in the ledger (`handovers.payment_status`), where the monthly report reads it.
 */
export async function checkPayments(ledger: Queryable, provider: "stripe" | "paypal", numbers: readonly string[], status: (externalId: string) => Promise<{ status: string; paid: boolean }>): Promise<PaymentStatus[]> {
  const rows = await ledger.query<{ number: string; external_id: string }>("select number, external_id from handovers where provider = $1 and status = 'done' and number = any($2::text[]) order by number", [provider, numbers]);
  const out: PaymentStatus[] = [];
  for (const row of rows) {
    const answer = await status(row.external_id);
    await ledger.query("update handovers set payment_status = $3, payment_checked_at = now() where number = $1 and provider = $2", [row.number, provider, answer.paid ? "paid" : answer.status]);
    out.push({ number: row.number, externalId: row.external_id, ...answer });
  }
  return out;
}
