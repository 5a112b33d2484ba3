/**
 * The metered services behind Caddy: the key check Caddy's forward_auth asks
 * (metering/service-auth.ts, `aiwc meter auth`) and the collector that counts the calls from
 * Caddy's JSON access log (metering/access-log.ts, `aiwc meter access-log`), on a recorded log
 * in Caddy 2.10's access-log format (test/fixtures/caddy/access.log) with the two fields the
 * services role appends (aiwc_meter, aiwc_user).
 */
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { collectAccessLog } from "../metering/access-log";
import { hashKey, type KeyFile } from "../metering/keys";
import { startServiceAuth, type ServiceAuth } from "../metering/service-auth";
import { collectN8n } from "../metering/n8n";
import { collectLangfuse, readProjects } from "../metering/langfuse";
import { startN8nStandIn, type N8nExecution, type N8nStandIn } from "./stand-ins/n8n";
import { startLangfuseStandIn, type LangfuseStandIn } from "./stand-ins/langfuse";
import { Spool, spoolFiles } from "../metering/spool";
import { readUsage } from "../billing/usage";
import { loadConfig } from "../model/load";
import { execFile, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { DEFAULT_CONFIG, ROOT, tempDir } from "./helpers";

const aiwc = (args: string[]) => spawnSync(process.execPath, [join(ROOT, "bin", "aiwc.cjs"), ...args], { encoding: "utf8" });
/** The CLI without blocking this process (whose stand-in servers must keep answering). */
const aiwcAsync = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [join(ROOT, "bin", "aiwc.cjs"), ...args], { encoding: "utf8", env: { ...process.env, ...env } }, (error, stdout, stderr) => resolve({ status: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr }));
  });
/** A port nothing listens on. */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

const config = loadConfig(DEFAULT_CONFIG);
const RECORDED = join(ROOT, "test", "fixtures", "caddy", "access.log");
const KEYS = { julia: "aiwc_julia-key", ben: "aiwc_ben-key" } as const;
const keys: KeyFile = { version: 1, keys: Object.entries(KEYS).map(([user, key]) => ({ sha256: hashKey(key), user })) };

describe("the services' key check (forward_auth)", () => {
  let auth: ServiceAuth;
  let socket: string;
  beforeAll(async () => {
    socket = join(tempDir("aiwc-auth-"), "auth.sock");
    writeFileSync(socket, ""); // a stale file where the socket goes is replaced
    auth = await startServiceAuth({ config, keys, listen: { socket } });
  });
  afterAll(async () => auth?.close());

  /** A forward_auth call as Caddy makes it: GET on the configured uri with the client's headers. */
  const check = (meter: string, headers: Record<string, string>) =>
    new Promise<{ status: number; user: string | undefined; body: string }>((resolve, reject) => {
      const req = request({ socketPath: socket, path: `/check?meter=${meter}`, method: "GET", headers: { "x-forwarded-method": "POST", "x-forwarded-uri": "/collections/notes/points/query", ...headers } }, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, user: res.headers["x-aiwc-user"] as string | undefined, body }));
      });
      req.on("error", reject);
      req.end();
    });

  test("a user's key whose packs sell the service: 200 and the user, from api-key, apikey or a Bearer aiwc key", async () => {
    expect(auth.address).toBe(`unix:${socket}`);
    expect(await check("qdrant_queries", { "api-key": KEYS.julia })).toMatchObject({ status: 200, user: "julia" });
    expect(await check("supabase_calls", { apikey: KEYS.julia, authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.session.jwt" })).toMatchObject({ status: 200, user: "julia" });
    expect(await check("supabase_calls", { authorization: `Bearer ${KEYS.julia}` })).toMatchObject({ status: 200, user: "julia" });
  });

  test("no key, a wrong key or a Supabase JWT alone: 401; a tariff that does not sell it: 403; an unknown meter: 400", async () => {
    expect(await check("qdrant_queries", {})).toMatchObject({ status: 401, user: undefined });
    expect(await check("qdrant_queries", { "api-key": "aiwc_not-a-key" })).toMatchObject({ status: 401 });
    expect(await check("supabase_calls", { authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.session.jwt" })).toMatchObject({ status: 401 });
    // ben has Pro (GPU) only, no Team pack: Qdrant is not his.
    const refused = await check("qdrant_queries", { "api-key": KEYS.ben });
    expect(refused).toMatchObject({ status: 403, user: undefined });
    expect(refused.body).toContain("ben's tariff and packs do not include qdrant-shared");
    expect(await check("gitlab_minutes", { "api-key": KEYS.julia })).toMatchObject({ status: 400 });
  });
});

describe("calls counted from Caddy's access log", () => {
  const events = (spoolDir: string) => spoolFiles(spoolDir).flatMap((f) => f.text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Record<string, unknown>));

  function setup() {
    const dir = tempDir("aiwc-access-");
    const logDir = join(dir, "logs");
    const log = join(logDir, "access.log");
    const spoolDir = join(dir, "spool");
    const spool = new Spool(spoolDir);
    mkdirSync(logDir);
    copyFileSync(RECORDED, log);
    return { dir, log, spoolDir, spool, cursor: join(dir, "cursor.json") };
  }

  test("per user, meter and hour once the hour is over; refused calls, 5xx and other sites are not counted; the rest waits in the cursor", () => {
    const { log, spool, spoolDir, cursor } = setup();
    const result = collectAccessLog({ config, spool, log, cursor, source: "caddy:svc-1", now: new Date("2026-11-29T11:00:30Z") });
    // 11:00:30 is within the minute of grace: the 10 o'clock hour is not over yet.
    expect(result.events).toEqual([]);
    expect(result).toMatchObject({ files: 1, lines: 9, counted: 5, open: 5, strangers: ["mallory"] });
    expect(result.skipped).toEqual({ "refused (no user)": 1, "not a metered call": 1, "service error (5xx)": 1, "user not in users.yaml": 1 });

    const later = collectAccessLog({ config, spool, log, cursor, source: "caddy:svc-1", now: new Date("2026-11-29T11:05:00Z") });
    expect(later.lines).toBe(0); // nothing read twice
    expect(later.events).toEqual([
      { source: "caddy:svc-1", id: "qdrant_queries:julia:2026-11-29T10", time: "2026-11-29T10:00:00Z", user: "julia", meter: "qdrant_queries", quantity: "2", detail: "calls in the hour from 2026-11-29T10:00 UTC (Caddy access log)" },
      { source: "caddy:svc-1", id: "supabase_calls:julia:2026-11-29T10", time: "2026-11-29T10:00:00Z", user: "julia", meter: "supabase_calls", quantity: "1", detail: "calls in the hour from 2026-11-29T10:00 UTC (Caddy access log)" },
      // A call the service answered with 400 is the user's: counted.
      { source: "caddy:svc-1", id: "supabase_calls:vera:2026-11-29T10", time: "2026-11-29T10:00:00Z", user: "vera", meter: "supabase_calls", quantity: "1", detail: "calls in the hour from 2026-11-29T10:00 UTC (Caddy access log)" },
    ]);
    expect(later.open).toBe(1); // julia's 11 o'clock call
    spool.close();
    // The spooled events are usage events the ledger takes.
    const file = spoolFiles(spoolDir)[0]!;
    expect(readUsage(file.text, file.file, config, new Date("2026-11-29T12:00:00Z"))).toHaveLength(3);
  });

  test("rotation, a line being written, a crash before the cursor is saved: each call counted once", () => {
    const { log, spool, spoolDir, cursor } = setup();
    const lines = readFileSync(RECORDED, "utf8").split("\n").filter((l) => l !== "");
    writeFileSync(log, `${lines.slice(0, 2).join("\n")}\n${lines[2]!.slice(0, 40)}`); // the third line half written
    collectAccessLog({ config, spool, log, cursor, now: new Date("2026-11-29T10:30:00Z"), source: "s" });
    const saved = readFileSync(cursor, "utf8");
    appendFileSync(log, `${lines[2]!.slice(40)}\n`);
    // Caddy rolls the file (a rename) and starts a new one.
    renameSync(log, log.replace(/\.log$/, "-2026-11-29T10-40-00.000.log"));
    writeFileSync(log, `${lines.slice(3).join("\n")}\n`);
    const first = collectAccessLog({ config, spool, log, cursor, now: new Date("2026-11-29T12:05:00Z"), source: "s" });
    expect(first.files).toBe(2);
    expect(first.lines).toBe(7); // the rest of the rolled file and the new one; nothing twice
    // A crash after spooling, before the cursor was replaced: the run again yields the same events.
    writeFileSync(cursor, saved);
    appendFileSync(log.replace(/\.log$/, "-2026-11-29T10-40-00.000.log"), ""); // untouched
    const again = collectAccessLog({ config, spool, log, cursor, now: new Date("2026-11-29T12:05:00Z"), source: "s" });
    expect(again.events).toEqual(first.events);
    spool.close();
    const all = events(spoolDir);
    const ids = new Set(all.map((e) => e.id));
    expect(ids.size).toBe(first.events.length);
    const file = spoolFiles(spoolDir)[0]!;
    // Identical duplicates are one event to the ledger.
    expect(readUsage(file.text, file.file, config, new Date("2026-11-29T12:00:00Z")).length).toBe(ids.size);
    const quantity = (id: string) => first.events.find((e) => e.id === id)?.quantity;
    expect(quantity("qdrant_queries:julia:2026-11-29T10")).toBe("2");
    expect(quantity("qdrant_queries:julia:2026-11-29T11")).toBe("1");
    expect(quantity("supabase_calls:julia:2026-11-29T10")).toBe("1");
  });

  test("a call logged after its hour was collected is an event of its own, not a changed hour", () => {
    const { log, spool, cursor } = setup();
    collectAccessLog({ config, spool, log, cursor, now: new Date("2026-11-29T12:00:00Z"), source: "s" });
    const lines = readFileSync(RECORDED, "utf8").split("\n").filter((l) => l !== "");
    appendFileSync(log, `${lines[0]}\n`);
    const late = collectAccessLog({ config, spool, log, cursor, now: new Date("2026-11-29T12:10:00Z"), source: "s" });
    // The 11 o'clock hour closes now; the late 10 o'clock call stands alone.
    expect(late.events.map((e) => [e.id.replace(/:\d+:\d+:\d+$/, ":<file>:<offset>"), e.quantity])).toEqual([
      ["qdrant_queries:julia:2026-11-29T10:<file>:<offset>", "1"],
      ["qdrant_queries:julia:2026-11-29T11", "1"],
    ]);
    spool.close();
  });

  test("the CLI: one summary, a stranger named on stderr; a broken cursor is a clear error and writes nothing", () => {
    const { dir, log, spoolDir, cursor } = setup();
    const ran = aiwc(["meter", "access-log", "--log", log, "--cursor", cursor, "--spool", spoolDir, "--source", "caddy:cli", "--config", DEFAULT_CONFIG]);
    expect(ran.status).toBe(0);
    expect(ran.stdout).toContain("9 access-log line(s) in 1 file(s): 5 call(s) counted");
    expect(ran.stderr).toContain("calls of mallory, who is no user in users.yaml, were not counted");
    writeFileSync(cursor, "{not json");
    const spoolBefore = existsSync(spoolDir) ? events(spoolDir).length : 0;
    const broken = aiwc(["meter", "access-log", "--log", log, "--cursor", cursor, "--spool", spoolDir, "--config", DEFAULT_CONFIG]);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/cursor\.json is not a cursor written by `aiwc meter access-log`/);
    expect(broken.stderr).not.toMatch(/\n\s+at /);
    expect(events(spoolDir)).toHaveLength(spoolBefore);
    const missing = aiwc(["meter", "access-log", "--log", join(dir, "nowhere", "access.log"), "--cursor", join(dir, "c2.json"), "--spool", spoolDir, "--config", DEFAULT_CONFIG]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/does not exist: no Caddy access log to read/);
  });
});

describe("n8n runs from n8n's public API", () => {
  const API_KEY = "n8n_api_owner";
  let n8n: N8nStandIn;
  const at = (minute: number) => new Date(Date.UTC(2026, 10, 28, 9, minute)).toISOString();
  const execution = (id: number, workflowId: string, mode: string, status: string): N8nExecution => ({
    id: String(id), finished: status === "success", mode, retryOf: null, retrySuccessId: null, startedAt: at(id), stoppedAt: status === "running" || status === "waiting" ? null : at(id + 1), workflowId, waitTill: null, status,
  });
  beforeAll(async () => {
    n8n = await startN8nStandIn(API_KEY);
    const person = (id: string, email: string) => ({ id, email, firstName: email.split("@")[0]!, lastName: "Example", isPending: false, createdAt: at(0), updatedAt: at(0) });
    n8n.users.push(person("u0", "ops@platform.example"), person("u1", "NINA@example.org"), person("u2", "paula@example.org"), person("u3", "someone@elsewhere.example"));
    n8n.workflows.set("w1", { id: "w1", name: "Inbox triage", project: { id: "p1", name: "nina Example <NINA@example.org>", type: "personal", creatorId: "u1" } });
    // An n8n that does not send creatorId: the e-mail in the personal project's name says whose.
    n8n.workflows.set("w2", { id: "w2", name: "Invoices", project: { id: "p2", name: "paula Example <paula@example.org>", type: "personal" } });
    n8n.workflows.set("w3", { id: "w3", name: "Nightly backup check", project: { id: "p3", name: "Ops", type: "team" } });
    n8n.executions.push(
      execution(1, "w1", "trigger", "success"),
      execution(2, "w1", "manual", "success"),
      execution(3, "w2", "webhook", "error"),
      execution(4, "w3", "trigger", "success"),
      execution(5, "w1", "trigger", "running"),
      execution(6, "w2", "integrated", "success"),
      execution(7, "w1", "webhook", "success"),
      execution(8, "w-gone", "trigger", "success"),
    );
  });
  afterAll(async () => n8n?.close());

  test("production runs per workflow owner; manual and sub-workflow runs not counted; an open run holds the cursor; nothing twice", async () => {
    const dir = tempDir("aiwc-n8n-");
    const spoolDir = join(dir, "spool");
    const cursor = join(dir, "cursor.json");
    const run = async () => {
      const spool = new Spool(spoolDir);
      try {
        return await collectN8n({ config, spool, url: n8n.url, apiKey: API_KEY, cursor, source: "n8n:svc" });
      } finally {
        spool.close();
      }
    };
    const first = await run();
    expect(first.events.map((e) => [e.id, e.user, e.time, e.quantity, e.detail])).toEqual([
      ["n8n:1", "nina", at(2), "1", "Inbox triage (w1) (trigger, success)"],
      ["n8n:3", "paula", at(4), "1", "Invoices (w2) (webhook, error)"],
      ["n8n:7", "nina", at(8), "1", "Inbox triage (w1) (webhook, success)"],
    ]);
    expect(first).toMatchObject({ read: 8, unfinished: 1, notCounted: { manual: 1, integrated: 1 } });
    expect(first.unattributed).toEqual([
      { workflow: "w-gone", owner: "deleted workflow", executions: 1 },
      { workflow: "Nightly backup check (w3)", owner: "team project Ops", executions: 1 },
    ]);
    expect(JSON.parse(readFileSync(cursor, "utf8"))).toEqual({ version: 1, after: "4" });
    // Each workflow asked once.
    expect(n8n.requests.filter((r) => r.startsWith("GET /api/v1/workflows/w1"))).toHaveLength(1);

    // The running one finishes, a new one runs: both counted, the ones above the cursor again (same ids).
    n8n.executions[4] = execution(5, "w1", "trigger", "success");
    n8n.executions.push(execution(9, "w2", "trigger", "success"));
    const second = await run();
    expect(second.events.map((e) => e.id)).toEqual(["n8n:5", "n8n:7", "n8n:9"]);
    expect(second.read).toBe(5);
    expect(JSON.parse(readFileSync(cursor, "utf8"))).toEqual({ version: 1, after: "9" });
    expect((await run()).read).toBe(0);

    const file = spoolFiles(spoolDir)[0]!;
    const events = readUsage(file.text, file.file, config, new Date("2026-11-29T00:00:00Z"));
    expect(events.map((e) => e.id).sort()).toEqual(["n8n:1", "n8n:3", "n8n:5", "n8n:7", "n8n:9"]);
  });

  test("hundreds of executions: every page read (nextCursor), each counted once", async () => {
    const many = await startN8nStandIn(API_KEY);
    try {
      many.users.push({ id: "u1", email: "nina@example.org", firstName: "Nina", lastName: "E", isPending: false, createdAt: at(0), updatedAt: at(0) });
      many.workflows.set("w1", { id: "w1", name: "Poller", project: { id: "p1", name: "Nina E <nina@example.org>", type: "personal", creatorId: "u1" } });
      for (let id = 1; id <= 600; id++) many.executions.push(execution(id, "w1", "trigger", "success"));
      const dir = tempDir("aiwc-n8n-many-");
      const spool = new Spool(join(dir, "spool"));
      const result = await collectN8n({ config, spool, url: many.url, apiKey: API_KEY, cursor: join(dir, "cursor.json") });
      spool.close();
      expect(result.events).toHaveLength(600);
      expect(new Set(result.events.map((e) => e.id)).size).toBe(600);
      expect(many.requests.filter((r) => r.startsWith("GET /api/v1/executions"))).toHaveLength(3);
      expect(many.requests.some((r) => r.includes("cursor="))).toBe(true);
    } finally {
      await many.close();
    }
  });

  test("a wrong key or an n8n out of reach: a clear error, nothing spooled, the cursor kept", async () => {
    const dir = tempDir("aiwc-n8n-bad-");
    const cursor = join(dir, "cursor.json");
    writeFileSync(cursor, JSON.stringify({ version: 1, after: "3" }));
    const spool = new Spool(join(dir, "spool"));
    await expect(collectN8n({ config, spool, url: n8n.url, apiKey: "wrong", cursor })).rejects.toThrow(/^n8n at http:\/\/127\.0\.0\.1:\d+ refused the credentials \(HTTP 401 on \/api\/v1\/users\)$/);
    const closed = await closedPort();
    await expect(collectN8n({ config, spool, url: `http://127.0.0.1:${closed}`, apiKey: API_KEY, cursor })).rejects.toThrow(`n8n at http://127.0.0.1:${closed} cannot be reached: ECONNREFUSED`);
    spool.close();
    expect(spoolFiles(join(dir, "spool"))).toEqual([]);
    expect(JSON.parse(readFileSync(cursor, "utf8"))).toEqual({ version: 1, after: "3" });
    const cli = await aiwcAsync(["meter", "n8n", "--url", n8n.url, "--cursor", cursor, "--spool", join(dir, "spool"), "--config", DEFAULT_CONFIG], { N8N_API_KEY: "" });
    expect(cli).toMatchObject({ status: 1, stderr: "aiwc: N8N_API_KEY is not set: export an n8n API key of an owner account (n8n → Settings → n8n API)\n" });
    const ok = await aiwcAsync(["meter", "n8n", "--url", n8n.url, "--cursor", cursor, "--spool", join(dir, "spool"), "--config", DEFAULT_CONFIG], { N8N_API_KEY: API_KEY });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^\d+ execution\(s\) read: \d+ run\(s\) spooled to /);
    expect(ok.stderr).toContain("run(s) of workflow Nightly backup check (w3), owned by team project Ops, belong to no user in users.yaml");
    expect(ok.stdout + ok.stderr).not.toContain(API_KEY);
  });
});

describe("Langfuse events from each user's project", () => {
  let langfuse: LangfuseStandIn;
  const projects = [
    { user: "nina", publicKey: "pk-lf-nina", secretKey: "sk-lf-nina" },
    { user: "paula", publicKey: "pk-lf-paula", secretKey: "sk-lf-paula" },
  ];
  beforeAll(async () => {
    langfuse = await startLangfuseStandIn();
    langfuse.projects.set("pk-lf-nina", { secretKey: "sk-lf-nina", days: [
      { date: "2026-11-26", countTraces: 3, countObservations: 20 },
      { date: "2026-11-27", countTraces: 0, countObservations: 0 },
      { date: "2026-11-28", countTraces: 5, countObservations: 40 },
      { date: "2026-11-29", countTraces: 1, countObservations: 1 },
    ] });
    // Paula's project since July: more days than one page holds.
    langfuse.projects.set("pk-lf-paula", { secretKey: "sk-lf-paula", days: Array.from({ length: 151 }, (_, i) => ({ date: new Date(Date.UTC(2026, 6, 1 + i)).toISOString().slice(0, 10), countTraces: 1, countObservations: 2 })) });
  });
  afterAll(async () => langfuse?.close());

  test("per user and day once the day is over and an hour has passed; each day once; every page read", async () => {
    const dir = tempDir("aiwc-langfuse-");
    const cursor = join(dir, "cursor.json");
    const run = async (now: string) => {
      const spool = new Spool(join(dir, "spool"));
      try {
        return await collectLangfuse({ config, spool, url: langfuse.url, projects, cursor, source: "langfuse:svc", now: new Date(now), since: "2026-07-01" });
      } finally {
        spool.close();
      }
    };
    // 00:30: the 28th is not an hour over yet.
    const first = await run("2026-11-29T00:30:00Z");
    expect(first.through).toBe("2026-11-27");
    const nina = first.events.filter((e) => e.user === "nina");
    expect(nina).toEqual([{ source: "langfuse:svc", id: "langfuse_events:nina:2026-11-26", time: "2026-11-26T23:59:59Z", user: "nina", meter: "langfuse_events", quantity: "23", detail: "traces and observations (Langfuse daily metrics)" }]);
    // Paula's 150 days from July 1st to November 27th, over two pages of 100.
    const paula = first.events.filter((e) => e.user === "paula");
    expect(paula).toHaveLength(150);
    expect([paula[0]!.id, paula.at(-1)!.id, new Set(paula.map((e) => e.quantity))]).toEqual(["langfuse_events:paula:2026-07-01", "langfuse_events:paula:2026-11-27", new Set(["3"])]);
    expect(langfuse.requests.filter((r) => r.includes("page=2"))).toHaveLength(1);
    expect(JSON.parse(readFileSync(cursor, "utf8"))).toEqual({ version: 1, users: { nina: "2026-11-27", paula: "2026-11-27" } });
    const second = await run("2026-11-29T02:00:00Z");
    expect(second.events.map((e) => [e.id, e.quantity])).toEqual([["langfuse_events:nina:2026-11-28", "45"], ["langfuse_events:paula:2026-11-28", "3"]]);
    expect((await run("2026-11-29T03:00:00Z")).events).toEqual([]);
  });

  test("a project file with mistakes names them all; wrong keys fail the run with nothing written", async () => {
    const dir = tempDir("aiwc-langfuse-bad-");
    const file = join(dir, "projects.json");
    writeFileSync(file, JSON.stringify({ projects: [{ user: "nobody", publicKey: "pk-lf-x", secretKey: "sk-lf-x" }, { user: "nina", publicKey: "nina-key", secretKey: "sk-lf-y" }, { user: "nina", publicKey: "pk-lf-z", secretKey: "secret" }] }));
    expect(() => readProjects(file, config)).toThrow(
      `${file}:\n  projects.0.user: "nobody" is no user in users.yaml\n  projects.1.publicKey: must be the project's public key (pk-lf-…)\n  projects.2.user: nina has a project already (one project per user)\n  projects.2.secretKey: must be the project's secret key (sk-lf-…)`,
    );
    const cursor = join(dir, "cursor.json");
    const spool = new Spool(join(dir, "spool"));
    await expect(collectLangfuse({ config, spool, url: langfuse.url, projects: [projects[0]!, { ...projects[1]!, secretKey: "sk-lf-wrong" }], cursor, now: new Date("2026-11-29T02:00:00Z") })).rejects.toThrow(/^Langfuse at http:\/\/127\.0\.0\.1:\d+ refused the credentials \(HTTP 401 on \/api\/public\/metrics\/daily\)$/);
    spool.close();
    expect(spoolFiles(join(dir, "spool"))).toEqual([]);
    expect(existsSync(cursor)).toBe(false);
    writeFileSync(file, JSON.stringify({ projects }));
    const cli = await aiwcAsync(["meter", "langfuse", "--url", langfuse.url, "--projects", file, "--cursor", cursor, "--spool", join(dir, "spool"), "--since", "2026-11-20", "--config", DEFAULT_CONFIG]);
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/^2 project\(s\) through 2026-11-\d\d: \d+ day\(s\) with events spooled to /);
    expect(cli.stdout + cli.stderr).not.toContain("sk-lf-");
  });
});
