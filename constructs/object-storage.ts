/**
 * Object storage the config relies on but no stack creates: the bastion's backup bucket
 * (software.backups) and an S3 state backend, when they are on Hetzner Object Storage. Hetzner
 * charges a base price per project for it, so it is declared once in the platform stack as a
 * built-in `terraform_data` the cost engine prices — it shows up in every estimate and diff.
 */
import { DataResource, type TerraformStack } from "./cdk";
import type { Config } from "../model/load";
import { LABEL } from "../model/topology";

const HETZNER_OBJECT_STORAGE = /^https:\/\/[a-z0-9-]+\.your-objectstorage\.com\/?$/;

export function declareObjectStorage(stack: TerraformStack, config: Config): DataResource | undefined {
  const { cluster } = config;
  const buckets: string[] = [];
  const backups = cluster.software.backups;
  if (backups !== undefined && HETZNER_OBJECT_STORAGE.test(backups.endpoint)) buckets.push(backups.bucket);
  const state = cluster.state;
  if (state.backend === "s3" && state.endpoint !== undefined && HETZNER_OBJECT_STORAGE.test(state.endpoint)) buckets.push(state.bucket);
  if (buckets.length === 0) return undefined;
  const bastionGroup = Object.entries(cluster.nodeGroups).find(([, g]) => g.role === "bastion")?.[0];
  // The backups are the bastion's; a state bucket alone belongs to no node group.
  const labels: Record<string, string> = { [LABEL.cluster]: cluster.name };
  if (backups !== undefined && buckets.includes(backups.bucket) && bastionGroup !== undefined) Object.assign(labels, { [LABEL.group]: bastionGroup, [LABEL.role]: "bastion" });
  return new DataResource(stack, "HetznerObjectStorage", {
    input: { aiwc_kind: "object_storage", provider: "hetzner", buckets: [...new Set(buckets)].sort(), labels },
  });
}
