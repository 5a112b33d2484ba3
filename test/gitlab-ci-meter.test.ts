/**
 * `aiwc meter gitlab-ci` against a local stand-in of GitLab's REST API: CI minutes per user
 * from the CI group's runners' finished jobs, whole minutes per job, an unfinished job holding
 * the cursor, every page read, other accounts reported, the token never printed.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { collectGitlabCi } from "../metering/gitlab";
import { Spool } from "../metering/spool";
import { loadConfig } from "../model/load";
import { startGitlabStandIn, type GitlabJob, type GitlabStandIn } from "./stand-ins/gitlab";
import { DEFAULT_CONFIG, ROOT, tempDir } from "./helpers";

const ADMIN = "glpat-admin-0123456789abcdef";
const USER = "glpat-user-0123456789abcdef";
const config = loadConfig(DEFAULT_CONFIG);
const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 9, minute)).toISOString();

function job(id: number, username: string | null, status: GitlabJob["status"], duration: number | null): GitlabJob {
  const started = status === "created" || status === "pending" ? null : at(id % 50);
  return {
    id,
    status,
    name: `test-${id}`,
    created_at: at(0),
    started_at: started,
    finished_at: ["success", "failed", "canceled"].includes(status) && duration !== null ? at((id % 50) + 1) : null,
    duration,
    user: username === null ? null : { id: username.length, username, name: username, state: "active" },
    project: { id: 7, name: "app", path_with_namespace: `${username ?? "root"}/app` },
  };
}

describe("aiwc meter gitlab-ci", () => {
  let gitlab: GitlabStandIn;
  beforeAll(async () => {
    gitlab = await startGitlabStandIn(ADMIN, USER);
    gitlab.group("ci");
    gitlab.group("anna-stuff");
    gitlab.runners.push(
      { id: 1, description: "aiwc-ci-runners-01", runner_type: "group_type", group: "ci", jobs: [job(1, "anna", "success", 61.2), job(2, "ben", "failed", 30), job(3, "anna", "running", null), job(4, "root", "success", 600), job(5, "anna", "canceled", null)] },
      // 130 jobs: two pages of 100.
      { id: 2, description: "aiwc-ci-runners-02", runner_type: "group_type", group: "ci", jobs: Array.from({ length: 130 }, (_, i) => job(100 + i, "clara", "success", 60)) },
      // A runner a user registered for their own project: not the platform's, not billed.
      { id: 3, description: "anna's laptop", runner_type: "project_type", jobs: [job(900, "anna", "success", 3600)] },
      // A runner of another group (one a user made): not the platform's either.
      { id: 4, description: "anna's group runner", runner_type: "group_type", group: "anna-stuff", jobs: [job(950, "anna", "success", 3600)] },
      // An instance runner (none is aiwc's): every project could use it, so it is not billed as the platform's.
      { id: 5, description: "someone's instance runner", runner_type: "instance_type", jobs: [job(990, "anna", "success", 3600)] },
    );
  });
  afterAll(async () => gitlab?.close());

  test("finished jobs as whole minutes per user; an unfinished job is read again; nothing twice; the project runner is not read", async () => {
    const dir = tempDir("aiwc-gitlab-");
    const cursor = join(dir, "cursor.json");
    const run = async () => {
      const spool = new Spool(join(dir, "spool"));
      try {
        return await collectGitlabCi({ config, spool, url: gitlab.url, token: ADMIN, cursor, source: "gitlab:svc" });
      } finally {
        spool.close();
      }
    };
    const first = await run();
    expect(first.runners).toBe(2);
    expect(first.unfinished).toBe(1);
    const mine = first.events.filter((e) => e.user !== "clara");
    expect(mine.map((e) => [e.id, e.user, e.meter, e.quantity, e.time])).toEqual([
      ["gitlab-ci:1", "anna", "ci_minutes", "2", at(2)],
      ["gitlab-ci:2", "ben", "ci_minutes", "1", at(3)],
    ]);
    expect(first.events.filter((e) => e.user === "clara")).toHaveLength(130);
    expect(first.unattributed).toEqual([{ account: "root", jobs: 1, minutes: 10 }]);
    for (const other of [3, 4, 5]) expect(gitlab.requests.some((r) => r.startsWith(`GET /api/v4/runners/${other}/`)), `runner ${other}`).toBe(false);
    expect(gitlab.requests.filter((r) => r.startsWith("GET /api/v4/runners/2/jobs")).length).toBe(2);

    // Job 3 finishes and a new one comes: only those two are new; job 1, 2 and clara's are not read again.
    const runner = gitlab.runners[0]!;
    runner.jobs[2] = job(3, "anna", "success", 125);
    runner.jobs.push(job(6, "ben", "success", 59.9));
    const second = await run();
    expect(second.events.map((e) => [e.id, e.quantity])).toEqual([
      ["gitlab-ci:3", "3"],
      ["gitlab-ci:6", "1"],
    ]);
    expect(second.read).toBe(4); // jobs 3 to 6: above the job that held the cursor
    const third = await run();
    expect(third.events).toEqual([]);
    expect(third.read).toBe(0);
  });

  test("the CLI: GITLAB_TOKEN required, a non-administrator token refused in one line, the token never printed", async () => {
    const dir = tempDir("aiwc-gitlab-cli-");
    const cli = (env: NodeJS.ProcessEnv) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
        execFile(process.execPath, [join(ROOT, "bin", "aiwc.cjs"), "meter", "gitlab-ci", "--url", gitlab.url, "--cursor", join(dir, "cursor.json"), "--spool", join(dir, "spool")], { encoding: "utf8", env: { ...process.env, ...env } }, (error, out, err) =>
          resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, out, err }),
        ),
      );
    const missing = await cli({ GITLAB_TOKEN: "" });
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("GITLAB_TOKEN is not set");
    const refused = await cli({ GITLAB_TOKEN: USER });
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/GitLab at http:\/\/127\.0\.0\.1:\d+ refused the credentials \(HTTP 403 on \/api\/v4\/groups\/ci\/runners\)/);
    expect(refused.err).not.toContain(USER);
    expect(existsSync(join(dir, "cursor.json"))).toBe(false);
    const ok = await cli({ GITLAB_TOKEN: ADMIN });
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/^2 runner\(s\) of the CI group, \d+ job\(s\) read: \d+ job\(s\), \d+ minute\(s\) spooled to /);
    expect(ok.err).toMatch(/GitLab account root belong to no user in users\.yaml: not billed/);
    expect(`${ok.out}${ok.err}`).not.toContain(ADMIN);
  });
});
