/**
 * The usage ledger: a real SQL database. Embedded PGlite (PostgreSQL compiled to WASM) in a
 * directory by default (`.aiwc/ledger/`, or `--ledger DIR`); a PostgreSQL server when
 * AIWC_LEDGER holds a `postgres://` URL. The same SQL runs on both; the versioned migrations
 * below are applied when the ledger opens. Credentials come from the environment only and are
 * never printed (errors name the server, not the URL).
 */
import { mkdirSync } from "node:fs";
import { MIGRATIONS } from "./migrations";

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

export interface Ledger extends Queryable {
  /** `pglite DIR` or `postgres HOST:PORT/DB`, without credentials. */
  readonly description: string;
  /**
   * No other session can use the database while this one works (the embedded PGlite ledger):
   * bulk work may take table-wide locks without stopping anyone.
   */
  readonly exclusive: boolean;
  /** Runs `work` in one transaction: all of it or nothing. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export class LedgerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LedgerError";
  }
}

export interface LedgerOptions {
  /** PGlite data directory. @default .aiwc/ledger */
  readonly dir?: string;
  /** A postgres:// URL (AIWC_LEDGER); takes precedence over `dir`. */
  readonly url?: string;
}

/** Where a postgres:// URL points, for messages: never its user name or password. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `postgres ${parsed.hostname}:${parsed.port || "5432"}${parsed.pathname}`;
  } catch {
    return "postgres (unparsable AIWC_LEDGER URL)";
  }
}

/** A driver message with the URL's user name and password (and the URL itself) blanked out. */
export function withoutCredentials(message: string, url: string): string {
  let out = message.split(url).join("AIWC_LEDGER");
  try {
    const parsed = new URL(url);
    for (const secret of [parsed.username, parsed.password, decodeURIComponent(parsed.username), decodeURIComponent(parsed.password)]) {
      if (secret !== "") out = out.split(secret).join("***");
    }
  } catch {
    // An unparsable URL: nothing more to blank out.
  }
  return out;
}

async function openPglite(dir: string): Promise<Ledger> {
  mkdirSync(dir, { recursive: true });
  // Loaded only when the ledger is used (WASM PostgreSQL: not for every aiwc command).
  const { PGlite } = require("@electric-sql/pglite") as typeof import("@electric-sql/pglite");
  const db = await PGlite.create(dir);
  // Memory for sorts and hash tables: the month's aggregates of a large ledger (the bill, the
  // report) then stay in memory instead of spilling to disk. PostgreSQL's own default (4 MB)
  // suits a server shared by many sessions; this embedded one has a single session. A server
  // ledger keeps whatever its operator configured.
  await db.exec("set work_mem = '64MB'");
  const wrap = (q: { query: (sql: string, params?: unknown[]) => Promise<{ rows: unknown[] }> }): Queryable => ({
    query: async <T>(sql: string, params: readonly unknown[] = []) => (await q.query(sql, [...params])).rows as T[],
  });
  const base = wrap(db as unknown as Parameters<typeof wrap>[0]);
  return {
    description: `pglite ${dir}`,
    exclusive: true,
    query: base.query,
    transaction: (work) => db.transaction((tx) => work(wrap(tx as unknown as Parameters<typeof wrap>[0]))),
    close: () => db.close(),
  };
}

async function openPostgres(url: string): Promise<Ledger> {
  const description = describeUrl(url);
  const { Pool } = require("pg") as typeof import("pg");
  const pool = new Pool({ connectionString: url, max: 4 });
  // Numbers and timestamps as text: money and quantities stay decimal, never float.
  const types = { getTypeParser: () => (value: string) => value };
  const client = {
    query: async <T>(sql: string, params: readonly unknown[] = []) => (await pool.query({ text: sql, values: [...params], types })).rows as T[],
  };
  try {
    await client.query("select 1");
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new LedgerError(`cannot reach the ledger database (${description}): ${withoutCredentials((error as Error).message, url)}`);
  }
  return {
    description,
    exclusive: false,
    query: client.query,
    transaction: async (work) => {
      const connection = await pool.connect();
      try {
        await connection.query("begin");
        const result = await work({ query: async <T>(sql: string, params: readonly unknown[] = []) => (await connection.query({ text: sql, values: [...params], types })).rows as T[] });
        await connection.query("commit");
        return result;
      } catch (error) {
        await connection.query("rollback").catch(() => undefined);
        throw error;
      } finally {
        connection.release();
      }
    },
    close: () => pool.end(),
  };
}

/** Opens the ledger and brings its schema up to date. */
export async function openLedger(options: LedgerOptions = {}): Promise<Ledger> {
  const url = options.url ?? process.env.AIWC_LEDGER;
  if (url !== undefined && url !== "" && !/^postgres(ql)?:\/\//.test(url)) throw new LedgerError("AIWC_LEDGER must be a postgres:// URL (unset it to use the embedded ledger in .aiwc/ledger)");
  const ledger = url !== undefined && url !== "" ? await openPostgres(url) : await openPglite(options.dir ?? ".aiwc/ledger");
  try {
    await migrate(ledger);
  } catch (error) {
    await ledger.close();
    throw error;
  }
  return ledger;
}

/** Applies the migrations not yet applied, each in its own transaction, in order. */
export async function migrate(ledger: Ledger): Promise<number[]> {
  await ledger.query("create table if not exists aiwc_migrations (version integer primary key, name text not null, applied_at timestamptz not null default now())");
  const done = new Set((await ledger.query<{ version: number | string }>("select version from aiwc_migrations")).map((r) => Number(r.version)));
  const newest = Math.max(0, ...done);
  const known = Math.max(...MIGRATIONS.map((m) => m.version));
  if (newest > known) throw new LedgerError(`the ledger (${ledger.description}) was migrated by a newer aiwc (schema version ${newest}, this aiwc knows ${known}); upgrade aiwc`);
  const applied: number[] = [];
  for (const migration of MIGRATIONS) {
    if (done.has(migration.version)) continue;
    await ledger.transaction(async (tx) => {
      for (const statement of migration.sql) await tx.query(statement);
      await tx.query("insert into aiwc_migrations (version, name) values ($1, $2)", [migration.version, migration.name]);
    });
    applied.push(migration.version);
  }
  return applied;
}
