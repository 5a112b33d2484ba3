/** Availability zones and the per-zone split of the configured subnets. */
import { parseCidr, splitCidr, type Cidr } from "../../config/cidr";
import type { ClusterConfig } from "../../config/schema";

/** AWS reserves the first four addresses and the last of every subnet; /28 is the smallest subnet. */
export const SMALLEST_SUBNET_PREFIX = 28;

export function availabilityZones(cluster: ClusterConfig): string[] {
  return cluster.aws.availabilityZones ?? [`${cluster.aws.region}a`, `${cluster.aws.region}b`];
}

/** A configured subnet split into one part per availability zone. */
export function zoneSubnets(cluster: ClusterConfig, text: string): Cidr[] {
  return splitCidr(parseCidr(text) as Cidr, availabilityZones(cluster).length);
}

