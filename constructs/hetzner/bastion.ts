import { Construct } from "constructs";
import { Token, type ITerraformDependable } from "cdktf";
import { NetworkRoute } from "../../.gen/providers/hcloud/network-route";
import { PrimaryIp } from "../../.gen/providers/hcloud/primary-ip";
import type { Server } from "../../.gen/providers/hcloud/server";
import type { NodeSpec } from "../topology";
import { NodeGroup } from "./node-group";

export interface BastionProps {
  readonly cluster: string;
  readonly node: NodeSpec;
  readonly serverType: string;
  readonly image: string;
  readonly location: string;
  readonly networkId: number;
  readonly subnetId: string;
  readonly dependsOn: readonly ITerraformDependable[];
  readonly sshKeyIds: readonly string[];
  readonly userData: string;
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
    const group = new NodeGroup(this, "Group", {
      cluster: props.cluster,
      group: props.node.group,
      nodes: [props.node],
      serverType: props.serverType,
      image: props.image,
      location: props.location,
      networkId: props.networkId,
      subnetId: props.subnetId,
      dependsOn: props.dependsOn,
      sshKeyIds: props.sshKeyIds,
      userData: props.userData,
      privateIps: [props.privateIp],
      primaryIpv4Ids: [Token.asNumber(this.publicIp.id)],
    });
    this.server = group.servers[0]!;
    this.natRoute = new NetworkRoute(this, "NatRoute", {
      networkId: props.networkId,
      destination: "0.0.0.0/0",
      gateway: props.privateIp,
    });
  }
}
