/**
 * The Langfuse collector (`aiwc meter langfuse`): `langfuse_events` per user and day from
 * Langfuse's public API.
 *
 * - Whose: Langfuse keeps each project's data apart, with its own API keys, so each user with
 *   Langfuse gets a project of their own (made by the operator in Langfuse: organisation →
 *   New project → API keys) and the projects file lists it:
 *   `{"projects": [{"user": "nina", "publicKey": "pk-lf-…", "secretKey": "sk-lf-…"}]}`.
 *   A trace's `userId` is whatever the user's application sets, so it is never used to bill.
 * - What counts: the project's traces and observations (spans, generations, events) per UTC
 *   day, as `GET /api/public/metrics/daily` reports them (Basic auth with the project's keys,
 *   paged by `page`/`limit`, `meta.totalPages`) — Langfuse's own unit of ingestion. Scores are
 *   not in that report and not billed.
 * - When: a day once it is over and an hour has passed (Langfuse ingests asynchronously), one
 *   event per user and day, id `langfuse_events:<user>:<day>`; the cursor keeps each user's
 *   last day collected. A project that cannot be read fails the run with nothing written.
 */
import { hostname } from "node:os";
import { readFileSync } from "node:fs";
import type { UsageEvent } from "../billing/usage";
import type { Config } from "../model/load";
import { getJson, readCursorFile, ServiceError, writeCursorFile } from "./service-api";
import type { Spool } from "./spool";

const METER = "langfuse_events";
const SERVICE = "Langfuse";
const DAY_MS = 86_400_000;

export interface LangfuseProject {
  readonly user: string;
  readonly publicKey: string;
  readonly secretKey: string;
}

export interface LangfuseOptions {
  readonly config: Config;
  readonly spool: Spool;
  readonly url: string;
  readonly projects: readonly LangfuseProject[];
  readonly cursor: string;
  readonly source?: string;
  readonly now?: Date;
  /** How long after a day's end its events may still be ingested (default 1 h). */
  readonly graceSeconds?: number;
  /** The first day to collect for a user not in the cursor yet (default: yesterday's month's first day). */
  readonly since?: string;
}

export interface LangfuseResult {
  readonly events: readonly UsageEvent[];
  readonly projects: number;
  /** The last complete day collected. */
  readonly through: string;
}

interface Cursor {
  readonly version: 1;
  /** user → the last day collected. */
  readonly users: Readonly<Record<string, string>>;
}

const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The projects file (secret: it holds the projects' keys). */
export function readProjects(path: string, config: Config): LangfuseProject[] {
  let parsed: { projects?: unknown };
  try {
    parsed = JSON.parse(readFileSync(path, "utf8")) as typeof parsed;
  } catch (error) {
    throw new ServiceError(`${path}: not a JSON projects file (${(error as Error).message.split("\n")[0]})`);
  }
  if (!Array.isArray(parsed.projects)) throw new ServiceError(`${path}: expected {"projects": [{"user", "publicKey", "secretKey"}, …]}`);
  const users = new Set(config.users.map((u) => u.name));
  const problems: string[] = [];
  const seen = new Set<string>();
  const projects = parsed.projects.map((entry, i) => {
    const p = entry as Partial<LangfuseProject>;
    if (typeof p.user !== "string" || !users.has(p.user)) problems.push(`projects.${i}.user: ${JSON.stringify(p.user)} is no user in users.yaml`);
    else if (seen.has(p.user)) problems.push(`projects.${i}.user: ${p.user} has a project already (one project per user)`);
    else seen.add(p.user);
    if (typeof p.publicKey !== "string" || !p.publicKey.startsWith("pk-lf-")) problems.push(`projects.${i}.publicKey: must be the project's public key (pk-lf-…)`);
    if (typeof p.secretKey !== "string" || !p.secretKey.startsWith("sk-lf-")) problems.push(`projects.${i}.secretKey: must be the project's secret key (sk-lf-…)`);
    return p as LangfuseProject;
  });
  if (problems.length > 0) throw new ServiceError(`${path}:\n  ${problems.join("\n  ")}`);
  return projects;
}

export async function collectLangfuse(options: LangfuseOptions): Promise<LangfuseResult> {
  if (options.config.tariffs.payg[METER] === undefined) throw new ServiceError(`tariffs.yaml has no PAYG meter ${METER}: Langfuse events would have nothing to bill against`);
  const now = (options.now ?? new Date()).getTime();
  // The last day that is over, with its grace.
  const through = dayOf(now - (options.graceSeconds ?? 3600) * 1000 - DAY_MS);
  const since = options.since ?? `${through.slice(0, 7)}-01`;
  const source = options.source ?? `langfuse:${hostname()}`;
  const cursor = readCursorFile<Cursor>(options.cursor, "aiwc meter langfuse", { version: 1, users: {} }, (c) => typeof c.users === "object" && c.users !== null);
  const events: UsageEvent[] = [];
  const collected: Record<string, string> = { ...cursor.users };
  // Every project read before anything is written.
  for (const project of options.projects) {
    const last = cursor.users[project.user];
    const from = last !== undefined ? dayOf(Date.parse(`${last}T00:00:00Z`) + DAY_MS) : since;
    if (from > through) continue;
    const auth = `Basic ${Buffer.from(`${project.publicKey}:${project.secretKey}`).toString("base64")}`;
    const days = new Map<string, number>();
    for (let page = 1, pages = 1; page <= pages; page++) {
      const url = new URL("/api/public/metrics/daily", options.url);
      url.searchParams.set("fromTimestamp", `${from}T00:00:00.000Z`);
      url.searchParams.set("toTimestamp", new Date(Date.parse(`${through}T00:00:00Z`) + DAY_MS).toISOString());
      url.searchParams.set("page", String(page));
      url.searchParams.set("limit", "100");
      const body = (await getJson(SERVICE, url, { authorization: auth })) as { data?: unknown; meta?: { totalPages?: unknown } };
      if (!Array.isArray(body?.data) || typeof body.meta?.totalPages !== "number") throw new ServiceError(`Langfuse answered ${url.pathname} for ${project.user}'s project without data and meta.totalPages: not Langfuse's public API (is --url the Langfuse host?)`);
      pages = body.meta.totalPages;
      for (const row of body.data as { date?: unknown; countTraces?: unknown; countObservations?: unknown }[]) {
        if (typeof row.date !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(row.date) || typeof row.countTraces !== "number" || typeof row.countObservations !== "number") {
          throw new ServiceError(`Langfuse's daily metrics for ${project.user}'s project have a row without date, countTraces and countObservations: ${JSON.stringify(row).slice(0, 200)}`);
        }
        if (row.date >= from && row.date <= through) days.set(row.date, (days.get(row.date) ?? 0) + row.countTraces + row.countObservations);
      }
    }
    for (const [day, count] of [...days].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (count > 0) events.push({ source, id: `${METER}:${project.user}:${day}`, time: `${day}T23:59:59Z`, user: project.user, meter: METER, quantity: String(count), detail: "traces and observations (Langfuse daily metrics)" });
    }
    collected[project.user] = through;
  }
  for (const event of events) options.spool.append(event);
  writeCursorFile(options.cursor, { version: 1, users: collected } satisfies Cursor);
  return { events, projects: options.projects.length, through };
}
