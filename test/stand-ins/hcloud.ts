/**
 * A local stand-in for the Hetzner Cloud API's price list, as its API reference shows it:
 * `GET /v1/pricing` with `Authorization: Bearer <token>`, answering `{pricing: {currency,
 * vat_rate, primary_ips, floating_ips, image, volume, server_backup, server_types,
 * load_balancer_types}}` with net and gross amounts as decimal strings; a wrong token is 401
 * with the API's error object.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface HcloudStandIn {
  /** Base URL, as HCLOUD_ENDPOINT takes it (…/v1). */
  readonly url: string;
  readonly token: string;
  /** What GET /v1/pricing answers (replace it to change prices). */
  body: unknown;
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startHcloudStandIn(body: unknown, token = "stand-in-hcloud-token-0123456789"): Promise<HcloudStandIn> {
  const requests: string[] = [];
  const state = { body };
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(typeof payload === "string" ? payload : JSON.stringify(payload));
    };
    if (req.headers.authorization !== `Bearer ${token}`) return send(401, { error: { code: "unauthorized", message: "unable to authenticate", details: {} } });
    if (req.method !== "GET" || req.url !== "/v1/pricing") return send(404, { error: { code: "not_found", message: "not found", details: {} } });
    return send(200, state.body);
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
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
