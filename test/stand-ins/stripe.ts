/**
 * A local stand-in for the few Stripe API endpoints aiwc uses, speaking Stripe's documented
 * shapes (form-encoded requests with bracketed keys, JSON objects with `id`/`object`, list and
 * search results, error objects, Idempotency-Key replay) on 127.0.0.1; a test marks an invoice
 * paid by setting its `status` (GET /v1/invoices/{id} answers it). It records every call
 * and can fail chosen requests, to prove that a re-run after a fault creates nothing twice.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

type Obj = Record<string, unknown>;

export interface StripeCall {
  readonly method: string;
  readonly path: string;
  readonly idempotencyKey?: string;
  readonly body: Obj;
}

export interface StripeStandIn {
  readonly url: string;
  readonly calls: StripeCall[];
  readonly customers: Map<string, Obj>;
  readonly invoices: Map<string, Obj>;
  readonly items: Map<string, Obj>;
  /** Requests (by 1-based index among all requests) answered by dropping the connection. */
  readonly drop: Set<number>;
  close(): Promise<void>;
}

/** `metadata[a]=1&address[line1]=x` → `{ metadata: { a: "1" }, address: { line1: "x" } }`. */
function formBody(text: string): Obj {
  const out: Obj = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const parts = key.split(/\[|\]/).filter((p) => p !== "");
    let at = out;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) at[part] = value;
      else at = (at[part] ??= {}) as Obj;
    });
  }
  return out;
}

/** Stripe search queries of the form `metadata['key']:'value'`. */
function matches(object: Obj, query: string): boolean {
  const m = /^metadata\['([^']+)'\]:'([^']*)'$/.exec(query.trim());
  if (m === null) throw new Error(`stand-in: unsupported search query ${query}`);
  return (object.metadata as Obj | undefined)?.[m[1]!] === m[2];
}

export async function startStripeStandIn(secret = "sk_test_aiwc"): Promise<StripeStandIn> {
  const calls: StripeCall[] = [];
  const customers = new Map<string, Obj>();
  const invoices = new Map<string, Obj>();
  const items = new Map<string, Obj>();
  const replies = new Map<string, { status: number; body: Obj }>();
  const drop = new Set<number>();
  let requests = 0;
  let ids = 0;
  const id = (prefix: string) => `${prefix}_${String(++ids).padStart(6, "0")}`;

  const route = (method: string, url: URL, body: Obj): { status: number; body: Obj } => {
    const path = url.pathname;
    const list = (data: Obj[], object = "list") => ({ status: 200, body: { object, data, has_more: false, url: path } });
    if (method === "GET" && path === "/v1/customers/search") return list([...customers.values()].filter((c) => matches(c, url.searchParams.get("query") ?? "")), "search_result");
    if (method === "GET" && path === "/v1/invoices/search") return list([...invoices.values()].filter((i) => matches(i, url.searchParams.get("query") ?? "")), "search_result");
    if (method === "GET" && path === "/v1/invoiceitems") return list([...items.values()].filter((i) => i.invoice === url.searchParams.get("invoice")));
    if (method === "POST" && path === "/v1/customers") {
      const customer = { id: id("cus"), object: "customer", name: body.name ?? null, email: body.email ?? null, address: body.address ?? null, metadata: body.metadata ?? {} };
      customers.set(customer.id, customer);
      return { status: 200, body: customer };
    }
    if (method === "POST" && path === "/v1/invoices") {
      if (typeof body.customer !== "string" || !customers.has(body.customer)) return { status: 400, body: { error: { type: "invalid_request_error", message: `No such customer: '${String(body.customer)}'`, param: "customer" } } };
      const invoice = { id: id("in"), object: "invoice", status: "draft", customer: body.customer, currency: body.currency, collection_method: body.collection_method, days_until_due: body.days_until_due === undefined ? null : Number(body.days_until_due), amount_due: 0, total: 0, description: body.description ?? null, metadata: body.metadata ?? {} };
      invoices.set(invoice.id, invoice);
      return { status: 200, body: invoice };
    }
    if (method === "POST" && path === "/v1/invoiceitems") {
      const invoice = invoices.get(String(body.invoice));
      if (invoice === undefined) return { status: 400, body: { error: { type: "invalid_request_error", message: `No such invoice: '${String(body.invoice)}'`, param: "invoice" } } };
      if (invoice.status !== "draft") return { status: 400, body: { error: { type: "invalid_request_error", message: "You can only add invoice items to draft invoices." } } };
      const item = { id: id("ii"), object: "invoiceitem", customer: body.customer, invoice: invoice.id, amount: Number(body.amount), currency: body.currency, description: body.description ?? null, metadata: body.metadata ?? {} };
      items.set(item.id, item);
      invoice.amount_due = Number(invoice.amount_due) + item.amount;
      invoice.total = invoice.amount_due;
      return { status: 200, body: item };
    }
    const one = /^\/v1\/invoices\/([^/]+)$/.exec(path);
    if (method === "GET" && one !== null) {
      const invoice = invoices.get(one[1]!);
      return invoice === undefined ? { status: 404, body: { error: { type: "invalid_request_error", message: `No such invoice: '${one[1]}'` } } } : { status: 200, body: invoice };
    }
    const action = /^\/v1\/invoices\/([^/]+)\/(finalize|send)$/.exec(path);
    if (method === "POST" && action !== null) {
      const invoice = invoices.get(action[1]!);
      if (invoice === undefined) return { status: 404, body: { error: { type: "invalid_request_error", message: `No such invoice: '${action[1]}'` } } };
      if (action[2] === "finalize") {
        if (invoice.status !== "draft") return { status: 400, body: { error: { type: "invalid_request_error", message: "This invoice is already finalized." } } };
        invoice.status = "open";
        invoice.number = `STRIPE-${invoice.id}`;
      }
      return { status: 200, body: invoice };
    }
    return { status: 404, body: { error: { type: "invalid_request_error", message: `Unrecognized request URL (${method}: ${path}).` } } };
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const index = ++requests;
      const url = new URL(req.url ?? "/", "http://stand-in");
      const body = formBody(Buffer.concat(chunks).toString("utf8"));
      const key = req.headers["idempotency-key"] as string | undefined;
      calls.push({ method: req.method ?? "", path: url.pathname, ...(key !== undefined ? { idempotencyKey: key } : {}), body });
      if (drop.has(index)) {
        req.socket.destroy();
        return;
      }
      const send = (reply: { status: number; body: Obj }) => {
        res.writeHead(reply.status, { "content-type": "application/json", "request-id": `req_${index}` });
        res.end(JSON.stringify(reply.body));
      };
      if (req.headers.authorization !== `Bearer ${secret}`) return send({ status: 401, body: { error: { type: "invalid_request_error", message: "Invalid API Key provided" } } });
      if (key !== undefined && replies.has(key)) return send(replies.get(key)!);
      const reply = route(req.method ?? "GET", url, body);
      if (key !== undefined && req.method === "POST") replies.set(key, reply);
      send(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, calls, customers, invoices, items, drop, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
