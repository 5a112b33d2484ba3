/**
 * Hetzner's model: config rules, server-type choice, addressing, login user, NAT and pricing.
 */
import { contains, hostAddress, parseCidr, parseIp, type Cidr } from "../../config/cidr";
import { closest, type PathSegment, type ProblemSink } from "../../config/problems";
import { cheapestFit, checkServerType, describeRequirements, smallestFit } from "../../catalog/server-types";
import type { ConfigFiles, PartialConfig } from "../../config/types";
import type { ProviderModel } from "../provider-model";
import { checkUserVmTypes } from "../type-checks";
import type { ClusterConfig, NodeGroupConfig } from "../../config/schema";
import type { Catalog } from "../../catalog/catalog";
import { PROVIDER_LIMITS } from "../../config/limits";
import { FIREWALL_MATRIX } from "../../config/firewall-matrix";
import { DEDICATED_FIRST_HOST, dedicatedPlacements, unusableHostAddress } from "../../config/placement";
import { byText } from "../../config/text";

function checkConfig(config: PartialConfig, files: ConfigFiles, sink: ProblemSink): void {
  const { cluster } = config;
  const catalog = config.catalogs.hetzner!;
  const location = cluster.hetzner.location;
  if (catalog.locations[location] === undefined) {
    sink.add(files.cluster, ["hetzner", "location"], `unknown Hetzner location "${location}"; use one of ${Object.keys(catalog.locations).join(", ")}`);
    return;
  }
  const vswitch = parseCidr(cluster.network.vswitchSubnet);
  const addresses = new Map<number, string>();
  for (const [name, group] of Object.entries(cluster.nodeGroups)) {
    const at = ["nodeGroups", name];
    if (group.dedicated !== undefined) {
      if (group.role !== "gpu-worker") {
        sink.add(files.cluster, [...at, "dedicated"], `dedicated servers are supported for gpu-worker groups only; give this ${group.role} group a cloud serverType`);
        continue;
      }
      if (group.serverType !== undefined) sink.add(files.cluster, [...at, "serverType"], "a dedicated group has no cloud server type; remove serverType or dedicated");
      const product = catalog.dedicated[group.dedicated.product];
      if (product === undefined) {
        const suggestion = closest(group.dedicated.product, Object.keys(catalog.dedicated));
        sink.add(files.cluster, [...at, "dedicated", "product"], `unknown Hetzner dedicated product "${group.dedicated.product}"${suggestion !== undefined ? `; did you mean "${suggestion}"?` : ""} (known: ${Object.keys(catalog.dedicated).join(", ")})`);
      }
      if (cluster.hetzner.vswitchId === undefined && group.count > 0) {
        sink.add(files.cluster, [...at, "dedicated"], "dedicated servers join the cloud network through a vSwitch; set hetzner.vswitchId to your Robot vSwitch id");
      }
      group.dedicated.hosts?.forEach((host, index) => {
        if (host.address === undefined) return;
        const ip = parseIp(host.address);
        const path = [...at, "dedicated", "hosts", index, "address"];
        if (ip === undefined) sink.add(files.cluster, path, `"${host.address}" is not an IPv4 address`);
        else if (typeof vswitch !== "string" && !contains(vswitch, ip)) sink.add(files.cluster, path, `${host.address} is outside network.vswitchSubnet ${vswitch.text}`);
        else if (addresses.has(ip)) sink.add(files.cluster, path, `${host.address} is already used by ${addresses.get(ip)}`);
        else addresses.set(ip, `nodeGroups.${name}.dedicated.hosts[${index}]`);
      });
      continue;
    }
    if (group.role === "gpu-worker") {
      sink.add(files.cluster, at, "Hetzner Cloud has no GPU server types; declare the GPU workers as dedicated servers, e.g. `dedicated: { product: GEX44-1 }`");
      continue;
    }
    if (group.serverType === undefined) {
      if (group.requirements !== undefined) {
        if (cheapestFit(catalog, location, group.requirements) === undefined) {
          sink.add(files.cluster, [...at, "requirements"], `no orderable Hetzner server type in ${location} meets ${describeRequirements(group.requirements)}; relax them or set serverType`);
        }
        continue;
      }
      const suggestion = smallestFit(catalog, location, 4, 2);
      sink.add(files.cluster, [...at, "serverType"], `is required for a cloud group, or requirements to choose one (a Hetzner server type${suggestion !== undefined ? `, e.g. ${suggestion}` : ""})`);
      continue;
    }
    checkServerType("Hetzner", catalog, location, group.serverType, (m) => sink.add(files.cluster, [...at, "serverType"], m), (m) => sink.warn(files.cluster, [...at, "serverType"], m));
  }
  checkUserVmTypes(config, files, sink, { id: "hetzner", displayName: "Hetzner", catalog, location, noun: "orderable Hetzner server type" });
}

/** Hetzner-only rules on the cluster file: the bastion's cloud firewall and the dedicated hosts' addresses. */
function checkCluster(cluster: ClusterConfig, file: string, sink: ProblemSink): void {
  const limit = PROVIDER_LIMITS.hetznerRulesPerFirewall;
  const rules = FIREWALL_MATRIX.bastion.filter((r) => r.from === "internet").length + 1;
  if (rules > limit.value) sink.add(file, ["access", "adminCidrs"], `the bastion's cloud firewall would have ${rules} rules, more than Hetzner allows (${limit.value}; ${limit.source})`);
  checkDedicatedAddresses(cluster, file, sink);
}

/**
 * Dedicated hosts' addresses, pinned or derived from their names: usable host addresses of the
 * vSwitch subnet, and no two alike (derived ones can coincide: then pin one of them).
 */
function checkDedicatedAddresses(cluster: ClusterConfig, file: string, sink: ProblemSink): void {
  const subnet = parseCidr(cluster.network.vswitchSubnet);
  if (typeof subnet === "string") return;
  const placements = dedicatedPlacements(cluster);
  if (placements.length === 0) return;
  if (subnet.end - subnet.start - DEDICATED_FIRST_HOST < 1) {
    sink.add(file, ["network", "vswitchSubnet"], `${subnet.text} is too small for dedicated hosts: derived addresses start at its ${DEDICATED_FIRST_HOST}th address; use a /27 or larger (default 10.0.2.0/24)`);
    return;
  }
  const taken = new Map<string, (typeof placements)[number]>();
  for (const p of placements) {
    const at: PathSegment[] = ["nodeGroups", p.group, "dedicated", "hosts", p.index, "address"];
    if (p.pinned) {
      const why = unusableHostAddress(p.address, subnet);
      if (why !== undefined) {
        sink.add(file, at, `${why}; use a host address of network.vswitchSubnet other than its first (the vSwitch gateway)`);
        continue;
      }
    }
    const other = taken.get(p.address);
    if (other !== undefined) {
      const fix = p.pinned && other.pinned ? "give each host its own address" : `pin one of them: set nodeGroups.${(p.pinned ? other : p).group}.dedicated.hosts[${(p.pinned ? other : p).index}].address to a free address`;
      sink.add(file, p.pinned ? at : ["nodeGroups", p.group, "dedicated"], `${p.name} and ${other.name} would both get ${p.address}; ${fix}`);
      continue;
    }
    taken.set(p.address, p);
  }
}

/** The cheapest dedicated product with the GPU a requirement asks for (Hetzner GPU workers). */
function cheapestDedicatedGpu(catalog: Catalog | undefined, needs: NodeGroupConfig["requirements"]): string | undefined {
  if (catalog === undefined || needs?.gpu === undefined) return undefined;
  const gpu = needs.gpu;
  return Object.entries(catalog.dedicated)
    .filter(([, d]) => d.gpu !== undefined && d.gpu.count >= gpu.count && (gpu.memoryGb === undefined || d.gpu.memory_gb >= gpu.memoryGb))
    .sort(([a, x], [b, y]) => Number(x.prices[0]!.monthly ?? 0) - Number(y.prices[0]!.monthly ?? 0) || byText(a, b))[0]?.[0];
}

export const hetznerModel: ProviderModel = {
  id: "hetzner",
  displayName: "Hetzner",
  checkConfig,
  location: (cluster) => cluster.hetzner.location,
  image: (cluster) => cluster.hetzner.image,
  // The 2nd address of the platform subnet (the 1st of the network is Hetzner's gateway).
  bastionIp: (cluster) => cluster.network.bastionIp ?? hostAddress(parseCidr(cluster.network.platformSubnet) as Cidr, 2),
  checkCluster,
  extraSubnets: (cluster) => (cluster.hetzner.vswitchId !== undefined ? ["vswitchSubnet"] : []),
  // The subnet's network and broadcast addresses and the gateway.
  reservedPlatformAddresses: () => 3,
  onPlatformSubnet: (group) => group.dedicated === undefined,
  userData: { limit: PROVIDER_LIMITS.hetznerUserDataBytes, operatorKeys: false },
  zonePins: false,
  dedicatedHosts: true,
  vswitch: (cluster) => (cluster.hetzner.vswitchId !== undefined ? { id: cluster.hetzner.vswitchId } : undefined),
  comparison: {
    // A vSwitch id so dedicated GPU workers can join the network.
    placeholders: (cluster) => ({ hetzner: { ...cluster.hetzner, vswitchId: cluster.hetzner.vswitchId ?? 1 } }),
    // Hetzner Cloud has no GPUs: the cheapest Robot product with that GPU.
    group: (mapped, { dedicated, requirements, catalog }) => {
      if (mapped.role !== "gpu-worker") return mapped;
      const product = dedicated?.product ?? cheapestDedicatedGpu(catalog, requirements);
      return product !== undefined ? { ...mapped, dedicated: { product } } : mapped;
    },
  },
  loginUser: "root",
  bastionIsNat: () => true,
  api: {
    rate: { perSecond: 1, burst: PROVIDER_LIMITS.hetznerRequestsPerHour.value, scope: "project", source: PROVIDER_LIMITS.hetznerRequestsPerHour.source, warnAfterSeconds: 0 },
    // hcloud's provider reads a resource with one GET; creating it is a POST and then polling
    // its action (hcloud-go polls every 0.5 s with back-off) until the server runs.
    requests: {
      hcloud_server: { refresh: 1, create: 15 },
      hcloud_volume: { refresh: 1, create: 5 },
      hcloud_volume_attachment: { refresh: 2, create: 5 },
      hcloud_primary_ip: { refresh: 1, create: 3 },
      hcloud_firewall: { refresh: 1, create: 3 },
      hcloud_firewall_attachment: { refresh: 1, create: 4 },
      hcloud_network: { refresh: 1, create: 2 },
      hcloud_network_subnet: { refresh: 1, create: 3 },
      hcloud_network_route: { refresh: 1, create: 3 },
      hcloud_server_network: { refresh: 2, create: 5 },
      hcloud_ssh_key: { refresh: 1, create: 1 },
      hcloud_placement_group: { refresh: 1, create: 1 },
      // Dedicated servers are declared, not called for.
      terraform_data: { refresh: 0, create: 0 },
    },
    otherResource: { refresh: 1, create: 3 },
    servers: { types: ["hcloud_server"], limit: (cluster) => cluster.hetzner.serverLimit, where: "hetzner.serverLimit (the Cloud Console's Limits page; Hetzner raises it on request)" },
  },
  // Loaded when something prices: `aiwc validate` never needs the priced types.
  pricing: () => require("./pricing") as typeof import("./pricing"),
  priceList: () => (require("./pricing/price-list") as typeof import("./pricing/price-list")).hetznerPriceList,
};
