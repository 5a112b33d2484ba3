/**
 * aws_instance: on-demand hours × hourly rate, the root volume (gp3 per GB-month; AWS's
 * default root size is 8 GB when none is given), inline EBS volumes, and a public IPv4 when
 * one is associated. Source: config/prices/aws.yaml (USD, converted with fx.yaml).
 */
import { z } from "zod";
import { money } from "../../../catalog/money";
import { blocks, pricedResource, type ComponentSpec } from "../../../catalog/priced-resource";
import { ebsComponents } from "./ebs";

const blockDevice = z.object({
  volume_size: z.coerce.number().optional(),
  volume_type: z.string().optional(),
  iops: z.coerce.number().optional(),
  throughput: z.coerce.number().optional(),
});

/** AMIs default to an 8 GB root volume. */
const DEFAULT_ROOT_GB = 8;

export const awsInstance = pricedResource({
  type: "aws_instance",
  provider: "aws",
  schema: z.object({
    instance_type: z.string(),
    root_block_device: blocks(blockDevice).optional(),
    ebs_block_device: blocks(blockDevice).optional(),
    associate_public_ip_address: z.union([z.boolean(), z.string()]).optional(),
  }),
  components(a, context) {
    const hours = context.usage.monthly_hours ?? context.hoursPerMonth;
    const out: ComponentSpec[] = [
      { name: `Instance (on-demand, ${a.instance_type})`, unit: "hours", quantity: money(hours), rate: "hourly", price: { provider: "aws", section: "server_types", id: a.instance_type } },
    ];
    const root = a.root_block_device?.[0];
    out.push(...ebsComponents("Root volume", root?.volume_type ?? "gp3", root?.volume_size ?? DEFAULT_ROOT_GB, root?.iops, root?.throughput));
    for (const [i, device] of (a.ebs_block_device ?? []).entries()) {
      out.push(...ebsComponents(`EBS volume ${i + 1}`, device.volume_type ?? "gp3", device.volume_size ?? DEFAULT_ROOT_GB, device.iops, device.throughput));
    }
    if (a.associate_public_ip_address === true || a.associate_public_ip_address === "true") {
      out.push({ name: "Public IPv4", unit: "hours", quantity: money(hours), rate: "hourly", price: { provider: "aws", section: "products", id: "public_ipv4" } });
    }
    return out;
  },
});
