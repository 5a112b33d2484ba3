/**
 * The collectors' spool: usage events appended one JSON line at a time to
 * `<dir>/events-<YYYY-MM-DD>.jsonl` and fsynced before the append returns, so an event the
 * gateway recorded survives a crash. `aiwc usage collect` ships the spool into the ledger
 * (idempotent by source and id, so shipping twice changes nothing) and moves the files of
 * past days into `<dir>/shipped/`. A line cut short by a crash is left for the operator, never
 * guessed at.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { UsageEvent } from "../billing/usage";

export class Spool {
  private fd?: number;
  private day?: string;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  append(event: UsageEvent): void {
    const day = event.time.slice(0, 10);
    if (this.day !== day || this.fd === undefined) {
      if (this.fd !== undefined) closeSync(this.fd);
      this.fd = openSync(join(this.dir, `events-${day}.jsonl`), "a");
      this.day = day;
    }
    writeSync(this.fd, `${JSON.stringify(event)}\n`);
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * Writes `file` whole or not at all: a new file, fsynced, renamed over the old one (a crash
 * leaves the old or the new content, never a mix).
 */
export function replaceFile(file: string, text: string): void {
  const temp = `${file}.new`;
  const fd = openSync(temp, "w");
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}

export interface SpoolFile {
  readonly file: string;
  readonly day: string;
  /** The complete lines (a last line without its newline is left out). */
  readonly text: string;
  readonly incomplete: boolean;
}

/** The spool's files, oldest first. */
export function spoolFiles(dir: string): SpoolFile[] {
  return readdirSync(dir)
    .filter((name) => /^events-\d{4}-\d{2}-\d{2}\.jsonl$/.test(name))
    .sort()
    .map((name) => {
      const file = join(dir, name);
      const raw = readFileSync(file, "utf8");
      const end = raw.lastIndexOf("\n") + 1;
      return { file, day: name.slice(7, 17), text: raw.slice(0, end), incomplete: end < raw.length };
    });
}

/**
 * Moves a shipped file of a past day out of the way. A day shipped before (a late event, such
 * as a request a restarted gateway settled) is appended to that day's shipped file, never
 * written over it.
 */
export function markShipped(dir: string, file: SpoolFile): void {
  mkdirSync(join(dir, "shipped"), { recursive: true });
  const target = join(dir, "shipped", file.file.slice(dir.length + 1));
  if (!existsSync(target)) {
    renameSync(file.file, target);
    return;
  }
  const fd = openSync(target, "a");
  try {
    writeSync(fd, readFileSync(file.file));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  unlinkSync(file.file);
}

/** A request the gateway began metering (journal line `{"begin": …}`). */
export interface Begun {
  readonly id: string;
  readonly source: string;
  readonly user: string;
  readonly meter: string;
  readonly model?: string;
  /** When the request began (ISO 8601, UTC). */
  readonly started: string;
}

/** A begun request whose event was never written, with the last time it was seen running. */
export interface Unfinished extends Begun {
  readonly lastSeen: string;
}

const JOURNAL = "inflight.jsonl";

/** A journal's `begin` line. */
function beginRecord(entry: Begun): Record<string, unknown> {
  return { begin: entry.id, source: entry.source, user: entry.user, meter: entry.meter, ...(entry.model !== undefined ? { model: entry.model } : {}), time: entry.started };
}

/**
 * The gateway's journal of requests in flight, beside the spool: a `begin` line (fsynced)
 * before a metered request reaches Ollama, `seen` lines listing the requests still streaming
 * (every few seconds), an `end` line once the request's event is in the spool. After a crash
 * the journal tells which requests ran and for how long at least (metering/gateway.ts settles
 * them), so a killed gateway loses no request and, the event id being the request's, charges
 * none twice.
 */
export class Journal {
  private fd: number;
  private lines = 0;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.fd = openSync(join(dir, JOURNAL), "a");
  }

  begin(entry: Begun): void {
    this.write(beginRecord(entry));
  }

  seen(ids: readonly string[], time: string): void {
    if (ids.length > 0) this.write({ seen: ids, time });
  }

  end(id: string): void {
    this.write({ end: id });
  }

  /** Lines written since the journal was opened or compacted. */
  get size(): number {
    return this.lines;
  }

  /**
   * Rewrites the journal with only the requests still open (a new file renamed over the old
   * one, fsynced first, so a crash leaves either journal whole); none: a fresh journal.
   */
  compact(open: readonly Begun[], time: string): void {
    const lines = open.map((b) => JSON.stringify(beginRecord(b)));
    if (open.length > 0) lines.push(JSON.stringify({ seen: open.map((b) => b.id), time }));
    replaceFile(join(this.dir, JOURNAL), lines.map((l) => `${l}\n`).join(""));
    closeSync(this.fd);
    this.fd = openSync(join(this.dir, JOURNAL), "a");
    this.lines = lines.length;
  }

  close(): void {
    closeSync(this.fd);
  }

  private write(record: Record<string, unknown>): void {
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
    fsyncSync(this.fd);
    this.lines++;
  }
}

/**
 * The requests the journal in `dir` shows begun and never ended, whose event is not in the
 * spool either (nor among the shipped files): what a crashed gateway left unrecorded.
 */
export function unfinished(dir: string): Unfinished[] {
  let text: string;
  try {
    text = readFileSync(join(dir, JOURNAL), "utf8");
  } catch {
    return [];
  }
  const open = new Map<string, Unfinished>();
  for (const line of text.split("\n")) {
    let record: { begin?: string; source?: string; user?: string; meter?: string; model?: string; time?: string; seen?: string[]; end?: string };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      // An empty or cut-short last line.
      continue;
    }
    if (typeof record.begin === "string" && record.source !== undefined && record.user !== undefined && record.meter !== undefined && record.time !== undefined) {
      open.set(record.begin, { id: record.begin, source: record.source, user: record.user, meter: record.meter, ...(record.model !== undefined ? { model: record.model } : {}), started: record.time, lastSeen: record.time });
    } else if (Array.isArray(record.seen) && typeof record.time === "string") {
      for (const id of record.seen) {
        const entry = open.get(id);
        if (entry !== undefined && record.time > entry.lastSeen) open.set(id, { ...entry, lastSeen: record.time });
      }
    } else if (typeof record.end === "string") {
      open.delete(record.end);
    }
  }
  if (open.size === 0) return [];
  // An event written just before the crash, its `end` line not: already charged.
  const first = [...open.values()].map((e) => e.started.slice(0, 10)).sort()[0]!;
  const spooled = [dir, join(dir, "shipped")].flatMap((folder) => {
    try {
      return readdirSync(folder)
        .filter((name) => /^events-\d{4}-\d{2}-\d{2}\.jsonl$/.test(name) && name.slice(7, 17) >= first)
        .map((name) => readFileSync(join(folder, name), "utf8"));
    } catch {
      return [];
    }
  });
  return [...open.values()].filter((entry) => !spooled.some((text) => text.includes(`"id":${JSON.stringify(entry.id)}`)));
}
