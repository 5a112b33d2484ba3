/**
 * The provider-neutral topology derived from the config: every node and user VM with its
 * name, group, role, type, labels and addresses. Stacks, outputs, pricing and the Ansible
 * inventory all read this one model, so names and addresses cannot disagree between them.
 */
import { hostAddress, parseCidr, type Cidr } from "../config/cidr";
import { dedicatedPlacements, nodeName, userShard } from "../config/placement";
import type { Config } from "./load";
import { groupDeleteProtection, type Role } from "../config/schema";
import type { NetworkZones } from "./cloud-init";
import { PROVIDERS_BY_ID, userServerType } from "../clouds/registry";
import { groupChoice } from "../catalog/server-types";
import { byText } from "../config/text";

/** Label keys carried by every resource (Hetzner labels, AWS tags, OVH metadata). */
export const LABEL = {
  cluster: "aiwc/cluster",
  group: "aiwc/group",
  role: "aiwc/role",
  user: "aiwc/user",
  tariff: "aiwc/tariff",
  packs: "aiwc/packs",
  product: "aiwc/product",
} as const;

export interface NodeSpec {
  readonly name: string;
  readonly group: string;
  readonly role: Role;
  /** 0-based position in the group. */
  readonly index: number;
  readonly labels: Readonly<Record<string, string>>;
}

export interface CloudGroupSpec {
  readonly kind: "cloud";
  readonly name: string;
  readonly role: Role;
  readonly serverType: string;
  readonly image: string;
  /** Data volume per node, GB (Ceph). */
  readonly dataVolumeGb?: number;
  /** The provider's delete/rebuild protection on the machines. */
  readonly deleteProtection: boolean;
  readonly nodes: readonly NodeSpec[];
}

export interface DedicatedHostSpec extends NodeSpec {
  readonly product: string;
  readonly address: string;
  readonly serverNumber?: number;
  readonly orderedOn?: string;
}

export interface DedicatedGroupSpec {
  readonly kind: "dedicated";
  readonly name: string;
  readonly role: Role;
  readonly product: string;
  readonly nodes: readonly DedicatedHostSpec[];
}

export type GroupSpec = CloudGroupSpec | DedicatedGroupSpec;

export interface UserVmSpec {
  readonly user: string;
  readonly name: string;
  readonly tariff: string;
  readonly packs: readonly string[];
  readonly serverType: string;
  readonly image: string;
  readonly sshKey: string;
  readonly sudo: boolean;
  /** AWS availability zone pin from users.yaml; absent: derived from the user's name. */
  readonly zone?: string;
  /** Provider delete protection on the VM and its volume. */
  readonly deleteProtection: boolean;
  /** Extra volume from packs (Storage+), GB; 0 when none. */
  readonly extraVolumeGb: number;
  readonly labels: Readonly<Record<string, string>>;
}

export interface Topology {
  readonly cluster: string;
  readonly provider: string;
  readonly config: Config;
  readonly network: {
    readonly cidr: Cidr;
    readonly platform: Cidr;
    readonly users: Cidr;
    /** Present when dedicated servers join through a vSwitch. */
    readonly vswitch?: { readonly id: number; readonly subnet: Cidr };
    /** The network's gateway (first host address), where private nodes send default traffic. */
    readonly gateway: string;
    readonly bastionIp: string;
  };
  readonly groups: readonly GroupSpec[];
  readonly users: readonly UserVmSpec[];
  /** Server types chosen from requirements (printed by `aiwc validate`). */
  /** Types chosen by requirements: `lock` says whether types.lock.yaml decided it; `current` is the catalog's choice today where it differs. */
  readonly choices: readonly { readonly group: string; readonly serverType: string; readonly requirements: string; readonly location: string; readonly lock: "locked" | "stale" | "unlocked"; readonly current?: string }[];
}

/** Name of a node's data volume (Ceph) on every provider. */
export function dataVolumeName(nodeName: string): string {
  return `${nodeName}-data`;
}

/** Name of a user VM's extra storage volume (Storage+) on every provider. */
export function storageVolumeName(vmName: string): string {
  return `${vmName}-storage`;
}

export { nodeName };

function cidrOf(text: string): Cidr {
  const parsed = parseCidr(text);
  if (typeof parsed === "string") throw new Error(`BUG: validated CIDR did not parse: ${parsed}`);
  return parsed;
}

/** Builds the topology of a validated config. Throws only on bugs (the loader checked everything). */
/**
 * Users' VMs by users stack: entry n holds shard n's users (`state.shards` entries, some may be
 * empty), each in the topology's order. The shard is the user's name's stable hash alone.
 */
export function usersByShard(topology: Topology): UserVmSpec[][] {
  const shards = topology.config.cluster.state.shards;
  const result: UserVmSpec[][] = Array.from({ length: shards }, () => []);
  for (const user of topology.users) result[userShard(user.user, shards)]!.push(user);
  return result;
}

/**
 * @param onlyUsers the users' VMs to describe, when not all of them (a synthesis of selected
 *   users stacks: 100,000 users' specs cost half a second nobody reads). Nothing else of the
 *   topology depends on the users.
 */
export function buildTopology(config: Config, onlyUsers?: (name: string) => boolean): Topology {
  const { cluster } = config;
  const provider = PROVIDERS_BY_ID[cluster.provider];
  if (provider === undefined) throw new Error(`BUG: provider ${cluster.provider} passed validation but is not registered`);
  const base = { [LABEL.cluster]: cluster.name };
  const image = provider.image(cluster);
  const network = {
    cidr: cidrOf(cluster.network.cidr),
    platform: cidrOf(cluster.network.platformSubnet),
    users: cidrOf(cluster.network.usersSubnet),
    vswitch: ((v) => (v !== undefined ? { id: v.id, subnet: cidrOf(cluster.network.vswitchSubnet) } : undefined))(provider.vswitch?.(cluster)),
  };
  const groups: GroupSpec[] = [];
  const choices: Topology["choices"][number][] = [];
  const catalog = config.catalogs[cluster.provider];
  const location = provider.location(cluster);
  // Addresses of dedicated hosts: pinned, or derived from each host's own name (never from
  // its position among other groups' hosts).
  const dedicatedAddress = new Map(dedicatedPlacements(cluster).map((p) => [`${p.group}\u0000${p.index}`, p.address]));
  // Sorted by name: the synthesized JSON must not depend on the order of YAML keys.
  for (const [name, group] of Object.entries(cluster.nodeGroups).sort(([a], [b]) => byText(a, b))) {
    const labels = { ...base, ...group.labels, [LABEL.group]: name, [LABEL.role]: group.role };
    const nodes: NodeSpec[] = Array.from({ length: group.count }, (_, index) => ({
      name: nodeName(cluster.name, name, index),
      group: name,
      role: group.role,
      index,
      labels,
    }));
    // Dedicated (Robot) servers where the provider has them; elsewhere the group's requirements.
    if (group.dedicated !== undefined && provider.dedicatedHosts === true) {
      const { product, hosts, orderedOn } = group.dedicated;
      groups.push({
        kind: "dedicated",
        name,
        role: group.role,
        product,
        nodes: nodes.map((node, index) => {
          const host = hosts?.[index];
          return {
            ...node,
            name: host?.name ?? node.name,
            labels: { ...node.labels, [LABEL.product]: product },
            product,
            address: dedicatedAddress.get(`${name}\u0000${index}`)!,
            ...(host?.serverNumber !== undefined ? { serverNumber: host.serverNumber } : {}),
            ...(orderedOn !== undefined ? { orderedOn } : {}),
          };
        }),
      });
    } else {
      let serverType = group.serverType;
      if (serverType === undefined && group.requirements !== undefined && catalog !== undefined) {
        const choice = groupChoice(catalog, config.typeLock, provider.id, location, name, group.requirements);
        serverType = choice.type;
        if (serverType !== undefined) choices.push({ group: name, serverType, requirements: choice.requirements, location, lock: choice.lock, ...(choice.current !== undefined && choice.current !== serverType ? { current: choice.current } : {}) });
      }
      if (serverType === undefined) throw new Error(`BUG: validated group ${name} has no server type`);
      groups.push({
        kind: "cloud",
        name,
        role: group.role,
        serverType,
        image: group.image ?? image,
        ...(group.dataVolumeGb !== undefined ? { dataVolumeGb: group.dataVolumeGb } : {}),
        deleteProtection: groupDeleteProtection(group),
        nodes,
      });
    }
  }

  const parsed = { cluster, users: config.users, tariffs: config.tariffs, catalogs: config.catalogs, ...(config.typeLock !== undefined ? { typeLock: config.typeLock } : {}) };
  // One choice per tariff and override, not per user (100,000 users ask a handful of questions).
  const types = new Map<string, string | undefined>();
  const typeFor = (tariff: string, override: string | undefined): string | undefined => {
    const key = `${tariff}\u0000${override ?? ""}`;
    if (!types.has(key)) types.set(key, userServerType(parsed, tariff, override));
    return types.get(key);
  };
  const users: UserVmSpec[] = (onlyUsers === undefined ? [...config.users] : config.users.filter((u) => onlyUsers(u.name)))
    .sort((a, b) => byText(a.name, b.name))
    .map((user) => {
      const extraVolumeGb = user.packs.reduce((sum, pack) => sum + (config.tariffs.packs[pack]?.extraVolumeGb ?? 0), 0);
      const serverType = typeFor(user.tariff, user.serverType);
      if (serverType === undefined) throw new Error(`BUG: no server type for validated user ${user.name}`);
      return {
        user: user.name,
        name: `${cluster.name}-u-${user.name}`,
        tariff: user.tariff,
        packs: [...user.packs].sort(),
        serverType,
        image,
        sshKey: user.sshKey,
        sudo: user.sudo,
        ...(user.zone !== undefined ? { zone: user.zone } : {}),
        deleteProtection: user.deleteProtection,
        extraVolumeGb,
        labels: {
          ...base,
          [LABEL.group]: "user-vms",
          [LABEL.role]: "user-vm",
          [LABEL.user]: user.name,
          [LABEL.tariff]: user.tariff,
          // Label values allow [a-z0-9-_.]; packs are DNS names, so "_" separates them unambiguously.
          [LABEL.packs]: [...user.packs].sort().join("_"),
        },
      };
    });

  return {
    cluster: cluster.name,
    provider: cluster.provider,
    config,
    network: {
      ...network,
      gateway: hostAddress(network.cidr, 1),
      bastionIp: provider.bastionIp(cluster),
    },
    groups,
    users,
    choices,
  };
}

/** The zones of the firewall matrix for this topology (see cloud-init.ts and firewall-matrix.ts). */
export function networkZones(topology: Topology): NetworkZones {
  const { network } = topology;
  return {
    network: network.cidr,
    platform: network.platform,
    users: network.users,
    ...(network.vswitch !== undefined ? { vswitch: network.vswitch.subnet } : {}),
    bastionIp: network.bastionIp,
    gateway: network.gateway,
    adminCidrs: topology.config.cluster.access.adminCidrs,
  };
}
