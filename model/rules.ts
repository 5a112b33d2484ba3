/**
 * Rules that span fields or files. Each reports with the file and dot path the operator must
 * edit and says how to fix it. Provider-specific rules live with the provider (clouds/<p>/model.ts).
 */
import { proposedShards, shardSizes } from "../config/placement";
import { PROVIDERS_BY_ID } from "../clouds/registry";
import { contains, fromNumber, isPrivate, overlaps, parseCidr, parseIp, type Cidr } from "../config/cidr";
import { cloudInit, userAccountYaml, type NetworkZones } from "./cloud-init";
import { AIWC_LIMITS } from "../config/limits";
import { closest, type PathSegment, type ProblemSink } from "../config/problems";
import type { ConfigFiles, ParsedConfig, PartialConfig } from "../config/types";
import { ROLES, SERVICES, type ClusterConfig, type Role, type Service, type TariffsConfig } from "../config/schema";
import { homeZone } from "../config/firewall-matrix";
import { thousands } from "../config/text";

/** Roles whose groups may be scaled to zero nodes (the platform still works without them). */
const ZERO_ALLOWED: ReadonlySet<Role> = new Set(["gpu-worker", "service", "ci-runner"]);
const CONTROLLER_COUNTS = [1, 3, 5, 7];

export function checkRules(config: PartialConfig, files: ConfigFiles, sink: ProblemSink): void {
  checkNodeGroups(config, files.cluster, sink);
  checkBounds(config, files, sink);
  checkNetwork(config.cluster, files.cluster, sink);
  PROVIDERS_BY_ID[config.cluster.provider]!.checkCluster?.(config.cluster, files.cluster, sink);
  checkState(config.cluster, files.cluster, sink);
  checkCapacity(config.cluster, config.tariffs, files.cluster, sink);
  if (config.tariffs !== undefined) checkTariffs(config.tariffs, files.tariffs, sink);
  checkSoftware(config, files, sink);
  checkUserData(config, files, sink);
  if (config.users !== undefined && config.tariffs !== undefined) checkUsers(config as ParsedConfig, files, sink);
  if (config.users !== undefined && config.tariffs !== undefined) checkShards(config as ParsedConfig, files, sink);
  if (config.catalogs[config.cluster.provider] !== undefined) PROVIDERS_BY_ID[config.cluster.provider]?.checkConfig(config, files, sink);
}

function groupsWithRole(cluster: ClusterConfig, role: Role): [string, ClusterConfig["nodeGroups"][string]][] {
  return Object.entries(cluster.nodeGroups).filter(([, group]) => group.role === role);
}

function checkNodeGroups({ cluster, users = [], tariffs }: PartialConfig, file: string, sink: ProblemSink): void {
  for (const [name, group] of Object.entries(cluster.nodeGroups)) {
    const at = ["nodeGroups", name];
    if (group.count === 0 && !ZERO_ALLOWED.has(group.role)) {
      sink.add(file, [...at, "count"], `a ${group.role} group cannot have 0 nodes; set count to at least 1 or remove the group`);
    }
    if (group.dataVolumeGb !== undefined && group.role !== "ceph") {
      sink.add(file, [...at, "dataVolumeGb"], `only ceph groups get a data volume; remove it from this ${group.role} group`);
    }
    if (group.role === "ceph" && group.dataVolumeGb === undefined) {
      sink.add(file, [...at, "dataVolumeGb"], "is required for a ceph group (size of each node's data volume in GB, e.g. 500)");
    }
    if (group.dedicated?.hosts !== undefined && group.dedicated.hosts.length !== group.count) {
      sink.add(file, [...at, "dedicated", "hosts"], `lists ${group.dedicated.hosts.length} hosts but count is ${group.count}; make them equal`);
    }
    const longest = `${cluster.name}-${name}-${String(Math.max(group.count, 1)).padStart(2, "0")}`;
    if (longest.length > 63) {
      sink.add(file, at, `server names like "${longest}" exceed 63 characters; shorten the cluster or group name`);
    }
  }

  const bastions = groupsWithRole(cluster, "bastion");
  if (bastions.length !== 1) {
    sink.add(file, "nodeGroups", `needs exactly one group with role bastion (the only SSH entry and the NAT gateway), found ${bastions.length}`);
  } else if (bastions[0]![1].count !== 1) {
    sink.add(file, ["nodeGroups", bastions[0]![0], "count"], `must be 1: the bastion is the single SSH entry and NAT gateway, got ${bastions[0]![1].count}`);
  }

  const controllers = groupsWithRole(cluster, "controller");
  const controllerCount = controllers.reduce((sum, [, g]) => sum + g.count, 0);
  if (controllers.length === 0) {
    sink.add(file, "nodeGroups", "needs a group with role controller (the control plane)");
  } else if (!CONTROLLER_COUNTS.includes(controllerCount)) {
    const where = controllers.length === 1 ? ["nodeGroups", controllers[0]![0], "count"] : "nodeGroups";
    sink.add(file, where, `controllers must number 1, 3, 5 or 7 in total so the control plane keeps quorum, got ${controllerCount}`);
  }

  const ceph = groupsWithRole(cluster, "ceph");
  const cephCount = ceph.reduce((sum, [, g]) => sum + g.count, 0);
  if (ceph.length > 0 && cephCount < cluster.ceph.replication) {
    const where = ceph.length === 1 ? ["nodeGroups", ceph[0]![0], "count"] : "nodeGroups";
    sink.add(file, where, `Ceph needs at least ceph.replication (${cluster.ceph.replication}) storage nodes, got ${cephCount}; add nodes or lower ceph.replication`);
  }

  const gpuCount = groupsWithRole(cluster, "gpu-worker").reduce((sum, [, g]) => sum + g.count, 0);
  if (gpuCount === 0 && tariffs !== undefined) {
    const gpuPacks = Object.entries(tariffs.packs).filter(([, p]) => p.requiresGpu).map(([id]) => id);
    const needing = users.filter((u) => u.packs.some((p) => gpuPacks.includes(p)));
    if (needing.length > 0) {
      sink.add(file, "nodeGroups", `${needing.length} user(s) have a GPU pack (${gpuPacks.join(", ")}) but no gpu-worker nodes exist; add a gpu-worker group with count ≥ 1`);
    }
  }
  const serviceCount = groupsWithRole(cluster, "service").reduce((sum, [, g]) => sum + g.count, 0);
  if (serviceCount === 0 && users.length > 0) {
    sink.add(file, "nodeGroups", `${users.length} user(s) need the shared services but no service nodes exist; add a service group with count ≥ 1`);
  }
}

/**
 * Accounts that exist on the images aiwc boots (Ubuntu, Debian) or that its roles create: a
 * user named like one would take over a system account on their VM.
 */
const SYSTEM_ACCOUNTS = new Set([
  "root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy", "www-data", "backup", "list", "irc",
  "gnats", "nobody", "nogroup", "messagebus", "syslog", "sshd", "ubuntu", "debian", "admin", "ec2-user", "centos", "cloud-user",
  "lxd", "uuidd", "tcpdump", "tss", "landscape", "pollinate", "fwupd-refresh", "usbmux", "dnsmasq", "polkitd", "chrony", "ntp",
  "ollama", "docker", "ceph", "caddy", "nvidia-persistenced", "operator", "ansible", "aiwc", "shutdown", "halt", "adm", "sudo", "wheel", "staff", "users",
]);

export function isSystemAccount(name: string): boolean {
  return SYSTEM_ACCOUNTS.has(name) || name.startsWith("systemd-") || name.startsWith("_");
}

/** Node totals, reserved label keys and provider limits that depend on the whole config. */
function checkBounds({ cluster, users }: PartialConfig, files: ConfigFiles, sink: ProblemSink): void {
  const total = Object.values(cluster.nodeGroups).reduce((sum, g) => sum + g.count, 0);
  if (total > AIWC_LIMITS.nodes) sink.add(files.cluster, "nodeGroups", `${total} nodes in all groups exceed aiwc's limit of ${AIWC_LIMITS.nodes}; split the platform into several clusters`);
  for (const [name, group] of Object.entries(cluster.nodeGroups)) {
    for (const key of Object.keys(group.labels ?? {})) {
      if (key.startsWith("aiwc/")) {
        sink.add(files.cluster, ["nodeGroups", name, "labels", key], `label keys under "aiwc/" are aiwc's own (they attribute cost to groups and users); use another prefix, e.g. "ops/${key.slice(5)}"`);
      }
    }
  }
  (users ?? []).forEach((user, index) => {
    if (isSystemAccount(user.name)) {
      sink.add(files.users, ["users", index, "name"], `"${user.name}" is a system account on the VM's image (or one aiwc's roles use); choose another user name`);
    }
  });

}

/** Boot user data of every machine within the provider's limit (keys are the variable part). */
function checkUserData({ cluster, users }: PartialConfig, files: ConfigFiles, sink: ProblemSink): void {
  const userData = PROVIDERS_BY_ID[cluster.provider]!.userData;
  if (userData === undefined) return;
  const { limit } = userData;
  const zones = zonesOf(cluster);
  if (zones === undefined) return;
  const operatorKeys = userData.operatorKeys ? cluster.access.sshKeys.map((k) => k.publicKey) : undefined;
  const common = { zones, ...(operatorKeys !== undefined ? { operatorKeys, egressRoute: false } : {}) };
  // The bastion first: its user data is the largest (NAT, forward rules).
  for (const role of ["bastion", ...ROLES.filter((r) => r !== "bastion")] as const) {
    const size = Buffer.byteLength(cloudInit({ role, ...common }));
    if (size > limit.value) {
      sink.add(files.cluster, ["access", "sshKeys"], `the ${role} nodes' user data would be ${size} bytes, more than ${limit.value} (${limit.source}); use fewer or shorter operator keys`);
      return;
    }
  }
  const base = Buffer.byteLength(cloudInit({ role: "user-vm", ...common }));
  (users ?? []).forEach((user, index) => {
    // The account part is appended as its own YAML document key. Rendered, it is the fixed
    // keys (under 200 bytes) plus the name and key, escaped at worst threefold: when even that
    // fits, there is nothing to measure (rendering 100,000 accounts took a tenth of a second).
    if (base + 3 * (Buffer.byteLength(user.name) + Buffer.byteLength(user.sshKey)) + 256 <= limit.value) return;
    const size = base + Buffer.byteLength(userAccountYaml({ name: user.name, sshKey: user.sshKey, sudo: user.sudo }));
    if (size > limit.value) {
      sink.add(files.users, ["users", index, "sshKey"], `makes the VM's user data ${size} bytes, more than ${limit.value} (${limit.source}); use an ed25519 key`);
    }
  });
}

function zonesOf(cluster: ClusterConfig): NetworkZones | undefined {
  const network = parseCidr(cluster.network.cidr);
  const platform = parseCidr(cluster.network.platformSubnet);
  const users = parseCidr(cluster.network.usersSubnet);
  const vswitch = parseCidr(cluster.network.vswitchSubnet);
  if (typeof network === "string" || typeof platform === "string" || typeof users === "string" || typeof vswitch === "string") return undefined;
  if (platform.end - platform.start < 3 || network.end - network.start < 2) return undefined;
  return {
    network,
    platform,
    users,
    ...(cluster.hetzner.vswitchId !== undefined ? { vswitch } : {}),
    bastionIp: cluster.network.bastionIp ?? fromNumber(platform.start + 2),
    gateway: fromNumber(network.start + 1),
    adminCidrs: cluster.access.adminCidrs,
  };
}

function checkNetwork(cluster: ClusterConfig, file: string, sink: ProblemSink): void {
  const parsed = (path: PathSegment[], text: string): Cidr | undefined => {
    const result = parseCidr(text);
    if (typeof result === "string") {
      sink.add(file, path, result);
      return undefined;
    }
    return result;
  };
  const network = parsed(["network", "cidr"], cluster.network.cidr);
  if (network !== undefined && !isPrivate(network)) {
    sink.add(file, ["network", "cidr"], `${network.text} is not a private range; use one inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16`);
  }
  const subnets: [string, Cidr | undefined][] = [
    ["platformSubnet", parsed(["network", "platformSubnet"], cluster.network.platformSubnet)],
    ["usersSubnet", parsed(["network", "usersSubnet"], cluster.network.usersSubnet)],
  ];
  for (const name of PROVIDERS_BY_ID[cluster.provider]!.extraSubnets(cluster)) subnets.push([name, parsed(["network", name], cluster.network[name])]);
  for (const [name, subnet] of subnets) {
    if (subnet !== undefined && network !== undefined && !contains(network, subnet)) {
      sink.add(file, ["network", name], `${subnet.text} is outside network.cidr ${network.text}; pick a range inside it`);
    }
  }
  for (let i = 0; i < subnets.length; i++) {
    for (let j = i + 1; j < subnets.length; j++) {
      const [nameA, a] = subnets[i]!;
      const [nameB, b] = subnets[j]!;
      if (a !== undefined && b !== undefined && overlaps(a, b)) {
        sink.add(file, ["network", nameB], `${b.text} overlaps network.${nameA} ${a.text}; subnets must not overlap`);
      }
    }
  }
  const platform = subnets[0]![1];
  if (platform !== undefined) {
    // Every cloud node takes a platform address; the provider reserves some of the subnet's.
    const provider = PROVIDERS_BY_ID[cluster.provider]!;
    const nodes = Object.values(cluster.nodeGroups).filter((g) => provider.onPlatformSubnet(g) && homeZone(g.role) === "platform").reduce((sum, g) => sum + g.count, 0);
    const size = platform.end - platform.start + 1;
    const reserved = provider.reservedPlatformAddresses(cluster);
    const room = size - reserved;
    if (platform.prefix > 29 || room < nodes) {
      sink.add(file, ["network", "platformSubnet"], `${platform.text} has room for ${Math.max(room, 0)} node addresses but the node groups have ${nodes} cloud nodes; use a larger subnet (the default is a /24)`);
    }
  }
  const usersCidr = subnets[1]![1];
  if (usersCidr !== undefined && usersCidr.prefix > 29) {
    sink.add(file, ["network", "usersSubnet"], `${usersCidr.text} is too small for users' VMs; use a /29 or larger (the default is a /20)`);
  }
  if (cluster.network.bastionIp !== undefined) {
    const ip = parseIp(cluster.network.bastionIp);
    if (ip === undefined) sink.add(file, ["network", "bastionIp"], `"${cluster.network.bastionIp}" is not an IPv4 address`);
    else if (platform !== undefined && (!contains(platform, ip) || ip === platform.start || ip === platform.end)) {
      sink.add(file, ["network", "bastionIp"], `must be a host address inside network.platformSubnet ${platform.text}`);
    }
  }
  cluster.access.adminCidrs.forEach((text, index) => {
    const admin = parsed(["access", "adminCidrs", index], text);
    if (admin !== undefined && admin.prefix === 0) {
      sink.warn(file, ["access", "adminCidrs", index], "0.0.0.0/0 lets the whole internet try SSH on the bastion; narrow it to your office or VPN range");
    }
  });
  const keyNames = new Set<string>();
  cluster.access.sshKeys.forEach((key, index) => {
    if (keyNames.has(key.name)) sink.add(file, ["access", "sshKeys", index, "name"], `"${key.name}" is used twice; key names must be unique`);
    keyNames.add(key.name);
  });
}


function checkTariffs(tariffs: TariffsConfig, file: string, sink: ProblemSink): void {
  const meters = Object.keys(tariffs.payg);
  const known = (where: PathSegment[], meter: string) => {
    if (!meters.includes(meter)) {
      sink.add(file, where, `unknown PAYG meter "${meter}"; known meters: ${meters.join(", ") || "(none: add payg:)"}`);
    }
  };
  for (const [kind, entries] of [["tariffs", tariffs.tariffs], ["packs", tariffs.packs]] as const) {
    for (const [id, entry] of Object.entries(entries)) {
      for (const meter of Object.keys(entry.allowances)) known([kind, id, "allowances", meter], meter);
    }
  }
  for (const [name, profile] of Object.entries(tariffs.profiles)) {
    for (const meter of Object.keys(profile)) known(["profiles", name, meter], meter);
  }
  // A meter's feature must be something a tariff or pack includes, or every use would be flagged.
  const features = new Set([...Object.values(tariffs.tariffs), ...Object.values(tariffs.packs)].flatMap((entry) => entry.includes));
  for (const [meter, spec] of Object.entries(tariffs.payg)) {
    if (spec.feature !== undefined && !features.has(spec.feature)) {
      sink.add(file, ["payg", meter, "feature"], `"${spec.feature}" is not in any tariff's or pack's includes: (${[...features].sort().join(", ")}); name the feature that grants this meter, or remove feature:`);
    }
  }
  if (Object.keys(tariffs.profiles).length > 0 && tariffs.profiles[tariffs.defaultProfile] === undefined) {
    sink.add(file, "defaultProfile", `profile "${tariffs.defaultProfile}" is not defined under profiles: (${Object.keys(tariffs.profiles).join(", ")})`);
  }
  const tokenPacks = Object.entries(tariffs.packs).filter(([, p]) => (p.gpuTokens ?? 0) > 0);
  if (tokenPacks.length > 0 && !meters.includes(tariffs.gpuTokenMeter)) {
    sink.add(file, "gpuTokenMeter", `GPU tokens count against "${tariffs.gpuTokenMeter}", which is not a payg: meter; add it or change gpuTokenMeter`);
  }
}

/** What a service sells besides itself, by `includes` name. */
/** The offers that grant GitLab access: the shared group, and CI on the platform's runners. */
export const GITLAB_GROUP_OFFER = "gitlab-group";
export const GITLAB_CI_OFFER = "gitlab-ci";

export const SERVICE_OFFERS: Readonly<Record<string, Service>> = {
  "qdrant-shared": "qdrant",
  "supabase-shared": "supabase",
  "n8n-global": "n8n",
  [GITLAB_GROUP_OFFER]: "gitlab",
  [GITLAB_CI_OFFER]: "gitlab",
};

/** The shared service a tariff's `includes` entry sells ("qdrant-shared" → qdrant), if any. */
export function serviceSold(include: string): Service | undefined {
  return (SERVICES as readonly string[]).includes(include) ? (include as Service) : SERVICE_OFFERS[include];
}

/**
 * `includes` entries aiwc delivers without a shared service, and what delivers them: the
 * user's own VM, the GPU workers' metering gateway, a pack's extra volume.
 */
export const BUILT_IN_INCLUDES: Readonly<Record<string, string>> = {
  vm: "the user's own VM (the tariff's vm:)",
  "gpu-access": "the GPU workers' metering gateway to Ollama (needs GPU workers)",
  "extra-storage": "a protected volume on the user's VM (the pack's extraVolumeGb)",
};

/**
 * GitLab's documented floor for a single node (docs.gitlab.com/install/requirements): 8 GB of
 * memory at the least ("in memory-constrained environments"); 8 vCPU and 16 GB are its
 * baseline, and burstable instance types are not recommended.
 */
export const GITLAB_MIN_RAM_GB = 8;
export const GITLAB_BASELINE = { vcpu: 8, ramGb: 16 } as const;

/**
 * GitLab's single-node reference architecture serves up to 1,000 users (20 requests per second;
 * docs.gitlab.com/administration/reference_architectures/1k_users); beyond it GitLab's own
 * architectures are several nodes, which aiwc does not deploy. Every user has an account.
 */
export const GITLAB_SINGLE_NODE_USERS = 1000;

/** What to tell the operator when `users` accounts outgrow one GitLab node, else undefined. */
export function gitlabSizingNote(users: number): string | undefined {
  if (users <= GITLAB_SINGLE_NODE_USERS) return undefined;
  return `GitLab: ${users} accounts are more than the ${thousands(GITLAB_SINGLE_NODE_USERS)} users GitLab's single-node reference architecture serves (docs.gitlab.com/administration/reference_architectures/1k_users); run GitLab on a node of its own at the 2,000-user architecture's size or move to GitLab's multi-node architecture`;
}

/**
 * GitLab runs on one of the service nodes (the placement decides which): each must have
 * GitLab's memory floor, and below its baseline (or on a burstable type) the operator is told.
 */
function checkGitlabNodes(cluster: ClusterConfig, catalogs: PartialConfig["catalogs"], file: string, sink: ProblemSink): void {
  const catalog = catalogs[cluster.provider];
  for (const [name, group] of groupsWithRole(cluster, "service")) {
    const type = group.serverType;
    const spec = type !== undefined ? catalog?.server_types[type] : undefined;
    const needs = group.requirements;
    const ram = spec?.ram_gb ?? needs?.ramGb;
    const vcpu = spec?.vcpu ?? needs?.vcpu;
    if (ram === undefined || vcpu === undefined) continue;
    const at = type !== undefined ? ["nodeGroups", name, "serverType"] : ["nodeGroups", name, "requirements"];
    const what = type !== undefined ? `${type} has` : "the requirements ask for";
    if (ram < GITLAB_MIN_RAM_GB) {
      sink.add(file, at, `${what} ${ram} GB of memory; GitLab (software.services) needs at least ${GITLAB_MIN_RAM_GB} GB on the service node it runs on (docs.gitlab.com/install/requirements); choose a larger type or take gitlab out of software.services`);
    } else if (ram < GITLAB_BASELINE.ramGb || vcpu < GITLAB_BASELINE.vcpu) {
      sink.warn(file, at, `${what} ${vcpu} vCPU and ${ram} GB; GitLab's single-node baseline is ${GITLAB_BASELINE.vcpu} vCPU and ${GITLAB_BASELINE.ramGb} GB (docs.gitlab.com/install/requirements), and it shares the node with other services`);
    }
    if (spec !== undefined && cluster.provider === "aws" && /^t\d/.test(type ?? "")) {
      sink.warn(file, at, `${type} is a burstable type; GitLab does not recommend burstable instances (docs.gitlab.com/install/requirements)`);
    }
  }
}

function checkSoftware({ cluster, tariffs, catalogs, users }: PartialConfig, files: ConfigFiles, sink: ProblemSink): void {
  const { software } = cluster;
  if (tariffs !== undefined) {
    // Selling a service the platform does not run is revenue without a product.
    const missing = new Map<Service, string[]>();
    for (const [kind, entries] of [["tariffs", tariffs.tariffs], ["packs", tariffs.packs]] as const) {
      for (const [id, entry] of Object.entries(entries)) {
        for (const include of entry.includes) {
          const service = serviceSold(include);
          if (service !== undefined && !software.services.includes(service)) missing.set(service, [...(missing.get(service) ?? []), `${kind}.${id}`]);
        }
      }
    }
    for (const [service, sellers] of missing) {
      sink.add(files.cluster, ["software", "services"], `"${service}" is sold by ${sellers.join(", ")} in ${files.tariffs} but not enabled here; add it, or take it out of those tariffs and packs`);
    }
    // Every sold item has a deliverer: a shared service, or one of the built-ins.
    for (const [kind, entries] of [["tariffs", tariffs.tariffs], ["packs", tariffs.packs]] as const) {
      for (const [id, entry] of Object.entries(entries)) {
        entry.includes.forEach((include: string, index: number) => {
          if (serviceSold(include) !== undefined || BUILT_IN_INCLUDES[include] !== undefined) return;
          const guess = closest(include, [...SERVICES, ...Object.keys(SERVICE_OFFERS), ...Object.keys(BUILT_IN_INCLUDES)]);
          sink.add(
            files.tariffs,
            [kind, id, "includes", index],
            `"${include}" is delivered by nothing aiwc deploys${guess !== undefined ? ` (did you mean "${guess}"?)` : ""}: name a service (${SERVICES.join(", ")}), an offer (${Object.keys(SERVICE_OFFERS).join(", ")}) or a built-in (${Object.keys(BUILT_IN_INCLUDES).join(", ")})`,
          );
        });
        if (kind === "packs" && entry.includes.includes("extra-storage") && (entry as TariffsConfig["packs"][string]).extraVolumeGb === undefined) {
          sink.add(files.tariffs, [kind, id, "extraVolumeGb"], "is required: the pack sells extra-storage, and this volume is what delivers it");
        }
      }
    }
    for (const [id, tariff] of Object.entries(tariffs.tariffs)) {
      const included = tariff.allowances.storage_gb ?? 0;
      if (tariff.storageQuotaGb < included) {
        sink.add(files.tariffs, ["tariffs", id, "storageQuotaGb"], `${tariff.storageQuotaGb} GB is less than the ${included} GB the tariff includes (allowances.storage_gb); raise the quota to at least ${included}`);
      }
    }
  }
  const running = (role: Role) => groupsWithRole(cluster, role).some(([, group]) => group.count > 0);
  if (software.services.includes("gitlab")) {
    checkGitlabNodes(cluster, catalogs, files.cluster, sink);
    const note = gitlabSizingNote(users?.length ?? 0);
    if (note !== undefined) sink.warn(files.cluster, ["software", "services"], note);
  }
  // CI runners register with the platform's GitLab; GitLab CI sold without them runs nowhere.
  for (const [name, group] of groupsWithRole(cluster, "ci-runner")) {
    if (group.count > 0 && !software.services.includes("gitlab")) {
      sink.add(files.cluster, ["nodeGroups", name, "role"], "ci-runner nodes run GitLab CI jobs and register with the platform's GitLab: add gitlab to software.services, or remove the group");
    }
  }
  if (tariffs !== undefined && !running("ci-runner")) {
    const sellers = [...Object.entries(tariffs.tariffs).map(([id, t]) => [`tariffs.${id}`, t.includes] as const), ...Object.entries(tariffs.packs).map(([id, p]) => [`packs.${id}`, p.includes] as const)]
      .filter(([, includes]) => includes.includes(GITLAB_CI_OFFER))
      .map(([id]) => id);
    if (sellers.length > 0) {
      sink.warn(files.cluster, "nodeGroups", `${sellers.join(", ")} in ${files.tariffs} ${sellers.length === 1 ? "sells" : "sell"} gitlab-ci but no ci-runner group has nodes: the users' pipelines run only on runners they bring themselves; add a group with role: ci-runner`);
    }
  }
  if (software.services.length > 0 && !running("service")) {
    sink.warn(files.cluster, ["software", "services"], "services are enabled but no service node group has nodes to run them; add service nodes or empty the list");
  }
  if (software.models.length === 0 && running("gpu-worker")) {
    sink.warn(files.cluster, ["software", "models"], "GPU workers run but no Ollama model is pulled; list the models users should find there");
  }
  if (software.backups === undefined && PROVIDERS_BY_ID[cluster.provider]!.builtInBackups === undefined) {
    sink.warn(files.cluster, ["software", "backups"], "the bastion backs up no configuration; set software.backups to an S3-compatible bucket (e.g. Hetzner Object Storage)");
  }
}

function checkCapacity(cluster: ClusterConfig, tariffs: TariffsConfig | undefined, file: string, sink: ProblemSink): void {
  cluster.capacity.forEach((rule, index) => {
    const group = cluster.nodeGroups[rule.group];
    if (group === undefined) sink.add(file, ["capacity", index, "group"], `unknown node group "${rule.group}"; known: ${Object.keys(cluster.nodeGroups).join(", ")}`);
    else if (group.role === "bastion" || group.role === "controller" || group.role === "ceph") {
      sink.add(file, ["capacity", index, "group"], `a ${group.role} group does not scale with users (quorum, replication or the single entry); scale service, GPU or other groups`);
    }
    if (rule.of !== undefined && tariffs !== undefined && tariffs.packs[rule.of] === undefined) {
      sink.add(file, ["capacity", index, "of"], `unknown pack "${rule.of}"; known packs: ${Object.keys(tariffs.packs).join(", ")}`);
    }
  });
}

function checkState(cluster: ClusterConfig, file: string, sink: ProblemSink): void {
  const state = cluster.state;
  if (state.backend !== "s3") return;
  if (state.locking === "dynamodb" && state.dynamodbTable === undefined) {
    sink.add(file, ["state", "dynamodbTable"], "is required with locking: dynamodb (the DynamoDB table holding the locks)");
  }
  if (state.locking === "dynamodb" && state.endpoint !== undefined) {
    sink.add(file, ["state", "locking"], "dynamodb locking exists only on AWS; with an S3-compatible endpoint use locking: lockfile");
  }
  if (state.locking !== "dynamodb" && state.dynamodbTable !== undefined) {
    sink.add(file, ["state", "dynamodbTable"], `is only used with locking: dynamodb (locking is ${state.locking}); remove it or change locking`);
  }
}

/**
 * More users than `state.shards × state.usersPerStack`: a warning with the shard count to move
 * to (never an error: onboarding goes on). The hash fills stacks unevenly, so the largest one is
 * named too.
 */
function checkShards({ cluster, users }: ParsedConfig, files: ConfigFiles, sink: ProblemSink): void {
  const { shards, usersPerStack } = cluster.state;
  if (users.length <= shards * usersPerStack) return;
  const largest = Math.max(...shardSizes(users.map((u) => u.name), shards));
  const proposal = proposedShards(users.length, usersPerStack);
  sink.warn(
    files.cluster,
    ["state", "shards"],
    `${users.length} users in ${shards} users ${shards === 1 ? "stack is" : "stacks are"} more than state.usersPerStack (${usersPerStack}) per stack, the largest holds ${largest}: each plan refreshes all of a stack's machines; move to ${proposal} stacks: set state.shards: ${proposal} and run \`aiwc shards plan --from ${shards}\``,
  );
}

function checkUsers({ cluster, users, tariffs }: ParsedConfig, files: ConfigFiles, sink: ProblemSink): void {
  const seen = new Map<string, number>();
  const emails = new Map<string, number>();
  const packIds = Object.keys(tariffs.packs);
  const tariffIds = Object.keys(tariffs.tariffs);
  // Runs once per user (100,000 of them in the largest configs): nothing is allocated unless there is something to say.
  const vmPrefix = cluster.name.length + "-u-".length;
  users.forEach((user, index) => {
    const at = (...rest: (string | number)[]) => ["users", index, ...rest];
    const first = seen.get(user.name);
    if (first !== undefined) sink.add(files.users, at("name"), `"${user.name}" is already used by users[${first}]; user names must be unique`);
    else seen.set(user.name, index);
    if (user.email !== undefined) {
      // The collectors attribute a service account to the user with its e-mail: one user each.
      const email = user.email.toLowerCase();
      const owner = emails.get(email);
      if (owner !== undefined) sink.add(files.users, at("email"), `"${user.email}" is already the e-mail of users[${owner}]; each user signs into the services with an address of their own`);
      else emails.set(email, index);
    }
    if (!tariffIds.includes(user.tariff)) {
      sink.add(files.users, at("tariff"), `unknown tariff "${user.tariff}"; known tariffs: ${tariffIds.join(", ")} (defined in ${files.tariffs})`);
    }
    user.packs.forEach((pack, p) => {
      if (!packIds.includes(pack)) {
        sink.add(files.users, at("packs", p), `unknown pack "${pack}"; known packs: ${packIds.join(", ")} (defined in ${files.tariffs})`);
      } else if (user.packs.indexOf(pack) < p) {
        sink.add(files.users, at("packs", p), `pack "${pack}" is listed twice; list each pack once`);
      }
    });
    if (user.since !== undefined && user.until !== undefined && user.until < user.since) {
      sink.add(files.users, at("until"), `${user.until} is before since: ${user.since}; a user is billed from since through until`);
    }
    if (user.profile !== undefined && tariffs.profiles[user.profile] === undefined) {
      sink.add(files.users, at("profile"), `unknown usage profile "${user.profile}"; known profiles: ${Object.keys(tariffs.profiles).join(", ") || "(none)"} (defined in ${files.tariffs})`);
    }
    if (user.zone !== undefined && !PROVIDERS_BY_ID[cluster.provider]!.zonePins) {
      sink.warn(files.users, at("zone"), `availability zone pins apply on AWS only; ignored on ${cluster.provider}`);
    }
    if (vmPrefix + user.name.length > 63) sink.add(files.users, at("name"), `VM name "${cluster.name}-u-${user.name}" exceeds 63 characters; shorten the user name`);
  });
  const usersSubnet = parseCidr(cluster.network.usersSubnet);
  // The CI runners take their addresses there too (they run users' code: homeZone).
  const runners = Object.values(cluster.nodeGroups).filter((g) => homeZone(g.role) === "users").reduce((sum, g) => sum + g.count, 0);
  if (typeof usersSubnet !== "string" && users.length + runners > usersSubnet.end - usersSubnet.start - 3) {
    const of = runners > 0 ? `${users.length} users' VMs and ${runners} CI runners are configured` : `${users.length} users are configured`;
    sink.add(files.cluster, ["network", "usersSubnet"], `${usersSubnet.text} has room for ${usersSubnet.end - usersSubnet.start - 3} VMs but ${of}; use a larger subnet`);
  }
}
