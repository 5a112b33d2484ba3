/**
 * Throwaway SSH hosts for tests: network namespaces, each with its own sshd started in a
 * private mount namespace (tmpfs on /run), a bastion reachable from the test and a private
 * host reachable only through it. Needs root, iproute2 and openssh-server (.ci/run installs
 * them). Everything is torn down by `close()`, which the tests call in `finally`/afterAll.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KnownHosts } from "../ssh/known-hosts";
import { waitForSsh } from "../ssh/wait-ssh";
import { tempDir } from "./helpers";

export interface SshHosts {
  readonly bastion: { readonly host: string };
  readonly private: { readonly host: string };
  /** An address in the private network where nothing listens. */
  readonly unreachable: string;
  readonly clientKey: Buffer;
  /** Regenerates a host's key and restarts its sshd (a "rebuilt" node). */
  rekey(which: "bastion" | "private"): Promise<void>;
  close(): void;
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"] }).toString();

function waitForPort(ns: string, host: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      try {
        const out = run("ip", ["netns", "exec", ns, "ss", "-ltn"]);
        if (out.includes(`${host}:22`)) return resolve();
      } catch {
        // not yet
      }
      if (Date.now() > until) return reject(new Error(`sshd in ${ns} did not listen on ${host}:22`));
      setTimeout(tick, 100);
    };
    tick();
  });
}

export interface SshHostsOptions {
  /**
   * Addresses on the bastion–private link, e.g. the platform's own (bastion 10.0.1.2, a user's
   * VM 10.0.16.5), so the host firewall aiwc renders for the private host lets the bastion in.
   * @default 10.201.x.1 and 10.201.x.2
   */
  readonly privateLink?: { readonly bastion: string; readonly host: string };
  /**
   * Serve the private host from its own root filesystem: this Debian tree (helpers-rootfs.ts)
   * as the read-only lower layer of an overlay with a fresh upper directory, chrooted into, in
   * its own mount, PID and network namespaces with /proc/sys read-only. What a playbook does
   * there lands in the upper directory and vanishes with it. @default the machine's own sshd
   */
  readonly rootfs?: string;
}

/**
 * The private host on its own root filesystem: overlay on the cached tree, /proc of its own PID
 * namespace with /proc/sys read-only (sysctl there cannot reach the machine's kernel settings)
 * but for net.* (the host's own network namespace),
 * /sys read-only, a /dev with the basic nodes plus the overlay's block device, a tmpfs /run, and
 * /home on an ext4 loop device of its own, and the tree's own sshd. `$1` is the client's public
 * key for root.
 */
function rootfsScript(tree: string, base: string, host: string): string {
  return [
    "set -e",
    `B=${base}; M=$B/root; U=$B/upper`,
    "mkdir -p $M $U/root/.ssh $B/work $U/var/lib/apt/periodic",
    "chmod 700 $U/root $U/root/.ssh",
    'printf "%s" "$1" > $U/root/.ssh/authorized_keys && chmod 600 $U/root/.ssh/authorized_keys',
    // The tree's package lists were fetched when it was built: tell apt they are fresh, as
    // cloud-init's first-boot update leaves them, so the roles' cache_valid_time holds offline.
    "touch $U/var/lib/apt/periodic/update-success-stamp",
    `mount -t overlay overlay -o lowerdir=${tree},upperdir=$U,workdir=$B/work $M`,
    "mount -t proc proc $M/proc",
    "mount --bind $M/proc/sys $M/proc/sys && mount -o remount,bind,ro $M/proc/sys",
    // ...except net.*, which belongs to the host's own network namespace (the bastion's forwarding).
    "mount --bind $M/proc/sys/net $M/proc/sys/net && mount -o remount,bind,rw $M/proc/sys/net",
    "mount -t sysfs -o ro sysfs $M/sys",
    "mount -t tmpfs -o mode=755 tmpfs $M/dev",
    "for n in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do d=${n%%:*}; r=${n#*:}; mknod -m 666 $M/dev/$d c ${r%:*} ${r#*:}; done",
    "ln -s /proc/self/fd $M/dev/fd && mkdir $M/dev/pts $M/dev/shm",
    "mount -t devpts -o newinstance,ptmxmode=0666 devpts $M/dev/pts && ln -s pts/ptmx $M/dev/ptmx",
    "mount -t tmpfs -o mode=755 tmpfs $M/run && mkdir -p $M/run/sshd && chmod 755 $M/run/sshd",
    // /home on an ext4 filesystem of its own (a loop device, detached when the namespace
    // ends), listed in fstab as on a cloud VM, for the user_vm role's storage quota.
    "truncate -s 256M $B/home.img && mkfs.ext4 -q -F $B/home.img && mount -o loop $B/home.img $M/home",
    'L=$(findmnt -n -o SOURCE $M/home) && mknod -m 660 $M$L b $(stat -L -c "%t %T" $L | { read a b; echo $((0x$a)) $((0x$b)); })',
    'printf "%s /home ext4 defaults 0 2\\n" "$L" > $M/etc/fstab',
    `exec chroot $M /usr/sbin/sshd -D -e -o ListenAddress=${host}`,
  ].join("\n");
}

/**
 * Claims a free 10.200.<id>.0/24 for the bastion's link from the machine (test files run in
 * parallel processes, each adding its link's address in the machine's own namespace: two on
 * one subnet would route one test's SSH into the other's namespace). The claim is the
 * bastion's namespace itself, named after the id: `ip netns add` refuses a name that exists,
 * so exactly one process gets each id; it is released when the namespace is deleted. A subnet
 * the machine already routes (a killed run's leftover link) is skipped.
 */
function claimSubnet(): { id: number; nsB: string } {
  const first = Math.floor(Math.random() * 200);
  for (let i = 0; i < 200; i++) {
    const id = ((first + i) % 200) + 20;
    const nsB = `aiwcnet${id}`;
    try {
      run("ip", ["netns", "add", nsB]);
    } catch {
      continue; // taken by another test process (or left over): try the next
    }
    // A run killed before its cleanup may have left a link on the subnet under another name.
    if (run("ip", ["route", "show", `10.200.${id}.0/24`]).trim() === "") return { id, nsB };
    run("ip", ["netns", "del", nsB]);
  }
  throw new Error("no free 10.200.x.0/24 for a test bastion: delete leftover aiwcnet* namespaces (ip netns list)");
}

export async function startSshHosts(options: SshHostsOptions = {}): Promise<SshHosts> {
  const { id, nsB } = claimSubnet();
  const tag = `${process.pid % 10000}${id}`;
  const nsP = `aiwcp${tag}`;
  const dir = tempDir("aiwc-ssh-");
  chmodSync(dir, 0o700);
  const daemons: Partial<Record<"bastion" | "private", ChildProcess>> = {};
  const netB = `10.200.${id}`;
  const netP = `10.201.${id}`;
  const link = options.privateLink ?? { bastion: `${netP}.1`, host: `${netP}.2` };
  const cleanup = () => {
    // SIGKILL: the rootfs host runs under `unshare --fork`, whose parent ignores SIGTERM; killing
    // it outright makes --kill-child take the host down with it (SIGTERM leaked one per run).
    for (const d of Object.values(daemons)) d?.kill("SIGKILL");
    for (const ns of [nsB, nsP]) {
      try {
        run("ip", ["netns", "del", ns]);
      } catch {
        // already gone
      }
    }
    try {
      run("ip", ["link", "del", `vb${tag}`]);
    } catch {
      // removed with the namespace
    }
  };
  try {
    run("ip", ["netns", "add", nsP]);
    run("ip", ["link", "add", `vb${tag}`, "type", "veth", "peer", "name", `vb${tag}x`]);
    run("ip", ["link", "set", `vb${tag}x`, "netns", nsB]);
    run("ip", ["addr", "add", `${netB}.1/24`, "dev", `vb${tag}`]);
    run("ip", ["link", "set", `vb${tag}`, "up"]);
    run("ip", ["-n", nsB, "addr", "add", `${netB}.2/24`, "dev", `vb${tag}x`]);
    run("ip", ["-n", nsB, "link", "set", `vb${tag}x`, "up"]);
    run("ip", ["-n", nsB, "link", "set", "lo", "up"]);
    run("ip", ["-n", nsB, "link", "add", `vp${tag}`, "type", "veth", "peer", "name", `vp${tag}x`]);
    run("ip", ["-n", nsB, "link", "set", `vp${tag}x`, "netns", nsP]);
    if (options.privateLink === undefined) run("ip", ["-n", nsB, "addr", "add", `${netP}.1/24`, "dev", `vp${tag}`]);
    else run("ip", ["-n", nsB, "addr", "add", link.bastion, "peer", link.host, "dev", `vp${tag}`]);
    run("ip", ["-n", nsB, "link", "set", `vp${tag}`, "up"]);
    if (options.privateLink === undefined) run("ip", ["-n", nsP, "addr", "add", `${netP}.2/24`, "dev", `vp${tag}x`]);
    else run("ip", ["-n", nsP, "addr", "add", link.host, "peer", link.bastion, "dev", `vp${tag}x`]);
    run("ip", ["-n", nsP, "link", "set", `vp${tag}x`, "up"]);
    run("ip", ["-n", nsP, "link", "set", "lo", "up"]);

    run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "client")]);
    writeFileSync(join(dir, "authorized_keys"), run("cat", [join(dir, "client.pub")]), { mode: 0o600 });

    const start = async (which: "bastion" | "private") => {
      const ns = which === "bastion" ? nsB : nsP;
      const host = which === "bastion" ? `${netB}.2` : link.host;
      daemons[which]?.kill("SIGTERM");
      if (which === "private" && options.rootfs !== undefined) {
        daemons[which] = spawn("ip", ["netns", "exec", ns, "unshare", "-m", "-p", "-f", "--kill-child", "sh", "-c", rootfsScript(options.rootfs, join(dir, "rootfs"), host), "rootfs-host", run("cat", [join(dir, "client.pub")])], { stdio: ["ignore", "ignore", openSync(join(dir, "rootfs-sshd.log"), "a")] });
        await waitForPort(ns, host).catch((error: Error) => {
          throw new Error(`${error.message}: ${readFileSync(join(dir, "rootfs-sshd.log"), "utf8").slice(-2000)}`);
        });
        return;
      }
      const key = join(dir, `host_${which}`);
      run("rm", ["-f", key, `${key}.pub`]);
      run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
      const config = join(dir, `sshd_${which}.conf`);
      writeFileSync(
        config,
        [
          `ListenAddress ${host}`,
          `HostKey ${key}`,
          "PidFile none",
          `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
          "PermitRootLogin prohibit-password",
          "PasswordAuthentication no",
          "KbdInteractiveAuthentication no",
          "UsePAM no",
          "AllowTcpForwarding yes",
          "StrictModes no",
          "",
        ].join("\n"),
      );
      // A private mount namespace with its own /run: sshd needs /run/sshd, the host's /run stays untouched.
      daemons[which] = spawn("ip", ["netns", "exec", ns, "unshare", "-m", "sh", "-c", `mount -t tmpfs tmpfs /run && mkdir -p /run/sshd && exec /usr/sbin/sshd -D -e -f ${config}`], { stdio: "ignore" });
      await waitForPort(ns, host);
    };
    await start("bastion");
    await start("private");
    return {
      bastion: { host: `${netB}.2` },
      private: { host: link.host },
      unreachable: `${netP}.3`,
      clientKey: Buffer.from(run("cat", [join(dir, "client")])),
      rekey: async (which) => {
        daemons[which]?.kill("SIGTERM");
        await new Promise((r) => setTimeout(r, 300));
        await start(which);
      },
      close: cleanup,
    };
  } catch (error) {
    cleanup();
    throw error;
  }
}

/**
 * What an operator has after `aiwc wait-ssh`: the private host's and the bastion's keys pinned
 * in a known-hosts file, and an ssh_config using it with the client key (strict checking).
 * `jump` is the ssh arguments that reach the private host through the bastion.
 */
export async function pinnedSshConfig(hosts: SshHosts, name: string): Promise<{ dir: string; sshConfig: string; jump: string }> {
  const dir = tempDir("aiwc-ssh-client-");
  const key = join(dir, "id");
  writeFileSync(key, hosts.clientKey, { mode: 0o600 });
  const known = join(dir, "known_hosts");
  const pinned = await waitForSsh({
    bastion: { name: "bastion", host: hosts.bastion.host, user: "root" },
    targets: [{ name, host: hosts.private.host, user: "root" }],
    privateKey: hosts.clientKey,
    knownHosts: new KnownHosts(known),
    deadlineMs: 15_000,
  });
  if (pinned.failed.length > 0) throw new Error(`could not pin the test hosts' keys: ${JSON.stringify(pinned.failed)}`);
  const sshConfig = join(dir, "ssh_config");
  writeFileSync(sshConfig, `Host *\n  UserKnownHostsFile ${known}\n  StrictHostKeyChecking yes\n  IdentityFile ${key}\n  IdentitiesOnly yes\n  User root\n`);
  return { dir, sshConfig, jump: `-F ${sshConfig} -o ProxyJump=root@${hosts.bastion.host}` };
}
