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
import { Spool, spoolFiles } from "../metering/spool";
import { readUsage } from "../billing/usage";
import { loadConfig } from "../model/load";
import { spawnSync } from "node:child_process";
import { DEFAULT_CONFIG, ROOT, tempDir } from "./helpers";

const aiwc = (args: string[]) => spawnSync(process.execPath, [join(ROOT, "bin", "aiwc.cjs"), ...args], { encoding: "utf8" });

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
