/**
 * The storage collector (`aiwc meter storage`): one `storage_gb` sample per user, measured by
 * the cluster — each user's CephFS subvolume (group `users` of the platform's volume), never
 * the user's own VM, where the user is root. It asks Ceph as an operator would:
 *
 *   ceph fs subvolume ls <volume> --group_name <group> --format json   → [{"name": "anna"}, …]
 *   ceph fs subvolume info <volume> <name> --group_name <group> --format json
 *     → {"bytes_used": 123, "bytes_quota": 456 | "infinite", "bytes_pcent": …, "path": …, …}
 *
 * (the volumes module of Ceph's manager, as Ceph 19 "squid" prints it). `bytes_used` is the
 * subvolume's recursive size. Each sample is a gauge event in GB (10^9 bytes, six decimals,
 * rounded half-up), its id the user, the day and the bytes: the same measurement collected
 * twice is one event, a changed one a new sample (the bill takes a day's last). Every user is
 * asked before anything is written: a Ceph that does not answer fails the run, nothing spooled.
 */
import { execFile } from "node:child_process";
import { hostname } from "node:os";
import { promisify } from "node:util";
import { money } from "../catalog/money";
import type { UsageEvent } from "../billing/usage";
import type { Config } from "../model/load";
import { ServiceError } from "./service-api";
import type { Spool } from "./spool";

const run = promisify(execFile);
/** `ceph` commands run at once. */
const CONCURRENCY = 8;

export interface StorageOptions {
  readonly config: Config;
  readonly spool: Spool;
  /** The `ceph` command (a path, or a wrapper such as `cephadm shell -- ceph`). */
  readonly ceph?: readonly string[];
  readonly volume?: string;
  readonly group?: string;
  readonly source?: string;
  readonly now?: Date;
}

export interface StorageResult {
  readonly events: readonly UsageEvent[];
  /** Subvolumes of the group that are no user in users.yaml. */
  readonly strangers: readonly string[];
  /** Users without a subvolume. */
  readonly missing: readonly string[];
}

export class CephError extends ServiceError {
  constructor(message: string) {
    super(message);
    this.name = "CephError";
  }
}

async function ceph(command: readonly string[], args: readonly string[]): Promise<unknown> {
  const [program, ...fixed] = command;
  let stdout: string;
  try {
    ({ stdout } = await run(program!, [...fixed, ...args], { maxBuffer: 16 * 1024 * 1024, timeout: 120_000 }));
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new CephError(`\`${[...command, ...args].join(" ")}\` failed: ${(e.stderr ?? "").trim() || e.message}`);
  }
  try {
    return JSON.parse(stdout) as unknown;
  } catch {
    throw new CephError(`\`${[...command, ...args].join(" ")}\` did not print JSON: ${stdout.slice(0, 200)}`);
  }
}

/** Bytes as GB (10^9), six decimals, half-up. */
export function gigabytes(bytes: number | string): string {
  return money(bytes).dividedBy(1e9).toDecimalPlaces(6, 4 /* ROUND_HALF_UP */).toFixed();
}

export async function collectStorage(options: StorageOptions): Promise<StorageResult> {
  const command = options.ceph ?? ["ceph"];
  const volume = options.volume ?? "aiwc";
  const group = options.group ?? "users";
  const now = options.now ?? new Date();
  const source = options.source ?? `storage:${hostname()}`;
  const meter = "storage_gb";
  if (options.config.tariffs.payg[meter] === undefined) throw new CephError(`tariffs.yaml has no PAYG meter ${meter}: storage samples would have nothing to bill against`);
  const listed = await ceph(command, ["fs", "subvolume", "ls", volume, "--group_name", group, "--format", "json"]);
  if (!Array.isArray(listed) || !listed.every((s) => typeof (s as { name?: unknown }).name === "string")) {
    throw new CephError(`\`ceph fs subvolume ls ${volume} --group_name ${group}\` printed no list of subvolumes`);
  }
  const names = (listed as { name: string }[]).map((s) => s.name).sort();
  const users = new Set(options.config.users.map((u) => u.name));
  const strangers = names.filter((n) => !users.has(n));
  const missing = [...users].filter((u) => !names.includes(u)).sort();
  const day = now.toISOString().slice(0, 10);
  const sample = async (name: string): Promise<UsageEvent> => {
    const info = (await ceph(command, ["fs", "subvolume", "info", volume, name, "--group_name", group, "--format", "json"])) as { bytes_used?: unknown };
    const used = info.bytes_used;
    if (typeof used !== "number" || !Number.isInteger(used) || used < 0) throw new CephError(`\`ceph fs subvolume info ${volume} ${name}\`: bytes_used is not a byte count (${JSON.stringify(used)})`);
    return { source, id: `${meter}:${name}:${day}:${used}`, time: now.toISOString(), user: name, meter, quantity: gigabytes(used), detail: `CephFS subvolume ${volume}/${group}/${name}` };
  };
  // One `ceph` process per user (Ceph has no info for many subvolumes at once): a few at a
  // time, so thousands of users take minutes, not an hour; events stay in name order.
  const sampled = names.filter((n) => users.has(n));
  const events: UsageEvent[] = new Array(sampled.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < sampled.length) {
      const index = next++;
      events[index] = await sample(sampled[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, sampled.length) }, worker));
  // Only now, with every user measured: spooled (fsynced) one by one.
  for (const event of events) options.spool.append(event);
  return { events, strangers, missing };
}
