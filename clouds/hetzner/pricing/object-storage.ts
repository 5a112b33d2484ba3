/**
 * Hetzner Object Storage that the config uses but Terraform does not create (the bastion's
 * backup bucket, an S3 state backend), declared by aiwc as `terraform_data` with
 * `input.aiwc_kind = object_storage` (constructs/object-storage.ts): the monthly base price,
 * charged once per project whatever the number of buckets.
 */
import { z } from "zod";
import { money } from "../../../catalog/money";
import { pricedResource } from "../../../catalog/priced-resource";

export const hetznerObjectStorage = pricedResource({
  type: "terraform_data",
  provider: "hetzner",
  schema: z.object({
    input: z.object({ aiwc_kind: z.literal("object_storage"), provider: z.literal("hetzner"), buckets: z.array(z.string()).min(1) }),
  }),
  components: (a) => [
    {
      name: `Object Storage base, 1 TB storage and egress included (${a.input.buckets.join(", ")})`,
      unit: "months",
      quantity: money(1),
      price: { provider: "hetzner", section: "products", id: "object_storage_base" },
    },
  ],
});
