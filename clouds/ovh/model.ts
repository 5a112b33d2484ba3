/**
 * OVH's model (config rules, type choice, addressing, login user, NAT, pricing). Instances are `ovh_cloud_instance` (provider 2.19): updatable in
 * place and attachable to vRack private networks, unlike the Beta `ovh_cloud_project_instance`,
 * whose every argument forces replacement (see README, "OVH").
 */
import { hostAddress, parseCidr, type Cidr } from "../../config/cidr";
import type { ProblemSink } from "../../config/problems";
import type { ConfigFiles, PartialConfig } from "../../config/types";
import type { ProviderModel } from "../provider-model";
import { checkUserVmTypes } from "../type-checks";
import { checkServerType, describeRequirements, groupChoice, smallestFit, userServerTypeOn } from "../../catalog/server-types";

function checkConfig(config: PartialConfig, files: ConfigFiles, sink: ProblemSink): void {
  const { cluster } = config;
  const catalog = config.catalogs.ovh!;
  const { ovh } = cluster;
  if (catalog.locations[ovh.region] === undefined) {
    sink.add(files.cluster, ["ovh", "region"], `no OVH prices for region "${ovh.region}" in the catalog; use one of ${Object.keys(catalog.locations).join(", ")}`);
    return;
  }
  if (ovh.serviceName === undefined) sink.add(files.cluster, ["ovh", "serviceName"], "is required on OVH: the Public Cloud project id (OVH_CLOUD_PROJECT_SERVICE)");
  if (ovh.imageId === undefined) sink.add(files.cluster, ["ovh", "imageId"], `is required on OVH: the image id in ${ovh.region} (openstack image list)`);
  if (ovh.sshKeyName === undefined) sink.add(files.cluster, ["ovh", "sshKeyName"], "is required on OVH: the name of an SSH key registered in the project");
  const needsId = (flavor: string, path: (string | number)[]) => {
    if (catalog.server_types[flavor] !== undefined && ovh.flavorIds[flavor] === undefined) {
      sink.add(files.cluster, ["ovh", "flavorIds"], `needs the id of flavor "${flavor}" (used by ${path.join(".")}) in ${ovh.region}: openstack flavor list`);
    }
  };
  for (const [name, group] of Object.entries(cluster.nodeGroups)) {
    const at = ["nodeGroups", name];
    // `dedicated` describes the group on Hetzner; elsewhere the group needs a flavor or requirements.
    if (group.dedicated !== undefined && group.serverType === undefined && group.requirements === undefined) {
      sink.add(files.cluster, [...at, "dedicated"], "dedicated servers are a Hetzner product; for OVH add requirements (or serverType) to the group");
      continue;
    }
    let flavor = group.serverType;
    if (flavor === undefined && group.requirements !== undefined) {
      flavor = groupChoice(catalog, config.typeLock, "ovh", ovh.region, name, group.requirements).type;
      if (flavor === undefined) sink.add(files.cluster, [...at, "requirements"], `no OVH flavor in ${ovh.region} meets ${describeRequirements(group.requirements)}; relax them or set serverType`);
    } else if (flavor === undefined) {
      const suggestion = smallestFit(catalog, ovh.region, 4, 2, group.role === "gpu-worker");
      sink.add(files.cluster, [...at, "serverType"], `is required, or requirements to choose one (an OVH flavor${suggestion !== undefined ? `, e.g. ${suggestion}` : ""})`);
    } else {
      checkServerType("OVH", catalog, ovh.region, flavor, (m) => sink.add(files.cluster, [...at, "serverType"], m), (m) => sink.warn(files.cluster, [...at, "serverType"], m));
    }
    if (flavor === undefined) continue;
    if (group.role === "gpu-worker" && catalog.server_types[flavor] !== undefined && catalog.server_types[flavor]!.gpu === undefined) {
      sink.add(files.cluster, [...at, "serverType"], `"${flavor}" has no GPU; GPU workers need a GPU flavor such as l4-90`);
    }
    needsId(flavor, at);
  }
  if ((config.users ?? []).length > 0) {
    // ovh_cloud_instance takes no user data and the ovh provider has no security groups, so
    // nothing at boot keeps users' VMs apart: the host firewall comes from Ansible (the common role).
    sink.warn(files.cluster, "provider", "on OVH, users' VMs are isolated from each other only once Ansible applies the host firewall (ansible-playbook users.yml, role common); do not hand out VMs before that");
  }
  checkUserVmTypes(config, files, sink, { id: "ovh", displayName: "OVH", catalog, location: ovh.region, noun: "OVH flavor" });
  if (config.tariffs !== undefined && config.users !== undefined) {
    for (const tariff of new Set(config.users.map((u) => u.tariff))) {
      const flavor = userServerTypeOn("ovh", ovh.region, config as never, tariff);
      if (flavor !== undefined) needsId(flavor, ["tariffs", tariff, "vm"]);
    }
  }
}

const PLACEHOLDER_ID = (name: string) => `00000000-0000-4000-8000-${Buffer.from(name).toString("hex").padEnd(12, "0").slice(0, 12)}`;

export const ovhModel: ProviderModel = {
  id: "ovh",
  displayName: "OVH",
  checkConfig,
  location: (cluster) => cluster.ovh.region,
  image: (cluster) => cluster.ovh.imageId ?? "",
  // A fixed address in the platform subnet: the next hop of the subnets' default route.
  bastionIp: (cluster) => cluster.network.bastionIp ?? hostAddress(parseCidr(cluster.network.platformSubnet) as Cidr, 10),
  extraSubnets: () => [],
  reservedPlatformAddresses: () => 3,
  onPlatformSubnet: () => true,
  // ovh_cloud_instance takes no user data (the host firewall comes from Ansible).
  zonePins: false,
  comparison: {
    placeholders: (cluster, catalog) => ({
      ovh: {
        ...cluster.ovh,
        serviceName: cluster.ovh.serviceName ?? "0".repeat(32),
        imageId: cluster.ovh.imageId ?? "compare-image",
        sshKeyName: cluster.ovh.sshKeyName ?? "compare",
        // Every flavor gets an id, so whichever the requirements choose can be synthesized and priced.
        flavorIds: { ...Object.fromEntries(Object.keys(catalog?.server_types ?? {}).map((f) => [f, PLACEHOLDER_ID(f)])), ...cluster.ovh.flavorIds },
      },
    }),
  },
  loginUser: "ubuntu",
  bastionIsNat: () => true,
  api: {
    noRate: "OVHcloud publishes no request rate limit for its Public Cloud API",
    requests: {
      ovh_cloud_instance: { refresh: 2, create: 15 },
      ovh_cloud_project_volume: { refresh: 1, create: 5 },
      terraform_data: { refresh: 0, create: 0 },
    },
    otherResource: { refresh: 1, create: 3 },
  },
  priceAliases: (cluster) => Object.fromEntries(Object.entries(cluster.ovh.flavorIds).map(([name, id]) => [id, name])),
  // Loaded when something prices: `aiwc validate` never needs the priced types.
  pricing: () => require("./pricing") as typeof import("./pricing"),
  priceList: () => (require("./pricing/price-list") as typeof import("./pricing/price-list")).ovhPriceList,
};
