/**
 * A local stand-in for the Hetzner Cloud API's price list and server types, as its API reference
 * shows them: `GET /v1/pricing` with `Authorization: Bearer <token>`, answering `{pricing:
 * {currency, vat_rate, primary_ips, floating_ips, image, volume, server_backup, server_types,
 * load_balancer_types}}` with net and gross amounts as decimal strings; `GET /v1/server_types`
 * paged (`page`, `per_page`, at most two a page here so paging is exercised) with
 * `meta.pagination`; a wrong token is 401 with the API's error object.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface HcloudStandIn {
  /** Base URL, as HCLOUD_ENDPOINT takes it (…/v1). */
  readonly url: string;
  readonly token: string;
  /** What GET /v1/pricing answers (replace it to change prices). */
  body: unknown;
  /** What GET /v1/server_types pages through. */
  serverTypes: unknown[];
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startHcloudStandIn(body: unknown, serverTypes: unknown[] = [], token = "stand-in-hcloud-token-0123456789"): Promise<HcloudStandIn> {
  const requests: string[] = [];
  const state = { body, serverTypes };
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(typeof payload === "string" ? payload : JSON.stringify(payload));
    };
    if (req.headers.authorization !== `Bearer ${token}`) return send(401, { error: { code: "unauthorized", message: "unable to authenticate", details: {} } });
    const url = new URL(req.url ?? "/", "http://hcloud");
    if (req.method === "GET" && url.pathname === "/v1/pricing") return send(200, state.body);
    if (req.method === "GET" && url.pathname === "/v1/server_types") {
      const perPage = Math.min(2, Number(url.searchParams.get("per_page") ?? 25));
      const page = Number(url.searchParams.get("page") ?? 1);
      const last = Math.max(1, Math.ceil(state.serverTypes.length / perPage));
      return send(200, {
        server_types: state.serverTypes.slice((page - 1) * perPage, page * perPage),
        meta: { pagination: { page, per_page: perPage, previous_page: page > 1 ? page - 1 : null, next_page: page < last ? page + 1 : null, last_page: last, total_entries: state.serverTypes.length } },
      });
    }
    return send(404, { error: { code: "not_found", message: "not found", details: {} } });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    token,
    get body() {
      return state.body;
    },
    set body(value: unknown) {
      state.body = value;
    },
    get serverTypes() {
      return state.serverTypes;
    },
    set serverTypes(value: unknown[]) {
      state.serverTypes = value;
    },
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
