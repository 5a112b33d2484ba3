/**
 * The CI templates' command, run for real in a temporary git repository with two commits:
 * the base commit and a head that scales a group and removes a user with Storage+.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { DEFAULT_CONFIG, ROOT, tempDir } from "./helpers";
import { shardStackName, userShard } from "../config/placement";

const SCRIPT = join(ROOT, "examples", "ci", "cost-diff.sh");

function repoWithTwoCommits(): string {
  const root = tempDir("aiwc-ci-");
  const git = (...args: string[]) => {
    const r = spawnSync("git", ["-c", "user.name=ci", "-c", "user.email=ci@example.org", ...args], { cwd: root, encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
    return r.stdout.trim();
  };
  git("init", "-q", "-b", "main");
  cpSync(DEFAULT_CONFIG, join(root, "config"), { recursive: true, filter: (src) => !src.includes("examples") });
  git("add", "-A");
  git("commit", "-qm", "base");
  git("checkout", "-q", "-b", "feature");
  const cluster = join(root, "config", "cluster.yaml");
  writeFileSync(cluster, readFileSync(cluster, "utf8").replace("  service-nodes:\n    role: service\n    count: 2", "  service-nodes:\n    role: service\n    count: 3"));
  const users = join(root, "config", "users.yaml");
  const text = readFileSync(users, "utf8");
  writeFileSync(users, text.slice(0, text.indexOf("  - name: tina")) + text.slice(text.indexOf("  - name: uwe")));
  git("commit", "-qam", "head: one more service node, tina leaves");
  return root;
}

function runScript(cwd: string, env: NodeJS.ProcessEnv) {
  return spawnSync("bash", [SCRIPT, "main"], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, AIWC: `${process.execPath} ${join(ROOT, "bin", "aiwc.cjs")}`, AIWC_CONFIG: "config", AIWC_PRICING_DATE: "2026-11-27", ...env },
  });
}

describe("CI templates", () => {
  test("the cost-diff step writes one marked Markdown comment and fails on data at risk", () => {
    const root = repoWithTwoCommits();
    const r = runScript(root, {});
    expect(r.status, r.stderr).toBe(2);
    const comment = readFileSync(join(root, "aiwc-cost-diff.md"), "utf8");
    expect(comment.startsWith("<!-- aiwc-cost-diff -->\n### aiwc cost diff: +56.85 € per month (944.11 € → 1,000.96 €, +6.0 %)")).toBe(true);
    expect(comment).toContain("**⚠️ Data at risk:**");
    expect(comment).toContain("🚫 fail-on: 2 resource(s) holding data would be destroyed");
    expect(comment).toContain("<details>");
    // The full diff beside the (capped) comment, for the job's artifact.
    const full = JSON.parse(readFileSync(join(root, "aiwc-cost-diff.json"), "utf8"));
    expect(full.monthly).toEqual({ before: "944.11", after: "1000.96", change: "56.85" });
  });

  test("with the default conditions relaxed the step passes and still writes the comment", () => {
    const root = repoWithTwoCommits();
    const r = runScript(root, { AIWC_FAIL_ON: "monthly:100" });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(root, "aiwc-cost-diff.md"))).toBe(true);
  });

  test("a bad base is exit 1 and no comment", () => {
    const root = repoWithTwoCommits();
    const r = spawnSync("bash", [SCRIPT, "no-such-branch"], { cwd: root, encoding: "utf8", env: { ...process.env, AIWC: `${process.execPath} ${join(ROOT, "bin", "aiwc.cjs")}`, AIWC_CONFIG: "config" } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('base: "no-such-branch" is neither a file nor a git ref');
    expect(existsSync(join(root, "aiwc-cost-diff.md"))).toBe(false);
  });

  test("both templates run the same script against the target branch and keep one comment", () => {
    const github = parse(readFileSync(join(ROOT, "examples", "ci", "github-actions.yml"), "utf8"));
    const steps = github.jobs["cost-diff"].steps as { run?: string; with?: { script?: string; "fetch-depth"?: number } }[];
    expect(steps.some((s) => s.run?.includes('examples/ci/cost-diff.sh "origin/${{ github.base_ref }}"'))).toBe(true);
    expect(steps[0]!.with?.["fetch-depth"]).toBe(0);
    expect(steps.some((s) => s.with?.script?.includes("updateComment") && s.with.script.includes("<!-- aiwc-cost-diff -->"))).toBe(true);
    const gitlab = parse(readFileSync(join(ROOT, "examples", "ci", "gitlab-ci.yml"), "utf8"))["aiwc-cost-diff"];
    expect(gitlab.script.join("\n")).toContain('examples/ci/cost-diff.sh "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"');
    expect(gitlab.script.join("\n")).toContain("<!-- aiwc-cost-diff -->");
    expect(gitlab.variables.GIT_DEPTH).toBe(0);
  });

  test("the monthly price refresh writes the catalogs and the pull request's description; the workflow opens the pull request from it", () => {
    const root = tempDir("aiwc-ci-prices-");
    cpSync(DEFAULT_CONFIG, join(root, "config"), { recursive: true, filter: (src) => !src.includes("examples") });
    const before = readFileSync(join(root, "config", "prices", "hetzner.yaml"), "utf8");
    // A one-day policy, so rows the lists do not carry are reported whatever their date.
    const cluster = join(root, "config", "cluster.yaml");
    writeFileSync(cluster, readFileSync(cluster, "utf8").replace(/maxCatalogAgeDays: \d+/, "maxCatalogAgeDays: 1"));
    const storageAsOf = /object_storage_base: .*?as_of: "([\d-]+)"/.exec(before)![1];
    const r = spawnSync("bash", [join(ROOT, "examples", "ci", "price-refresh.sh")], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, AIWC: `${process.execPath} ${join(ROOT, "bin", "aiwc.cjs")}`, AIWC_CONFIG: "config", HCLOUD_TOKEN: "", AIWC_PRICE_LIST_FROM_HETZNER: join(ROOT, "test", "fixtures", "prices", "hcloud-pricing.json"), AIWC_PRICE_LIST_FROM_OVH: join(ROOT, "test", "fixtures", "prices", "ovh-cloud-catalog.json") },
    });
    expect(r.status, r.stderr).toBe(0);
    const body = readFileSync(join(root, "aiwc-price-refresh.md"), "utf8");
    expect(body.startsWith("<!-- aiwc-price-refresh -->\n## aiwc price refresh\n")).toBe(true);
    expect(body).toMatch(/### Hetzner: 3 price\(s\) changed/);
    expect(body).toContain("| `server_types.cpx22` |  | 19.49 | 20.99 | +7.7 % |");
    expect(body).toContain("| `server_types.ccx13` | ash | 42.99 | 47.49 | +10.5 % |");
    expect(body).toMatch(/### OVH: 1 price\(s\) changed/);
    // Rows the list does not carry stay as old as they were: the description says so.
    expect(body).toContain("### Still older than policy.maxCatalogAgeDays");
    expect(body).toContain(`- hetzner.products.object_storage_base was last confirmed ${storageAsOf}`);
    expect(readFileSync(join(root, "config", "prices", "hetzner.yaml"), "utf8")).not.toBe(before);
    expect(existsSync(join(root, "aiwc-prices-check.txt"))).toBe(false);
    const workflow = parse(readFileSync(join(ROOT, "examples", "ci", "github-price-refresh.yml"), "utf8"));
    expect(workflow.on.schedule[0].cron).toBe("17 5 2 * *");
    const steps = workflow.jobs.refresh.steps as { run?: string; uses?: string; env?: Record<string, string>; with?: Record<string, unknown> }[];
    expect(steps.find((s) => s.run === "examples/ci/price-refresh.sh")?.env).toMatchObject({ AIWC_REFRESH_PROVIDERS: "hetzner ovh aws", HCLOUD_TOKEN: "${{ secrets.HCLOUD_READONLY_TOKEN }}", AWS_ACCESS_KEY_ID: "${{ secrets.AWS_PRICING_ACCESS_KEY_ID }}" });
    expect(steps.find((s) => s.uses?.startsWith("peter-evans/create-pull-request@"))?.with).toMatchObject({ "body-path": "aiwc-price-refresh.md", "add-paths": "config/prices/*.yaml" });
    const gitlab = parse(readFileSync(join(ROOT, "examples", "ci", "gitlab-ci.yml"), "utf8"))["aiwc-price-refresh"];
    expect(gitlab.rules[0].if).toBe('$CI_PIPELINE_SOURCE == "schedule" && $AIWC_PRICE_REFRESH == "1"');
    expect(gitlab.script).toContain("examples/ci/price-refresh.sh");
    expect(gitlab.script.join("\n")).toContain('description:require("fs").readFileSync("aiwc-price-refresh.md","utf8")');
    const lint = spawnSync("bash", ["-n", "-c", gitlab.script.at(-1)], { encoding: "utf8" });
    expect(lint.status, lint.stderr).toBe(0);
  });

  test("deploy: the stacks the change touches, the platform first; moves between users stacks wait for their state", () => {
    const root = tempDir("aiwc-ci-deploy-");
    const git = (...args: string[]) => {
      const r = spawnSync("git", ["-c", "user.name=ci", "-c", "user.email=ci@example.org", ...args], { cwd: root, encoding: "utf8" });
      if (r.status !== 0) throw new Error(r.stderr);
    };
    git("init", "-q", "-b", "main");
    cpSync(DEFAULT_CONFIG, join(root, "config"), { recursive: true, filter: (src) => !src.includes("examples") });
    const cluster = join(root, "config", "cluster.yaml");
    const shards = (n: number) => writeFileSync(cluster, readFileSync(cluster, "utf8").replace(/state:\n  backend: local\n(  shards: \d+\n)?/, `state:\n  backend: local\n  shards: ${n}\n`));
    shards(3);
    // This is about which stacks deploy, not budgets: one more user passes the gate.
    writeFileSync(cluster, `${readFileSync(cluster, "utf8").replace(/^policy:\n/m, "policy:\n  override: { reason: deploy-stacks test }\n")}`);
    git("add", "-A");
    git("commit", "-qm", "deployed");
    git("tag", "aiwc/deployed");
    const env = { ...process.env, AIWC: `${process.execPath} ${join(ROOT, "bin", "aiwc.cjs")}`, AIWC_CONFIG: "config", AIWC_PRICING_DATE: "2026-11-27", AIWC_GITLAB_PIPELINE: "child.yml" };
    const run = (ref?: string, extra: NodeJS.ProcessEnv = {}) => spawnSync("bash", [join(ROOT, "examples", "ci", "deploy-stacks.sh"), ...(ref !== undefined ? [ref] : [])], { cwd: root, encoding: "utf8", env: { ...env, ...extra } });
    const plan = () => JSON.parse(readFileSync(join(root, "aiwc-deploy.json"), "utf8"));

    // A first deploy: every stack.
    const first = run();
    expect(first.status, first.stderr).toBe(0);
    expect(plan()).toEqual({ platform: true, users: ["users-00", "users-01", "users-02"] });
    // Onboarding one user: that user's stack alone.
    const users = join(root, "config", "users.yaml");
    writeFileSync(users, `${readFileSync(users, "utf8").trimEnd()}\n  - name: zeno\n    tariff: basic\n    sshKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBuiZ5GD2kh710VAvt4oM+BSUW3xZD+Fd0wH9X6Nbm8P zeno"\n`);
    git("commit", "-qam", "zeno");
    const onboard = run("aiwc/deployed");
    expect(onboard.status, onboard.stderr).toBe(0);
    expect(plan()).toEqual({ platform: false, users: [shardStackName(userShard("zeno", 3))] });
    const child = parse(readFileSync(join(root, "child.yml"), "utf8"));
    expect(Object.keys(child)).toEqual(["stages", `deploy-${shardStackName(userShard("zeno", 3))}`, "aiwc-record"]);
    expect(child[`deploy-${shardStackName(userShard("zeno", 3))}`].script).toContain(`npx cdktf deploy ${shardStackName(userShard("zeno", 3))} --skip-synth --skip-provider-lock --auto-approve`);
    // Four stacks instead of three: users move, and nothing deploys until their state has moved.
    shards(4);
    git("commit", "-qam", "four users stacks");
    const moved = run("aiwc/deployed");
    expect(moved.status).toBe(2);
    const migrated = run("aiwc/deployed", { AIWC_SHARDS_MIGRATED: "1" });
    expect(migrated.status, migrated.stderr).toBe(0);
    expect(plan().users).toContain("users-03");
    const withPlatform = parse(readFileSync(join(root, "child.yml"), "utf8"));
    expect(withPlatform.stages).toEqual(["platform", "users", "record"]);

    // The workflow: platform first, then a matrix of the touched users stacks.
    const workflow = parse(readFileSync(join(ROOT, "examples", "ci", "github-deploy.yml"), "utf8"));
    expect(workflow.jobs.synth.steps.some((s: { run?: string }) => s.run?.includes("examples/ci/deploy-stacks.sh aiwc/deployed"))).toBe(true);
    expect(workflow.jobs.users.needs).toEqual(["synth", "platform"]);
    expect(workflow.jobs.users.strategy.matrix.stack).toBe("${{ fromJSON(needs.synth.outputs.users) }}");
    expect(workflow.jobs.users.steps.at(-1).run).toContain('npx cdktf deploy "${{ matrix.stack }}" --skip-synth');
    const gitlab = parse(readFileSync(join(ROOT, "examples", "ci", "gitlab-ci.yml"), "utf8"));
    expect(gitlab["aiwc-deploy-plan"].script).toContain("examples/ci/deploy-stacks.sh aiwc/deployed");
    expect(gitlab["aiwc-deploy"].trigger.include[0]).toEqual({ artifact: "aiwc-deploy-pipeline.yml", job: "aiwc-deploy-plan" });
  });
});
