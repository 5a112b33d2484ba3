/**
 * Hetzner's contribution to the platform and users stacks: wires the topology into the
 * constructs of this folder.
 */
import { pascal } from "../../../constructs/names";
import { TerraformLocal, TerraformOutput, Token, type TerraformStack } from "../../../constructs/cdk";
import { HcloudProvider } from "../../../.gen/providers/hcloud/provider";
import { SshKey } from "../../../.gen/providers/hcloud/ssh-key";
import { cloudInit } from "../../../model/cloud-init";
import type { PlatformExports, ProviderStacks } from "../../../constructs/provider-stacks";
import { LABEL, networkZones, type CloudGroupSpec, type Topology } from "../../../model/topology";
import { homeZone } from "../../../config/firewall-matrix";
import { Bastion } from "./bastion";
import { DedicatedHosts } from "./dedicated-hosts";
import { ClusterFirewalls } from "./firewalls";
import { NodeGroup } from "./node-group";
import { PrivateNetwork } from "./network";
import { UserVm } from "./user-vm";
import { NODES_OUTPUT, type NodesOutput } from "../../../model/node-output";

interface HetznerExports extends PlatformExports {
  readonly networkId: number;
  readonly usersSubnetId: string;
  readonly sshKeyIds: readonly string[];
}


/** The API token is read by the provider from HCLOUD_TOKEN; it never enters the JSON. */
function provider(stack: TerraformStack): void {
  new HcloudProvider(stack, "hcloud", {});
}

function platform(stack: TerraformStack, topology: Topology): HetznerExports {
  provider(stack);
  const { cluster } = topology.config;
  const location = cluster.hetzner.location;
  const catalog = topology.config.catalogs.hetzner!;
  const labels = { [LABEL.cluster]: topology.cluster };
  const net = new PrivateNetwork(stack, "Network", {
    name: topology.cluster,
    cidr: topology.network.cidr.text,
    platformSubnet: topology.network.platform.text,
    usersSubnet: topology.network.users.text,
    ...(topology.network.vswitch !== undefined
      ? { vswitch: { id: topology.network.vswitch.id, subnet: topology.network.vswitch.subnet.text } }
      : {}),
    networkZone: catalog.locations[location]!.network_zone,
    labels,
  });
  new ClusterFirewalls(stack, "Firewalls", { cluster: topology.cluster, adminCidrs: cluster.access.adminCidrs, labels });
  const sshKeys = cluster.access.sshKeys.map(
    (key) => new SshKey(stack, `SshKey-${key.name}`, { name: `${topology.cluster}-${key.name}`, publicKey: key.publicKey, labels }),
  );
  const sshKeyIds = sshKeys.map((key) => key.id);
  const networkId = Token.asNumber(net.network.id);
  const z = networkZones(topology);
  const nodes: NodesOutput = {};

  const common = {
    cluster: topology.cluster,
    location,
    networkId,
    subnetId: net.platformSubnet.id,
    sshKeyIds,
  };
  // The bastion first: private nodes install packages through its NAT on their first boot,
  // so they are created after it (and after the route to it).
  const bastionGroup = topology.groups.find((g): g is CloudGroupSpec => g.role === "bastion" && g.kind === "cloud");
  if (bastionGroup === undefined) throw new Error("BUG: a validated Hetzner config has no cloud bastion group");
  const bastion = new Bastion(stack, pascal(bastionGroup.name), {
    ...common,
    serverType: bastionGroup.serverType,
    image: bastionGroup.image,
    dependsOn: [net.platformSubnet],
    userData: cloudInit({ role: "bastion", zones: z }),
    node: bastionGroup.nodes[0]!,
    deleteProtection: bastionGroup.deleteProtection,
    privateIp: topology.network.bastionIp,
  });
  nodes[bastionGroup.nodes[0]!.name] = {
    group: bastionGroup.name,
    role: bastionGroup.role,
    kind: "cloud",
    server_type: bastionGroup.serverType,
    private_ip: topology.network.bastionIp,
    public_ip: bastion.publicIp.ipAddress,
  };

  for (const group of topology.groups) {
    if (group === bastionGroup) continue;
    const id = pascal(group.name);
    if (group.kind === "dedicated") {
      new DedicatedHosts(stack, id, {
        hosts: group.nodes,
        ...(topology.network.vswitch !== undefined ? { vswitchId: topology.network.vswitch.id } : {}),
      });
      for (const host of group.nodes) {
        nodes[host.name] = { group: host.group, role: host.role, kind: "dedicated", product: host.product, private_ip: host.address };
      }
      continue;
    }
    // CI runners run users' code: they live in the users subnet (firewall matrix, homeZone).
    const users = homeZone(group.role) === "users";
    const nodeGroup = new NodeGroup(stack, id, {
      ...common,
      ...(users ? { subnetId: net.usersSubnet.id } : {}),
      serverType: group.serverType,
      image: group.image,
      dependsOn: [users ? net.usersSubnet : net.platformSubnet, bastion.server, bastion.natRoute],
      userData: cloudInit({ role: group.role, zones: z }),
      group: group.name,
      nodes: group.nodes,
      deleteProtection: group.deleteProtection,
      ...(group.dataVolumeGb !== undefined ? { dataVolumeGb: group.dataVolumeGb } : {}),
    });
    group.nodes.forEach((node, index) => {
      nodes[node.name] = {
        group: group.name,
        role: group.role,
        kind: "cloud",
        server_type: group.serverType,
        private_ip: nodeGroup.servers[index]!.network.get(0).ip,
      };
    });
  }

  new TerraformOutput(stack, NODES_OUTPUT, {
    value: nodes,
    description: "Every platform node: name → group, role, kind, private_ip and, where it has one, public_ip (input of `aiwc inventory`)",
  });
  new TerraformOutput(stack, "bastion_public_ip", { value: bastion.publicIp.ipAddress, description: "SSH entry point (ProxyJump host)" });
  new TerraformOutput(stack, "network_id", { value: net.network.id });
  return { networkId, usersSubnetId: net.usersSubnet.id, sshKeyIds };
}

function users(stack: TerraformStack, topology: Topology, platform: HetznerExports): void {
  provider(stack);
  // Each use of a platform value in this stack is a cross-stack reference; resolved once per
  // VM they dominated synthesis for thousands of users. Locals resolve them once.
  const networkId = new TerraformLocal(stack, "platform_network_id", platform.networkId).asNumber;
  const usersSubnetId = new TerraformLocal(stack, "platform_users_subnet_id", platform.usersSubnetId).asString;
  const sshKeyIds = new TerraformLocal(stack, "platform_ssh_key_ids", [...platform.sshKeyIds]).asList;
  const location = topology.config.cluster.hetzner.location;
  const z = networkZones(topology);
  const vms: NodesOutput = {};
  for (const spec of topology.users) {
    const vm = new UserVm(stack, `User-${spec.user}`, {
      spec,
      location,
      networkId,
      subnetId: usersSubnetId,
      sshKeyIds,
      userData: cloudInit({ role: "user-vm", zones: z, account: { name: spec.user, sshKey: spec.sshKey, sudo: spec.sudo } }),
    });
    vms[spec.name] = {
      group: "user-vms",
      role: "user-vm",
      kind: "cloud",
      user: spec.user,
      tariff: spec.tariff,
      packs: [...spec.packs],
      server_type: spec.serverType,
      private_ip: vm.server.network.get(0).ip,
    };
  }
  new TerraformOutput(stack, NODES_OUTPUT, {
    value: vms,
    description: "Every user VM: name → user, tariff, packs, private IP (input of `aiwc inventory`)",
  });
}


export const hetznerStacks: ProviderStacks<HetznerExports> = { platform, users };
