/**
 * A local stand-in for PayPal's OAuth token endpoint and the Invoicing v2 calls aiwc makes
 * (create, search by number, send, show), with PayPal's documented shapes: client-credentials tokens,
 * JSON invoices with `id`, `status` and `detail`, error objects with `name`/`message`/`debug_id`,
 * and `PayPal-Request-Id` replay. Records every call; can drop chosen requests.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

type Json = Record<string, any>;

export interface PayPalCall {
  readonly method: string;
  readonly path: string;
  readonly requestId?: string;
  readonly body: unknown;
}

export interface PayPalStandIn {
  readonly url: string;
  readonly calls: PayPalCall[];
  readonly invoices: Map<string, Json>;
  readonly drop: Set<number>;
  close(): Promise<void>;
}

export async function startPayPalStandIn(clientId = "aiwc-client", secret = "aiwc-secret"): Promise<PayPalStandIn> {
  const calls: PayPalCall[] = [];
  const invoices = new Map<string, Json>();
  const replies = new Map<string, { status: number; body: Json }>();
  const tokens = new Set<string>();
  const drop = new Set<number>();
  let requests = 0;
  let ids = 0;
  const error = (status: number, name: string, message: string) => ({ status, body: { name, message, debug_id: `dbg${requests}` } });

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const index = ++requests;
      const url = new URL(req.url ?? "/", "http://stand-in");
      const text = Buffer.concat(chunks).toString("utf8");
      const requestId = req.headers["paypal-request-id"] as string | undefined;
      let body: unknown = text;
      try {
        body = text === "" || req.headers["content-type"] !== "application/json" ? text : JSON.parse(text);
      } catch {
        body = text;
      }
      calls.push({ method: req.method ?? "", path: url.pathname, ...(requestId !== undefined ? { requestId } : {}), body });
      if (drop.has(index)) {
        req.socket.destroy();
        return;
      }
      const send = (reply: { status: number; body: Json }) => {
        res.writeHead(reply.status, { "content-type": "application/json", "paypal-debug-id": `dbg${index}` });
        res.end(JSON.stringify(reply.body));
      };
      if (url.pathname === "/v1/oauth2/token") {
        if (req.headers.authorization !== `Basic ${Buffer.from(`${clientId}:${secret}`).toString("base64")}` || text !== "grant_type=client_credentials") return send({ status: 401, body: { error: "invalid_client", error_description: "Client Authentication failed" } });
        const token = `A21AA${index}`;
        tokens.add(token);
        return send({ status: 200, body: { scope: "https://uri.paypal.com/services/invoicing", access_token: token, token_type: "Bearer", app_id: "APP-stand-in", expires_in: 32400, nonce: `n${index}` } });
      }
      const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? "");
      if (auth === null || !tokens.has(auth[1]!)) return send(error(401, "AUTHENTICATION_FAILURE", "Authentication failed due to invalid authentication credentials or a missing Authorization header."));
      if (requestId !== undefined && replies.has(requestId)) return send(replies.get(requestId)!);
      const reply = ((): { status: number; body: Json } => {
        const json = body as Json;
        if (req.method === "POST" && url.pathname === "/v2/invoicing/search-invoices") {
          const found = [...invoices.values()].filter((i) => json.invoice_number === undefined || i.detail.invoice_number === json.invoice_number);
          return { status: 200, body: { total_items: found.length, total_pages: 1, items: found } };
        }
        if (req.method === "POST" && url.pathname === "/v2/invoicing/invoices") {
          if ([...invoices.values()].some((i) => i.detail.invoice_number === json.detail?.invoice_number)) return error(422, "UNPROCESSABLE_ENTITY", "Invoice number is already used (DUPLICATE_INVOICE_NUMBER).");
          const total = (json.items as Json[]).reduce((sum, item) => sum + Math.round(Number(item.unit_amount.value) * 100) * Number(item.quantity), 0);
          const invoice = { id: `INV2-STAND-IN-${String(++ids).padStart(4, "0")}`, status: "DRAFT", detail: json.detail, invoicer: json.invoicer, primary_recipients: json.primary_recipients, items: json.items, amount: { currency_code: "EUR", value: (total / 100).toFixed(2) } };
          invoices.set(invoice.id, invoice);
          return { status: 201, body: invoice };
        }
        const showMatch = /^\/v2\/invoicing\/invoices\/([^/]+)$/.exec(url.pathname);
        if (req.method === "GET" && showMatch !== null) {
          const invoice = invoices.get(decodeURIComponent(showMatch[1]!));
          return invoice === undefined ? error(404, "RESOURCE_NOT_FOUND", "The specified resource does not exist.") : { status: 200, body: invoice };
        }
        const sendMatch = /^\/v2\/invoicing\/invoices\/([^/]+)\/send$/.exec(url.pathname);
        if (req.method === "POST" && sendMatch !== null) {
          const invoice = invoices.get(decodeURIComponent(sendMatch[1]!));
          if (invoice === undefined) return error(404, "RESOURCE_NOT_FOUND", "The specified resource does not exist.");
          if (invoice.status !== "DRAFT") return error(422, "UNPROCESSABLE_ENTITY", "Invoice is already sent (CANT_SEND_INVOICE).");
          invoice.status = "SENT";
          return { status: 200, body: { rel: "payer-view", href: `https://www.paypal.com/invoice/p/#${invoice.id}`, method: "GET" } };
        }
        return error(404, "RESOURCE_NOT_FOUND", `No route for ${req.method} ${url.pathname}`);
      })();
      if (requestId !== undefined && req.method === "POST") replies.set(requestId, reply);
      send(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, calls, invoices, drop, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
