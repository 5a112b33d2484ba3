/**
 * Usage events into the ledger. One event a line, JSON Lines or CSV with the same columns:
 * `{"id", "source", "time", "user", "meter", "quantity", "corrects"?, "detail"?}` — `meter` a key of
 * `payg:` in tariffs.yaml, `quantity` a decimal string in the meter's unit. Importing is
 * idempotent by (source, id) and all-or-nothing: a file with any bad line imports nothing and
 * every bad line is listed as `file:line: message`.
 */
import { parse as parseCsv } from "csv-parse/sync";
import { isCalendarDate } from "../config/dates";
import type { Config } from "../model/load";
import type { Ledger, Queryable } from "./ledger";
import { DecimalTotal } from "../catalog/money";

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
/** RFC 3339 date-time with an explicit offset; hours 00–23, minutes and seconds 00–59. */
const INSTANT = /^(\d{4}-\d{2}-\d{2})T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/**
 * A time as milliseconds and in the ledger's form (`2026-11-03T10:15:00.000Z`), or undefined
 * when it is not a real instant. JavaScript's Date.parse rolls 2026-02-30 over into March:
 * the calendar date is checked on its own (once per distinct date).
 */
function instantOf(time: string, dates: Map<string, boolean>): { ms: number; text: string } | undefined {
  const match = INSTANT.exec(time);
  if (match === null) return undefined;
  const date = match[1]!;
  let valid = dates.get(date);
  if (valid === undefined) dates.set(date, (valid = isCalendarDate(date)));
  if (!valid) return undefined;
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) return undefined;
  // Already in UTC to the second or millisecond: the text as it is (no Date object per line).
  if (time.length === 20 && time.charCodeAt(19) === 90 /* Z */) return { ms, text: `${time.slice(0, 19)}.000Z` };
  if (time.length === 24 && time.charCodeAt(23) === 90 && time.charCodeAt(19) === 46 /* . */) return { ms, text: time };
  return { ms, text: new Date(ms).toISOString() };
}
const COLUMNS = ["id", "source", "time", "user", "meter", "quantity", "corrects", "detail"] as const;
const OPTIONAL: readonly string[] = ["corrects", "detail"];

/** `12.50` → `12.5`, `-0.0` → `0`: one text per value, so re-imports compare equal. */
export function normalizeDecimal(text: string): string {
  // Most quantities are already in normal form: no work, no new string.
  if (NORMAL.test(text)) return text;
  const negative = text.startsWith("-");
  const [whole, fraction = ""] = (negative ? text.slice(1) : text).split(".") as [string, string?];
  const trimmed = fraction.replace(/0+$/, "");
  const value = `${whole.replace(/^0+(?=\d)/, "")}${trimmed === "" ? "" : `.${trimmed}`}`;
  return negative && value !== "0" ? `-${value}` : value;
}
/** A decimal in normal form: no leading zeros, no trailing fraction zeros, no "-0". */
const NORMAL = /^(?:0|-?[1-9]\d*)(?:\.\d*[1-9])?$|^-0\.\d*[1-9]$/;

/** Each line's record, handed over as it is read (no list of a million wrappers). */
type Visit = (line: number, record: Record<string, unknown>) => void;

function rawLines(text: string, name: string, problems: string[], visit: Visit): void {
  const first = text.trimStart()[0];
  if (first === undefined) return;
  if (first === "{") {
    let start = 0;
    for (let index = 0; start <= text.length; index++) {
      let end = text.indexOf("\n", start);
      if (end === -1) end = text.length;
      const raw = text.slice(start, end);
      start = end + 1;
      if (raw.trim() === "") continue;
      let record: unknown;
      try {
        record = JSON.parse(raw) as unknown;
      } catch (error) {
        problems.push(`${name}:${index + 1}: not valid JSON (${(error as Error).message})`);
        continue;
      }
      if (record === null || typeof record !== "object" || Array.isArray(record)) problems.push(`${name}:${index + 1}: expected a JSON object`);
      else visit(index + 1, record as Record<string, unknown>);
    }
    return;
  }
  let rows: string[][];
  try {
    rows = parseCsv(text, { skip_empty_lines: true, trim: true, relax_column_count: false }) as string[][];
  } catch (error) {
    problems.push(`${name}: not valid CSV (${(error as Error).message})`);
    return;
  }
  const header = rows[0] ?? [];
  const unknown = header.filter((column) => !(COLUMNS as readonly string[]).includes(column));
  const missing = COLUMNS.filter((column) => !OPTIONAL.includes(column) && !header.includes(column));
  if (unknown.length > 0 || missing.length > 0) {
    problems.push(`${name}:1: the CSV header must name the columns ${COLUMNS.join(", ")} (corrects and detail optional)${missing.length > 0 ? `; missing ${missing.join(", ")}` : ""}${unknown.length > 0 ? `; unknown ${unknown.join(", ")}` : ""}`);
    return;
  }
  rows.slice(1).forEach((row, index) => visit(index + 2, Object.fromEntries(header.map((column, i) => [column, row[i] === "" && OPTIONAL.includes(column) ? undefined : row[i]]))));
}

/**
 * Reads and checks the events of one file against the config: every problem of every line,
 * or the events. `now` bounds the times (no usage from the future).
 */
export function readUsage(text: string, name: string, config: Config, now: Date = new Date()): UsageEvent[] {
  const problems: string[] = [];
  const users = new Set(config.users.map((u) => u.name));
  const meterList = Object.keys(config.tariffs.payg);
  const meters = new Set(meterList);
  const latest = now.getTime();
  const dates = new Map<string, boolean>();
  const events: UsageEvent[] = [];
  // The same (source, id) twice in one file: fine when identical, an error when not.
  const seen = new Map<string, Map<string, UsageEvent>>();
  rawLines(text, name, problems, (line, record) => {
    const bad: string[] = [];
    for (const key in record) if (!(COLUMNS as readonly string[]).includes(key)) bad.push(`unknown field "${key}"`);
    const id = nonEmpty(record.id);
    const source = nonEmpty(record.source);
    const user = nonEmpty(record.user);
    const meter = nonEmpty(record.meter);
    const time = nonEmpty(record.time);
    const quantity = record.quantity;
    const corrects = record.corrects === undefined || record.corrects === null ? undefined : nonEmpty(record.corrects);
    if (id === undefined) bad.push("id: must be a non-empty string");
    if (source === undefined) bad.push("source: must be a non-empty string");
    if (user === undefined) bad.push("user: must be a user name");
    else if (!users.has(user)) bad.push(`user: "${user}" is not in users.yaml`);
    if (meter === undefined) bad.push("meter: must be a meter");
    else if (!meters.has(meter)) bad.push(`meter: "${meter}" is not a PAYG meter in tariffs.yaml (${meterList.join(", ")})`);
    let instant: string | undefined;
    const at = time === undefined ? undefined : instantOf(time, dates);
    if (at === undefined) bad.push(`time: must be an ISO 8601 time with its offset, e.g. 2026-11-03T10:15:00Z${time !== undefined ? `, got "${time}"` : ""}`);
    else if (at.ms > latest) bad.push(`time: ${time} is in the future`);
    else instant = at.text;
    if (record.corrects !== undefined && record.corrects !== null && corrects === undefined) bad.push("corrects: must be the id of the event this one corrects");
    const detail = record.detail === undefined || record.detail === null ? undefined : typeof record.detail === "string" && record.detail.length <= 200 ? record.detail : null;
    if (detail === null) bad.push("detail: must be a string of at most 200 characters");
    if (typeof quantity !== "string") bad.push(`quantity: must be a decimal string, e.g. "0.0125"${typeof quantity === "number" ? ` (quote it: "${quantity}")` : ""}`);
    else if (!DECIMAL.test(quantity)) bad.push(`quantity: "${quantity}" is not a decimal number`);
    else if (quantity.startsWith("-") && corrects === undefined) bad.push(`quantity: ${quantity} is negative; a correction is an event of its own with "corrects": "<id of the event it corrects>"`);
    if (bad.length > 0) {
      for (const message of bad) problems.push(`${name}:${line}: ${message}`);
      return;
    }
    // Built in place: the optional fields only where given (no spread per line).
    const event: { -readonly [K in keyof UsageEvent]: UsageEvent[K] } = { source: source!, id: id!, time: instant!, user: user!, meter: meter!, quantity: normalizeDecimal(quantity as string) };
    if (corrects !== undefined) event.corrects = corrects;
    if (detail !== undefined && detail !== null) event.detail = detail;
    let ids = seen.get(event.source);
    if (ids === undefined) seen.set(event.source, (ids = new Map()));
    const earlier = ids.get(event.id);
    if (earlier === undefined) {
      ids.set(event.id, event);
      events.push(event);
    } else if (!sameEvent(earlier, event)) {
      problems.push(`${name}: event ${event.source}/${event.id} appears twice with different content`);
    }
  });
  // In line order, whichever check found them.
  const line = (problem: string) => Number(/^[^\n]*?:(\d+): /.exec(problem.slice(name.length))?.[1] ?? Number.MAX_SAFE_INTEGER);
  if (problems.length > 0) throw new UsageFileError([...problems].sort((a, b) => line(a) - line(b)));
  return events;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
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
/** An event's stored time in the form the events carry (`2026-11-03T10:15:00.000Z`). */
const STORED_TIME = `to_char(e.time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
/** From this many events, a large import rebuilds the secondary indexes (see importUsage). */
export const BULK_IMPORT = 100_000;
/** Keys per query when a bulk import asks whether any of its keys is in the ledger already. */
const KEY_PROBE = 250_000;

/**
 * Writes the events in one transaction: new ones inserted, ones already in the ledger with the
 * same content skipped. An event already there with other content, or a correction of an event
 * that exists nowhere (or of another user's or meter's), fails the whole import. `events` have
 * distinct (source, id) keys, as `readUsage` returns them.
 */
export async function importUsage(ledger: Ledger, events: readonly UsageEvent[], name: string, options: { bulkFrom?: number } = {}): Promise<ImportResult> {
  const result = await insertEvents(ledger, events, name, options);
  await refreshStatistics(ledger, result.imported);
  return result;
}

/**
 * Brings the planner's statistics of the events up to date once an import changed the table
 * by more than PostgreSQL's own autovacuum threshold (50 rows + 10 %). The embedded ledger has
 * no autovacuum: without this the planner takes a million events for a few thousand and sorts
 * on disk where a hash aggregate takes a third of the time (the bill, the report).
 */
async function refreshStatistics(ledger: Ledger, imported: number): Promise<void> {
  if (imported === 0) return;
  const [row] = await ledger.query<{ tuples: number | string }>("select reltuples as tuples from pg_class where oid = 'usage_events'::regclass");
  const tuples = Number(row?.tuples ?? -1);
  if (tuples < 0 || imported > 50 + 0.1 * tuples) await ledger.query("analyze usage_events");
}

async function insertEvents(ledger: Ledger, events: readonly UsageEvent[], name: string, options: { bulkFrom?: number }): Promise<ImportResult> {
  return ledger.transaction(async (tx) => {
    const problems: string[] = [];
    // Corrections must name an event of the same user and meter, in the file or the ledger.
    const corrections = events.filter((e) => e.corrects !== undefined);
    const byKey = corrections.length === 0 ? new Map<string, UsageEvent>() : new Map(events.map((e) => [`${e.source}\u0000${e.id}`, e]));
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
    const { rebuild, conflictFree } = ledger.exclusive ? await prepareBulk(tx, events, options.bulkFrom ?? BULK_IMPORT) : { rebuild: [], conflictFree: false };
    // No key of the file can be in the ledger (none of its sources is): the rows go in without
    // the primary key's check, which is built again once at the end.
    const insert = conflictFree
      ? `with inserted as (
           insert into usage_events (source, id, time, user_name, meter, quantity, corrects, detail)
           select * from unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::numeric[], $7::text[], $8::text[])
           returning 1)
         select count(*)::int as inserted from inserted`
      : `with inserted as (
           insert into usage_events (source, id, time, user_name, meter, quantity, corrects, detail)
           select * from unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::numeric[], $7::text[], $8::text[])
           on conflict (source, id) do nothing
           returning 1)
         select count(*)::int as inserted from inserted`;
    // Insert what is new; what was there already must be the same event (then it is skipped).
    // The statement returns only how many rows it inserted (returning every key to JavaScript
    // cost a fifth of the import on PGlite); when some were there already, those whose content
    // differs are asked for — the rows just inserted are the file's own and never differ.
    let imported = 0;
    let already = 0;
    const totals = new UsageTotals();
    for (let start = 0; start < events.length; start += BATCH) {
      const batch = events.slice(start, start + BATCH);
      const columns = [batch.map((e) => e.source), batch.map((e) => e.id), batch.map((e) => e.time), batch.map((e) => e.user), batch.map((e) => e.meter), batch.map((e) => e.quantity), batch.map((e) => e.corrects ?? null), batch.map((e) => e.detail ?? null)];
      // (A count: PGlite returns a number, pg — whose parsers the ledger sets to text — a string.)
      const [row] = await tx.query<{ inserted: number | string }>(insert, columns);
      const inserted = Number(row!.inserted);
      imported += inserted;
      // Every event of the batch is new: their sums go to the totals from here. Otherwise the
      // ledger says which ones this transaction inserted (the events' keys are distinct, as
      // readUsage returns them, so no other statement of it inserted these keys).
      if (inserted === batch.length) {
        for (const event of batch) totals.add(event);
        continue;
      }
      if (inserted > 0) {
        const added = await tx.query<{ user_name: string; meter: string; time: string; quantity: string; corrects: string | null }>(
          `select e.user_name, e.meter, ${STORED_TIME} as time, e.quantity::text as quantity, e.corrects
             from usage_events e join unnest($1::text[], $2::text[]) as k(source, id) on e.source = k.source and e.id = k.id
            where e.xmin = pg_current_xact_id()::xid`,
          [columns[0], columns[1]],
        );
        for (const r of added) totals.add({ user: r.user_name, meter: r.meter, time: r.time, quantity: normalizeDecimal(r.quantity), ...(r.corrects !== null ? { corrects: r.corrects } : {}) });
      }
      const differing = await tx.query<{ source: string; id: string; user_name: string; meter: string; quantity: string; time: string }>(
        `select e.source, e.id, e.user_name, e.meter, e.quantity::text as quantity, ${STORED_TIME} as time
           from usage_events e
           join unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::numeric[], $7::text[], $8::text[]) with ordinality as k(source, id, time, user_name, meter, quantity, corrects, detail, line)
             on e.source = k.source and e.id = k.id
          where (e.time, e.user_name, e.meter, e.quantity, e.corrects, e.detail) is distinct from (k.time, k.user_name, k.meter, k.quantity, k.corrects, k.detail)
          order by k.line`,
        columns,
      );
      already += batch.length - inserted - differing.length;
      for (const before of differing) {
        problems.push(`${name}: event ${before.source}/${before.id} was imported before with different content (${before.user_name} ${before.meter} ${normalizeDecimal(before.quantity)} at ${before.time}); send a correction instead`);
      }
    }
    // Throwing rolls the whole import back (the dropped indexes too).
    if (problems.length > 0) throw new UsageFileError(problems);
    await totals.write(tx);
    for (const definition of rebuild) await tx.query(definition);
    return { events: events.length, imported, alreadyImported: already };
  });
}

/**
 * What an import adds to the running totals (migration 7) of the events that are not
 * corrections — per user, meter and UTC month (the bill) and per meter and UTC day (the
 * report's daily usage) — summed exactly in JavaScript and written once at the end of the
 * import's transaction, so the totals can never disagree with the events. (Adding them per
 * batch in SQL made a million-event import half as slow again: every batch touched most of
 * the month's user totals.)
 */
class UsageTotals {
  // user → meter → month, and meter → day: nested maps of the event's own strings (a joined key
  // per event cost five times as much, mostly hashing the new string).
  private readonly months = new Map<string, Map<string, Map<string, DecimalTotal>>>();
  private readonly days = new Map<string, Map<string, DecimalTotal>>();

  add(event: Pick<UsageEvent, "user" | "meter" | "time" | "quantity" | "corrects">): void {
    if (event.corrects !== undefined) return;
    let byMeter = this.months.get(event.user);
    if (byMeter === undefined) this.months.set(event.user, (byMeter = new Map()));
    let byMonth = byMeter.get(event.meter);
    if (byMonth === undefined) byMeter.set(event.meter, (byMonth = new Map()));
    UsageTotals.into(byMonth, event.time.slice(0, 7), event.quantity);
    let byDay = this.days.get(event.meter);
    if (byDay === undefined) this.days.set(event.meter, (byDay = new Map()));
    UsageTotals.into(byDay, event.time.slice(0, 10), event.quantity);
  }

  private static into(totals: Map<string, DecimalTotal>, key: string, quantity: string): void {
    let total = totals.get(key);
    if (total === undefined) totals.set(key, (total = new DecimalTotal()));
    total.add(quantity);
  }

  async write(tx: Queryable): Promise<void> {
    const months: string[][] = [[], [], [], []];
    for (const [user, byMeter] of this.months) {
      for (const [meter, byMonth] of byMeter) {
        for (const [month, total] of byMonth) {
          months[0]!.push(user);
          months[1]!.push(meter);
          months[2]!.push(month);
          months[3]!.push(total.value.toFixed());
        }
      }
    }
    const days: string[][] = [[], [], []];
    for (const [meter, byDay] of this.days) {
      for (const [day, total] of byDay) {
        days[0]!.push(meter);
        days[1]!.push(day);
        days[2]!.push(total.value.toFixed());
      }
    }
    if (months[0]!.length > 0) {
      await tx.query(
        `insert into usage_month_totals as t (user_name, meter, month, quantity)
         select * from unnest($1::text[], $2::text[], $3::text[], $4::numeric[])
         on conflict (month, user_name, meter) do update set quantity = t.quantity + excluded.quantity`,
        months,
      );
    }
    if (days[0]!.length > 0) {
      await tx.query(
        `insert into usage_day_totals as t (meter, day, quantity)
         select * from unnest($1::text[], $2::date[], $3::numeric[])
         on conflict (day, meter) do update set quantity = t.quantity + excluded.quantity`,
        days,
      );
    }
  }
}

/**
 * PostgreSQL's advice for loading much data ("Populating a Database": remove indexes, load,
 * create them again): building an index once is cheaper than growing it a row at a time —
 * a quarter of a million-event import on PGlite. Only on an exclusive ledger (the table is
 * locked for the import) and only when the import is at least as large as the table (else
 * rebuilding would cost more than it saves). The primary key, which makes imports idempotent,
 * is dropped too only when it cannot matter (`conflictFree`: no source of the file is in the
 * ledger). Returns the statements that create what was dropped again, the key first.
 */
async function prepareBulk(tx: Queryable, events: readonly UsageEvent[], from: number): Promise<{ rebuild: string[]; conflictFree: boolean }> {
  const count = events.length;
  if (count < from) return { rebuild: [], conflictFree: false };
  const [stored] = await tx.query<{ n: number | string }>("select count(*) as n from usage_events");
  if (count < Number(stored!.n)) return { rebuild: [], conflictFree: false };
  const rebuild: string[] = [];
  // The primary key too, when no key of the file is in the ledger (the file's own keys are
  // distinct): building the key once after the load is less than half the cost of checking it
  // row by row (measured on PGlite: 300,000 rows 9.8 s with the key, 3.7 s building it after).
  // Whether any is there: none when no event of the ledger shares a source with the file (one
  // index probe), else one hash join of the file's keys against the table (300,000 keys
  // against as many rows: 0.5 s), in slices to bound the parameters' size.
  const sources = [...new Set(events.map((e) => e.source))];
  const [shared] = await tx.query<{ taken: boolean }>("select exists (select 1 from usage_events where source = any($1::text[])) as taken", [sources]);
  let conflictFree = shared?.taken === false;
  if (!conflictFree) {
    conflictFree = true;
    for (let start = 0; start < events.length && conflictFree; start += KEY_PROBE) {
      const slice = events.slice(start, start + KEY_PROBE);
      const [found] = await tx.query<{ taken: boolean }>(
        "select exists (select 1 from usage_events e join unnest($1::text[], $2::text[]) as k(source, id) on e.source = k.source and e.id = k.id) as taken",
        [slice.map((e) => e.source), slice.map((e) => e.id)],
      );
      conflictFree = found?.taken === false;
    }
  }
  if (conflictFree) {
    const [key] = await tx.query<{ name: string; definition: string }>("select conname as name, pg_get_constraintdef(oid) as definition from pg_constraint where conrelid = 'usage_events'::regclass and contype = 'p'");
    if (key !== undefined) {
      const name = `"${key.name.replace(/"/g, '""')}"`;
      await tx.query(`alter table usage_events drop constraint ${name}`);
      rebuild.push(`alter table usage_events add constraint ${name} ${key.definition}`);
    }
  }
  const indexes = await tx.query<{ name: string; definition: string }>(
    `select indexname as name, indexdef as definition from pg_indexes
      where schemaname = current_schema() and tablename = 'usage_events'
        and indexname not in (select conname from pg_constraint where conrelid = 'usage_events'::regclass)
      order by indexname`,
  );
  for (const index of indexes) await tx.query(`drop index "${index.name.replace(/"/g, '""')}"`);
  return { rebuild: [...rebuild, ...indexes.map((index) => index.definition)], conflictFree };
}

async function existingEvents(tx: Queryable, keys: readonly (readonly [string, string])[]): Promise<Map<string, UsageEvent>> {
  if (keys.length === 0) return new Map();
  const rows = await tx.query<{ source: string; id: string; time: string; user_name: string; meter: string; quantity: string; corrects: string | null; detail: string | null }>(
    `select e.source, e.id, ${STORED_TIME} as time, e.user_name, e.meter, e.quantity::text as quantity, e.corrects, e.detail
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
