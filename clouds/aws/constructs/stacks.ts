/**
 * AWS's contribution to the platform and users stacks: VPC across the zones, security groups
 * from the firewall matrix, instances per node group, Ceph's EBS volumes, the bastion with an
 * Elastic IP (and optionally as NAT instance), the backup bucket, and one instance per user.
 */
import { pascal } from "../../../constructs/names";
import { Fn, TerraformLocal, TerraformOutput, type TerraformStack } from "../../../constructs/cdk";
import { DataAwsAmi } from "@cdktf/provider-aws/lib/data-aws-ami";
import { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { KeyPair } from "@cdktf/provider-aws/lib/key-pair";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Route } from "@cdktf/provider-aws/lib/route";
import { VolumeAttachment } from "@cdktf/provider-aws/lib/volume-attachment";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { cloudInit } from "../../../model/cloud-init";
import type { PlatformExports, ProviderStacks } from "../../../constructs/provider-stacks";
import { LABEL, networkZones, storageVolumeName, type CloudGroupSpec, type Topology } from "../../../model/topology";
import { BackupBucket } from "./backup-bucket";
import { AwsNetwork } from "./network";
import { AWS_BOOT_ONLY_ATTRIBUTES, AwsNodeGroup } from "./node-group";
import { availabilityZones, zoneSubnets } from "../zones";
import { userZone } from "../../../config/placement";
import { homeZone } from "../../../config/firewall-matrix";
import { RoleSecurityGroups } from "./security-groups";
import { NODES_OUTPUT, type NodesOutput } from "../../../model/node-output";
import { backupBucketName } from "../model";

interface AwsExports extends PlatformExports {
  readonly usersSubnetIds: readonly string[];
  readonly userVmSecurityGroupId: string;
}

/** Credentials come from the environment (AWS_ACCESS_KEY_ID, profiles, SSO); never from config. */
function provider(stack: TerraformStack, topology: Topology): void {
  new AwsProvider(stack, "aws", {
    region: topology.config.cluster.aws.region,
    defaultTags: [{ tags: { [LABEL.cluster]: topology.cluster, "managed-by": "aiwc" } }],
  });
}

/** The configured AMI, or the newest image matching owner and name (needs API access at plan time). */
function ami(stack: TerraformStack, topology: Topology): string {
  const { aws } = topology.config.cluster;
  if (aws.ami !== undefined) return aws.ami;
  return new DataAwsAmi(stack, "Image", {
    mostRecent: true,
    owners: [aws.amiOwner],
    filter: [
      { name: "name", values: [aws.amiName] },
      { name: "architecture", values: ["x86_64"] },
    ],
  }).id;
}


function userData(topology: Topology, role: Parameters<typeof cloudInit>[0]["role"], account?: Parameters<typeof cloudInit>[0]["account"]): string {
  return cloudInit({
    role,
    zones: networkZones(topology),
    egressRoute: false,
    operatorKeys: topology.config.cluster.access.sshKeys.map((k) => k.publicKey),
    ...(account !== undefined ? { account } : {}),
  });
}


function platform(stack: TerraformStack, topology: Topology): AwsExports {
  provider(stack, topology);
  const { cluster } = topology.config;
  const zoneNames = availabilityZones(cluster);
  const net = new AwsNetwork(stack, "Network", {
    name: topology.cluster,
    cidr: topology.network.cidr.text,
    zones: zoneNames,
    publicSubnets: zoneSubnets(cluster, cluster.network.publicSubnet).map((c) => c.text),
    platformSubnets: zoneSubnets(cluster, cluster.network.platformSubnet).map((c) => c.text),
    usersSubnets: zoneSubnets(cluster, cluster.network.usersSubnet).map((c) => c.text),
  });
  const groups = new RoleSecurityGroups(stack, "SecurityGroups", {
    name: topology.cluster,
    vpcId: net.vpc.id,
    zones: {
      internet: cluster.access.adminCidrs,
      platform: zoneSubnets(cluster, cluster.network.platformSubnet).map((c) => c.text),
      users: zoneSubnets(cluster, cluster.network.usersSubnet).map((c) => c.text),
    },
    tags: {},
  });
  const key = cluster.access.sshKeys[0]!;
  const keyPair = new KeyPair(stack, "OperatorKey", { keyName: `${topology.cluster}-${key.name}`, publicKey: key.publicKey });
  const image = ami(stack, topology);
  const rootVolumeGb = cluster.aws.rootVolumeGb;
  const nodes: NodesOutput = {};

  // The bastion: the only SSH entry, in the first zone's public subnet with an Elastic IP.
  const bastionGroup = topology.groups.find((g): g is CloudGroupSpec => g.role === "bastion" && g.kind === "cloud");
  if (bastionGroup === undefined) throw new Error("BUG: a validated AWS config has no bastion group");
  const natInstance = cluster.aws.egress === "nat-instance";
  const bastionNode = bastionGroup.nodes[0]!;
  const bastionTags = { ...bastionNode.labels, Name: bastionNode.name };
  const backups = new BackupBucket(stack, "Backups", {
    bucket: backupBucketName(cluster),
    tags: { [LABEL.cluster]: topology.cluster, [LABEL.group]: bastionGroup.name, [LABEL.role]: "bastion" },
  });
  const bastion = new Instance(stack, pascal(bastionGroup.name), {
    ami: image,
    // Writes the configuration backups with this role: no access keys on the machine.
    iamInstanceProfile: backups.writerProfile.name,
    instanceType: bastionGroup.serverType,
    subnetId: net.publicSubnets[0]!.id,
    privateIp: topology.network.bastionIp,
    vpcSecurityGroupIds: [groups.groups.bastion.id],
    keyName: keyPair.keyName,
    userData: userData(topology, "bastion"),
    associatePublicIpAddress: false,
    // A NAT instance forwards traffic that is not addressed to it.
    sourceDestCheck: !natInstance,
    metadataOptions: { httpTokens: "required", httpEndpoint: "enabled" },
    rootBlockDevice: { volumeType: "gp3", volumeSize: rootVolumeGb, encrypted: true, tags: bastionTags },
    tags: bastionTags,
    ...(bastionGroup.deleteProtection ? { disableApiTermination: true } : {}),
    lifecycle: { ignoreChanges: [...AWS_BOOT_ONLY_ATTRIBUTES] },
  });
  const bastionIp = new Eip(stack, "BastionIp", { domain: "vpc", instance: bastion.id, tags: { ...bastionTags, Name: `${bastionNode.name}-ip` } });
  nodes[bastionNode.name] = { group: bastionGroup.name, role: "bastion", kind: "cloud", server_type: bastionGroup.serverType, private_ip: topology.network.bastionIp, public_ip: bastionIp.publicIp };

  // Egress for the private subnets.
  if (natInstance) {
    new Route(stack, "PrivateDefaultRoute", { routeTableId: net.privateRouteTable.id, destinationCidrBlock: "0.0.0.0/0", networkInterfaceId: bastion.primaryNetworkInterfaceId });
    new VpcSecurityGroupIngressRule(stack, "BastionNatIn", {
      securityGroupId: groups.groups.bastion.id,
      ipProtocol: "-1",
      cidrIpv4: topology.network.cidr.text,
      description: "traffic to NAT for the private subnets",
    });
  } else {
    const natLabels = { [LABEL.cluster]: topology.cluster, [LABEL.group]: "network", [LABEL.role]: "nat" };
    const natIp = new Eip(stack, "NatIp", { domain: "vpc", tags: { ...natLabels, Name: `${topology.cluster}-nat` } });
    const nat = new NatGateway(stack, "NatGateway", { allocationId: natIp.id, subnetId: net.publicSubnets[0]!.id, tags: { ...natLabels, Name: `${topology.cluster}-nat` } });
    new Route(stack, "PrivateDefaultRoute", { routeTableId: net.privateRouteTable.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id });
  }

  for (const group of topology.groups) {
    if (group === bastionGroup || group.kind !== "cloud") continue;
    const role = group.role as Exclude<typeof group.role, "bastion">;
    const nodeGroup = new AwsNodeGroup(stack, pascal(group.name), {
      nodes: group.nodes,
      instanceType: group.serverType,
      ami: group.image === topology.config.cluster.aws.ami || group.image === "data.aws_ami" ? image : group.image,
      // CI runners run users' code: they live in the users subnets (firewall matrix, homeZone).
      subnets: homeZone(role) === "users" ? net.usersSubnets : net.platformSubnets,
      securityGroupIds: [groups.groups[role].id],
      keyName: keyPair.keyName,
      userData: userData(topology, role),
      rootVolumeGb,
      deleteProtection: group.deleteProtection,
      ...(group.dataVolumeGb !== undefined ? { dataVolumeGb: group.dataVolumeGb } : {}),
      tags: {},
    });
    group.nodes.forEach((node, index) => {
      nodes[node.name] = { group: group.name, role: group.role, kind: "cloud", server_type: group.serverType, private_ip: nodeGroup.instances[index]!.privateIp };
    });
  }

  new TerraformOutput(stack, NODES_OUTPUT, {
    value: nodes,
    description: "Every platform node: name → group, role, kind, private_ip and, where it has one, public_ip (input of `aiwc inventory`)",
  });
  new TerraformOutput(stack, "bastion_public_ip", { value: bastionIp.publicIp, description: "SSH entry point (ProxyJump host)" });
  new TerraformOutput(stack, "vpc_id", { value: net.vpc.id });
  return { usersSubnetIds: net.usersSubnets.map((s) => s.id), userVmSecurityGroupId: groups.groups["user-vm"].id };
}

function users(stack: TerraformStack, topology: Topology, platformExports: AwsExports): void {
  provider(stack, topology);
  const { cluster } = topology.config;
  // Read once: each use of a platform value would otherwise be its own cross-stack reference.
  const subnetIds = new TerraformLocal(stack, "platform_users_subnet_ids", [...platformExports.usersSubnetIds]).asList;
  const securityGroupId = new TerraformLocal(stack, "platform_user_vm_security_group_id", platformExports.userVmSecurityGroupId).asString;
  const zoneNames = availabilityZones(cluster);
  const image = ami(stack, topology);
  const keyName = `${topology.cluster}-${cluster.access.sshKeys[0]!.name}`;
  const vms: NodesOutput = {};
  for (const spec of topology.users) {
    const tags = { ...spec.labels, Name: spec.name };
    // The zone is the user's own (pinned, or derived from the name): never the position in the
    // user list, so onboarding one user moves nobody else's VM or volume.
    const zone = zoneNames.indexOf(userZone({ name: spec.user, zone: spec.zone }, zoneNames));
    const instance = new Instance(stack, `User-${spec.user}`, {
      ami: image,
      instanceType: spec.serverType,
      subnetId: Fn.element(subnetIds, zone),
      vpcSecurityGroupIds: [securityGroupId],
      keyName,
      userData: userData(topology, "user-vm", { name: spec.user, sshKey: spec.sshKey, sudo: spec.sudo }),
      associatePublicIpAddress: false,
      metadataOptions: { httpTokens: "required", httpEndpoint: "enabled" },
      rootBlockDevice: { volumeType: "gp3", volumeSize: cluster.aws.rootVolumeGb, encrypted: true, tags },
      tags,
      ...(spec.deleteProtection ? { disableApiTermination: true } : {}),
      // Account, key and sudo live in the user data; they change through users.yml.
      lifecycle: { ignoreChanges: [...AWS_BOOT_ONLY_ATTRIBUTES] },
    });
    if (spec.extraVolumeGb > 0) {
      const volume = new EbsVolume(stack, `User-${spec.user}-Storage`, {
        availabilityZone: zoneNames[zone]!,
        size: spec.extraVolumeGb,
        type: "gp3",
        encrypted: true,
        tags: { ...tags, Name: storageVolumeName(spec.name) },
        lifecycle: { preventDestroy: true },
      });
      new VolumeAttachment(stack, `User-${spec.user}-StorageAttachment`, { deviceName: "/dev/sdf", volumeId: volume.id, instanceId: instance.id });
    }
    vms[spec.name] = { group: "user-vms", role: "user-vm", kind: "cloud", user: spec.user, tariff: spec.tariff, packs: [...spec.packs], server_type: spec.serverType, private_ip: instance.privateIp };
  }
  new TerraformOutput(stack, NODES_OUTPUT, { value: vms, description: "Every user VM: name → user, tariff, packs, private IP (input of `aiwc inventory`)" });
}

export const awsStacks: ProviderStacks<AwsExports> = { platform, users };
