/**
 * Placement as a pure function of identity. Every per-user and per-node choice (availability
 * zone, address, name) depends only on that user's or node's own name, or on an explicit pin
 * in the config — never on its position in a list or on how many others there are. So adding,
 * removing or reordering users or nodes changes no other user's or node's resources (a zone or
 * subnet change forces Terraform to replace a machine and its volumes).
 */
import { createHash } from "node:crypto";
import { fromNumber, parseCidr, parseIp, type Cidr } from "./cidr";
import type { ClusterConfig } from "./schema";
import { byText } from "./text";

/** A slot in [0, slots) from a name: the first 48 bits of its SHA-256, modulo `slots`. */
export function stableSlot(identity: string, slots: number): number {
  if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`stableSlot needs at least one slot, got ${slots}`);
  const digest = createHash("sha256").update(identity).digest();
  return digest.readUIntBE(0, 6) % slots;
}

/** FNV-1a, 32 bits, over the name's UTF-16 code units: the seed of a user's shard sequence. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/**
 * The users stack (shard) in [0, shards) of a user: jump consistent hash (Lamping & Veach,
 * "A Fast, Minimal Memory, Consistent Hash Algorithm", 2014), its random jumps drawn from a
 * mulberry32 generator seeded with the name's FNV-1a hash (32-bit arithmetic: 100,000 users take
 * milliseconds). The shard depends on the name and the shard count alone, so onboarding or
 * removing a user moves nobody else; and growing from n to m shards moves only the users whose
 * shard is new — about (m − n)/m of them, each into one of the new shards, never between old
 * ones. Changing this function moves users: it is part of the state layout.
 */
export function userShard(user: string, shards: number): number {
  if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`userShard needs at least one shard, got ${shards}`);
  let state = fnv1a(user);
  let b = -1;
  let j = 0;
  while (j < shards) {
    b = j;
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    // A uniform draw in (0, 1]; the next candidate shard is where this user would jump to.
    const r = (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967296;
    j = Math.floor((b + 1) / r);
  }
  return b;
}

/** How many of `users` each of `shards` stacks holds. */
export function shardSizes(users: readonly string[], shards: number): number[] {
  const sizes = new Array<number>(shards).fill(0);
  for (const user of users) sizes[userShard(user, shards)]! += 1;
  return sizes;
}

/** The shard count `state.usersPerStack` asks for: users / perStack, rounded up (at least one). */
export function proposedShards(users: number, perStack: number): number {
  return Math.max(1, Math.ceil(users / perStack));
}

/** A users stack's name: `users-00`, `users-07`, `users-123` (at least two digits; never renamed by a count change). */
export function shardStackName(shard: number): string {
  return `users-${String(shard).padStart(2, "0")}`;
}

/** The users stack a stack name names, or undefined (`users-07` → 7; `users`, `users-7`, `platform` → undefined). */
export function shardOfStackName(name: string): number | undefined {
  const match = /^users-(\d{2,})$/.exec(name);
  if (match === null) return undefined;
  const shard = Number(match[1]);
  return shardStackName(shard) === name ? shard : undefined;
}

/** A node's name: `<cluster>-<group>-NN`; the number is the node's identity within its group. */
export function nodeName(cluster: string, group: string, index: number): string {
  return `${cluster}-${group}-${String(index + 1).padStart(2, "0")}`;
}

/** First address handed to derived dedicated hosts in the vSwitch subnet (lower ones stay free for gateways). */
export const DEDICATED_FIRST_HOST = 10;

export interface DedicatedPlacement {
  readonly group: string;
  readonly index: number;
  readonly name: string;
  readonly address: string;
  /** True when the config states the address (hosts[].address); false when derived from the name. */
  readonly pinned: boolean;
}

/**
 * Addresses of the dedicated hosts: the configured one, else one derived from the host's name
 * (a hash into the subnet from its 10th address up to the last host address). Derived
 * addresses of two hosts can coincide; the config check reports that with the fix (pin one).
 */
export function dedicatedPlacements(cluster: ClusterConfig): DedicatedPlacement[] {
  const subnet = parseCidr(cluster.network.vswitchSubnet);
  const out: DedicatedPlacement[] = [];
  for (const [group, spec] of Object.entries(cluster.nodeGroups).sort(([a], [b]) => byText(a, b))) {
    if (spec.dedicated === undefined) continue;
    for (let index = 0; index < spec.count; index++) {
      const host = spec.dedicated.hosts?.[index];
      const name = host?.name ?? nodeName(cluster.name, group, index);
      if (host?.address !== undefined) {
        out.push({ group, index, name, address: host.address, pinned: true });
        continue;
      }
      out.push({ group, index, name, address: derivedAddress(subnet, name), pinned: false });
    }
  }
  return out;
}

function derivedAddress(subnet: Cidr | string, name: string): string {
  if (typeof subnet === "string") return "";
  const slots = subnet.end - subnet.start - DEDICATED_FIRST_HOST; // up to the last host address (broadcast excluded)
  if (slots < 1) return "";
  return fromNumber(subnet.start + DEDICATED_FIRST_HOST + stableSlot(name, slots));
}

/** Why an address cannot be a host's in `subnet` (network, broadcast, gateway, outside), or undefined. */
export function unusableHostAddress(address: string, subnet: Cidr, reserved: Readonly<Record<string, string>> = {}): string | undefined {
  const ip = parseIp(address);
  if (ip === undefined) return `"${address}" is not an IPv4 address`;
  if (ip < subnet.start || ip > subnet.end) return `${address} is outside ${subnet.text}`;
  if (ip === subnet.start) return `${address} is the network address of ${subnet.text}`;
  if (ip === subnet.end) return `${address} is the broadcast address of ${subnet.text}`;
  if (ip === subnet.start + 1) return `${address} is the gateway address of ${subnet.text} (its first host address)`;
  for (const [what, other] of Object.entries(reserved)) if (other === address) return `${address} is ${what}`;
  return undefined;
}

/** The availability zone of a user's VM: the pin, else one derived from the user's name. */
export function userZone(user: { readonly name: string; readonly zone?: string | undefined }, zones: readonly string[]): string {
  if (user.zone !== undefined) return user.zone;
  return zones[stableSlot(`user:${user.name}`, zones.length)]!;
}
