/**
 * Hetzner dedicated (Robot) servers, declared by aiwc as `terraform_data` with
 * `input.aiwc_kind = dedicated_server` (constructs/hetzner/dedicated-hosts.ts): monthly rent
 * plus a one-time setup fee, shown apart (config/prices/hetzner.yaml, `dedicated`). Prices
 * depend on the order date (`input.ordered_on`), since Hetzner kept old prices for old orders.
 */
import { z } from "zod";
import { money } from "../../../catalog/money";
import { pricedResource } from "../../../catalog/priced-resource";

export const dedicatedServer = pricedResource({
  type: "terraform_data",
  provider: "hetzner",
  schema: z.object({
    input: z.object({ aiwc_kind: z.literal("dedicated_server"), product: z.string(), ordered_on: z.string().optional() }),
  }),
  components: (a) => [
    { name: `Dedicated server (${a.input.product})`, unit: "months", quantity: money(1), setup: true, price: { provider: "hetzner", section: "dedicated", id: a.input.product } },
  ],
});
