/**
 * Capacity rules (`capacity:` in cluster.yaml): a group needs one node per `per` users (or
 * users with pack `of`). The same arithmetic grows groups in `aiwc whatif` and is a gate
 * reason when the configured users exceed what the configured nodes can serve.
 */
import type { ClusterConfig, UserConfig } from "./schema";

export interface CapacityNeed {
  readonly rule: number;
  readonly group: string;
  readonly per: number;
  readonly of?: string;
  /** Users the rule counts. */
  readonly users: number;
  readonly needed: number;
  readonly configured: number;
}

export function capacityNeeds(cluster: ClusterConfig, users: readonly Pick<UserConfig, "packs">[]): CapacityNeed[] {
  return cluster.capacity.flatMap((rule, index) => {
    const group = cluster.nodeGroups[rule.group];
    if (group === undefined) return [];
    const counted = rule.of === undefined ? users.length : users.filter((u) => u.packs.includes(rule.of!)).length;
    return [{ rule: index, group: rule.group, per: rule.per, ...(rule.of !== undefined ? { of: rule.of } : {}), users: counted, needed: Math.ceil(counted / rule.per), configured: group.count }];
  });
}

/** "35 users need 3 service-nodes (15 per node); the config has 2", for each rule not met. */
export function capacityShortfalls(cluster: ClusterConfig, users: readonly Pick<UserConfig, "packs">[]): { rule: number; message: string }[] {
  return capacityNeeds(cluster, users)
    .filter((n) => n.needed > n.configured)
    .map((n) => ({
      rule: n.rule,
      message: `${n.users} ${n.of !== undefined ? `users with the ${n.of} pack` : "users"} need ${n.needed} ${n.group} (${n.per} per node); the config has ${n.configured}: raise nodeGroups.${n.group}.count to ${n.needed}`,
    }));
}
