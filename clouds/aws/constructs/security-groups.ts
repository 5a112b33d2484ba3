import { pascal } from "../../../constructs/names";
import { Construct } from "../../../constructs/cdk";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { FIREWALL_MATRIX, type Target, type Zone } from "../../../config/firewall-matrix";

export interface RoleSecurityGroupsProps {
  readonly name: string;
  readonly vpcId: string;
  /** CIDRs of the zones of the firewall matrix; the bastion zone is its security group. */
  readonly zones: { readonly internet: readonly string[]; readonly platform: readonly string[]; readonly users: readonly string[] };
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * One security group per role carrying the firewall matrix (constructs/firewall-matrix.ts):
 * the same policy as the Hetzner firewalls and host rules. Security groups are stateful and
 * deny by default, so a role reachable from no zone is reachable from nowhere; users' VMs
 * accept SSH from the bastion's group only and never each other. The vSwitch zone has no
 * counterpart on AWS (GPU workers live in the platform subnets). Egress is open.
 */
export class RoleSecurityGroups extends Construct {
  readonly groups: Record<Target, SecurityGroup>;

  constructor(scope: Construct, id: string, props: RoleSecurityGroupsProps) {
    super(scope, id);
    const targets = Object.keys(FIREWALL_MATRIX) as Target[];
    this.groups = Object.fromEntries(
      targets.map((role) => [
        role,
        new SecurityGroup(this, pascal(role), {
          name: `${props.name}-${role}`,
          description: `aiwc ${role} nodes (rules from the firewall matrix)`,
          vpcId: props.vpcId,
          tags: { ...props.tags, Name: `${props.name}-${role}`, "aiwc/role": role },
        }),
      ]),
    ) as Record<Target, SecurityGroup>;

    for (const role of targets) {
      const group = this.groups[role];
      let n = 0;
      for (const rule of FIREWALL_MATRIX[role]) {
        const [from, to] = rule.port.split("-").map(Number) as [number, number | undefined];
        const base = { securityGroupId: group.id, ipProtocol: rule.protocol, fromPort: from, toPort: to ?? from, description: rule.why };
        if (rule.from === "bastion") {
          new VpcSecurityGroupIngressRule(this, `${pascal(role)}In${++n}`, { ...base, referencedSecurityGroupId: this.groups.bastion.id });
          continue;
        }
        for (const source of this.sources(rule.from, props)) {
          new VpcSecurityGroupIngressRule(this, `${pascal(role)}In${++n}`, { ...base, cidrIpv4: source });
        }
      }
      if (role !== "bastion") {
        new VpcSecurityGroupIngressRule(this, `${pascal(role)}Ping`, {
          securityGroupId: group.id,
          ipProtocol: "icmp",
          fromPort: 8,
          toPort: -1,
          referencedSecurityGroupId: this.groups.bastion.id,
          description: "ping from the bastion",
        });
      }
      new VpcSecurityGroupEgressRule(this, `${pascal(role)}Out`, { securityGroupId: group.id, ipProtocol: "-1", cidrIpv4: "0.0.0.0/0", description: "egress through the NAT" });
    }
  }

  private sources(zone: Zone, props: RoleSecurityGroupsProps): readonly string[] {
    switch (zone) {
      case "internet":
        return props.zones.internet;
      case "platform":
        return props.zones.platform;
      case "users":
        return props.zones.users;
      default:
        return [];
    }
  }
}

