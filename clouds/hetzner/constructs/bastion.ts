import { Construct } from "../../../constructs/cdk";
import { Token } from "../../../constructs/cdk";
import { NetworkRoute } from "../../../.gen/providers/hcloud/network-route";
import { PrimaryIp } from "../../../.gen/providers/hcloud/primary-ip";
import type { Server } from "../../../.gen/providers/hcloud/server";
import type { NodeSpec } from "../../../model/topology";
import { NodeGroup, type NodeGroupProps } from "./node-group";

/** A node group's props for one node, plus the bastion's fixed address. */
export interface BastionProps
  extends Omit<NodeGroupProps, "group" | "nodes" | "privateIps" | "primaryIpv4Ids" | "dataVolumeGb"> {
  readonly node: NodeSpec;
  /** The bastion's fixed private address: the gateway of the NAT route. */
  readonly privateIp: string;
}

/**
 * The only SSH entry and the NAT gateway: one server with a primary IPv4 (kept when the server
 * is rebuilt, so operators' SSH configs stay valid) and the network route that sends the
 * private nodes' internet traffic to it.
 */
export class Bastion extends Construct {
  readonly server: Server;
  readonly publicIp: PrimaryIp;
  readonly natRoute: NetworkRoute;

  constructor(scope: Construct, id: string, props: BastionProps) {
    super(scope, id);
    this.publicIp = new PrimaryIp(this, "PublicIpv4", {
      name: `${props.node.name}-ipv4`,
      type: "ipv4",
      location: props.location,
      assigneeType: "server",
      autoDelete: false,
      labels: { ...props.node.labels },
    });
    const { node, privateIp, ...groupProps } = props;
    const group = new NodeGroup(this, "Group", {
      ...groupProps,
      group: node.group,
      nodes: [node],
      privateIps: [privateIp],
      primaryIpv4Ids: [Token.asNumber(this.publicIp.id)],
    });
    this.server = group.servers[0]!;
    this.natRoute = new NetworkRoute(this, "NatRoute", {
      networkId: props.networkId,
      destination: "0.0.0.0/0",
      gateway: privateIp,
    });
  }
}
