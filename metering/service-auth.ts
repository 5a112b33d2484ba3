/**
 * The services' key check (`aiwc meter auth`): what Caddy's `forward_auth` asks before a call
 * reaches a metered service (Qdrant, Supabase). It answers, for the key the caller sent:
 *
 * - 200 with `X-Aiwc-User: <user>` — a key in force whose user's tariff and packs include the
 *   meter's feature. Caddy copies the header onto the request (a header the client sent
 *   itself is removed by `copy_headers`) and writes it into its JSON access log with the
 *   meter, where `aiwc meter access-log` counts the calls.
 * - 401 — no aiwc key, or a key not in force; 403 — a user the tariff does not sell the
 *   service to; 400 — a `meter` the tariffs do not know (a Caddyfile mistake, never the
 *   caller's).
 *
 * The key is the user's aiwc key (`aiwc usage key create`, the same the GPU gateway takes),
 * checked against the hashed key file: `api-key` (Qdrant's clients), `apikey` (Supabase's)
 * or `Authorization: Bearer aiwc_…` (a Supabase session's JWT in Authorization is left alone).
 * The services' own keys stay on the node; Caddy puts them on the request after this check.
 */
import { chmodSync, existsSync, unlinkSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "../model/load";
import { entitlement } from "./entitlement";
import { hashKey, KEY_PREFIX, type KeyFile } from "./keys";

export const USER_HEADER = "x-aiwc-user";

export type Listen = { readonly host: string; readonly port: number } | { readonly socket: string };

export interface ServiceAuthOptions {
  readonly config: Config;
  readonly keys: KeyFile;
  readonly listen: Listen;
}

export interface ServiceAuth {
  /** `http://host:port`, or `unix:<path>`. */
  readonly address: string;
  close(): Promise<void>;
}

/** The aiwc key a call carries, if any. */
export function presentedKey(req: IncomingMessage): string | undefined {
  for (const name of ["api-key", "apikey"]) {
    const value = req.headers[name];
    if (typeof value === "string" && value.startsWith(KEY_PREFIX)) return value.trim();
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
  return bearer?.startsWith(KEY_PREFIX) ? bearer : undefined;
}

function reply(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: message }));
}

export async function startServiceAuth(options: ServiceAuthOptions): Promise<ServiceAuth> {
  const byHash = new Map(options.keys.keys.map((k) => [k.sha256, k.user]));
  const entitled = entitlement(options.config);
  const payg = options.config.tariffs.payg;
  const server: Server = createServer((req, res) => {
    req.resume();
    const meter = new URL(req.url ?? "/", "http://auth").searchParams.get("meter") ?? "";
    if (payg[meter] === undefined) return reply(res, 400, `meter "${meter}" is no PAYG meter of tariffs.yaml (the Caddyfile's forward_auth uri names it)`);
    const key = presentedKey(req);
    const user = key === undefined ? undefined : byHash.get(hashKey(key));
    if (user === undefined) return reply(res, 401, "an aiwc API key (api-key, apikey or Authorization: Bearer aiwc_…) is required");
    if (!entitled(user, meter)) return reply(res, 403, `${user}'s tariff and packs do not include ${payg[meter]!.feature ?? meter}`);
    res.writeHead(200, { [USER_HEADER]: user });
    res.end();
  });
  const listen = options.listen;
  if ("socket" in listen && existsSync(listen.socket)) unlinkSync(listen.socket); // a stale socket of a stopped check
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    if ("socket" in listen) server.listen(listen.socket, () => resolve());
    else server.listen(listen.port, listen.host, () => resolve());
  });
  // Caddy runs as another user (in its container): the socket is for whoever reaches its directory.
  if ("socket" in listen) chmodSync(listen.socket, 0o666);
  const bound = server.address();
  const address = typeof bound === "string" ? `unix:${bound}` : `http://${(bound as AddressInfo).address}:${(bound as AddressInfo).port}`;
  return {
    address,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
