/** hcloud_load_balancer: monthly cap per type (config/prices/hetzner.yaml: lb11; LB21/LB31 have no sourced price). */
import { z } from "zod";
import { money } from "../../../catalog/money";
import { pricedResource } from "../../../catalog/priced-resource";

export const hcloudLoadBalancer = pricedResource({
  type: "hcloud_load_balancer",
  provider: "hetzner",
  schema: z.object({ load_balancer_type: z.string(), location: z.string().optional() }),
  region: (a) => a.location,
  components: (a) => [
    { name: `Load balancer (${a.load_balancer_type})`, unit: "months", quantity: money(1), price: { provider: "hetzner", section: "products", id: a.load_balancer_type.toLowerCase() } },
  ],
});
