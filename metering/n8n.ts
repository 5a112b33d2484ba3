/**
 * The n8n collector (`aiwc meter n8n`): one `n8n_runs` event per production execution, from
 * n8n's public REST API (`X-N8N-API-KEY`, an owner's key: it sees every execution).
 *
 * - What counts: finished executions (success, error, crashed, canceled) started by a trigger,
 *   a webhook, a chat, a retry or an error workflow — as n8n itself counts executions. Manual
 *   test runs in the editor, sub-workflow executions (counted with their parent) and n8n's
 *   internal and evaluation runs do not.
 * - Whose: the workflow's owner. `GET /api/v1/workflows/{id}` names the project that owns it
 *   (`shared`, role `workflow:owner`); a personal project belongs to one n8n account (its
 *   `creatorId`, or the `<e-mail>` n8n puts in a personal project's name), and the account's
 *   e-mail (`GET /api/v1/users`) is matched against users.yaml `email`. Workflows of team
 *   projects or of accounts no user has are the operator's: reported, not billed.
 * - Where it stopped: the cursor keeps the newest execution id below which everything is
 *   finished and counted. Executions are listed newest first (`GET /api/v1/executions`,
 *   `nextCursor` pages) down to that id; one still running or waiting holds the cursor below
 *   it, so the executions above are read again next time — same ids, so nothing twice.
 * - n8n prunes executions (EXECUTIONS_DATA_MAX_AGE, 14 days by default): run the collector
 *   well within that (the services role's timer runs it hourly).
 */
import { hostname } from "node:os";
import type { UsageEvent } from "../billing/usage";
import type { Config } from "../model/load";
import { getJson, readCursorFile, ServiceError, writeCursorFile } from "./service-api";
import type { Spool } from "./spool";

const METER = "n8n_runs";
const SERVICE = "n8n";
const COMMAND = "aiwc meter n8n";
/** Execution modes n8n does not count as production executions. */
const NOT_COUNTED = new Set(["manual", "integrated", "internal", "evaluation"]);
const FINISHED = new Set(["success", "error", "crashed", "canceled"]);

export interface N8nOptions {
  readonly config: Config;
  readonly spool: Spool;
  /** n8n's base URL, e.g. https://n8n.aiwc.internal. */
  readonly url: string;
  readonly apiKey: string;
  readonly cursor: string;
  readonly source?: string;
}

export interface N8nResult {
  readonly events: readonly UsageEvent[];
  /** Executions newer than the cursor, read this run. */
  readonly read: number;
  /** Executions still running or waiting (read again next run). */
  readonly unfinished: number;
  /** Executions not counted, by mode. */
  readonly notCounted: Readonly<Record<string, number>>;
  /** Counted executions no user owns, by workflow. */
  readonly unattributed: readonly { readonly workflow: string; readonly owner: string; readonly executions: number }[];
}

interface Cursor {
  readonly version: 1;
  /** Every execution with a (numeric) id up to this one is finished and counted. */
  readonly after: string | null;
}

interface Execution {
  readonly id: string;
  readonly finished?: boolean;
  readonly mode: string;
  readonly status?: string;
  readonly startedAt: string | null;
  readonly stoppedAt: string | null;
  readonly workflowId: string;
}

interface Owner {
  readonly user: string | undefined;
  /** Who owns it, for the report: an e-mail, a team project's name, or why it is unknown. */
  readonly label: string;
  readonly workflow: string;
}

const idOf = (value: unknown): bigint => {
  if ((typeof value === "string" && /^\d+$/.test(value)) || (typeof value === "number" && Number.isInteger(value))) return BigInt(value);
  throw new ServiceError(`n8n listed an execution whose id is not a number (${JSON.stringify(value)}): not the public API's executions list`);
};

export async function collectN8n(options: N8nOptions): Promise<N8nResult> {
  if (options.config.tariffs.payg[METER] === undefined) throw new ServiceError(`tariffs.yaml has no PAYG meter ${METER}: n8n runs would have nothing to bill against`);
  const base = new URL("/api/v1/", options.url);
  const headers = { "x-n8n-api-key": options.apiKey };
  const source = options.source ?? `n8n:${hostname()}`;
  const cursor = readCursorFile<Cursor>(options.cursor, COMMAND, { version: 1, after: null }, (c) => c.after === null || (typeof c.after === "string" && /^\d+$/.test(c.after)));
  const after = cursor.after === null ? -1n : BigInt(cursor.after);

  /** Every item of a paged list (`{data, nextCursor}`). */
  const list = async function* (path: string, params: Record<string, string>): AsyncGenerator<unknown> {
    let next: string | undefined;
    do {
      const url = new URL(path, base);
      for (const [k, v] of Object.entries({ ...params, limit: "250", ...(next !== undefined ? { cursor: next } : {}) })) url.searchParams.set(k, v);
      const page = (await getJson(SERVICE, url, headers)) as { data?: unknown; nextCursor?: unknown };
      if (!Array.isArray(page?.data)) throw new ServiceError(`n8n answered ${url.pathname} without a data list: not n8n's public API (is --url the n8n host?)`);
      yield* page.data;
      next = typeof page.nextCursor === "string" && page.nextCursor !== "" ? page.nextCursor : undefined;
    } while (next !== undefined);
  };

  // n8n accounts → users, by e-mail.
  const byEmail = new Map(options.config.users.filter((u) => u.email !== undefined).map((u) => [u.email!.toLowerCase(), u.name]));
  const accounts = new Map<string, string>();
  for await (const account of list("users", {})) {
    const { id, email } = account as { id?: unknown; email?: unknown };
    if (typeof id === "string" && typeof email === "string") accounts.set(id, email.toLowerCase());
  }

  const owners = new Map<string, Promise<Owner>>();
  const ownerOf = (workflowId: string): Promise<Owner> => {
    let owner = owners.get(workflowId);
    if (owner === undefined) {
      owner = (async (): Promise<Owner> => {
        const workflow = (await getJson(SERVICE, new URL(`workflows/${encodeURIComponent(workflowId)}`, base), headers, { missing: "undefined" })) as
          | { name?: string; shared?: { role?: string; project?: { name?: string; type?: string; creatorId?: string } }[] }
          | undefined;
        if (workflow === undefined) return { user: undefined, label: "deleted workflow", workflow: workflowId };
        const name = `${workflow.name ?? workflowId} (${workflowId})`;
        if (!Array.isArray(workflow.shared)) throw new ServiceError(`n8n does not say who owns workflow ${workflowId} (no \`shared\` in GET /api/v1/workflows/{id}): this n8n is older than the public API aiwc reads`);
        const project = workflow.shared.find((s) => s.role === "workflow:owner")?.project;
        if (project === undefined) return { user: undefined, label: "no owner", workflow: name };
        if (project.type !== "personal") return { user: undefined, label: `team project ${project.name ?? "?"}`, workflow: name };
        const email = (project.creatorId !== undefined ? accounts.get(project.creatorId) : undefined) ?? /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(project.name ?? "")?.[1]?.toLowerCase();
        if (email === undefined) return { user: undefined, label: `personal project ${project.name ?? "?"}`, workflow: name };
        return { user: byEmail.get(email), label: email, workflow: name };
      })();
      owners.set(workflowId, owner);
    }
    return owner;
  };

  const events: UsageEvent[] = [];
  const notCounted: Record<string, number> = {};
  const unattributed = new Map<string, { workflow: string; owner: string; executions: number }>();
  let read = 0;
  let unfinished = 0;
  let newest = after;
  let lowestOpen: bigint | undefined;
  for await (const item of list("executions", { includeData: "false" })) {
    const execution = item as Execution;
    const id = idOf(execution.id);
    if (id <= after) break; // newest first: the rest was counted before
    read++;
    if (id > newest) newest = id;
    const status = execution.status ?? (execution.finished === true ? "success" : execution.stoppedAt === null ? "running" : "error");
    if (!FINISHED.has(status)) {
      unfinished++;
      if (lowestOpen === undefined || id < lowestOpen) lowestOpen = id;
      continue;
    }
    if (NOT_COUNTED.has(execution.mode)) {
      notCounted[execution.mode] = (notCounted[execution.mode] ?? 0) + 1;
      continue;
    }
    const owner = await ownerOf(String(execution.workflowId));
    if (owner.user === undefined) {
      const key = `${owner.workflow}\u0000${owner.label}`;
      const entry = unattributed.get(key) ?? { workflow: owner.workflow, owner: owner.label, executions: 0 };
      entry.executions++;
      unattributed.set(key, entry);
      continue;
    }
    const time = execution.stoppedAt ?? execution.startedAt;
    if (time === null || Number.isNaN(Date.parse(time))) throw new ServiceError(`n8n execution ${execution.id} has no time it stopped or started`);
    events.push({ source, id: `n8n:${execution.id}`, time: new Date(time).toISOString(), user: owner.user, meter: METER, quantity: "1", detail: `${owner.workflow} (${execution.mode}, ${status})`.slice(0, 200) });
  }
  // Oldest first into the spool; then the cursor, below anything still open.
  events.reverse();
  for (const event of events) options.spool.append(event);
  const next = lowestOpen !== undefined ? lowestOpen - 1n : newest;
  writeCursorFile(options.cursor, { version: 1, after: next < 0n ? null : String(next) } satisfies Cursor);
  return { events, read, unfinished, notCounted, unattributed: [...unattributed.values()] };
}
