/**
 * A local stand-in for GitLab's REST API (`/api/v4`, `PRIVATE-TOKEN`) in the shapes its API
 * documentation gives: `GET /runners/all` (administrators only; `type=instance_type` filters)
 * and `GET /runners/:id/jobs` (`order_by=id`, `sort=asc|desc`), both paged by `page` and
 * `per_page` (at most 100) with the `X-Page`, `X-Per-Page`, `X-Total` and `X-Next-Page`
 * headers. Jobs carry `id`, `status`, `name`, `created_at`, `started_at`, `finished_at`,
 * `duration` (seconds, a float; null before a job starts), `user` and `project`. A token
 * that is not the administrator's is 403 on `/runners/all`, an unknown one 401.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface GitlabJob {
  id: number;
  status: "created" | "pending" | "running" | "success" | "failed" | "canceled";
  name: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration: number | null;
  user: { id: number; username: string; name: string; state: string } | null;
  project: { id: number; name: string; path_with_namespace: string };
}

export interface GitlabRunner {
  id: number;
  description: string;
  runner_type: "instance_type" | "group_type" | "project_type";
  jobs: GitlabJob[];
}

export interface GitlabStandIn {
  readonly url: string;
  readonly runners: GitlabRunner[];
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startGitlabStandIn(adminToken: string, userToken: string): Promise<GitlabStandIn> {
  const state = { runners: [] as GitlabRunner[], requests: [] as string[] };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://stand-in");
    state.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    const token = req.headers["private-token"];
    if (token !== adminToken && token !== userToken) return send(401, { message: "401 Unauthorized" });
    const paged = <T>(items: readonly T[]) => {
      const perPage = Math.min(Number(url.searchParams.get("per_page") ?? "20"), 100);
      const page = Number(url.searchParams.get("page") ?? "1");
      const slice = items.slice((page - 1) * perPage, page * perPage);
      const next = page * perPage < items.length ? String(page + 1) : "";
      send(200, slice, { "x-page": String(page), "x-per-page": String(perPage), "x-total": String(items.length), "x-next-page": next });
    };
    if (req.method === "GET" && url.pathname === "/api/v4/runners/all") {
      if (token !== adminToken) return send(403, { message: "403 Forbidden" });
      const type = url.searchParams.get("type");
      return paged(state.runners.filter((r) => type === null || r.runner_type === type).map(({ jobs: _jobs, ...runner }) => ({ ...runner, active: true, paused: false, is_shared: runner.runner_type === "instance_type", status: "online" })));
    }
    const jobs = /^\/api\/v4\/runners\/(\d+)\/jobs$/.exec(url.pathname);
    if (req.method === "GET" && jobs !== null) {
      const runner = state.runners.find((r) => r.id === Number(jobs[1]));
      if (runner === undefined) return send(404, { message: "404 Runner Not Found" });
      const sorted = [...runner.jobs].sort((a, b) => (url.searchParams.get("sort") === "asc" ? a.id - b.id : b.id - a.id));
      return paged(sorted);
    }
    send(404, { message: "404 Not Found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    runners: state.runners,
    requests: state.requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
