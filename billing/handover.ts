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
