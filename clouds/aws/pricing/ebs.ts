/**
 * EBS volumes: aws_ebs_volume and the block devices of aws_instance. gp3 is priced per
 * GB-month plus provisioned IOPS above 3,000 and throughput above 125 MB/s
 * (config/prices/aws.yaml). Other volume types have no catalog price and report it missing.
 */
import { z } from "zod";
import { money } from "../../../catalog/money";
import { pricedResource, type ComponentSpec } from "../../../catalog/priced-resource";

const GP3_FREE_IOPS = 3000;
const GP3_FREE_THROUGHPUT = 125;

export function gp3Components(label: string, type: string, sizeGb: number, iops?: number, throughput?: number): ComponentSpec[] {
  const out: ComponentSpec[] = [
    { name: `${label} (${type})`, unit: "GB", quantity: money(sizeGb), price: { provider: "aws", section: "products", id: `ebs_${type}_gb` } },
  ];
  if (type === "gp3" && iops !== undefined && iops > GP3_FREE_IOPS) {
    out.push({ name: `${label} provisioned IOPS`, unit: "IOPS", quantity: money(iops - GP3_FREE_IOPS), price: { provider: "aws", section: "products", id: "ebs_gp3_iops" } });
  }
  if (type === "gp3" && throughput !== undefined && throughput > GP3_FREE_THROUGHPUT) {
    out.push({ name: `${label} provisioned throughput`, unit: "MB/s", quantity: money(throughput - GP3_FREE_THROUGHPUT), price: { provider: "aws", section: "products", id: "ebs_gp3_throughput" } });
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
  components: (a) => gp3Components("Storage", a.type ?? "gp2", a.size, a.iops, a.throughput),
});
