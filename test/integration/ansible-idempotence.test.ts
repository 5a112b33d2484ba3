/**
 * Idempotence, for real: `users.yml` (the `common` baseline, then `user_vm`) runs twice, not in
 * check mode, against a user's VM that has its own Debian root filesystem (helpers-rootfs.ts),
 * reached only through a bastion, with the inventory `aiwc inventory` writes from the Hetzner
 * outputs; then `bastion.yml` twice against the same host playing the bastion (backups
 * included, run once for real into a local rclone remote). The first run changes the host, the
 * second must report changed=0. The host's
 * changes land in an overlay's upper directory that is thrown away; the test checks the
 * machine it runs on kept its own files and users.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse, stringify } from "yaml";
import { inventory } from "../../cli/commands/inventory";
import { fixtureConfig, ROOT } from "../helpers";
import { pinnedSshConfig, startSshHosts, type SshHosts } from "../helpers-netns";
import { ensureRootfs } from "../helpers-rootfs";

const ANSIBLE = join(ROOT, "ansible");
const OUTPUTS = join(ROOT, "test", "fixtures", "outputs", "hetzner.cdktf-outputs.json");

interface Recap {
  readonly stdout: string;
  readonly changed: number;
  readonly failed: number;
}

const playTwice = {
  /** One ansible-playbook run (for real unless `check`) limited to one host; fails the test unless it succeeds. */
  run(playbook: string, host: string, inventoryFile: string, sshConfig: string, env: NodeJS.ProcessEnv = {}, check = false): Recap {
    const r = spawnSync("ansible-playbook", ["-i", inventoryFile, "--limit", host, ...(check ? ["--check", "--diff"] : []), playbook], {
      cwd: ANSIBLE,
      encoding: "utf8",
      env: { ...process.env, ANSIBLE_NOCOLOR: "1", ANSIBLE_SSH_ARGS: `-F ${sshConfig}`, ...env },
      timeout: 600_000,
    });
    if (r.error !== undefined) throw new Error(`ansible-playbook could not run (apt-get install ansible-core; .ci/run does): ${r.error.message}`);
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const recap = new RegExp(`${host}\\s+: ok=(\\d+)\\s+changed=(\\d+)\\s+unreachable=(\\d+)\\s+failed=(\\d+)`).exec(r.stdout);
    expect(recap, r.stdout).not.toBeNull();
    return { stdout: `${r.stdout}${r.stderr}`, changed: Number(recap![2]), failed: Number(recap![4]) };
  },
};

/** What the test must not touch on the machine it runs on. */
function machineState(user: string): string {
  const files = ["/proc/sys/net/ipv4/ip_forward", "/etc/ssh/sshd_config.d/20-aiwc-bastion.conf", "/etc/aiwc/backup.env", "/etc/passwd", "/etc/group", "/etc/hosts", "/etc/fstab", "/etc/nftables.conf", "/etc/apt/apt.conf.d/20auto-upgrades", "/etc/ssh/sshd_config.d/10-aiwc.conf", `/etc/sudoers.d/90-aiwc-${user}`];
  const hash = createHash("sha256");
  for (const f of files) hash.update(`${f}:${existsSync(f) ? readFileSync(f) : "absent"}\n`);
  hash.update(spawnSync("getent", ["passwd", user], { encoding: "utf8" }).stdout);
  return hash.digest("hex");
}

describe("users.yml twice against a user's VM on its own root filesystem", () => {
  let hosts: SshHosts | undefined;
  let inv: { all: { vars: Record<string, unknown>; children: Record<string, { vars: Record<string, unknown>; hosts: Record<string, Record<string, unknown>> }> } };
  let name: string;
  let vm: Record<string, unknown>;
  let machineBefore: string;

  beforeAll(async () => {
    const tree = ensureRootfs();
    // The default config with sudo granted to the first user, so the grant is exercised too.
    const config = fixtureConfig({ users: (doc) => doc.setIn(["users", 0, "sudo"], true) });
    inv = parse(inventory({ config, outputs: [OUTPUTS] }).stdout);
    [name, vm] = Object.entries(inv.all.children.user_vms!.hosts).find(([, v]) => v.user_vm_sudo === true)!;
    machineBefore = machineState(String(vm.aiwc_user));
    hosts = await startSshHosts({ rootfs: tree, privateLink: { bastion: String(inv.all.vars.aiwc_bastion_private_ip), host: String(vm.ansible_host) } });
  }, 900_000);
  afterAll(() => hosts?.close());

  /**
   * The throwaway host playing these inventory hosts (group, name), reached through the test's
   * jump host: its keys pinned, an inventory file pointing them at it, a command runner on it.
   */
  async function playAs(roles: readonly (readonly [group: string, host: string])[]) {
    const h = hosts!;
    const { dir, sshConfig, jump } = await pinnedSshConfig(h, roles[0]![1]);
    for (const [group, name] of roles) {
      inv.all.children[group]!.hosts[name]!.ansible_host = h.private.host;
      inv.all.children[group]!.vars.ansible_ssh_common_args = jump;
    }
    const inventoryFile = join(dir, "inventory.yml");
    writeFileSync(inventoryFile, stringify(inv));
    const onHost = (command: string) => execFileSync("ssh", ["-F", sshConfig, "-o", `ProxyJump=root@${h.bastion.host}`, `root@${h.private.host}`, command], { encoding: "utf8" });
    return { dir, sshConfig, inventoryFile, onHost };
  }

  test("the second run changes nothing; the VM has the user, their key, sudo and the firewall", async () => {
    const h = hosts!;
    const { dir, sshConfig, jump } = await pinnedSshConfig(h, name);

    // The inventory as written, with the throwaway bastion's address in place of the fixture's.
    const group = inv.all.children.user_vms!;
    group.vars.ansible_ssh_common_args = jump;
    // This kernel has no quota format support (ext4 quotas need QFMT_V2): the limits are set
    // for real in the quota file, the role warns that nothing enforces them.
    group.hosts[name]!.user_vm_quota_strict = false;
    const inventoryFile = join(dir, "inventory.yml");
    writeFileSync(inventoryFile, stringify(inv));

    const play = () => playTwice.run("users.yml", name, inventoryFile, sshConfig);
    const onVm = (command: string) =>
      execFileSync("ssh", ["-F", sshConfig, "-o", `ProxyJump=root@${h.bastion.host}`, `root@${h.private.host}`, command], { encoding: "utf8" });
    const user = String(vm.aiwc_user);
    // What the operator runs first on a new VM: check mode succeeds and changes nothing.
    const check = playTwice.run("users.yml", name, inventoryFile, sshConfig, {}, true);
    expect(check.failed).toBe(0);
    expect(check.changed, check.stdout).toBeGreaterThan(0);
    expect(spawnSync("ssh", ["-F", sshConfig, "-o", `ProxyJump=root@${h.bastion.host}`, `root@${h.private.host}`, `getent passwd ${user}`]).status).not.toBe(0);
    const first = play();
    expect(first.failed).toBe(0);
    expect(first.changed, first.stdout).toBeGreaterThan(0);
    expect(first.stdout).toContain("TASK [user_vm : Set the user's hard limit to the tariff's quota]");
    expect(first.stdout).toMatch(/The kernel cannot enforce quotas here/);
    const second = play();
    expect(second.changed, `second run changed something:\n${second.stdout}`).toBe(0);

    expect(onVm(`getent passwd ${user}`)).toMatch(new RegExp(`^${user}:x:\\d+:\\d+::/home/${user}:/bin/bash`));
    expect(onVm(`cat /home/${user}/.ssh/authorized_keys`)).toBe(`${String(vm.user_vm_ssh_key)}\n`);
    expect(onVm(`cat /etc/sudoers.d/90-aiwc-${user}`)).toBe(`${user} ALL=(ALL) NOPASSWD:ALL\n`);
    expect(onVm("cat /etc/ssh/sshd_config.d/10-aiwc.conf")).toContain("PasswordAuthentication no");
    // The tariff's quota (10 GB) as the user's hard block limit, kept on at boot through fstab.
    const quota = onVm("repquota --user --verbose --output=csv /home").split("\n").find((l) => l.startsWith(`${user},`));
    expect(quota?.split(",").slice(4, 6)).toEqual(["0", String(Number(vm.user_vm_storage_quota_gb) * 1024 * 1024)]);
    expect(onVm("cat /etc/fstab")).toMatch(/ \/home ext4 defaults,usrjquota=aquota\.user,jqfmt=vfsv1 0 2/);
    // The shared services' names, each pointing at the node it is placed on.
    const placement = inv.all.vars.aiwc_service_placement as unknown as Record<string, string>;
    const hostsFile = onVm("cat /etc/hosts");
    for (const [service, node] of Object.entries(placement)) {
      expect(hostsFile).toContain(`${String(inv.all.children.service_nodes!.hosts[node]!.aiwc_private_ip)} ${service}.${inv.all.vars.aiwc_service_domain}`);
    }
    // The host firewall is loaded in the VM's own network namespace, and still lets the bastion in.
    expect(onVm("nft list table inet aiwc")).toContain('ip daddr 10.0.16.0/20 drop comment "users\' VMs never reach each other"');

    expect(machineState(user), "the test changed the machine it runs on").toBe(machineBefore);
  }, 900_000);

  test("bastion.yml twice: a jump host that forwards and backs up, the bucket's keys never shown", async () => {
    const bastion = inv.all.children.bastion!;
    const [bastionName] = Object.keys(bastion.hosts) as [string];
    // The throwaway host plays the bastion now, reached through the test's own jump host.
    const { sshConfig, inventoryFile, onHost } = await playAs([["bastion", bastionName]]);
    const secret = `aiwc-test-secret-${process.pid}-${Date.now()}`;
    const env = { AIWC_BACKUP_ACCESS_KEY: "AIWCTESTACCESSKEY", AIWC_BACKUP_SECRET_KEY: secret };

    const check = playTwice.run("bastion.yml", bastionName, inventoryFile, sshConfig, env, true);
    expect(check.failed).toBe(0);
    const first = playTwice.run("bastion.yml", bastionName, inventoryFile, sshConfig, env);
    expect(first.changed, first.stdout).toBeGreaterThan(0);
    const second = playTwice.run("bastion.yml", bastionName, inventoryFile, sshConfig, env);
    expect(second.changed, `second run changed something:\n${second.stdout}`).toBe(0);
    expect(`${check.stdout}${first.stdout}${second.stdout}`).not.toContain(secret);

    expect(onHost("cat /etc/ssh/sshd_config.d/20-aiwc-bastion.conf")).toMatch(/AllowTcpForwarding yes\nAllowAgentForwarding no/);
    // Forwarding is on in the host's own network namespace (the handler ran sysctl for real).
    expect(onHost("cat /proc/sys/net/ipv4/ip_forward").trim()).toBe("1");
    expect(onHost("stat -c %a /etc/aiwc/backup.env").trim()).toBe("600");
    expect(onHost("cat /etc/aiwc/backup.env")).toContain(`RCLONE_CONFIG_BACKUP_SECRET_ACCESS_KEY=${secret}`);
    expect(onHost("cat /etc/systemd/system/aiwc-backup.timer")).toContain("OnCalendar=daily");
    // The backup script for real, into a local rclone remote instead of the bucket: the
    // configuration is in the archive, password hashes and private host keys are not.
    const listing = onHost(
      "cd /tmp && set -a && . /etc/aiwc/backup.env && RCLONE_CONFIG_BACKUP_TYPE=local /usr/local/sbin/aiwc-backup >/dev/null && tar -tzf $(ls -1 /tmp/aiwc-config-backups/aiwc/*/config-*.tar.gz | tail -1)",
    );
    expect(listing).toMatch(/^\/etc\/passwd$/m);
    expect(listing).toMatch(/^\/etc\/ssh\/ssh_host_ed25519_key\.pub$/m);
    expect(listing).not.toMatch(/^\/etc\/shadow$/m);
    expect(listing).not.toMatch(/^\/etc\/ssh\/ssh_host_ed25519_key$/m);
    expect(listing).not.toMatch(/^\/etc\/aiwc\/backup\.env$/m);

    expect(machineState(String(vm.aiwc_user)), "the test changed the machine it runs on").toBe(machineBefore);
  }, 900_000);

  test("GitLab's backups off the platform: staged on its node, pulled by the bastion's run over read-only SFTP (tasks twice)", async () => {
    const h = hosts!;
    const service = inv.all.children.service_nodes!;
    const bastion = inv.all.children.bastion!;
    const [serviceName] = Object.keys(service.hosts) as [string];
    const [bastionName] = Object.keys(bastion.hosts) as [string];
    // The throwaway host plays GitLab's node and (as the test before left it) the bastion.
    const { dir, sshConfig, inventoryFile, onHost } = await playAs([["service_nodes", serviceName], ["bastion", bastionName]]);
    const playbook = join(dir, "gitlab-offsite.yml");
    writeFileSync(
      playbook,
      stringify([
        {
          name: "GitLab's backups for the bastion",
          hosts: serviceName,
          become: true,
          vars: { aiwc_private_ip: h.private.host, services_gitlab_bastion: bastionName },
          tasks: [{ name: "Stage and authorize", "ansible.builtin.include_role": { name: "services", tasks_from: "gitlab_offsite.yml" } }],
        },
      ]),
    );
    // The host is GitLab's node now: the service nodes' firewall (SSH from the bastion), not the
    // user VM's an earlier test loaded (which drops the host's traffic to its own address).
    execFileSync("ssh", ["-F", sshConfig, "-o", `ProxyJump=root@${h.bastion.host}`, `root@${h.private.host}`, "nft -f -"], { input: String(service.vars.aiwc_firewall_ruleset) });
    const first = playTwice.run(playbook, serviceName, inventoryFile, sshConfig);
    expect(first.changed, first.stdout).toBeGreaterThan(0);
    const second = playTwice.run(playbook, serviceName, inventoryFile, sshConfig);
    expect(second.changed, `second run changed something:\n${second.stdout}`).toBe(0);

    // A GitLab backup as gitlab-backup leaves it, staged by the backup service's second step.
    const data = `/srv/aiwc/${serviceName}/data/gitlab`;
    const archive = "1764374400_2026_11_29_18.5.1_gitlab_backup.tar";
    onHost(`mkdir -p ${data}/data/backups ${data}/config && echo repositories > ${data}/data/backups/${archive} && echo '{"secret":"db-key"}' > ${data}/config/gitlab-secrets.json && /usr/local/sbin/aiwc-gitlab-export`);
    expect(onHost("stat -c '%a %U %G %n' /var/backups/aiwc-gitlab/*").trim().split("\n").sort()).toEqual(
      [`640 root aiwc-backup /var/backups/aiwc-gitlab/${archive}`, "640 root aiwc-backup /var/backups/aiwc-gitlab/1764374400_2026_11_29_18.5.1_gitlab-secrets.json"].sort(),
    );
    // The bastion's run pulls them over SFTP into its bucket (a local rclone remote here).
    const run = onHost("cd /tmp && set -a && . /etc/aiwc/backup.env && RCLONE_CONFIG_BACKUP_TYPE=local /usr/local/sbin/aiwc-backup");
    expect(run).toMatch(/aiwc-backup: gitlab from \S+ into \S+\/pulled\/gitlab/);
    expect(onHost("ls -1 /tmp/aiwc-config-backups/aiwc/*/pulled/gitlab/").trim().split("\n").sort()).toEqual(["1764374400_2026_11_29_18.5.1_gitlab-secrets.json", archive].sort());
    expect(onHost(`cat /tmp/aiwc-config-backups/aiwc/*/pulled/gitlab/${archive}`)).toBe("repositories\n");
    // The pull key reads the staging directory and can do nothing else: no shell, no writes.
    const asPuller = ["-i", "/etc/aiwc/backup-pull-key", "-o", "UserKnownHostsFile=/etc/aiwc/backup-pulls/gitlab.known_hosts", "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes"];
    expect(onHost(`ssh ${asPuller.join(" ")} aiwc-backup@${h.private.host} id < /dev/null || true`)).not.toMatch(/uid=/);
    expect(onHost(`echo 'put /etc/hostname /var/backups/aiwc-gitlab/planted' | sftp -b - ${asPuller.join(" ")} aiwc-backup@${h.private.host} >/dev/null 2>&1; echo $?`).trim()).not.toBe("0");
    expect(onHost("ls /var/backups/aiwc-gitlab/")).not.toContain("planted");
    expect(machineState(String(vm.aiwc_user)), "the test changed the machine it runs on").toBe(machineBefore);
  }, 900_000);

  test("the collectors' node tasks twice: aiwc on the node, the services' key check, collectors and admin page", async () => {
    const h = hosts!;
    const service = inv.all.children.service_nodes!;
    const [serviceName] = Object.keys(service.hosts) as [string];
    const { dir, sshConfig, inventoryFile, onHost } = await playAs([["service_nodes", serviceName]]);

    // Node's release as nodejs.org lays it out (an archive and SHASUMS256.txt), on the host
    // itself (no network here): a stand-in `node` in the archive, checked by its checksum.
    const release = join(dir, "release");
    const unpacked = join(release, "node-v22.12.0-linux-x64");
    mkdirSync(join(unpacked, "bin"), { recursive: true });
    writeFileSync(join(unpacked, "bin", "node"), "#!/bin/sh\necho v22.12.0\n", { mode: 0o755 });
    execFileSync("tar", ["-cJf", "node-v22.12.0-linux-x64.tar.xz", "node-v22.12.0-linux-x64"], { cwd: release });
    const archive = readFileSync(join(release, "node-v22.12.0-linux-x64.tar.xz"));
    writeFileSync(join(release, "SHASUMS256.txt"), `${createHash("sha256").update(archive).digest("hex")}  node-v22.12.0-linux-x64.tar.xz\n`);
    execFileSync("scp", ["-F", sshConfig, "-o", `ProxyJump=root@${h.bastion.host}`, "-r", release, `root@${h.private.host}:/opt/aiwc-test-release`]);

    const keys = join(dir, "keys.json");
    writeFileSync(keys, JSON.stringify({ version: 1, keys: [{ sha256: "0".repeat(64), user: "julia" }] }));
    const projects = join(dir, "langfuse-projects.json");
    writeFileSync(projects, JSON.stringify({ projects: [{ user: "nina", publicKey: "pk-lf-1", secretKey: "sk-lf-1" }] }));
    const playbook = join(dir, "collectors.yml");
    writeFileSync(
      playbook,
      stringify([
        {
          name: "The collectors' node tasks",
          hosts: serviceName,
          become: true,
          vars: {
            aiwc_node_release_url: "file:///opt/aiwc-test-release",
            aiwc_node_build: join(ROOT, "dist", "node"),
            aiwc_node_config_dir: join(ROOT, "config"),
            aiwc_service_placement: { qdrant: serviceName, n8n: serviceName, langfuse: serviceName },
            services_keys_file: keys,
            services_langfuse_projects_file: projects,
            services_admin_page: true,
            services_admin_node: serviceName,
          },
          tasks: [
            // As the services role includes it: its settings public to the tasks after it.
            { name: "aiwc on the node", "ansible.builtin.include_role": { name: "aiwc_node", public: true } },
            { name: "The metered services' key check", "ansible.builtin.include_role": { name: "services", tasks_from: "metering.yml" } },
            { name: "The n8n and Langfuse collectors", "ansible.builtin.include_role": { name: "services", tasks_from: "collectors.yml" } },
            { name: "The admin page", "ansible.builtin.include_role": { name: "services", tasks_from: "admin.yml" } },
          ],
        },
      ]),
    );
    const secret = `n8n-key-${process.pid}-${Date.now()}`;
    const token = `admin-token-${process.pid}-${Date.now()}`;
    const env = { AIWC_SECRET_N8N_API_KEY: secret, AIWC_LEDGER: "postgres://aiwc:pw@10.0.1.5:5432/aiwc", AIWC_ADMIN_TOKEN: token };
    const first = playTwice.run(playbook, serviceName, inventoryFile, sshConfig, env);
    expect(first.changed, first.stdout).toBeGreaterThan(0);
    const second = playTwice.run(playbook, serviceName, inventoryFile, sshConfig, env);
    expect(second.changed, `second run changed something:\n${second.stdout}`).toBe(0);
    expect(`${first.stdout}${second.stdout}`).not.toContain(secret);
    expect(`${first.stdout}${second.stdout}`).not.toContain(token);

    expect(onHost("/opt/node/22.12.0/bin/node").trim()).toBe("v22.12.0");
    expect(onHost("test -f /opt/aiwc/aiwc.cjs && echo yes").trim()).toBe("yes");
    expect(onHost("stat -c '%a %U %G' /etc/aiwc-meter/keys.json /etc/aiwc-meter/n8n.env /etc/aiwc-meter/langfuse-projects.json /etc/aiwc-meter/admin.env")).toBe("640 root aiwc-meter\n".repeat(4));
    expect(onHost("cat /etc/systemd/system/aiwc-meter-auth.service")).toContain("ExecStart=/opt/node/22.12.0/bin/node /opt/aiwc/aiwc.cjs meter auth --listen unix:/run/aiwc-meter/auth.sock");
    for (const unit of ["aiwc-meter-access-log.timer", "aiwc-meter-n8n.timer", "aiwc-meter-langfuse.timer", "aiwc-serve.service"]) expect(onHost(`test -f /etc/systemd/system/${unit} && echo ${unit}`).trim()).toBe(unit);
    expect(machineState(String(vm.aiwc_user)), "the test changed the machine it runs on").toBe(machineBefore);
  }, 900_000);
});
