/**
 * GitLab's accounts and groups, applied by the services role's tasks (community.general's
 * gitlab_group, gitlab_user and gitlab_group_members through python-gitlab) against a local
 * stand-in of GitLab's API, with the lists `aiwc inventory` writes from users.yaml and the
 * tariffs. GIVEN four users (basic; + team; + devops; + devops + team), WHEN the play runs,
 * THEN each has an account with their users.yaml key, the team-pack users (only) are members
 * of the shared group, the devops-pack users (only) maintain their own CI subgroup; a second
 * run changes nothing; taking a pack away takes the membership, a rotated key replaces the old;
 * a user taken out of users.yaml is blocked and unblocked when they return.
 *
 * Needs ansible-core, Debian's `ansible` (community.general) and python3-gitlab (.ci/run
 * installs them). Only the stand-in on 127.0.0.1 is contacted.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse, stringify } from "yaml";
import { inventory } from "../../cli/commands/inventory";
import { startGitlabStandIn, type GitlabStandIn } from "../stand-ins/gitlab";
import { DEFAULT_CONFIG, ROOT, tempDir } from "../helpers";

const ADMIN = "glpat-admin-0123456789abcdef";
const ANSIBLE = join(ROOT, "ansible");
const OUTPUTS = join(ROOT, "test", "fixtures", "outputs", "hetzner.cdktf-outputs.json");
const KEY = (n: number) => `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${"ABCDEFGHIJ"[n]!.repeat(42)}${n} user${n}@example.org`;

interface User {
  name: string;
  tariff: string;
  sshKey: string;
  packs?: string[];
  email?: string;
}

const USERS: User[] = [
  { name: "anna", tariff: "basic", sshKey: KEY(0), email: "anna@example.org" },
  { name: "ben", tariff: "basic", packs: ["team"], sshKey: KEY(1) },
  { name: "cleo", tariff: "basic", packs: ["devops"], sshKey: KEY(2) },
  { name: "dora", tariff: "basic", packs: ["devops", "team"], sshKey: KEY(3) },
];

let gitlab: GitlabStandIn;
let dir: string;

/** The inventory's GitLab lists for these users, as `aiwc inventory` writes them for the service nodes. */
function gitlabVars(users: readonly User[]): Record<string, unknown> {
  const config = join(dir, `config-${Math.random().toString(36).slice(2)}`);
  mkdirSync(config);
  for (const name of ["cluster", "tariffs"]) cpSync(join(DEFAULT_CONFIG, `${name}.yaml`), join(config, `${name}.yaml`));
  writeFileSync(join(config, "users.yaml"), stringify({ users }));
  const inv = parse(inventory({ outputs: [OUTPUTS], config }).stdout) as { all: { children: { service_nodes: { vars: Record<string, unknown> } } } };
  const vars = inv.all.children.service_nodes.vars;
  return Object.fromEntries(Object.entries(vars).filter(([k]) => k.startsWith("services_gitlab_")));
}

/** Runs the services role's gitlab_accounts tasks on this machine (connection local) against the stand-in. */
async function play(users: readonly User[]): Promise<{ changed: number; failed: number; output: string }> {
  const inventoryFile = join(dir, "inventory.yml");
  writeFileSync(
    inventoryFile,
    stringify({
      all: {
        hosts: { gitlab: { ansible_connection: "local", ansible_python_interpreter: "/usr/bin/python3" } },
        vars: { ...gitlabVars(users), aiwc_cluster: "aiwc", services_gitlab_api_url: gitlab.url, services_gitlab_ca: "", services_gitlab_wait_retries: 1 },
      },
    }),
  );
  const playbook = join(dir, "accounts.yml");
  writeFileSync(
    playbook,
    stringify([{ name: "GitLab accounts", hosts: "all", gather_facts: false, tasks: [{ name: "Accounts", "ansible.builtin.include_role": { name: "services", tasks_from: "gitlab_accounts" } }] }]),
  );
  const run = promisify(execFile);
  try {
    const { stdout } = await run("ansible-playbook", ["-i", inventoryFile, playbook], {
      cwd: ANSIBLE,
      env: { ...process.env, AIWC_SECRET_GITLAB_ADMIN_TOKEN: ADMIN, ANSIBLE_NOCOLOR: "1", ANSIBLE_ROLES_PATH: join(ANSIBLE, "roles") },
      timeout: 240_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    const recap = /changed=(\d+)\s+unreachable=\d+\s+failed=(\d+)/.exec(stdout)!;
    return { changed: Number(recap[1]), failed: Number(recap[2]), output: stdout };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`ansible-playbook failed (apt-get install ansible python3-gitlab; .ci/run does):\n${e.stdout ?? ""}\n${e.stderr ?? e.message}`);
  }
}

const user = (name: string) => gitlab.users.find((u) => u.username === name);
const group = (path: string) => gitlab.groups.find((g) => g.full_path === path);
/** A group's members as "name:level", sorted. */
const members = (path: string) =>
  (group(path)?.members ?? []).map((m) => `${gitlab.users.find((u) => u.id === m.id)!.username}:${m.access_level}`).sort();

beforeAll(async () => {
  dir = tempDir("aiwc-gitlab-accounts-");
  gitlab = await startGitlabStandIn(ADMIN, "glpat-user-0123456789abcdef");
});

afterAll(async () => {
  await gitlab.close();
});

describe("GitLab accounts and groups from users.yaml and the packs (Ansible, community.general)", () => {
  test("the first run: an account and key for everyone, team members in the shared group, a CI subgroup per devops user", async () => {
    const first = await play(USERS);
    expect(first.failed).toBe(0);
    expect(first.changed).toBeGreaterThan(0);
    for (const u of USERS) {
      expect(user(u.name), u.name).toMatchObject({ name: u.name, state: "active", is_admin: false });
      expect(user(u.name)!.keys.map((k) => k.key)).toEqual([u.sshKey]);
      expect(user(u.name)!.keys[0]!.title).toMatch(/^aiwc [0-9a-f]{16}$/);
    }
    expect(user("anna")!.email).toBe("anna@example.org");
    expect(user("ben")!.email).toBe("ben@users.noreply.aiwc.internal");
    // The shared group: the team-pack users as developers, beside its owner (root, who created it).
    expect(group("team")).toMatchObject({ visibility: "private", project_creation_level: "developer" });
    expect(members("team")).toEqual(["ben:30", "dora:30", "root:50"]);
    // The CI group holds no projects itself; each devops user maintains their own subgroup.
    expect(group("ci")).toMatchObject({ visibility: "private", project_creation_level: "noone" });
    expect(members("ci")).toEqual(["root:50"]);
    expect(gitlab.groups.filter((g) => g.full_path.startsWith("ci/")).map((g) => g.full_path).sort()).toEqual(["ci/cleo", "ci/dora"]);
    expect(members("ci/cleo")).toEqual(["cleo:40"]);
    expect(members("ci/dora")).toEqual(["dora:40"]);
  }, 300_000);

  test("a second run changes nothing: no account, key, group or membership created, changed or removed", async () => {
    const before = gitlab.changes.length;
    const state = JSON.stringify({ users: gitlab.users, groups: gitlab.groups });
    const second = await play(USERS);
    expect(second.failed).toBe(0);
    expect(second.changed).toBe(0);
    // gitlab_user saves an existing account with the values it already has (a PUT that changes
    // nothing); nothing else writes.
    expect(gitlab.changes.slice(before).filter((c) => !/^PUT \/api\/v4\/users\/\d+$/.test(c))).toEqual([]);
    expect(JSON.stringify({ users: gitlab.users, groups: gitlab.groups })).toBe(state);
  }, 300_000);

  test("a pack taken away takes its membership, a rotated key replaces the old one, a new user gets an account", async () => {
    const after: User[] = [
      USERS[0]!,
      { ...USERS[1]!, packs: [] },
      { ...USERS[2]!, sshKey: KEY(7) },
      { ...USERS[3]!, packs: ["team"] },
      { name: "emil", tariff: "basic", packs: ["devops"], sshKey: KEY(4) },
    ];
    const third = await play(after);
    expect(third.failed).toBe(0);
    expect(members("team")).toEqual(["dora:30", "root:50"]);
    expect(members("ci/dora")).toEqual([]);
    expect(members("ci/cleo")).toEqual(["cleo:40"]);
    expect(members("ci/emil")).toEqual(["emil:40"]);
    expect(user("cleo")!.keys.map((k) => k.key)).toEqual([KEY(7)]);
    expect(user("emil")!.keys.map((k) => k.key)).toEqual([KEY(4)]);
    // The admin token never appears in the play's output.
    expect(third.output).not.toContain(ADMIN);
    const fourth = await play(after);
    expect(fourth.changed).toBe(0);
  }, 300_000);

  test("a user taken out of users.yaml is blocked, not deleted; back in it, unblocked; the operator's own accounts and blocks are left alone", async () => {
    const now: User[] = [USERS[0]!, { ...USERS[1]!, packs: [] }, { ...USERS[2]!, sshKey: KEY(7) }, { ...USERS[3]!, packs: ["team"] }, { name: "emil", tariff: "basic", packs: ["devops"], sshKey: KEY(4) }];
    // The operator's own account (a key of their own, none of aiwc's), and dora blocked by an
    // administrator while she is still in users.yaml.
    gitlab.users.push({ id: 9000, username: "ops", name: "Ops", email: "ops@example.org", state: "active", is_admin: false, bot: false, note: null, external: false, identities: [], keys: [{ id: 9001, title: "laptop", key: KEY(9), created_at: "2026-11-01T00:00:00Z" }] });
    user("dora")!.state = "blocked";
    const withoutBen = now.filter((u) => u.name !== "ben");
    const gone = await play(withoutBen);
    expect(gone.failed).toBe(0);
    expect(user("ben")).toMatchObject({ state: "blocked", note: "Blocked by aiwc: not in users.yaml." });
    // Blocked, not deleted: the account and its key are still there.
    expect(user("ben")!.keys).toHaveLength(1);
    expect(user("ops")).toMatchObject({ state: "active", note: null });
    expect(user("root")).toMatchObject({ state: "active" });
    expect(user("dora")).toMatchObject({ state: "blocked", note: null });
    expect(["anna", "cleo", "emil"].map((n) => user(n)!.state)).toEqual(["active", "active", "active"]);
    expect((await play(withoutBen)).changed).toBe(0);
    const back = await play(now);
    expect(back.failed).toBe(0);
    expect(user("ben")).toMatchObject({ state: "active", note: "" });
    expect(user("dora")).toMatchObject({ state: "blocked", note: null });
    expect((await play(now)).changed).toBe(0);
  }, 600_000);
});
