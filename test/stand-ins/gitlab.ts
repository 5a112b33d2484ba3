/**
 * A local stand-in for GitLab's REST API (`/api/v4`, `PRIVATE-TOKEN`) in the shapes its API
 * documentation gives: `GET /runners/all` (administrators only; `type=instance_type` filters)
 * and `GET /runners/:id/jobs` (`order_by=id`, `sort=asc|desc`), both paged by `page` and
 * `per_page` (at most 100) with the `X-Page`, `X-Per-Page`, `X-Total` and `X-Next-Page`
 * headers. Jobs carry `id`, `status`, `name`, `created_at`, `started_at`, `finished_at`,
 * `duration` (seconds, a float; null before a job starts), `user` and `project`. A token
 * that is not the administrator's is 403 on `/runners/all`, an unknown one 401.
 *
 * The accounts side, as python-gitlab (and so community.general's gitlab_* modules) calls it:
 * `GET /user`; users (`GET /users?username=|search=|active=true|blocked=true`, `POST /users`,
 * `GET|PUT /users/:id` with the administrator's `note`, `POST /users/:id/block|unblock`
 * answering `true`), their SSH keys (`GET|POST /users/:id/keys`, `DELETE /users/:id/keys/:key_id`), groups
 * (`GET /groups?search=`, `GET /groups/:id|:url-encoded-path`, `GET /groups/:id/subgroups`,
 * `POST /groups`, `PUT /groups/:id`) and their direct members (`GET|POST /groups/:id/members`,
 * `GET|PUT|DELETE /groups/:id/members/:user_id`, access levels 10–50). Lists are paged with
 * `X-Next-Page` and a `Link: <…>; rel="next"` header, as GitLab does; bodies are JSON or form
 * encoded. Conflicts are 409 (`Username has already been taken`, `Member already exists`), a
 * key already on the user 400, unknown objects 404. Every mutating request is recorded.
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
  /** A group runner's group (full path). */
  group?: string;
  jobs: GitlabJob[];
}

export interface GitlabUser {
  id: number;
  username: string;
  name: string;
  email: string;
  state: "active" | "blocked";
  is_admin: boolean;
  bot: boolean;
  /** The administrators' note on the account (admin-only field). */
  note: string | null;
  external: boolean;
  identities: unknown[];
  keys: { id: number; title: string; key: string; created_at: string }[];
}

export interface GitlabMember {
  id: number;
  access_level: number;
}

export interface GitlabGroup {
  id: number;
  name: string;
  path: string;
  full_path: string;
  parent_id: number | null;
  visibility: string;
  description: string;
  project_creation_level: string;
  subgroup_creation_level: string;
  auto_devops_enabled: boolean | null;
  require_two_factor_authentication: boolean;
  members: GitlabMember[];
}

export interface GitlabStandIn {
  readonly url: string;
  readonly runners: GitlabRunner[];
  readonly users: GitlabUser[];
  readonly groups: GitlabGroup[];
  readonly requests: string[];
  /** POST, PUT and DELETE requests only, as "METHOD /path". */
  readonly changes: string[];
  /** The group at this full path, made (owned by root) if it does not exist. */
  group(fullPath: string): GitlabGroup;
  close(): Promise<void>;
}

const ROOT_USER: GitlabUser = { id: 1, username: "root", name: "Administrator", email: "admin@example.com", state: "active", is_admin: true, bot: false, note: null, external: false, identities: [], keys: [] };

export async function startGitlabStandIn(adminToken: string, userToken: string): Promise<GitlabStandIn> {
  const state = { runners: [] as GitlabRunner[], users: [structuredClone(ROOT_USER)] as GitlabUser[], groups: [] as GitlabGroup[], requests: [] as string[], changes: [] as string[] };
  let nextId = 100;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handle(req, res, Buffer.concat(chunks).toString("utf8")));
  });
  const handle = (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse, raw: string) => {
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "stand-in"}`);
    state.requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (req.method !== "GET") state.changes.push(`${req.method} ${url.pathname}`);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(status === 204 ? undefined : JSON.stringify(body));
    };
    // The sign-in page answers once GitLab is up (what a deploy waits for), without a token.
    if (req.method === "GET" && url.pathname === "/users/sign_in") {
      res.writeHead(200, { "content-type": "text/html" });
      return res.end("<!DOCTYPE html><title>Sign in · GitLab</title>");
    }
    const token = req.headers["private-token"];
    if (token !== adminToken && token !== userToken) return send(401, { message: "401 Unauthorized" });
    const paged = <T>(items: readonly T[]) => {
      const perPage = Math.min(Number(url.searchParams.get("per_page") ?? "20"), 100);
      const page = Number(url.searchParams.get("page") ?? "1");
      const slice = items.slice((page - 1) * perPage, page * perPage);
      const next = page * perPage < items.length ? String(page + 1) : "";
      const link = new URL(url);
      link.searchParams.set("page", next);
      link.searchParams.set("per_page", String(perPage));
      send(200, slice, { "x-page": String(page), "x-per-page": String(perPage), "x-total": String(items.length), "x-next-page": next, ...(next !== "" ? { link: `<${link.href}>; rel="next"` } : {}) });
    };
    const body = (): Record<string, unknown> => {
      if (raw === "") return {};
      if ((req.headers["content-type"] ?? "").includes("json")) return JSON.parse(raw) as Record<string, unknown>;
      return Object.fromEntries(new URLSearchParams(raw));
    };
    if (accounts(req.method ?? "GET", url, body, send, paged, token === adminToken)) return;
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
  };

  const userJson = ({ keys: _keys, ...user }: GitlabUser) => ({ ...user, web_url: `https://gitlab.example/${user.username}` });
  const memberJson = (m: GitlabMember) => {
    const user = state.users.find((u) => u.id === m.id)!;
    return { id: user.id, username: user.username, name: user.name, state: user.state, access_level: m.access_level };
  };
  const groupJson = ({ members: _members, ...group }: GitlabGroup) => ({ ...group, web_url: `https://gitlab.example/groups/${group.full_path}` });
  const findGroup = (ref: string) => state.groups.find((g) => String(g.id) === ref || g.full_path === decodeURIComponent(ref));
  const LEVELS = new Set([10, 20, 30, 40, 50]);

  /** The accounts endpoints; false when the request is not one of them. */
  function accounts(
    method: string,
    url: URL,
    body: () => Record<string, unknown>,
    send: (status: number, body: unknown) => void,
    paged: <T>(items: readonly T[]) => void,
    admin: boolean,
  ): boolean {
    const reply = (status: number, json: unknown) => {
      send(status, json);
      return true;
    };
    const list = <T>(items: readonly T[]) => {
      paged(items);
      return true;
    };
    const path = url.pathname.replace(/^\/api\/v4/, "");
    const q = url.searchParams;
    let m: RegExpExecArray | null;
    if (method === "GET" && path === "/user") return reply(200, userJson(admin ? state.users[0]! : { ...ROOT_USER, id: 2, username: "someone", is_admin: false }));
    if (path === "/users" || path.startsWith("/users/") || path === "/groups" || path.startsWith("/groups/")) {
      if (!admin && method !== "GET") return reply(403, { message: "403 Forbidden" });
    } else return false;
    if (method === "GET" && path === "/users") {
      const username = q.get("username");
      const search = q.get("search")?.toLowerCase();
      // Booleans as GitLab's API parses them (python-gitlab sends Python's `True`).
      const yes = (name: string) => ["true", "1", "yes", "t", "y", "on"].includes((q.get(name) ?? "").toLowerCase());
      const wanted = yes("active") ? "active" : yes("blocked") ? "blocked" : undefined;
      return list(
        state.users
          .filter((u) => (username === null || u.username.toLowerCase() === username.toLowerCase()) && (search === undefined || [u.username, u.name, u.email].some((f) => f.toLowerCase().includes(search))) && (wanted === undefined || u.state === wanted))
          .map(userJson),
      );
    }
    if (method === "POST" && path === "/users") {
      const b = body();
      for (const field of ["name", "username", "email"]) if (typeof b[field] !== "string" || b[field] === "") return reply(400, { message: { [field]: ["can't be blank"] } });
      if (b.password === undefined && b.reset_password !== true && b.reset_password !== "true" && b.force_random_password !== true && b.force_random_password !== "true") return reply(400, { error: "password, reset_password, force_random_password are missing, at least one parameter must be provided" });
      if (state.users.some((u) => u.username.toLowerCase() === String(b.username).toLowerCase())) return reply(409, { message: "Username has already been taken" });
      if (state.users.some((u) => u.email.toLowerCase() === String(b.email).toLowerCase())) return reply(409, { message: "Email has already been taken" });
      const user: GitlabUser = { id: nextId++, username: String(b.username), name: String(b.name), email: String(b.email), state: "active", is_admin: b.admin === true || b.admin === "true", bot: false, note: null, external: b.external === true || b.external === "true", identities: [], keys: [] };
      state.users.push(user);
      return reply(201, userJson(user));
    }
    if ((m = /^\/users\/(\d+)$/.exec(path)) !== null) {
      const user = state.users.find((u) => u.id === Number(m![1]));
      if (user === undefined) return reply(404, { message: "404 User Not Found" });
      if (method === "GET") return reply(200, userJson(user));
      if (method === "PUT") {
        const b = body();
        if (typeof b.name === "string") user.name = b.name;
        if (typeof b.email === "string") user.email = b.email;
        if (b.admin !== undefined) user.is_admin = b.admin === true || b.admin === "true";
        if (b.external !== undefined) user.external = b.external === true || b.external === "true";
        if (typeof b.note === "string") user.note = b.note;
        return reply(200, userJson(user));
      }
    }
    if (method === "POST" && (m = /^\/users\/(\d+)\/(block|unblock)$/.exec(path)) !== null) {
      const user = state.users.find((u) => u.id === Number(m![1]));
      if (user === undefined) return reply(404, { message: "404 User Not Found" });
      user.state = m[2] === "block" ? "blocked" : "active";
      return reply(201, true);
    }
    if ((m = /^\/users\/(\d+)\/keys(?:\/(\d+))?$/.exec(path)) !== null) {
      const user = state.users.find((u) => u.id === Number(m![1]));
      if (user === undefined) return reply(404, { message: "404 User Not Found" });
      if (method === "GET" && m[2] === undefined) return list(user.keys);
      if (method === "POST" && m[2] === undefined) {
        const b = body();
        if (typeof b.title !== "string" || typeof b.key !== "string") return reply(400, { message: "title and key are required" });
        if (user.keys.some((k) => k.key.split(" ").slice(0, 2).join(" ") === String(b.key).split(" ").slice(0, 2).join(" "))) return reply(400, { message: { fingerprint_sha256: ["has already been taken"] } });
        const key = { id: nextId++, title: b.title, key: b.key, created_at: new Date().toISOString() };
        user.keys.push(key);
        return reply(201, key);
      }
      if (method === "DELETE" && m[2] !== undefined) {
        const index = user.keys.findIndex((k) => k.id === Number(m![2]));
        if (index < 0) return reply(404, { message: "404 Key Not Found" });
        user.keys.splice(index, 1);
        return reply(204, null);
      }
    }
    // Without `parent`, GitLab searches a group's full path (its route) and name.
    if (method === "GET" && path === "/groups") {
      const search = q.get("search")?.toLowerCase();
      return list(state.groups.filter((g) => search === undefined || g.full_path.toLowerCase().includes(search) || g.name.toLowerCase().includes(search)).map(groupJson));
    }
    if (method === "POST" && path === "/groups") {
      const b = body();
      if (typeof b.name !== "string" || typeof b.path !== "string") return reply(400, { message: "name and path are required" });
      const parent = b.parent_id !== undefined && b.parent_id !== null && b.parent_id !== "" ? state.groups.find((g) => g.id === Number(b.parent_id)) : undefined;
      if (b.parent_id !== undefined && b.parent_id !== null && b.parent_id !== "" && parent === undefined) return reply(404, { message: "404 Parent Group Not Found" });
      const fullPath = parent !== undefined ? `${parent.full_path}/${b.path}` : b.path;
      if (state.groups.some((g) => g.full_path === fullPath)) return reply(400, { message: "Failed to save group {:path=>[\"has already been taken\"]}" });
      const group: GitlabGroup = {
        id: nextId++, name: b.name, path: b.path, full_path: fullPath, parent_id: parent?.id ?? null,
        visibility: typeof b.visibility === "string" ? b.visibility : "private", description: typeof b.description === "string" ? b.description : "",
        project_creation_level: typeof b.project_creation_level === "string" ? b.project_creation_level : "developer",
        subgroup_creation_level: typeof b.subgroup_creation_level === "string" ? b.subgroup_creation_level : "maintainer",
        auto_devops_enabled: b.auto_devops_enabled === undefined ? null : b.auto_devops_enabled === true || b.auto_devops_enabled === "true",
        require_two_factor_authentication: false,
        // The creator owns a new group (a subgroup inherits its parent's owners instead).
        members: parent === undefined ? [{ id: 1, access_level: 50 }] : [],
      };
      state.groups.push(group);
      return reply(201, groupJson(group));
    }
    if ((m = /^\/groups\/([^/]+)(\/.*)?$/.exec(path)) !== null) {
      const group = findGroup(m[1]!);
      if (group === undefined) return reply(404, { message: "404 Group Not Found" });
      const rest = m[2] ?? "";
      if (rest === "" && method === "GET") return reply(200, groupJson(group));
      if (rest === "" && method === "PUT") {
        const b = body();
        for (const field of ["name", "description", "visibility", "project_creation_level", "subgroup_creation_level"] as const) if (typeof b[field] === "string") group[field] = b[field];
        if (b.auto_devops_enabled !== undefined) group.auto_devops_enabled = b.auto_devops_enabled === true || b.auto_devops_enabled === "true";
        if (b.require_two_factor_authentication !== undefined) group.require_two_factor_authentication = b.require_two_factor_authentication === true || b.require_two_factor_authentication === "true";
        return reply(200, groupJson(group));
      }
      // A group's runners (group owners and administrators): `type` filters.
      if (rest === "/runners" && method === "GET") {
        if (!admin) return reply(403, { message: "403 Forbidden" });
        const type = q.get("type");
        return list(state.runners.filter((r) => r.runner_type === "group_type" && r.group === group.full_path && (type === null || r.runner_type === type)).map(({ jobs: _jobs, ...runner }) => ({ ...runner, active: true, paused: false, is_shared: false, status: "online" })));
      }
      if (rest === "/subgroups" && method === "GET") return list(state.groups.filter((g) => g.parent_id === group.id).map(groupJson));
      if (rest === "/members" && method === "GET") return list(group.members.map(memberJson));
      if (rest === "/members" && method === "POST") {
        const b = body();
        const userId = Number(b.user_id);
        const level = Number(b.access_level);
        if (!state.users.some((u) => u.id === userId)) return reply(404, { message: "404 User Not Found" });
        if (!LEVELS.has(level)) return reply(400, { message: "access_level does not have a valid value" });
        if (group.members.some((x) => x.id === userId)) return reply(409, { message: "Member already exists" });
        group.members.push({ id: userId, access_level: level });
        return reply(201, memberJson({ id: userId, access_level: level }));
      }
      const member = /^\/members\/(\d+)$/.exec(rest);
      if (member !== null) {
        const index = group.members.findIndex((x) => x.id === Number(member[1]));
        if (index < 0) return reply(404, { message: "404 Member Not Found" });
        if (method === "GET") return reply(200, memberJson(group.members[index]!));
        if (method === "PUT") {
          const level = Number(body().access_level);
          if (!LEVELS.has(level)) return reply(400, { message: "access_level does not have a valid value" });
          group.members[index]!.access_level = level;
          return reply(200, memberJson(group.members[index]!));
        }
        if (method === "DELETE") {
          group.members.splice(index, 1);
          return reply(204, null);
        }
      }
    }
    return reply(404, { message: "404 Not Found" });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    runners: state.runners,
    users: state.users,
    groups: state.groups,
    requests: state.requests,
    changes: state.changes,
    group: (fullPath: string) => {
      const found = state.groups.find((g) => g.full_path === fullPath);
      if (found !== undefined) return found;
      const path = fullPath.split("/").pop()!;
      const group: GitlabGroup = { id: nextId++, name: path, path, full_path: fullPath, parent_id: null, visibility: "private", description: "", project_creation_level: "developer", subgroup_creation_level: "maintainer", auto_devops_enabled: null, require_two_factor_authentication: false, members: [{ id: 1, access_level: 50 }] };
      state.groups.push(group);
      return group;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
