/**
 * The access-log collector (`aiwc meter access-log`): calls to the metered services behind
 * the service node's Caddy (Qdrant → `qdrant_queries`, Supabase → `supabase_calls`), counted
 * from Caddy's structured JSON access log.
 *
 * Caddy writes one JSON object per request (`"msg": "handled request"`, `ts` in Unix seconds,
 * `status`, `request`, …). The services role adds two fields to the metered sites' lines with
 * `log_append`: `aiwc_meter` (the site's meter) and `aiwc_user` (the user `aiwc meter auth`
 * found for the call's key). A call counts when it names a user and the service answered it
 * (status below 500: a service error is the platform's, not the user's to pay). Refused calls
 * (no or bad key) carry no user and count nowhere.
 *
 * Counts are summed per meter, user and UTC hour; an hour becomes one event once it is over
 * (plus a minute of grace for the log's buffering), its id `<meter>:<user>:<hour>` — so running
 * the collector again, or after a crash before the cursor was saved, yields the same events.
 * Hours still open stay in the cursor file with the byte offsets read in each log file (files
 * are known by device and inode, so Caddy's rotation — a rename — does not read a file twice;
 * a new file on a reused inode is told by its first line). A line of an hour already emitted
 * (a log file that appeared late) is an event of its own, id `…:<file>:<offset>`.
 *
 * Order: the events are spooled (fsynced), then the cursor is replaced; nothing is written
 * when a log file cannot be read.
 */
import { createHash } from "node:crypto";
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import type { UsageEvent } from "../billing/usage";
import type { Config } from "../model/load";
import { readCursorFile, ServiceError, writeCursorFile } from "./service-api";
import type { Spool } from "./spool";

const HOUR_MS = 3_600_000;
const CHUNK = 1 << 20;


export interface AccessLogOptions {
  readonly config: Config;
  readonly spool: Spool;
  /** Caddy's access log (rotated siblings `<name>-<time>.log` in its directory are read too). */
  readonly log: string;
  /** Where the collector remembers what it read (JSON, replaced atomically). */
  readonly cursor: string;
  readonly source?: string;
  readonly now?: Date;
  /** How long after an hour its lines may still arrive (default 60 s). */
  readonly graceSeconds?: number;
}

export interface AccessLogResult {
  readonly events: readonly UsageEvent[];
  readonly files: number;
  /** Access-log lines read this run. */
  readonly lines: number;
  /** Calls counted this run (in events now or in hours still open). */
  readonly counted: number;
  /** Lines not counted, by reason. */
  readonly skipped: Readonly<Record<string, number>>;
  /** Users in the log that users.yaml does not list (their calls are not billed; keys to revoke). */
  readonly strangers: readonly string[];
  /** Calls in hours still open, kept in the cursor. */
  readonly open: number;
}

interface FileCursor {
  readonly offset: number;
  /** SHA-256 of the file's first line: a new file on a reused inode starts again at 0. */
  readonly head: string;
  readonly name: string;
}

interface CursorFile {
  readonly version: 1;
  /** Hours before this one (ISO, `YYYY-MM-DDTHH`) are emitted. */
  readonly closedBefore: string | null;
  readonly files: Readonly<Record<string, FileCursor>>;
  /** `<meter>\t<user>\t<hour>` → calls counted in an hour still open. */
  readonly open: Readonly<Record<string, number>>;
}


/** The log and its rotated siblings, oldest first (Caddy names them `<name>-<UTC time>.log`). */
function logFiles(log: string): string[] {
  const dir = dirname(log);
  const name = basename(log).replace(/\.log$/, "");
  if (!existsSync(dir)) throw new ServiceError(`${dir} does not exist: no Caddy access log to read`);
  const rotated = readdirSync(dir)
    .filter((f) => f.startsWith(`${name}-`) && f.endsWith(".log"))
    .sort()
    .map((f) => join(dir, f));
  return existsSync(log) ? [...rotated, log] : rotated;
}

function hourOf(ts: unknown): string | undefined {
  const ms = typeof ts === "number" ? ts * 1000 : typeof ts === "string" ? Date.parse(ts) : Number.NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 13) : undefined;
}

export function collectAccessLog(options: AccessLogOptions): AccessLogResult {
  const now = options.now ?? new Date();
  const source = options.source ?? `caddy:${hostname()}`;
  const payg = options.config.tariffs.payg;
  const users = new Set(options.config.users.map((u) => u.name));
  const cursor = readCursorFile<CursorFile>(options.cursor, "aiwc meter access-log", { version: 1, closedBefore: null, files: {}, open: {} }, (c) => typeof c.files === "object" && c.files !== null && typeof c.open === "object" && c.open !== null);
  // Hours that end (with grace) before now are over.
  const closedBefore = new Date(Math.floor((now.getTime() - (options.graceSeconds ?? 60) * 1000) / HOUR_MS) * HOUR_MS).toISOString().slice(0, 13);
  const open = new Map(Object.entries(cursor.open));
  const late: UsageEvent[] = [];
  const skipped: Record<string, number> = {};
  const strangers = new Set<string>();
  const files: Record<string, FileCursor> = {};
  let lines = 0;
  let counted = 0;
  const skip = (reason: string): void => {
    skipped[reason] = (skipped[reason] ?? 0) + 1;
  };

  const paths = logFiles(options.log);
  for (const path of paths) {
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch (error) {
      throw new ServiceError(`cannot read ${path}: ${(error as Error).message}`);
    }
    try {
      const stat = fstatSync(fd);
      const key = `${stat.dev}:${stat.ino}`;
      const firstLine = (() => {
        const buffer = Buffer.alloc(Math.min(4096, stat.size));
        const n = readSync(fd, buffer, 0, buffer.length, 0);
        const end = buffer.subarray(0, n).indexOf(10);
        return end < 0 ? undefined : createHash("sha256").update(buffer.subarray(0, end)).digest("hex");
      })();
      const known = cursor.files[key];
      let offset = known !== undefined && known.head === firstLine && known.offset <= stat.size ? known.offset : 0;
      let rest = Buffer.alloc(0);
      let position = offset;
      const buffer = Buffer.alloc(CHUNK);
      for (;;) {
        const n = readSync(fd, buffer, 0, CHUNK, position);
        if (n === 0) break;
        position += n;
        const data = rest.length > 0 ? Buffer.concat([rest, buffer.subarray(0, n)]) : buffer.subarray(0, n);
        let start = 0;
        for (let newline = data.indexOf(10, start); newline >= 0; newline = data.indexOf(10, start)) {
          const lineOffset = offset;
          const line = data.subarray(start, newline).toString("utf8");
          offset += newline - start + 1;
          start = newline + 1;
          lines++;
          let entry: { msg?: unknown; ts?: unknown; status?: unknown; aiwc_meter?: unknown; aiwc_user?: unknown };
          try {
            entry = JSON.parse(line) as typeof entry;
          } catch {
            skip("not JSON");
            continue;
          }
          if (entry.msg !== "handled request" || typeof entry.aiwc_meter !== "string" || entry.aiwc_meter === "") {
            skip("not a metered call");
            continue;
          }
          const meter = entry.aiwc_meter;
          const user = typeof entry.aiwc_user === "string" ? entry.aiwc_user : "";
          const hour = hourOf(entry.ts);
          if (user === "") skip("refused (no user)");
          else if (typeof entry.status !== "number" || entry.status >= 500) skip("service error (5xx)");
          else if (hour === undefined) skip("no time");
          else if (payg[meter] === undefined) skip(`meter ${meter} not in tariffs.yaml`);
          else if (!users.has(user)) {
            strangers.add(user);
            skip("user not in users.yaml");
          } else {
            counted++;
            if (cursor.closedBefore !== null && hour < cursor.closedBefore) {
              late.push({ source, id: `${meter}:${user}:${hour}:${key}:${lineOffset}`, time: `${hour}:00:00Z`, user, meter, quantity: "1", detail: "a call logged after its hour was collected" });
            } else {
              const bucket = `${meter}\t${user}\t${hour}`;
              open.set(bucket, (open.get(bucket) ?? 0) + 1);
            }
          }
        }
        rest = Buffer.from(data.subarray(start));
      }
      // A last line without its newline is being written: read again next time.
      if (firstLine !== undefined) files[key] = { offset, head: firstLine, name: basename(path) };
    } finally {
      closeSync(fd);
    }
  }

  const events: UsageEvent[] = [...late];
  const stillOpen: Record<string, number> = {};
  for (const [bucket, count] of [...open].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const [meter, user, hour] = bucket.split("\t") as [string, string, string];
    if (hour < closedBefore) events.push({ source, id: `${meter}:${user}:${hour}`, time: `${hour}:00:00Z`, user, meter, quantity: String(count), detail: `calls in the hour from ${hour}:00 UTC (Caddy access log)` });
    else stillOpen[bucket] = count;
  }
  for (const event of events) options.spool.append(event);
  const next: CursorFile = { version: 1, closedBefore: cursor.closedBefore !== null && cursor.closedBefore > closedBefore ? cursor.closedBefore : closedBefore, files, open: stillOpen };
  writeCursorFile(options.cursor, next);
  return { events, files: paths.length, lines, counted, skipped, strangers: [...strangers].sort(), open: Object.values(stillOpen).reduce((a, b) => a + b, 0) };
}
