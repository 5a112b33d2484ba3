/**
 * Throwaway SSH hosts for tests: network namespaces, each with its own sshd started in a
 * private mount namespace (tmpfs on /run), a bastion reachable from the test and a private
 * host reachable only through it. Needs root, iproute2 and openssh-server (.ci/run installs
 * them). Everything is torn down by `close()`, which the tests call in `finally`/afterAll.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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

export async function startSshHosts(): Promise<SshHosts> {
  const id = Math.floor(Math.random() * 200) + 20;
  const tag = `${process.pid % 10000}${id}`;
  const nsB = `aiwcb${tag}`;
  const nsP = `aiwcp${tag}`;
  const dir = tempDir("aiwc-ssh-");
  chmodSync(dir, 0o700);
  const daemons: Partial<Record<"bastion" | "private", ChildProcess>> = {};
  const netB = `10.200.${id}`;
  const netP = `10.201.${id}`;
  const cleanup = () => {
    for (const d of Object.values(daemons)) d?.kill("SIGTERM");
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
    run("ip", ["netns", "add", nsB]);
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
    run("ip", ["-n", nsB, "addr", "add", `${netP}.1/24`, "dev", `vp${tag}`]);
    run("ip", ["-n", nsB, "link", "set", `vp${tag}`, "up"]);
    run("ip", ["-n", nsP, "addr", "add", `${netP}.2/24`, "dev", `vp${tag}x`]);
    run("ip", ["-n", nsP, "link", "set", `vp${tag}x`, "up"]);
    run("ip", ["-n", nsP, "link", "set", "lo", "up"]);

    run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "client")]);
    writeFileSync(join(dir, "authorized_keys"), run("cat", [join(dir, "client.pub")]), { mode: 0o600 });

    const start = async (which: "bastion" | "private") => {
      const ns = which === "bastion" ? nsB : nsP;
      const host = which === "bastion" ? `${netB}.2` : `${netP}.2`;
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
      daemons[which]?.kill("SIGTERM");
      // A private mount namespace with its own /run: sshd needs /run/sshd, the host's /run stays untouched.
      daemons[which] = spawn("ip", ["netns", "exec", ns, "unshare", "-m", "sh", "-c", `mount -t tmpfs tmpfs /run && mkdir -p /run/sshd && exec /usr/sbin/sshd -D -e -f ${config}`], { stdio: "ignore" });
      await waitForPort(ns, host);
    };
    await start("bastion");
    await start("private");
    return {
      bastion: { host: `${netB}.2` },
      private: { host: `${netP}.2` },
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
