/**
 * The Ansible side: every playbook passes `ansible-playbook --syntax-check` and the roles pass
 * ansible-lint's production profile; the `common` role runs in check mode against a real host
 * reached only through a bastion (network namespaces with their own sshd), with the host
 * firewall aiwc inventory renders for it. Nothing on the machine is changed (check mode).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse, stringify } from "yaml";
import { nftablesRuleset } from "../../model/cloud-init";
import { ROOT, ZONES } from "../helpers";
import { pinnedSshConfig, startSshHosts, type SshHosts } from "../helpers-netns";

const ANSIBLE = join(ROOT, "ansible");
const PLAYBOOKS = readdirSync(ANSIBLE).filter((f) => f.endsWith(".yml") && f !== "inventory.yml");

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(cmd, args, { cwd: ANSIBLE, encoding: "utf8", env: { ...process.env, ANSIBLE_NOCOLOR: "1", ANSIBLE_FORCE_COLOR: "0", ...env }, timeout: 300_000 });
  if (r.error !== undefined) throw new Error(`${cmd} could not run (apt-get install ansible-core ansible-lint; .ci/run does): ${r.error.message}`);
  return r;
}

describe("playbooks and roles", () => {
  test.each(PLAYBOOKS)("%s passes --syntax-check", (playbook) => {
    const r = run("ansible-playbook", ["--syntax-check", "-i", "localhost,", playbook]);
    expect(r.status, r.stderr).toBe(0);
  });

  test("every command and shell task says when it changes something", () => {
    const missing: string[] = [];
    const walk = (file: string, tasks: Record<string, unknown>[]) => {
      for (const task of tasks) {
        if (Array.isArray(task.block)) walk(file, task.block as Record<string, unknown>[]);
        const module = ["ansible.builtin.command", "ansible.builtin.shell"].find((m) => m in task);
        if (module === undefined) continue;
        if (!("changed_when" in task)) missing.push(`${file}: ${String(task.name)}`);
        // creates/removes skip the command but a fixed changed_when would still report a change.
        const args = task[module] as Record<string, unknown> | string;
        if (typeof args === "object" && ("creates" in args || "removes" in args) && task.changed_when === true) {
          missing.push(`${file}: ${String(task.name)} (creates/removes with changed_when: true reports a change when skipped)`);
        }
      }
    };
    const roles = join(ANSIBLE, "roles");
    for (const role of readdirSync(roles)) {
      for (const dir of ["tasks", "handlers"]) {
        const path = join(roles, role, dir);
        if (!existsSync(path)) continue;
        for (const file of readdirSync(path).filter((f) => f.endsWith(".yml"))) walk(`${role}/${dir}/${file}`, (parse(readFileSync(join(path, file), "utf8")) ?? []) as Record<string, unknown>[]);
      }
    }
    expect(missing).toEqual([]);
  });

  test("ansible-lint, production profile", () => {
    const r = run("ansible-lint", ["--profile", "production", "--offline", "--nocolor"]);
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(`${r.stdout}${r.stderr}`).toMatch(/Passed with production profile: 0 failure\(s\), 0 warning\(s\)/);
  });
});

describe("the common role through the bastion", () => {
  let hosts: SshHosts;
  beforeAll(async () => {
    hosts = await startSshHosts();
  });
  afterAll(() => hosts?.close());

  test("runs in check mode against the private host, with pinned host keys", async () => {
    // Pin the keys first, as the operator does with `aiwc wait-ssh`.
    const { dir, sshConfig, jump } = await pinnedSshConfig(hosts, "controllers-01");
    const inventory = join(dir, "inventory.yml");
    writeFileSync(
      inventory,
      stringify({
        all: {
          vars: { aiwc_cluster: "itest", aiwc_provider: "hetzner", ansible_user: "root", ansible_python_interpreter: "/usr/bin/python3" },
          children: {
            controllers: {
              vars: { ansible_ssh_common_args: jump, aiwc_firewall_ruleset: nftablesRuleset("controller", ZONES, "reload") },
              hosts: { "controllers-01": { ansible_host: hosts.private.host } },
            },
          },
        },
      }),
    );
    const playbook = join(dir, "common.yml");
    writeFileSync(playbook, stringify([{ name: "Baseline", hosts: "controllers", roles: ["common"] }]));
    const r = run("ansible-playbook", ["--check", "-i", inventory, playbook], { ANSIBLE_SSH_ARGS: `-F ${sshConfig}`, ANSIBLE_ROLES_PATH: join(ANSIBLE, "roles") });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/controllers-01\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0/);
    expect(r.stdout).toContain("TASK [common : Install the host firewall]");
  });
});
