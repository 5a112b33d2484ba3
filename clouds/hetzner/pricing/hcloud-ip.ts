/**
 * hcloud_primary_ip and hcloud_floating_ip (config/prices/hetzner.yaml). IPv6 primary IPs are
 * free; floating IPs have no sourced 2026 price in the catalog, so they report a missing
 * price (never zero) until one is added.
 */
import { z } from "zod";
import { money } from "../../../catalog/money";
import { pricedResource } from "../../../catalog/priced-resource";

export const hcloudPrimaryIp = pricedResource({
  type: "hcloud_primary_ip",
  provider: "hetzner",
  schema: z.object({ type: z.string(), location: z.string().optional() }),
  region: (a) => a.location,
  free: (a) => a.type === "ipv6",
  components: () => [{ name: "Primary IPv4", unit: "IPs", quantity: money(1), price: { provider: "hetzner", section: "products", id: "primary_ipv4" } }],
});

export const hcloudFloatingIp = pricedResource({
  type: "hcloud_floating_ip",
  provider: "hetzner",
  schema: z.object({ type: z.string(), home_location: z.string().optional() }),
  region: (a) => a.home_location,
  components: (a) => [
    { name: `Floating IP (${a.type})`, unit: "IPs", quantity: money(1), price: { provider: "hetzner", section: "products", id: `floating_${a.type}` } },
  ],
});
