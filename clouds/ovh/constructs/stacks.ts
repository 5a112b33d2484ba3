/**
 * OVH's contribution to the platform and users stacks: a vRack private network with platform
 * and users subnets whose DHCP hands out a default route through the bastion (NAT), instances
 * per node group (`ovh_cloud_instance`), Ceph's block volumes with prevent_destroy, the bastion
 * as the only instance with a public interface, and one instance per user.
 *
 * `ovh_cloud_instance` takes no user data (provider 2.19), so accounts, host firewalls (the
 * same matrix) and NAT on the bastion are configured by Ansible (the common and bastion roles), not cloud-init.
 */
import { TerraformLocal, TerraformOutput, type TerraformStack } from "../../../constructs/cdk";
import { CloudInstance } from "../../../.gen/providers/ovh/cloud-instance";
import { CloudProjectNetworkPrivate } from "../../../.gen/providers/ovh/cloud-project-network-private";
import { homeZone } from "../../../config/firewall-matrix";
import { CloudProjectNetworkPrivateSubnetV2 } from "../../../.gen/providers/ovh/cloud-project-network-private-subnet-v2";
import { CloudProjectVolume } from "../../../.gen/providers/ovh/cloud-project-volume";
import { OvhProvider } from "../../../.gen/providers/ovh/provider";
import { pascal } from "../../../constructs/names";
import type { PlatformExports, ProviderStacks } from "../../../constructs/provider-stacks";
import { dataVolumeName, storageVolumeName, type Topology } from "../../../model/topology";
import { NODES_OUTPUT, type NodesOutput } from "../../../model/node-output";

/**
 * The address an instance got on a subnet (or its public IPv4 when `subnet` is undefined),
 * read from the observed interfaces after apply: ovh_cloud_instance exposes no address
 * attribute of its own (provider 2.19). A Terraform expression, passed through as written.
 */
function observedIp(instance: CloudInstance, subnetIdExpression?: string): string {
  const address = `${instance.terraformResourceType}.${instance.friendlyUniqueId}`;
  const filter = subnetIdExpression !== undefined ? `n.subnet_id == ${subnetIdExpression}` : "n.id == null";
  return `\${one(flatten([for n in ${address}.current_state.networks : [for a in n.addresses : a.ip if a.version == 4] if ${filter}]))}`;
}

/** Attributes that only seed a new instance; later key changes go through Ansible. */
export const OVH_BOOT_ONLY_ATTRIBUTES = ["image_id", "ssh_key_name"] as const;

interface OvhExports extends PlatformExports {
  readonly networkId: string;
  readonly usersSubnetId: string;
}

/** Credentials come from the environment (OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY). */
function provider(stack: TerraformStack): void {
  new OvhProvider(stack, "ovh", { endpoint: "ovh-eu" });
}

function settings(topology: Topology) {
  const { ovh } = topology.config.cluster;
  return { serviceName: ovh.serviceName!, region: ovh.region, imageId: ovh.imageId!, sshKeyName: ovh.sshKeyName!, flavorId: (flavor: string) => ovh.flavorIds[flavor]! };
}

function platform(stack: TerraformStack, topology: Topology): OvhExports {
  provider(stack);
  const s = settings(topology);
  const { ovh } = topology.config.cluster;
  const network = new CloudProjectNetworkPrivate(stack, "Network", { serviceName: s.serviceName, name: topology.cluster, vlanId: ovh.vlanId, regions: [s.region] });
  const networkId = network.regionsOpenstackIds.lookup(s.region);
  const subnet = (id: string, cidr: string) =>
    new CloudProjectNetworkPrivateSubnetV2(stack, id, {
      serviceName: s.serviceName,
      networkId,
      region: s.region,
      name: `${topology.cluster}-${id.toLowerCase()}`,
      cidr,
      dhcp: true,
      useDefaultPublicDnsResolver: true,
      // Private instances have no public interface: their default route is the bastion's NAT.
      hostRoute: [{ destination: "0.0.0.0/0", nexthop: topology.network.bastionIp }],
    });
  const platformSubnet = subnet("Platform", topology.network.platform.text);
  const usersSubnet = subnet("Users", topology.network.users.text);
  const nodes: NodesOutput = {};

  for (const group of topology.groups) {
    if (group.kind !== "cloud") continue;
    group.nodes.forEach((node, index) => {
      const id = `${pascal(group.name)}${index + 1}`;
      const volumes: string[] = [];
      if (group.dataVolumeGb !== undefined) {
        const volume = new CloudProjectVolume(stack, `${id}Data`, {
          serviceName: s.serviceName,
          regionName: s.region,
          name: dataVolumeName(node.name),
          size: group.dataVolumeGb,
          type: ovh.volumeType,
          // Terraform refuses any plan that would destroy stored data.
          lifecycle: { preventDestroy: true },
        });
        volumes.push(volume.id);
      }
      const bastion = group.role === "bastion";
      // CI runners run users' code: they live in the users subnet (firewall matrix, homeZone).
      const subnetOfGroup = homeZone(group.role) === "users" ? usersSubnet : platformSubnet;
      const instance = new CloudInstance(stack, id, {
        serviceName: s.serviceName,
        region: s.region,
        name: node.name,
        flavorId: s.flavorId(group.serverType),
        imageId: s.imageId,
        sshKeyName: s.sshKeyName,
        networks: [
          ...(bastion ? [{ autoAssignPublicIp: true }] : []),
          { networkId, subnetId: subnetOfGroup.id, ...(bastion ? { ip: topology.network.bastionIp } : {}) },
        ],
        ...(volumes.length > 0 ? { volumeIds: volumes } : {}),
        // ovh_cloud_instance has no delete protection of its own (provider 2.19): Terraform's
        // prevent_destroy refuses any plan that replaces or deletes it while it is configured.
        lifecycle: { ignoreChanges: [...OVH_BOOT_ONLY_ATTRIBUTES], ...(group.deleteProtection ? { preventDestroy: true } : {}) },
      });
      nodes[node.name] = {
        group: group.name,
        role: group.role,
        kind: "cloud",
        server_type: group.serverType,
        instance_id: instance.id,
        private_ip: bastion ? topology.network.bastionIp : observedIp(instance, `${subnetOfGroup.terraformResourceType}.${subnetOfGroup.friendlyUniqueId}.id`),
        ...(bastion ? { public_ip: observedIp(instance) } : {}),
      };
    });
  }
  new TerraformOutput(stack, NODES_OUTPUT, { value: nodes, description: "Every platform node: name → group, role, kind, instance id, bastion address (input of `aiwc inventory`)" });
  return { networkId, usersSubnetId: usersSubnet.id };
}

function users(stack: TerraformStack, topology: Topology, platformExports: OvhExports): void {
  provider(stack);
  const s = settings(topology);
  const { ovh } = topology.config.cluster;
  const networkId = new TerraformLocal(stack, "platform_network_id", platformExports.networkId).asString;
  const subnetId = new TerraformLocal(stack, "platform_users_subnet_id", platformExports.usersSubnetId).asString;
  const vms: NodesOutput = {};
  for (const spec of topology.users) {
    const volumes: string[] = [];
    if (spec.extraVolumeGb > 0) {
      volumes.push(
        new CloudProjectVolume(stack, `User-${spec.user}-Storage`, {
          serviceName: s.serviceName,
          regionName: s.region,
          name: storageVolumeName(spec.name),
          size: spec.extraVolumeGb,
          type: ovh.volumeType,
          lifecycle: { preventDestroy: true },
        }).id,
      );
    }
    const instance = new CloudInstance(stack, `User-${spec.user}`, {
      serviceName: s.serviceName,
      region: s.region,
      name: spec.name,
      flavorId: s.flavorId(spec.serverType),
      imageId: s.imageId,
      sshKeyName: s.sshKeyName,
      networks: [{ networkId, subnetId }],
      ...(volumes.length > 0 ? { volumeIds: volumes } : {}),
      lifecycle: { ignoreChanges: [...OVH_BOOT_ONLY_ATTRIBUTES], ...(spec.deleteProtection ? { preventDestroy: true } : {}) },
    });
    vms[spec.name] = { group: "user-vms", role: "user-vm", kind: "cloud", user: spec.user, tariff: spec.tariff, packs: [...spec.packs], server_type: spec.serverType, instance_id: instance.id, private_ip: observedIp(instance, "local.platform_users_subnet_id") };
  }
  new TerraformOutput(stack, NODES_OUTPUT, { value: vms, description: "Every user VM: name → user, tariff, packs, instance id (input of `aiwc inventory`)" });
}

export const ovhStacks: ProviderStacks<OvhExports> = { platform, users };
