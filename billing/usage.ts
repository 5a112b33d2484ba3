/**
 * Usage events into the ledger. One event a line, JSON Lines or CSV with the same columns:
 * `{"id", "source", "time", "user", "meter", "quantity", "corrects"?, "detail"?}` — `meter` a key of
 * `payg:` in tariffs.yaml, `quantity` a decimal string in the meter's unit. Importing is
 * idempotent by (source, id) and all-or-nothing: a file with any bad line imports nothing and
 * every bad line is listed as `file:line: message`.
 */
import { parse as parseCsv } from "csv-parse/sync";
import type { Config } from "../model/load";
import type { Ledger, Queryable } from "./ledger";

export interface UsageEvent {
  readonly source: string;
  readonly id: string;
  /** ISO 8601 instant, normalized to UTC (`2026-11-03T10:15:00.000Z`). */
  readonly time: string;
  readonly user: string;
  readonly meter: string;
  /** Decimal string, normalized (no leading zeros, no trailing fraction zeros). */
  readonly quantity: string;
  readonly corrects?: string;
  /** What the usage was, for people (the model, for GPU time). */
  readonly detail?: string;
}

export class UsageFileError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "UsageFileError";
  }
}

const DECIMAL = /^-?(0|[1-9]\d*)(\.\d+)?$/;
/** RFC 3339 date-time with an explicit offset. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const COLUMNS = ["id", "source", "time", "user", "meter", "quantity", "corrects", "detail"] as const;
const OPTIONAL: readonly string[] = ["corrects", "detail"];

/** `12.50` → `12.5`, `-0.0` → `0`: one text per value, so re-imports compare equal. */
export function normalizeDecimal(text: string): string {
  const negative = text.startsWith("-");
  const [whole, fraction = ""] = (negative ? text.slice(1) : text).split(".") as [string, string?];
  const trimmed = fraction.replace(/0+$/, "");
  const value = `${whole.replace(/^0+(?=\d)/, "")}${trimmed === "" ? "" : `.${trimmed}`}`;
  return negative && value !== "0" ? `-${value}` : value;
}

interface RawLine {
  readonly line: number;
  readonly record: Record<string, unknown>;
}

function rawLines(text: string, name: string, problems: string[]): RawLine[] {
  const first = text.trimStart()[0];
  if (first === undefined) return [];
  if (first === "{") {
    const out: RawLine[] = [];
    text.split("\n").forEach((raw, index) => {
      if (raw.trim() === "") return;
      try {
        const record = JSON.parse(raw) as unknown;
        if (record === null || typeof record !== "object" || Array.isArray(record)) problems.push(`${name}:${index + 1}: expected a JSON object`);
        else out.push({ line: index + 1, record: record as Record<string, unknown> });
      } catch (error) {
        problems.push(`${name}:${index + 1}: not valid JSON (${(error as Error).message})`);
      }
    });
    return out;
  }
  let rows: string[][];
  try {
    rows = parseCsv(text, { skip_empty_lines: true, trim: true, relax_column_count: false }) as string[][];
  } catch (error) {
    problems.push(`${name}: not valid CSV (${(error as Error).message})`);
    return [];
  }
  const header = rows[0] ?? [];
  const unknown = header.filter((column) => !(COLUMNS as readonly string[]).includes(column));
  const missing = COLUMNS.filter((column) => !OPTIONAL.includes(column) && !header.includes(column));
  if (unknown.length > 0 || missing.length > 0) {
    problems.push(`${name}:1: the CSV header must name the columns ${COLUMNS.join(", ")} (corrects and detail optional)${missing.length > 0 ? `; missing ${missing.join(", ")}` : ""}${unknown.length > 0 ? `; unknown ${unknown.join(", ")}` : ""}`);
    return [];
  }
  return rows.slice(1).map((row, index) => ({ line: index + 2, record: Object.fromEntries(header.map((column, i) => [column, row[i] === "" && OPTIONAL.includes(column) ? undefined : row[i]])) }));
}

/**
 * Reads and checks the events of one file against the config: every problem of every line,
 * or the events. `now` bounds the times (no usage from the future).
 */
export function readUsage(text: string, name: string, config: Config, now: Date = new Date()): UsageEvent[] {
  const problems: string[] = [];
  const users = new Set(config.users.map((u) => u.name));
  const meters = Object.keys(config.tariffs.payg);
  const events: UsageEvent[] = [];
  for (const { line, record } of rawLines(text, name, problems)) {
    const at = `${name}:${line}`;
    const bad: string[] = [];
    for (const key of Object.keys(record)) if (!(COLUMNS as readonly string[]).includes(key)) bad.push(`unknown field "${key}"`);
    const text = (key: string): string | undefined => (typeof record[key] === "string" && record[key] !== "" ? (record[key] as string) : undefined);
    const id = text("id");
    const source = text("source");
    const user = text("user");
    const meter = text("meter");
    const time = text("time");
    const quantity = record.quantity;
    const corrects = record.corrects === undefined || record.corrects === null ? undefined : text("corrects");
    if (id === undefined) bad.push("id: must be a non-empty string");
    if (source === undefined) bad.push("source: must be a non-empty string");
    if (user === undefined) bad.push("user: must be a user name");
    else if (!users.has(user)) bad.push(`user: "${user}" is not in users.yaml`);
    if (meter === undefined) bad.push("meter: must be a meter");
    else if (!meters.includes(meter)) bad.push(`meter: "${meter}" is not a PAYG meter in tariffs.yaml (${meters.join(", ")})`);
    let instant: string | undefined;
    if (time === undefined || !INSTANT.test(time) || Number.isNaN(Date.parse(time))) bad.push(`time: must be an ISO 8601 time with its offset, e.g. 2026-11-03T10:15:00Z${time !== undefined ? `, got "${time}"` : ""}`);
    else if (Date.parse(time) > now.getTime()) bad.push(`time: ${time} is in the future`);
    else instant = new Date(Date.parse(time)).toISOString();
    if (record.corrects !== undefined && record.corrects !== null && corrects === undefined) bad.push("corrects: must be the id of the event this one corrects");
    const detail = record.detail === undefined || record.detail === null ? undefined : typeof record.detail === "string" && record.detail.length <= 200 ? record.detail : null;
    if (detail === null) bad.push("detail: must be a string of at most 200 characters");
    if (typeof quantity !== "string") bad.push(`quantity: must be a decimal string, e.g. "0.0125"${typeof quantity === "number" ? ` (quote it: "${quantity}")` : ""}`);
    else if (!DECIMAL.test(quantity)) bad.push(`quantity: "${quantity}" is not a decimal number`);
    else if (quantity.startsWith("-") && corrects === undefined) bad.push(`quantity: ${quantity} is negative; a correction is an event of its own with "corrects": "<id of the event it corrects>"`);
    if (bad.length > 0) {
      problems.push(...bad.map((message) => `${at}: ${message}`));
      continue;
    }
    events.push({ source: source!, id: id!, time: instant!, user: user!, meter: meter!, quantity: normalizeDecimal(quantity as string), ...(corrects !== undefined ? { corrects } : {}), ...(detail !== undefined && detail !== null ? { detail } : {}) });
  }
  // The same (source, id) twice in one file: fine when identical, an error when not.
  const seen = new Map<string, UsageEvent>();
  for (const event of events) {
    const key = `${event.source}\u0000${event.id}`;
    const earlier = seen.get(key);
    if (earlier !== undefined && !sameEvent(earlier, event)) problems.push(`${name}: event ${event.source}/${event.id} appears twice with different content`);
    seen.set(key, event);
  }
  // In line order, whichever check found them.
  const line = (problem: string) => Number(/^[^\n]*?:(\d+): /.exec(problem.slice(name.length))?.[1] ?? Number.MAX_SAFE_INTEGER);
  if (problems.length > 0) throw new UsageFileError([...problems].sort((a, b) => line(a) - line(b)));
  return [...seen.values()];
}

function sameEvent(a: UsageEvent, b: UsageEvent): boolean {
  return a.time === b.time && a.user === b.user && a.meter === b.meter && a.quantity === b.quantity && (a.corrects ?? null) === (b.corrects ?? null) && (a.detail ?? null) === (b.detail ?? null);
}

export interface ImportResult {
  readonly events: number;
  readonly imported: number;
  readonly alreadyImported: number;
}

const BATCH = 10_000;

/**
 * Writes the events in one transaction: new ones inserted, ones already in the ledger with the
 * same content skipped. An event already there with other content, or a correction of an event
 * that exists nowhere (or of another user's or meter's), fails the whole import.
 */
export async function importUsage(ledger: Ledger, events: readonly UsageEvent[], name: string): Promise<ImportResult> {
  return ledger.transaction(async (tx) => {
    const problems: string[] = [];
    const byKey = new Map(events.map((e) => [`${e.source}\u0000${e.id}`, e]));
    // Corrections must name an event of the same user and meter, in the file or the ledger.
    const corrections = events.filter((e) => e.corrects !== undefined);
    for (let start = 0; start < corrections.length; start += BATCH) {
      const batch = corrections.slice(start, start + BATCH);
      const targets = await existingEvents(tx, batch.map((e) => [e.source, e.corrects!]));
      for (const event of batch) {
        const key = `${event.source}\u0000${event.corrects}`;
        const target = byKey.get(key) ?? targets.get(key);
        if (target === undefined) problems.push(`${name}: event ${event.source}/${event.id} corrects ${event.source}/${event.corrects}, which is not in the ledger or the file`);
        else if (target.user !== event.user || target.meter !== event.meter) problems.push(`${name}: event ${event.source}/${event.id} corrects ${event.source}/${event.corrects} of another user or meter`);
      }
    }
    if (problems.length > 0) throw new UsageFileError(problems);
    // Insert what is new; what was there already must be the same event (then it is skipped).
    let imported = 0;
    let already = 0;
    for (let start = 0; start < events.length; start += BATCH) {
      const batch = events.slice(start, start + BATCH);
      const inserted = await tx.query<{ source: string; id: string }>(
        `insert into usage_events (source, id, time, user_name, meter, quantity, corrects, detail)
         select * from unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::numeric[], $7::text[], $8::text[])
         on conflict (source, id) do nothing
         returning source, id`,
        [batch.map((e) => e.source), batch.map((e) => e.id), batch.map((e) => e.time), batch.map((e) => e.user), batch.map((e) => e.meter), batch.map((e) => e.quantity), batch.map((e) => e.corrects ?? null), batch.map((e) => e.detail ?? null)],
      );
      imported += inserted.length;
      if (inserted.length === batch.length) continue;
      const fresh = new Set(inserted.map((r) => `${r.source}\u0000${r.id}`));
      const seen = batch.filter((e) => !fresh.has(`${e.source}\u0000${e.id}`));
      const stored = await existingEvents(tx, seen.map((e) => [e.source, e.id]));
      for (const event of seen) {
        const before = stored.get(`${event.source}\u0000${event.id}`)!;
        if (sameEvent(before, event)) already++;
        else problems.push(`${name}: event ${event.source}/${event.id} was imported before with different content (${before.user} ${before.meter} ${before.quantity} at ${before.time}); send a correction instead`);
      }
    }
    // Throwing rolls the whole import back.
    if (problems.length > 0) throw new UsageFileError(problems);
    return { events: events.length, imported, alreadyImported: already };
  });
}

async function existingEvents(tx: Queryable, keys: readonly (readonly [string, string])[]): Promise<Map<string, UsageEvent>> {
  if (keys.length === 0) return new Map();
  const rows = await tx.query<{ source: string; id: string; time: string; user_name: string; meter: string; quantity: string; corrects: string | null; detail: string | null }>(
    `select e.source, e.id, to_char(e.time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as time, e.user_name, e.meter, e.quantity::text as quantity, e.corrects, e.detail
       from usage_events e join unnest($1::text[], $2::text[]) as k(source, id) on e.source = k.source and e.id = k.id`,
    [keys.map((k) => k[0]), keys.map((k) => k[1])],
  );
  return new Map(
    rows.map((r) => [
      `${r.source}\u0000${r.id}`,
      { source: r.source, id: r.id, time: String(r.time), user: r.user_name, meter: r.meter, quantity: normalizeDecimal(r.quantity), ...(r.corrects !== null ? { corrects: r.corrects } : {}), ...(r.detail !== null ? { detail: r.detail } : {}) },
    ]),
  );
}
