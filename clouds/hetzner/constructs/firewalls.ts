import { Construct } from "../../../constructs/cdk";
import { Firewall } from "../../../.gen/providers/hcloud/firewall";
import { FIREWALL_MATRIX } from "../../../config/firewall-matrix";
import { LABEL } from "../../../model/topology";

export interface ClusterFirewallsProps {
  /** Cluster name: prefixes the firewall names and scopes the label selectors. */
  readonly cluster: string;
  /** CIDRs allowed to SSH to the bastion. */
  readonly adminCidrs: readonly string[];
  /** Labels on the firewalls. */
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * The public side of the firewall matrix. Hetzner Cloud Firewalls filter only public
 * interfaces, so: the bastion's firewall opens exactly the matrix's internet rules; every other
 * server of the cluster (including users' VMs, matched by label) gets a firewall without
 * inbound rules, which Hetzner treats as deny-all, in case a public IP is ever attached.
 * Private traffic is filtered on each host by nftables (see cloud-init.ts).
 */
export class ClusterFirewalls extends Construct {
  readonly bastion: Firewall;
  readonly private: Firewall;

  constructor(scope: Construct, id: string, props: ClusterFirewallsProps) {
    super(scope, id);
    const cluster = `${LABEL.cluster}=${props.cluster}`;
    this.bastion = new Firewall(this, "Bastion", {
      name: `${props.cluster}-bastion`,
      labels: { ...props.labels },
      applyTo: [{ labelSelector: `${cluster},${LABEL.role}=bastion` }],
      rule: [
        ...FIREWALL_MATRIX.bastion
          .filter((rule) => rule.from === "internet")
          .map((rule) => ({
            direction: "in",
            protocol: rule.protocol,
            port: rule.port,
            sourceIps: [...props.adminCidrs],
            description: rule.why,
          })),
        { direction: "in", protocol: "icmp", sourceIps: [...props.adminCidrs], description: "ping from the operators' networks" },
      ],
    });
    this.private = new Firewall(this, "Private", {
      name: `${props.cluster}-private`,
      labels: { ...props.labels },
      applyTo: [{ labelSelector: `${cluster},${LABEL.role}!=bastion` }],
      // No rules: Hetzner drops all inbound traffic on public interfaces it is applied to.
    });
  }
}
