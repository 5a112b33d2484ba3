import { Construct } from "../../../constructs/cdk";
import { Network } from "../../../.gen/providers/hcloud/network";
import { NetworkSubnet } from "../../../.gen/providers/hcloud/network-subnet";
import { Token } from "../../../constructs/cdk";

export interface PrivateNetworkProps {
  /** Resource name of the network. */
  readonly name: string;
  /** The whole private range, e.g. 10.0.0.0/16. */
  readonly cidr: string;
  /** Subnet for controllers, Ceph, service nodes and the bastion. */
  readonly platformSubnet: string;
  /** Subnet for users' VMs. */
  readonly usersSubnet: string;
  /**
   * Robot vSwitch coupling for dedicated servers.
   * @default - no vSwitch subnet
   */
  readonly vswitch?: { readonly id: number; readonly subnet: string };
  /** Hetzner network zone of the location (eu-central, us-east, …). */
  readonly networkZone: string;
  /** Labels on the network. */
  readonly labels: Readonly<Record<string, string>>;
}

/** A Hetzner private network with the platform, users and (optionally) vSwitch subnets. */
export class PrivateNetwork extends Construct {
  readonly network: Network;
  readonly platformSubnet: NetworkSubnet;
  readonly usersSubnet: NetworkSubnet;
  readonly vswitchSubnet?: NetworkSubnet;

  constructor(scope: Construct, id: string, props: PrivateNetworkProps) {
    super(scope, id);
    this.network = new Network(this, "Network", {
      name: props.name,
      ipRange: props.cidr,
      labels: { ...props.labels },
      // Deleting the network would cut every node off; make it an explicit two-step act.
      deleteProtection: true,
    });
    const networkId = Token.asNumber(this.network.id);
    const subnet = (id: string, ipRange: string) =>
      new NetworkSubnet(this, id, { networkId, type: "cloud", networkZone: props.networkZone, ipRange });
    this.platformSubnet = subnet("PlatformSubnet", props.platformSubnet);
    this.usersSubnet = subnet("UsersSubnet", props.usersSubnet);
    if (props.vswitch !== undefined) {
      this.vswitchSubnet = new NetworkSubnet(this, "VswitchSubnet", {
        networkId,
        type: "vswitch",
        networkZone: props.networkZone,
        ipRange: props.vswitch.subnet,
        vswitchId: props.vswitch.id,
      });
    }
  }
}
