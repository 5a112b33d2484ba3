import { Construct } from "../../../constructs/cdk";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";

export interface AwsNetworkProps {
  /** Name prefix and `Name` tag. */
  readonly name: string;
  readonly cidr: string;
  /** One entry per availability zone, same order in every list. */
  readonly zones: readonly string[];
  readonly publicSubnets: readonly string[];
  readonly platformSubnets: readonly string[];
  readonly usersSubnets: readonly string[];
}

/**
 * A VPC with, in every availability zone, a public subnet (bastion, NAT, load balancers) and
 * two private ones (platform, users). Public subnets route to an internet gateway; the
 * private subnets share one route table whose default route the egress construct adds (NAT
 * gateway or the bastion as NAT instance). Nothing gets a public IP on launch.
 */
export class AwsNetwork extends Construct {
  readonly vpc: Vpc;
  readonly publicSubnets: Subnet[];
  readonly platformSubnets: Subnet[];
  readonly usersSubnets: Subnet[];
  readonly privateRouteTable: RouteTable;

  constructor(scope: Construct, id: string, props: AwsNetworkProps) {
    super(scope, id);
    this.vpc = new Vpc(this, "Vpc", { cidrBlock: props.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: props.name } });
    const subnets = (kind: string, cidrs: readonly string[]) =>
      cidrs.map(
        (cidr, i) =>
          new Subnet(this, `${kind}${i + 1}`, {
            vpcId: this.vpc.id,
            cidrBlock: cidr,
            availabilityZone: props.zones[i]!,
            mapPublicIpOnLaunch: false,
            tags: { Name: `${props.name}-${kind.toLowerCase()}-${props.zones[i]}` },
          }),
      );
    this.publicSubnets = subnets("Public", props.publicSubnets);
    this.platformSubnets = subnets("Platform", props.platformSubnets);
    this.usersSubnets = subnets("Users", props.usersSubnets);

    const gateway = new InternetGateway(this, "InternetGateway", { vpcId: this.vpc.id, tags: { Name: props.name } });
    const publicTable = new RouteTable(this, "PublicRoutes", { vpcId: this.vpc.id, tags: { Name: `${props.name}-public` } });
    new Route(this, "PublicDefaultRoute", { routeTableId: publicTable.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: gateway.id });
    this.privateRouteTable = new RouteTable(this, "PrivateRoutes", { vpcId: this.vpc.id, tags: { Name: `${props.name}-private` } });
    this.publicSubnets.forEach((subnet, i) => new RouteTableAssociation(this, `PublicAssociation${i + 1}`, { subnetId: subnet.id, routeTableId: publicTable.id }));
    [...this.platformSubnets, ...this.usersSubnets].forEach(
      (subnet, i) => new RouteTableAssociation(this, `PrivateAssociation${i + 1}`, { subnetId: subnet.id, routeTableId: this.privateRouteTable.id }),
    );
  }
}
