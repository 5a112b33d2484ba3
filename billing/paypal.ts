/**
 * Issued invoices handed to PayPal Invoicing v2 (create, then send), with an OAuth 2.0 client
 * credentials token. PayPal's official server SDK (@paypal/paypal-server-sdk) covers orders,
 * payments, vault and subscriptions but not invoicing, so this speaks the documented REST API
 * with Node's fetch. Each POST carries a `PayPal-Request-Id` derived from the invoice number
 * (PayPal's idempotency key), and each invoice is first searched for by its number, so a re-run
 * after a fault finishes the work and never invoices twice. Like the Stripe handover, the VAT
 * is an item of its own so PayPal's total is exactly the invoice's gross.
 *
 * Credentials: PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET; PAYPAL_API picks the API
 * (default https://api-m.paypal.com; the sandbox is https://api-m.sandbox.paypal.com).
 */
import type { Invoice } from "./bill";
import { BillError } from "./bill";
import type { Queryable } from "./ledger";
import { checkPayments, handOver, type Handover, type PaymentStatus } from "./handover";

type Json = Record<string, any>;

class PayPal {
  private token?: string;

  constructor(
    private readonly base: string,
    private readonly clientId: string,
    private readonly secret: string,
  ) {}

  private async call(method: string, path: string, body?: unknown, requestId?: string, attempt = 0): Promise<{ status: number; json: Json }> {
    this.token ??= await this.authenticate();
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          "content-type": "application/json",
          prefer: "return=representation",
          ...(requestId !== undefined ? { "paypal-request-id": requestId } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      // A dropped connection: the same request again (the request id makes a POST safe to repeat).
      if (attempt < 2) return this.call(method, path, body, requestId, attempt + 1);
      throw error;
    }
    if (response.status === 401 && attempt === 0) {
      this.token = undefined;
      return this.call(method, path, body, requestId, attempt + 1);
    }
    const text = await response.text();
    const json = text === "" ? {} : (JSON.parse(text) as Json);
    if (response.status >= 400) throw new BillError(`PayPal ${method} ${path}: ${response.status} ${json.name ?? ""} ${json.message ?? ""}`.trim());
    return { status: response.status, json };
  }

  private async authenticate(): Promise<string> {
    const response = await fetch(`${this.base}/v1/oauth2/token`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from(`${this.clientId}:${this.secret}`).toString("base64")}`, "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
      signal: AbortSignal.timeout(30_000),
    });
    const json = (await response.json().catch(() => ({}))) as Json;
    if (response.status !== 200 || typeof json.access_token !== "string") throw new BillError(`PayPal refused the client credentials (${response.status} ${json.error ?? ""}): check PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET`);
    return json.access_token;
  }

  async find(number: string): Promise<Json | undefined> {
    const { json } = await this.call("POST", "/v2/invoicing/search-invoices?page=1&page_size=1", { invoice_number: number });
    return (json.items as Json[] | undefined)?.find((i) => i.detail?.invoice_number === number);
  }

  async create(invoice: Invoice): Promise<Json> {
    const money = (value: string) => ({ currency_code: "EUR", value });
    const items = [
      ...invoice.lines.filter((l) => l.amount !== "0.00").map((line) => ({ name: line.description.slice(0, 200), quantity: "1", unit_amount: money(line.amount), description: `${line.quantity} ${line.unit} × ${line.unitPrice} EUR`.slice(0, 1000) })),
      ...(invoice.vat !== "0.00" ? [{ name: `USt. / VAT ${invoice.vatRate} %`, quantity: "1", unit_amount: money(invoice.vat) }] : []),
    ];
    const body = {
      detail: {
        invoice_number: invoice.number,
        invoice_date: invoice.issueDate,
        currency_code: "EUR",
        note: [`Service period ${invoice.period.from} – ${invoice.period.to}`, ...invoice.notes].join("\n"),
        payment_term: { term_type: "NET_14" },
      },
      ...(invoice.seller !== undefined ? { invoicer: { business_name: invoice.seller.name, ...(invoice.seller.vatId !== undefined ? { tax_id: invoice.seller.vatId } : {}) } } : {}),
      primary_recipients: [{ billing_info: { business_name: invoice.customer?.name ?? invoice.user, ...(invoice.customer?.email !== undefined ? { email_address: invoice.customer.email } : {}) } }],
      items,
    };
    return (await this.call("POST", "/v2/invoicing/invoices", body, `aiwc-${invoice.number}-create`)).json;
  }

  async status(id: string): Promise<string> {
    return String((await this.call("GET", `/v2/invoicing/invoices/${encodeURIComponent(id)}`)).json.status ?? "UNKNOWN");
  }

  async send(id: string, number: string): Promise<void> {
    await this.call("POST", `/v2/invoicing/invoices/${encodeURIComponent(id)}/send`, { send_to_invoicer: true }, `aiwc-${number}-send`);
  }
}

function client(env: NodeJS.ProcessEnv): PayPal {
  const clientId = env.PAYPAL_CLIENT_ID;
  const secret = env.PAYPAL_CLIENT_SECRET;
  if (clientId === undefined || clientId === "" || secret === undefined || secret === "") throw new BillError("PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET must be set: the PayPal handover needs the REST app's credentials in the environment");
  return new PayPal((env.PAYPAL_API ?? "https://api-m.paypal.com").replace(/\/$/, ""), clientId, secret);
}

/** The payment status of PayPal invoices handed over before (`aiwc bill status`). */
export async function paypalPayments(ledger: Queryable, numbers: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<PaymentStatus[]> {
  const paypal = client(env);
  return checkPayments(ledger, "paypal", numbers, async (id) => {
    const status = await paypal.status(id);
    return { status, paid: status === "PAID" || status === "MARKED_AS_PAID" };
  });
}

/** Hands the issued invoices (not credit notes) to PayPal; records each handover in the ledger. */
export async function handToPayPal(ledger: Queryable, invoices: readonly Invoice[], env: NodeJS.ProcessEnv = process.env): Promise<Handover[]> {
  const paypal = client(env);
  return handOver(ledger, "paypal", "PayPal", invoices, async (invoice) => {
    const remote = (await paypal.find(invoice.number!)) ?? (await paypal.create(invoice));
    const id = String(remote.id);
    if (remote.status === undefined || remote.status === "DRAFT") await paypal.send(id, invoice.number!);
    return id;
  });
}
