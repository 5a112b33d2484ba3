/**
 * Waits until every node accepts SSH: the bastion directly, every other node through it
 * (`forwardOut`), a few at a time, retrying with backoff until a deadline. Host keys are
 * pinned (known-hosts.ts): a changed key fails at once and is not retried. Key-based auth only.
 */
import { Client, type ConnectConfig } from "ssh2";
import { KnownHosts } from "./known-hosts";
import { byText } from "../config/text";

export interface SshTarget {
  readonly name: string;
  readonly host: string;
  readonly port?: number;
  readonly user: string;
}

export interface WaitSshOptions {
  readonly bastion: SshTarget;
  readonly targets: readonly SshTarget[];
  /** Private key (OpenSSH format); or use `agent`. */
  readonly privateKey?: Buffer;
  /** SSH agent socket (SSH_AUTH_SOCK). */
  readonly agent?: string;
  readonly knownHosts: KnownHosts;
  /** Give up on a node after this long, ms. */
  readonly deadlineMs: number;
  /** Nodes tried at the same time. @default 8 */
  readonly concurrency?: number;
  /** Called after each attempt and each result (for progress on a TTY). */
  readonly onProgress?: (event: { name: string; state: "retry" | "ok" | "failed"; detail?: string }) => void;
}

export interface WaitSshResult {
  readonly ok: readonly string[];
  readonly failed: readonly { readonly name: string; readonly reason: string }[];
}

class HostKeyChanged extends Error {}

function auth(options: WaitSshOptions): Pick<ConnectConfig, "privateKey" | "agent"> {
  return options.privateKey !== undefined ? { privateKey: options.privateKey } : { agent: options.agent! };
}

/** One connection; resolves with the ready client, rejects on error or changed host key. */
function connect(target: SshTarget, options: WaitSshOptions, sock?: NodeJS.ReadableStream & NodeJS.WritableStream, readyTimeout = 8000): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    const hostId = KnownHosts.hostId(target.host, target.port ?? 22);
    let changed = false;
    client
      .on("ready", () => resolve(client))
      .on("error", (error) => {
        client.end();
        reject(changed ? new HostKeyChanged(`host key of ${target.name} (${hostId}) CHANGED: refusing to connect; if the node was rebuilt on purpose, remove its line from ${options.knownHosts.file}`) : error);
      })
      .connect({
        ...(sock !== undefined ? { sock: sock as never } : { host: target.host, port: target.port ?? 22 }),
        username: target.user,
        ...auth(options),
        readyTimeout,
        hostVerifier: (key: Buffer) => {
          const state = options.knownHosts.check(hostId, key);
          if (state === "changed") {
            changed = true;
            return false;
          }
          if (state === "new") options.knownHosts.record(hostId, key);
          return true;
        },
      });
  });
}

function through(bastion: Client, target: SshTarget): Promise<NodeJS.ReadableStream & NodeJS.WritableStream> {
  return new Promise((resolve, reject) => {
    bastion.forwardOut("127.0.0.1", 0, target.host, target.port ?? 22, (error, stream) => (error ? reject(error) : resolve(stream)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Tries until the node answers (resolving with the open client), its key changed, or the deadline passes. */
async function untilReady(target: SshTarget, options: WaitSshOptions, open: () => Promise<Client>, deadline: number): Promise<{ client: Client } | { failure: string }> {
  let attempt = 0;
  let last = "no attempt";
  while (Date.now() < deadline) {
    try {
      const client = await open();
      options.onProgress?.({ name: target.name, state: "ok" });
      return { client };
    } catch (error) {
      if (error instanceof HostKeyChanged) {
        options.onProgress?.({ name: target.name, state: "failed", detail: error.message });
        return { failure: error.message };
      }
      last = (error as Error).message;
      options.onProgress?.({ name: target.name, state: "retry", detail: last });
      attempt++;
      // Backoff 0.5 s, 1 s, 2 s, … capped at 5 s, never past the deadline.
      await sleep(Math.max(0, Math.min(500 * 2 ** (attempt - 1), 5000, deadline - Date.now())));
    }
  }
  const failure = `not reachable within ${Math.round(options.deadlineMs / 1000)} s (last error: ${last})`;
  options.onProgress?.({ name: target.name, state: "failed", detail: failure });
  return { failure };
}

export async function waitForSsh(options: WaitSshOptions): Promise<WaitSshResult> {
  const deadline = Date.now() + options.deadlineMs;
  const ok: string[] = [];
  const failed: { name: string; reason: string }[] = [];
  const bastion = await untilReady(options.bastion, options, () => connect(options.bastion, options), deadline);
  if ("failure" in bastion) {
    failed.push({ name: options.bastion.name, reason: bastion.failure });
    for (const t of options.targets) failed.push({ name: t.name, reason: `not tried: the bastion ${options.bastion.name} is not reachable` });
    return { ok, failed };
  }
  ok.push(options.bastion.name);
  const jump = bastion.client;
  try {
    const queue = [...options.targets];
    const worker = async () => {
      for (let target = queue.shift(); target !== undefined; target = queue.shift()) {
        const result = await untilReady(target, options, async () => connect(target!, options, await through(jump, target!)), deadline);
        if ("client" in result) {
          result.client.end();
          ok.push(target.name);
        } else failed.push({ name: target.name, reason: result.failure });
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 8, options.targets.length)) }, worker));
  } finally {
    jump.end();
  }
  return { ok: ok.sort(), failed: failed.sort((a, b) => byText(a.name, b.name)) };
}
