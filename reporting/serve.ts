/**
 * `aiwc serve`: the admin page live from the ledger, read-only. Every request must carry the
 * admin token (AIWC_ADMIN_TOKEN) as `Authorization: Bearer <token>` or as the password of HTTP
 * basic auth (any user name, so a browser's login prompt works); anything else is 401. The
 * token is compared in constant time and never logged (the log has method, path, status and
 * time only). GET and HEAD only.
 *
 * - `/` and `/?month=YYYY-MM` — the page (the current month by default);
 * - `/report.json?month=YYYY-MM` — the report's JSON.
 *
 * The ledger is opened for each request and closed after it, so the embedded ledger is free
 * for `aiwc usage import`, `aiwc record` or `aiwc bill` between requests.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { chmodSync, existsSync, unlinkSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "../model/load";
import type { Ledger } from "../billing/ledger";
import { monthlyReport } from "./monthly";
import { monthlyPage } from "./page";

export interface ServeOptions {
  readonly config: Config;
  readonly token: string;
  readonly openLedger: () => Promise<Ledger>;
  readonly host?: string;
  readonly port?: number;
  /** A Unix socket to listen on instead (Caddy on the service node proxies to it). */
  readonly socket?: string;
  readonly log?: (line: string) => void;
  readonly now?: () => Date;
}

export interface Serving {
  readonly url: string;
  close(): Promise<void>;
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/** The token the request carries (Bearer, or basic auth's password), if any. */
function presented(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization ?? "";
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer !== null) return bearer[1];
  const basic = /^Basic\s+(\S+)$/i.exec(header);
  if (basic !== null) {
    const decoded = Buffer.from(basic[1]!, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return colon < 0 ? undefined : decoded.slice(colon + 1);
  }
  return undefined;
}

export async function serve(options: ServeOptions): Promise<Serving> {
  const expected = digest(options.token);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const authorised = (req: IncomingMessage): boolean => {
    const token = presented(req);
    // Equal-length digests: the comparison takes the same time whatever was sent.
    return token !== undefined && timingSafeEqual(digest(token), expected);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<number> => {
    const send = (status: number, type: string, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff", "referrer-policy": "no-referrer", ...headers });
      res.end(req.method === "HEAD" ? undefined : body);
      return status;
    };
    if (!authorised(req)) return send(401, "text/plain; charset=utf-8", "the admin token is required (AIWC_ADMIN_TOKEN: Authorization: Bearer …, or as the basic-auth password)\n", { "www-authenticate": 'Basic realm="aiwc", charset="UTF-8"' });
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "text/plain; charset=utf-8", "read-only: GET and HEAD only\n", { allow: "GET, HEAD" });
    const url = new URL(req.url ?? "/", "http://aiwc");
    if (url.pathname !== "/" && url.pathname !== "/report.json") return send(404, "text/plain; charset=utf-8", "not found\n");
    const month = url.searchParams.get("month") ?? now().toISOString().slice(0, 7);
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) return send(400, "text/plain; charset=utf-8", `month must be YYYY-MM, got "${month.slice(0, 20)}"\n`);
    const ledger = await options.openLedger();
    try {
      const report = await monthlyReport(options.config, ledger, month, now());
      return url.pathname === "/report.json" ? send(200, "application/json", `${JSON.stringify(report, null, 2)}\n`) : send(200, "text/html; charset=utf-8", monthlyPage(report));
    } finally {
      await ledger.close();
    }
  };
  const server: Server = createServer((req, res) => {
    const started = performance.now();
    const path = (req.url ?? "/").split("?")[0];
    handle(req, res).then(
      (status) => log(`${new Date().toISOString()} ${req.method} ${path} ${status} ${Math.round(performance.now() - started)} ms`),
      (error: Error) => {
        log(`${new Date().toISOString()} ${req.method} ${path} 500: ${error.message}`);
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end("the report failed; see the server's log\n");
      },
    );
  });
  const socket = options.socket;
  if (socket !== undefined && existsSync(socket)) unlinkSync(socket); // a stale socket of a stopped server
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    if (socket !== undefined) server.listen(socket, () => resolve());
    else server.listen(options.port ?? 8080, options.host ?? "127.0.0.1", () => resolve());
  });
  // The proxy in front (Caddy, in its container) connects as another user; the token still guards every request.
  if (socket !== undefined) chmodSync(socket, 0o666);
  const address = server.address();
  return {
    url: typeof address === "string" ? `unix:${address}` : `http://${(address as AddressInfo).address}:${(address as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
