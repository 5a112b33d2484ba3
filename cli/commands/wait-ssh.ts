import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { parse } from "yaml";
import { displayPath } from "../../model/load";
import { KnownHosts } from "../../ssh/known-hosts";
import { waitForSsh, type SshTarget } from "../../ssh/wait-ssh";
import { UsageError, type CommandResult } from "../result";
import { byText } from "../../config/text";

export interface WaitSshCliOptions {
  /** The inventory `aiwc inventory` wrote. */
  readonly inventory: string;
  /** Private key file. @default AIWC_SSH_KEY, else the SSH agent, else ~/.ssh/id_ed25519 */
  readonly identity?: string;
  /** Pinned host keys. @default known_hosts next to the inventory */
  readonly knownHosts?: string;
  /** Seconds to wait for all nodes. @default 300 */
  readonly timeout?: string;
  readonly concurrency?: string;
}

interface InventoryHost {
  ansible_host?: string;
  ansible_user?: string;
  ansible_port?: number;
}

function targetsOf(file: string): { bastion: SshTarget; targets: SshTarget[] } {
  if (!existsSync(file)) throw new UsageError(`${file}: inventory not found; write one with \`aiwc inventory\``);
  const doc = parse(readFileSync(file, "utf8")) as { all?: { vars?: { ansible_user?: string }; children?: Record<string, { hosts?: Record<string, InventoryHost> }> } } | null;
  const children = doc?.all?.children;
  if (children === undefined) throw new UsageError(`${displayPath(file)}: not an aiwc inventory (no all.children)`);
  const user = doc?.all?.vars?.ansible_user ?? "root";
  const toTarget = (name: string, h: InventoryHost): SshTarget => {
    if (h.ansible_host === undefined) throw new UsageError(`${displayPath(file)}: host ${name} has no ansible_host`);
    return { name, host: h.ansible_host, user: h.ansible_user ?? user, ...(h.ansible_port !== undefined ? { port: h.ansible_port } : {}) };
  };
  const bastions = Object.entries(children.bastion?.hosts ?? {});
  if (bastions.length !== 1) throw new UsageError(`${displayPath(file)}: expected exactly one host in group bastion, found ${bastions.length}`);
  const targets = Object.entries(children)
    .filter(([group]) => group !== "bastion")
    .flatMap(([, g]) => Object.entries(g.hosts ?? {}).map(([name, h]) => toTarget(name, h)))
    .sort((a, b) => byText(a.name, b.name));
  return { bastion: toTarget(bastions[0]![0], bastions[0]![1]), targets };
}

/** `aiwc wait-ssh`: waits until every node of the inventory accepts SSH, host keys pinned. */
export async function waitSsh(options: WaitSshCliOptions): Promise<CommandResult> {
  const { bastion, targets } = targetsOf(options.inventory);
  const timeout = Number(options.timeout ?? 300);
  const concurrency = Number(options.concurrency ?? 8);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`--timeout must be a number of seconds, got "${options.timeout}"`);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`--concurrency must be a whole number ≥ 1, got "${options.concurrency}"`);
  const keyFile = options.identity ?? process.env.AIWC_SSH_KEY;
  const agent = keyFile === undefined ? process.env.SSH_AUTH_SOCK : undefined;
  const fallback = join(homedir(), ".ssh", "id_ed25519");
  const privateKeyFile = keyFile ?? (agent === undefined ? fallback : undefined);
  if (privateKeyFile !== undefined && !existsSync(privateKeyFile)) {
    throw new UsageError(`no SSH key: ${privateKeyFile} does not exist; pass --identity, set AIWC_SSH_KEY, or run an SSH agent`);
  }
  const knownHosts = new KnownHosts(options.knownHosts ?? join(dirname(options.inventory), "known_hosts"));
  const tty = process.stderr.isTTY === true;
  const result = await waitForSsh({
    bastion,
    targets,
    ...(privateKeyFile !== undefined ? { privateKey: readFileSync(privateKeyFile) } : { agent: agent! }),
    knownHosts,
    deadlineMs: timeout * 1000,
    concurrency,
    ...(tty ? { onProgress: (e) => process.stderr.write(`\r\x1b[K${e.name}: ${e.state}${e.detail !== undefined ? ` (${e.detail})` : ""}`) } : {}),
  });
  if (tty) process.stderr.write("\r\x1b[K");
  const lines = [`${result.ok.length} of ${targets.length + 1} nodes accept SSH; host keys pinned in ${displayPath(knownHosts.file)}`];
  return {
    stdout: lines.join("\n"),
    stderr: result.failed.map((f) => `${f.name}: ${f.reason}`).join("\n"),
    exitCode: result.failed.length > 0 ? 1 : 0,
  };
}
