/**
 * EBS volumes: aws_ebs_volume and the block devices of aws_instance, per GB-month by volume
 * type (ebs_<type>_gb in config/prices/aws.yaml); gp3 adds provisioned IOPS above 3,000 and
 * throughput above 125 MB/s, io2 its provisioned IOPS in AWS's three tiers (up to 32,000,
 * 32,001-64,000, above 64,000). A type the catalog has no price for reports it missing.
 */
import { z } from "zod";
import { money } from "../../../catalog/money";
import { pricedResource, type ComponentSpec } from "../../../catalog/priced-resource";

const GP3_FREE_IOPS = 3000;
const GP3_FREE_THROUGHPUT = 125;
/** io2 IOPS tiers: [first IOPS of the tier, catalog row]. */
const IO2_TIERS: readonly (readonly [number, string])[] = [
  [0, "ebs_io2_iops"],
  [32_000, "ebs_io2_iops_tier2"],
  [64_000, "ebs_io2_iops_tier3"],
];

export function ebsComponents(label: string, type: string, sizeGb: number, iops?: number, throughput?: number): ComponentSpec[] {
  const out: ComponentSpec[] = [
    { name: `${label} (${type})`, unit: "GB", quantity: money(sizeGb), price: { provider: "aws", section: "products", id: `ebs_${type}_gb` } },
  ];
  if (type === "gp3" && iops !== undefined && iops > GP3_FREE_IOPS) {
    out.push({ name: `${label} provisioned IOPS`, unit: "IOPS", quantity: money(iops - GP3_FREE_IOPS), price: { provider: "aws", section: "products", id: "ebs_gp3_iops" } });
  }
  if (type === "gp3" && throughput !== undefined && throughput > GP3_FREE_THROUGHPUT) {
    out.push({ name: `${label} provisioned throughput`, unit: "MB/s", quantity: money(throughput - GP3_FREE_THROUGHPUT), price: { provider: "aws", section: "products", id: "ebs_gp3_throughput" } });
  }
  if (type === "io2" && iops !== undefined && iops > 0) {
    IO2_TIERS.forEach(([from, id], i) => {
      const to = IO2_TIERS[i + 1]?.[0] ?? Infinity;
      const inTier = Math.min(iops, to) - from;
      if (inTier > 0) out.push({ name: `${label} provisioned IOPS${i > 0 ? ` above ${from.toLocaleString("en")}` : ""}`, unit: "IOPS", quantity: money(inTier), price: { provider: "aws", section: "products", id } });
    });
  }
  return out;
}

export const awsEbsVolume = pricedResource({
  type: "aws_ebs_volume",
  provider: "aws",
  schema: z.object({
    size: z.coerce.number().positive(),
    type: z.string().optional(),
    iops: z.coerce.number().optional(),
    throughput: z.coerce.number().optional(),
  }),
  // AWS's default type for new volumes is gp2 through the API, but the provider defaults to gp2 too;
  // aiwc always sets gp3, and anything else is reported as unpriced rather than guessed.
  components: (a) => ebsComponents("Storage", a.type ?? "gp2", a.size, a.iops, a.throughput),
});
