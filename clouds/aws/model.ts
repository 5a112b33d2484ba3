/**
 * AWS's model: config rules, server-type choice, addressing, login user, NAT and pricing.
 */
import { hostAddress, parseCidr } from "../../config/cidr";
import type { ProblemSink } from "../../config/problems";
import type { ConfigFiles, PartialConfig } from "../../config/types";
import type { ProviderModel } from "../provider-model";
import { checkUserVmTypes } from "../type-checks";
import { cheapestFit, checkServerType, describeRequirements, smallestFit } from "../../catalog/server-types";
import { availabilityZones, SMALLEST_SUBNET_PREFIX, zoneSubnets } from "./zones";
import type { ClusterConfig } from "../../config/schema";
import { PROVIDER_LIMITS } from "../../config/limits";
import { FIREWALL_MATRIX } from "../../config/firewall-matrix";

function checkConfig(config: PartialConfig, files: ConfigFiles, sink: ProblemSink): void {
  const { cluster } = config;
  const catalog = config.catalogs.aws!;
  const region = cluster.aws.region;
  if (catalog.locations[region] === undefined) {
    sink.add(files.cluster, ["aws", "region"], `no AWS prices for region "${region}" in the catalog; use one of ${Object.keys(catalog.locations).join(", ")} or add the region's prices`);
    return;
  }
  availabilityZones(cluster).forEach((zone, index) => {
    if (!zone.startsWith(region)) sink.add(files.cluster, ["aws", "availabilityZones", index], `"${zone}" is not a zone of ${region} (e.g. ${region}a)`);
  });
  for (const name of ["platformSubnet", "usersSubnet", "publicSubnet"] as const) {
    const cidr = parseCidr(cluster.network[name]);
    if (typeof cidr === "string") continue;
    const parts = availabilityZones(cluster).length;
    if (cidr.prefix + Math.ceil(Math.log2(parts)) > SMALLEST_SUBNET_PREFIX) {
      sink.add(files.cluster, ["network", name], `${cidr.text} is too small to split across ${parts} availability zones (AWS subnets are /28 or larger)`);
    }
  }
  for (const [name, group] of Object.entries(cluster.nodeGroups)) {
    const at = ["nodeGroups", name];
    // `dedicated` describes the group on Hetzner; elsewhere the group needs a type or requirements.
    if (group.dedicated !== undefined && group.serverType === undefined && group.requirements === undefined) {
      sink.add(files.cluster, [...at, "dedicated"], "dedicated servers are a Hetzner product; for AWS add requirements (or serverType) to the group");
      continue;
    }
    if (group.serverType === undefined) {
      if (group.requirements !== undefined) {
        if (group.role === "gpu-worker" && group.requirements.gpu === undefined) {
          sink.add(files.cluster, [...at, "requirements", "gpu"], "is required for GPU workers (e.g. { count: 1, model: A10 })");
        } else if (cheapestFit(catalog, region, group.requirements) === undefined) {
          sink.add(files.cluster, [...at, "requirements"], `no AWS instance type in ${region} meets ${describeRequirements(group.requirements)}; relax them or set serverType`);
        }
        continue;
      }
      const suggestion = smallestFit(catalog, region, 4, 2, group.role === "gpu-worker");
      sink.add(files.cluster, [...at, "serverType"], `is required, or requirements to choose one (an AWS instance type${suggestion !== undefined ? `, e.g. ${suggestion}` : ""})`);
      continue;
    }
    checkServerType("AWS", catalog, region, group.serverType, (m) => sink.add(files.cluster, [...at, "serverType"], m), (m) => sink.warn(files.cluster, [...at, "serverType"], m));
    const spec = catalog.server_types[group.serverType];
    if (group.role === "gpu-worker" && spec !== undefined && spec.gpu === undefined) {
      const gpus = Object.entries(catalog.server_types).filter(([, t]) => t.gpu !== undefined).map(([id]) => id);
      sink.add(files.cluster, [...at, "serverType"], `"${group.serverType}" has no GPU; GPU workers need one of ${gpus.join(", ")}`);
    }
  }
  checkUserVmTypes(config, files, sink, { id: "aws", displayName: "AWS", catalog, location: region, noun: "AWS instance type" });
  const zones = availabilityZones(cluster);
  (config.users ?? []).forEach((user, index) => {
    if (user.zone !== undefined && !zones.includes(user.zone)) {
      sink.add(files.users, ["users", index, "zone"], `"${user.zone}" is not one of aws.availabilityZones (${zones.join(", ")}); pin the zone the VM is in, or add it to aws.availabilityZones`);
    }
  });
}

/** The bastion's security group within AWS's rule quota (one rule per admin CIDR and port). */
function checkCluster(cluster: ClusterConfig, file: string, sink: ProblemSink): void {
  const limit = PROVIDER_LIMITS.awsRulesPerSecurityGroup;
  const internetRules = FIREWALL_MATRIX.bastion.filter((r) => r.from === "internet").length;
  const rules = cluster.access.adminCidrs.length * internetRules + (cluster.aws.egress === "nat-instance" ? 1 : 0) + 1;
  if (rules > limit.value) {
    sink.add(file, ["access", "adminCidrs"], `${cluster.access.adminCidrs.length} CIDRs make ${rules} inbound rules on the bastion's security group, more than AWS allows (${limit.value}; ${limit.source}); summarize them into fewer ranges`);
  }
}

/** The bucket the platform stack creates for the bastion's backups. */
export function backupBucketName(cluster: ClusterConfig): string {
  return cluster.aws.backupBucket ?? `${cluster.name}-aiwc-backups`;
}

export const awsModel: ProviderModel = {
  id: "aws",
  displayName: "AWS",
  checkConfig,
  location: (cluster) => cluster.aws.region,
  image: (cluster) => cluster.aws.ami ?? "data.aws_ami",
  // A fixed address in the first zone's public subnet (the bastion lives there on AWS).
  bastionIp: (cluster) => cluster.network.bastionIp ?? hostAddress(zoneSubnets(cluster, cluster.network.publicSubnet)[0]!, 10),
  checkCluster,
  extraSubnets: () => ["publicSubnet"],
  // AWS reserves five addresses in every subnet, and the platform subnet is split per zone.
  reservedPlatformAddresses: (cluster) => 5 * availabilityZones(cluster).length,
  onPlatformSubnet: () => true,
  userData: { limit: PROVIDER_LIMITS.awsUserDataBytes, operatorKeys: true },
  zonePins: true,
  loginUser: "ubuntu",
  bastionIsNat: (cluster) => cluster.aws.egress === "nat-instance",
  api: {
    // Terraform's reads and its waits are Describe* calls: the budget that runs out first.
    rate: { perSecond: PROVIDER_LIMITS.awsDescribeRefillPerSecond.value, burst: 100, scope: "account and Region", source: PROVIDER_LIMITS.awsDescribeRefillPerSecond.source, warnAfterSeconds: 1_800 },
    // The AWS provider reads an instance with DescribeInstances plus its attributes, volumes,
    // credit specification and tags; creating one waits by polling DescribeInstances.
    requests: {
      aws_instance: { refresh: 7, create: 12 },
      aws_ebs_volume: { refresh: 2, create: 5 },
      aws_volume_attachment: { refresh: 1, create: 4 },
      aws_vpc: { refresh: 4, create: 6 },
      aws_subnet: { refresh: 1, create: 3 },
      aws_security_group: { refresh: 2, create: 4 },
      aws_vpc_security_group_ingress_rule: { refresh: 1, create: 2 },
      aws_vpc_security_group_egress_rule: { refresh: 1, create: 2 },
      aws_eip: { refresh: 2, create: 3 },
      aws_nat_gateway: { refresh: 1, create: 10 },
      aws_route: { refresh: 1, create: 2 },
      aws_route_table: { refresh: 1, create: 3 },
      aws_key_pair: { refresh: 1, create: 1 },
      terraform_data: { refresh: 0, create: 0 },
    },
    otherResource: { refresh: 1, create: 3 },
    // S3 and IAM have budgets of their own, far from reach here.
    outside: ["aws_s3_", "aws_iam_"],
  },
  // The platform stack's bucket; its instance profile lets the bastion write there: no keys.
  builtInBackups: (cluster) => ({
    endpoint: `https://s3.${cluster.aws.region}.amazonaws.com`,
    bucket: backupBucketName(cluster),
    region: cluster.aws.region,
    onCalendar: "daily",
    envAuth: true,
  }),
  // Loaded when something prices: `aiwc validate` never needs the priced types.
  pricing: () => require("./pricing") as typeof import("./pricing"),
  priceList: () => (require("./pricing/price-list") as typeof import("./pricing/price-list")).awsPriceList,
};
