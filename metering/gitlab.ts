/**
 * The GitLab CI collector (`aiwc meter gitlab-ci`): one `ci_minutes` event per CI job the
 * platform's runners finished, from GitLab's REST API (`PRIVATE-TOKEN`: an administrator's
 * token with `read_api`, which sees every runner's jobs).
 *
 * - Which runners: the group runners of the CI group (`GET /api/v4/groups/:group/runners?
 *   type=group_type`, default group `ci`): the ci-runner nodes aiwc deploys, which only the
 *   projects of that group's subgroups (one per user whose pack sells gitlab-ci) can use.
 *   Runners users bring for their own projects are theirs and free.
 * - What counts: finished jobs (success, failed, canceled) with a duration, as minutes rounded
 *   up per job (GitHub Actions and most CI services bill a started minute as a minute).
 *   Pending, running or created jobs are read again next time.
 * - Whose: the GitLab account that triggered the job (`user.username`), which is the user's
 *   users.yaml name (the GitLab accounts aiwc creates carry it). Jobs of other accounts (the
 *   operator's root, a bot) are reported, not billed.
 * - Where it stopped: per runner, the highest job id below which every job is finished and
 *   counted. Jobs are listed newest first (`GET /api/v4/runners/:id/jobs?order_by=id&sort=desc`,
 *   `page`/`per_page`) down to it; an unfinished one holds the cursor below it, so newer jobs are
 *   read again — same ids, so nothing twice (`gitlab-ci:<job id>`).
 */
import { hostname } from "node:os";
import type { UsageEvent } from "../billing/usage";
import type { Config } from "../model/load";
import { getJson, readCursorFile, ServiceError, writeCursorFile } from "./service-api";
import type { Spool } from "./spool";

const METER = "ci_minutes";
const SERVICE = "GitLab";
const COMMAND = "aiwc meter gitlab-ci";
const FINISHED = new Set(["success", "failed", "canceled"]);
const PER_PAGE = 100;
/** The CI group of the services role (services_gitlab_ci_group). */
export const DEFAULT_CI_GROUP = "ci";

export interface GitlabCiOptions {
  readonly config: Config;
  readonly spool: Spool;
  /** GitLab's base URL, e.g. https://gitlab.aiwc.internal. */
  readonly url: string;
  readonly token: string;
  readonly cursor: string;
  readonly source?: string;
  /** The CI group whose group runners are the platform's (its path). @default "ci" */
  readonly group?: string;
}

export interface GitlabCiResult {
  readonly events: readonly UsageEvent[];
  readonly runners: number;
  /** Jobs newer than the cursor, read this run. */
  readonly read: number;
  /** Jobs not finished yet (read again next run). */
  readonly unfinished: number;
  /** Finished jobs of accounts that are no user, by account. */
  readonly unattributed: readonly { readonly account: string; readonly jobs: number; readonly minutes: number }[];
}

interface Cursor {
  readonly version: 1;
  /** Per runner id: every job up to this id is finished and counted. */
  readonly runners: Readonly<Record<string, number>>;
}

interface Job {
  readonly id: number;
  readonly status: string;
  readonly duration?: number | null;
  readonly finished_at?: string | null;
  readonly started_at?: string | null;
  readonly user?: { readonly username?: string } | null;
  readonly project?: { readonly path_with_namespace?: string } | null;
  readonly name?: string;
}

export async function collectGitlabCi(options: GitlabCiOptions): Promise<GitlabCiResult> {
  if (options.config.tariffs.payg[METER] === undefined) throw new ServiceError(`tariffs.yaml has no PAYG meter ${METER}: CI minutes would have nothing to bill against`);
  const base = new URL("/api/v4/", options.url);
  const headers = { "private-token": options.token };
  const source = options.source ?? `gitlab:${hostname()}`;
  const cursor = readCursorFile<Cursor>(options.cursor, COMMAND, { version: 1, runners: {} }, (c) => typeof c.runners === "object" && c.runners !== null && Object.values(c.runners).every((v) => Number.isInteger(v)));

  /** Every item of a paged list (`page`, `per_page`), stopping early when `enough` says so. */
  const list = async function* (path: string, params: Record<string, string>): AsyncGenerator<unknown> {
    for (let page = 1; ; page++) {
      const url = new URL(path, base);
      for (const [k, v] of Object.entries({ ...params, per_page: String(PER_PAGE), page: String(page) })) url.searchParams.set(k, v);
      const items = await getJson(SERVICE, url, headers);
      if (!Array.isArray(items)) throw new ServiceError(`GitLab answered ${url.pathname} without a list: not GitLab's REST API (is --url the GitLab host?)`);
      yield* items;
      if (items.length < PER_PAGE) return;
    }
  };

  const users = new Set(options.config.users.map((u) => u.name));
  const events: UsageEvent[] = [];
  const unattributed = new Map<string, { account: string; jobs: number; minutes: number }>();
  const next: Record<string, number> = { ...cursor.runners };
  let runners = 0;
  let read = 0;
  let unfinished = 0;
  for await (const item of list(`groups/${encodeURIComponent(options.group ?? DEFAULT_CI_GROUP)}/runners`, { type: "group_type" })) {
    const runner = item as { id?: unknown };
    if (typeof runner.id !== "number" || !Number.isInteger(runner.id)) throw new ServiceError(`GitLab listed a runner without a numeric id (${JSON.stringify(runner.id)})`);
    runners++;
    const after = cursor.runners[String(runner.id)] ?? 0;
    let newest = after;
    let lowestOpen: number | undefined;
    const fresh: UsageEvent[] = [];
    for await (const raw of list(`runners/${runner.id}/jobs`, { order_by: "id", sort: "desc" })) {
      const job = raw as Job;
      if (typeof job.id !== "number" || !Number.isInteger(job.id)) throw new ServiceError(`GitLab listed a job of runner ${runner.id} without a numeric id`);
      if (job.id <= after) break; // newest first: the rest was counted before
      read++;
      newest = Math.max(newest, job.id);
      if (!FINISHED.has(job.status)) {
        unfinished++;
        lowestOpen = Math.min(lowestOpen ?? job.id, job.id);
        continue;
      }
      // A job canceled before it started ran for no time: nothing to bill.
      if (job.duration === null || job.duration === undefined || job.duration <= 0) continue;
      const minutes = Math.ceil(job.duration / 60);
      const account = job.user?.username;
      if (account === undefined || !users.has(account)) {
        const key = account ?? "(no user)";
        const entry = unattributed.get(key) ?? { account: key, jobs: 0, minutes: 0 };
        entry.jobs++;
        entry.minutes += minutes;
        unattributed.set(key, entry);
        continue;
      }
      const time = job.finished_at ?? job.started_at;
      if (time === null || time === undefined || Number.isNaN(Date.parse(time))) throw new ServiceError(`GitLab job ${job.id} is finished but has no time it finished or started`);
      fresh.push({
        source,
        id: `gitlab-ci:${job.id}`,
        time: new Date(time).toISOString(),
        user: account,
        meter: METER,
        quantity: String(minutes),
        detail: `${job.project?.path_with_namespace ?? "?"} job ${job.name ?? job.id} (${job.status}, ${job.duration} s)`.slice(0, 200),
      });
    }
    events.push(...fresh.reverse());
    const stop = lowestOpen !== undefined ? lowestOpen - 1 : newest;
    if (stop > 0) next[String(runner.id)] = Math.max(after, stop);
  }
  // Oldest first into the spool; then the cursor.
  events.sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id));
  for (const event of events) options.spool.append(event);
  writeCursorFile(options.cursor, { version: 1, runners: next } satisfies Cursor);
  return { events, runners, read, unfinished, unattributed: [...unattributed.values()] };
}
