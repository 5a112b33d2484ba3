/**
 * A local stand-in for n8n's public REST API (`/api/v1`, `X-N8N-API-KEY`) in the shapes its
 * OpenAPI document gives: `GET /users` and `GET /executions` are `{data, nextCursor}` pages
 * (`limit`, `cursor`; executions newest first, `includeData=false` leaves out the run data),
 * `GET /workflows/{id}` is the workflow with `shared` (the owning project: role
 * `workflow:owner`, `project.type` personal or team, `creatorId`), 404 for one that is gone.
 * A wrong key is 401. The test changes `executions` and `workflows` between runs.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface N8nExecution {
  id: string;
  finished: boolean;
  mode: string;
  retryOf: string | null;
  retrySuccessId: string | null;
  startedAt: string;
  stoppedAt: string | null;
  workflowId: string;
  waitTill: string | null;
  status: string;
}

export interface N8nWorkflow {
  id: string;
  name: string;
  /** The owning project. */
  project: { id: string; name: string; type: "personal" | "team"; creatorId?: string };
}

export interface N8nStandIn {
  readonly url: string;
  readonly users: { id: string; email: string; firstName: string; lastName: string; isPending: boolean; createdAt: string; updatedAt: string }[];
  readonly workflows: Map<string, N8nWorkflow>;
  /** Oldest first; served newest first. */
  readonly executions: N8nExecution[];
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startN8nStandIn(apiKey: string): Promise<N8nStandIn> {
  const state = { users: [] as N8nStandIn["users"], workflows: new Map<string, N8nWorkflow>(), executions: [] as N8nExecution[], requests: [] as string[] };
  const page = <T>(items: readonly T[], url: URL) => {
    const limit = Math.min(Number(url.searchParams.get("limit") ?? "100"), 250);
    const cursor = url.searchParams.get("cursor");
    const offset = cursor === null ? 0 : (JSON.parse(Buffer.from(cursor, "base64").toString("utf8")) as { offset: number }).offset;
    const data = items.slice(offset, offset + limit);
    const next = offset + limit < items.length ? Buffer.from(JSON.stringify({ limit, offset: offset + limit })).toString("base64") : null;
    return { data, nextCursor: next };
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://n8n");
    state.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify(body));
    };
    if (req.headers["x-n8n-api-key"] !== apiKey) return send(401, { message: "unauthorized" });
    if (req.method !== "GET") return send(405, { message: "method not allowed" });
    if (url.pathname === "/api/v1/users") return send(200, page(state.users, url));
    if (url.pathname === "/api/v1/executions") {
      const newestFirst = [...state.executions].sort((a, b) => Number(b.id) - Number(a.id));
      return send(200, page(newestFirst, url));
    }
    const workflow = /^\/api\/v1\/workflows\/([^/]+)$/.exec(url.pathname);
    if (workflow !== null) {
      const found = state.workflows.get(decodeURIComponent(workflow[1]!));
      if (found === undefined) return send(404, { message: "Not Found" });
      const at = "2026-11-01T09:00:00.000Z";
      return send(200, {
        id: found.id,
        name: found.name,
        active: true,
        createdAt: at,
        updatedAt: at,
        nodes: [],
        connections: {},
        settings: { executionOrder: "v1" },
        tags: [],
        shared: [{ role: "workflow:owner", workflowId: found.id, projectId: found.project.id, project: found.project, createdAt: at, updatedAt: at }],
      });
    }
    send(404, { message: "Not Found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ...state,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
