/**
 * A local stand-in for Langfuse's public API daily metrics, as its API reference shows them:
 * `GET /api/public/metrics/daily` with Basic auth (a project's public and secret key), filtered
 * by `fromTimestamp`/`toTimestamp`, paged by `page` and `limit`, answering
 * `{data: [{date, countTraces, countObservations, totalCost, usage}], meta: {page, limit,
 * totalItems, totalPages}}`, newest day first. Wrong keys are 401.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface LangfuseDay {
  date: string;
  countTraces: number;
  countObservations: number;
}

export interface LangfuseStandIn {
  readonly url: string;
  /** publicKey → {secretKey, days} */
  readonly projects: Map<string, { secretKey: string; days: LangfuseDay[] }>;
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startLangfuseStandIn(): Promise<LangfuseStandIn> {
  const projects = new Map<string, { secretKey: string; days: LangfuseDay[] }>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://langfuse");
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const [user, secret] = Buffer.from((req.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString("utf8").split(":");
    const project = projects.get(user ?? "");
    if (project === undefined || project.secretKey !== secret) return send(401, { message: "Invalid credentials. Confirm that you've configured the correct host." });
    if (url.pathname !== "/api/public/metrics/daily") return send(404, { message: "Not found" });
    const from = url.searchParams.get("fromTimestamp");
    const to = url.searchParams.get("toTimestamp");
    const limit = Number(url.searchParams.get("limit") ?? "50");
    const pageNo = Number(url.searchParams.get("page") ?? "1");
    const rows = project.days
      .filter((d) => (from === null || `${d.date}T00:00:00.000Z` >= from) && (to === null || `${d.date}T00:00:00.000Z` < to))
      .sort((a, b) => (a.date < b.date ? 1 : -1))
      .map((d) => ({ ...d, totalCost: 0, usage: [] }));
    send(200, { data: rows.slice((pageNo - 1) * limit, pageNo * limit), meta: { page: pageNo, limit, totalItems: rows.length, totalPages: Math.ceil(rows.length / limit) } });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, projects, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
