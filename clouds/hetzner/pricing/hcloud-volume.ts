/** hcloud_volume: size × price per GB-month (config/prices/hetzner.yaml, volume_gb; minimum 10 GB). */
import { z } from "zod";
import { money } from "../../../catalog/money";
import { pricedResource } from "../../../catalog/priced-resource";

export const hcloudVolume = pricedResource({
  type: "hcloud_volume",
  provider: "hetzner",
  schema: z.object({ size: z.coerce.number().positive(), location: z.string().optional() }),
  region: (a) => a.location,
  components: (a) => [
    // Hetzner bills at least 10 GB per volume.
    { name: "Volume storage", unit: "GB", quantity: money(Math.max(a.size, 10)), price: { provider: "hetzner", section: "products", id: "volume_gb" } },
  ],
});
