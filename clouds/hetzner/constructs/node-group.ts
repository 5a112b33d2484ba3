import { Construct } from "../../../constructs/cdk";
import { Token, type ITerraformDependable } from "../../../constructs/cdk";
import { PlacementGroup } from "../../../.gen/providers/hcloud/placement-group";
import { Server } from "../../../.gen/providers/hcloud/server";
import { Volume } from "../../../.gen/providers/hcloud/volume";
import { VolumeAttachment } from "../../../.gen/providers/hcloud/volume-attachment";
import { dataVolumeName, type NodeSpec } from "../../../model/topology";

/**
 * Attributes that only seed a new server: the hcloud provider replaces a server when any of
 * them changes, so Terraform ignores them afterwards. Later changes to accounts, keys and
 * firewalls reach running servers through Ansible (users.yml, bastion.yml, site.yml).
 */
export const BOOT_ONLY_ATTRIBUTES = ["image", "ssh_keys", "user_data"] as const;

/** Hetzner allows at most 10 servers in one spread placement group. */
export const MAX_SERVERS_PER_SPREAD_GROUP = 10;

export interface NodeGroupProps {
  /** Cluster name, prefixes placement group and volume names. */
  readonly cluster: string;
  /** Group name. */
  readonly group: string;
  /** The nodes (names, labels) from the topology. */
  readonly nodes: readonly NodeSpec[];
  readonly serverType: string;
  readonly image: string;
  readonly location: string;
  /** Private network id every node is attached to. */
  readonly networkId: number;
  /** Subnet (`<network>-<range>`) the nodes take their address from. */
  readonly subnetId: string;
  /** Resources the servers must wait for (the subnet: attaching before it exists fails). */
  readonly dependsOn: readonly ITerraformDependable[];
  /** hcloud_ssh_key ids installed for root. */
  readonly sshKeyIds: readonly string[];
  /** cloud-init user data, identical for every node of the group. */
  readonly userData: string;
  /**
   * Fixed private addresses, one per node.
   * @default - Hetzner assigns addresses
   */
  readonly privateIps?: readonly string[];
  /**
   * Primary IPv4 ids, one per node; the nodes get a public IPv4.
   * @default - no public IPv4 or IPv6 (private-only, egress through the bastion's NAT)
   */
  readonly primaryIpv4Ids?: readonly number[];
  /**
   * A data volume of this size (GB) attached to each node, protected against deletion.
   * @default - no data volume
   */
  readonly dataVolumeGb?: number;
  /**
   * Hetzner delete and rebuild protection on the servers (both at once: the API requires them
   * equal). A protected server cannot be deleted or rebuilt until this is turned off.
   * @default false
   */
  readonly deleteProtection?: boolean;
}

/**
 * N servers of one type in spread placement groups (split every 10 servers, filled in order
 * so that growing the group never moves an existing server), attached to the private network,
 * labelled, private-only unless given primary IPs, with an optional protected data volume.
 */
export class NodeGroup extends Construct {
  readonly servers: Server[] = [];
  readonly placementGroups: PlacementGroup[] = [];
  readonly volumes: Volume[] = [];

  constructor(scope: Construct, id: string, props: NodeGroupProps) {
    super(scope, id);
    if (props.privateIps !== undefined && props.privateIps.length !== props.nodes.length) {
      throw new Error(`NodeGroup ${props.group}: privateIps has ${props.privateIps.length} entries for ${props.nodes.length} nodes; pass one per node`);
    }
    if (props.primaryIpv4Ids !== undefined && props.primaryIpv4Ids.length !== props.nodes.length) {
      throw new Error(`NodeGroup ${props.group}: primaryIpv4Ids has ${props.primaryIpv4Ids.length} entries for ${props.nodes.length} nodes; pass one per node`);
    }
    const groupCount = Math.ceil(props.nodes.length / MAX_SERVERS_PER_SPREAD_GROUP);
    for (let g = 0; g < groupCount; g++) {
      this.placementGroups.push(
        new PlacementGroup(this, `Spread${g + 1}`, {
          name: `${props.cluster}-${props.group}-spread-${g + 1}`,
          type: "spread",
          labels: { ...props.nodes[0]!.labels },
        }),
      );
    }
    props.nodes.forEach((node, index) => {
      const placement = this.placementGroups[Math.floor(index / MAX_SERVERS_PER_SPREAD_GROUP)]!;
      const primaryIp = props.primaryIpv4Ids?.[index];
      const server = new Server(this, `Server${index + 1}`, {
        name: node.name,
        serverType: props.serverType,
        image: props.image,
        location: props.location,
        labels: { ...node.labels },
        sshKeys: [...props.sshKeyIds],
        userData: props.userData,
        placementGroupId: Token.asNumber(placement.id),
        publicNet: [
          primaryIp !== undefined
            ? { ipv4Enabled: true, ipv4: primaryIp, ipv6Enabled: false }
            : { ipv4Enabled: false, ipv6Enabled: false },
        ],
        network: [{ networkId: props.networkId, subnetId: props.subnetId, ...(props.privateIps !== undefined ? { ip: props.privateIps[index]! } : {}) }],
        dependsOn: [...props.dependsOn],
        ...(props.deleteProtection === true ? { deleteProtection: true, rebuildProtection: true } : {}),
        lifecycle: { ignoreChanges: [...BOOT_ONLY_ATTRIBUTES] },
      });
      this.servers.push(server);
      if (props.dataVolumeGb !== undefined) {
        const volume = new Volume(this, `DataVolume${index + 1}`, {
          name: dataVolumeName(node.name),
          size: props.dataVolumeGb,
          location: props.location,
          labels: { ...node.labels },
          // Ceph wants a raw block device for its OSD: no filesystem, no automount.
          automount: false,
          deleteProtection: true,
          // Terraform refuses any plan that would destroy stored data.
          lifecycle: { preventDestroy: true },
        });
        new VolumeAttachment(this, `DataVolumeAttachment${index + 1}`, {
          volumeId: Token.asNumber(volume.id),
          serverId: Token.asNumber(server.id),
          automount: false,
        });
        this.volumes.push(volume);
      }
    });
  }
}
