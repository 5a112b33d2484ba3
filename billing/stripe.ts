/**
 * Issued invoices handed to Stripe through the official SDK: the user's customer (found by
 * metadata `aiwc_user`, created once), a Stripe invoice per aiwc invoice (found by metadata
 * `aiwc_invoice`), one invoice item per line plus the VAT as its own item so Stripe's total is
 * the invoice's gross, then finalized (and sent, for `send_invoice`). Every creating request
 * carries an idempotency key derived from the invoice number and the line, and every step first
 * looks for what an earlier, interrupted run already created — so a re-run after a network
 * fault completes the work and never charges twice. (Stripe's search can lag writes by up to a
 * minute; a re-run within that window does not find the object but repeats the request with
 * the same idempotency key, which Stripe answers with the object it created — for 24 hours.) The key comes from STRIPE_SECRET_KEY;
 * AIWC_STRIPE_API (`http://127.0.0.1:PORT`) points the SDK at a stand-in, for tests.
 */
import type Stripe from "stripe";
import { money } from "../catalog/money";
import type { Config } from "../model/load";
import type { Invoice } from "./bill";
import type { Queryable } from "./ledger";
import { BillError } from "./bill";
import { checkPayments, handOver, HandoverStop, type Handover, type PaymentStatus } from "./handover";

function client(env: NodeJS.ProcessEnv): Stripe {
  const key = env.STRIPE_SECRET_KEY;
  if (key === undefined || key === "") throw new BillError("STRIPE_SECRET_KEY is not set: the Stripe handover needs the account's secret key in the environment");
  const StripeSdk = require("stripe") as typeof import("stripe");
  const api = env.AIWC_STRIPE_API;
  let endpoint = {};
  if (api !== undefined && api !== "") {
    const url = new URL(api);
    endpoint = { host: url.hostname, port: url.port || (url.protocol === "http:" ? 80 : 443), protocol: url.protocol.replace(":", "") as "http" | "https" };
  }
  return new StripeSdk(key, { maxNetworkRetries: 2, timeout: 30_000, telemetry: false, ...endpoint });
}

/** A decimal EUR amount in cents, as Stripe counts (decimal arithmetic, never float). */
const cents = (amount: string): number => money(amount).times(100).toNumber();

async function findOne<T>(search: () => Promise<{ data: T[] }>): Promise<T | undefined> {
  return (await search()).data[0];
}

async function customerFor(stripe: Stripe, invoice: Invoice): Promise<string> {
  const existing = await findOne(() => stripe.customers.search({ query: `metadata['aiwc_user']:'${invoice.user}'` }));
  if (existing !== undefined) return existing.id;
  const created = await stripe.customers.create(
    {
      name: invoice.customer?.name ?? invoice.user,
      ...(invoice.customer?.email !== undefined ? { email: invoice.customer.email } : {}),
      ...(invoice.customer !== undefined ? { address: { line1: invoice.customer.address.split("\n")[0]!, country: invoice.customer.country } } : {}),
      metadata: { aiwc_user: invoice.user },
    },
    { idempotencyKey: `aiwc-customer-${invoice.user}` },
  );
  return created.id;
}

async function handOne(stripe: Stripe, config: Config, invoice: Invoice): Promise<string> {
  const number = invoice.number!;
  const settings = config.cluster.billing.stripe;
  const customer = await customerFor(stripe, invoice);
  let stripeInvoice = await findOne(() => stripe.invoices.search({ query: `metadata['aiwc_invoice']:'${number}'` }));
  stripeInvoice ??= await stripe.invoices.create(
    {
      customer,
      currency: "eur",
      auto_advance: false,
      collection_method: settings.collectionMethod,
      ...(settings.collectionMethod === "send_invoice" ? { days_until_due: settings.daysUntilDue } : {}),
      description: `${number}, ${invoice.period.from} – ${invoice.period.to}`,
      metadata: { aiwc_invoice: number, aiwc_user: invoice.user },
    },
    { idempotencyKey: `aiwc-${number}-invoice` },
  );
  if (stripeInvoice.status === "draft") {
    const existing = new Set((await stripe.invoiceItems.list({ invoice: stripeInvoice.id, limit: 100 })).data.map((item) => item.metadata?.aiwc_line));
    const items = [
      ...invoice.lines.map((line, index) => ({ key: String(index), description: `${line.description} (${line.quantity} ${line.unit})`, amount: line.amount })),
      ...(invoice.vat !== "0.00" ? [{ key: "vat", description: `USt. / VAT ${invoice.vatRate} %`, amount: invoice.vat }] : []),
    ];
    for (const item of items) {
      if (existing.has(item.key) || cents(item.amount) === 0) continue;
      await stripe.invoiceItems.create(
        { customer, invoice: stripeInvoice.id, currency: "eur", amount: cents(item.amount), description: item.description, metadata: { aiwc_invoice: number, aiwc_line: item.key } },
        { idempotencyKey: `aiwc-${number}-line-${item.key}` },
      );
    }
    stripeInvoice = await stripe.invoices.finalizeInvoice(stripeInvoice.id, { auto_advance: settings.collectionMethod === "charge_automatically" }, { idempotencyKey: `aiwc-${number}-finalize` });
    if (settings.collectionMethod === "send_invoice") await stripe.invoices.sendInvoice(stripeInvoice.id, {}, { idempotencyKey: `aiwc-${number}-send` });
  }
  if (stripeInvoice.amount_due !== undefined && stripeInvoice.amount_due !== null && stripeInvoice.amount_due !== cents(invoice.gross) && invoice.reverseCharge === false) {
    throw new HandoverStop(`Stripe invoice ${stripeInvoice.id} for ${number} is due ${stripeInvoice.amount_due / 100} EUR, not ${invoice.gross}: check it in the Stripe dashboard`);
  }
  return stripeInvoice.id;
}

/**
 * Hands the issued invoices to Stripe (credit notes are not: cancel their Stripe invoices in
 * the dashboard). Records each handover in the ledger; invoices handed over before are skipped.
 */
export async function handToStripe(config: Config, ledger: Queryable, invoices: readonly Invoice[], env: NodeJS.ProcessEnv = process.env): Promise<Handover[]> {
  const stripe = client(env);
  return handOver(ledger, "stripe", "Stripe", invoices, (invoice) => handOne(stripe, config, invoice));
}

/** The payment status of Stripe invoices handed over before (`aiwc bill status`). */
export async function stripePayments(ledger: Queryable, numbers: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<PaymentStatus[]> {
  const stripe = client(env);
  return checkPayments(ledger, "stripe", numbers, async (id) => {
    const invoice = await stripe.invoices.retrieve(id);
    const status = invoice.status ?? "draft";
    return { status, paid: status === "paid" };
  });
}
