/**
 * hcloud_server. Source: config/prices/hetzner.yaml (Hetzner price list 2026, see its sources).
 * Hetzner bills by the hour up to a monthly cap; a month is priced at the cap unless the usage
 * file gives fewer hours. Servers without a primary IP resource get an automatic IPv4
 * (charged). Backups cost a percentage of the server price (catalog: backup_percent).
 */
import { z } from "zod";
import { money } from "../../../catalog/money";
import { blocks, pricedResource, type ComponentSpec } from "../../../catalog/priced-resource";

const attributes = z.object({
  server_type: z.string(),
  location: z.string().optional(),
  backups: z.union([z.boolean(), z.string()]).optional(),
  public_net: blocks(z.object({ ipv4_enabled: z.union([z.boolean(), z.string()]).optional(), ipv4: z.unknown().optional() })).optional(),
});

export const hcloudServer = pricedResource({
  type: "hcloud_server",
  provider: "hetzner",
  schema: attributes,
  region: (a) => a.location,
  components(a, context) {
    const hours = context.usage.monthly_hours;
    const server: ComponentSpec =
      hours !== undefined
        ? { name: `Server (${a.server_type})`, unit: "hours", quantity: money(hours), rate: "capped", cappedUnits: money(1), price: { provider: "hetzner", section: "server_types", id: a.server_type }, usageKey: "monthly_hours" }
        : { name: `Server (${a.server_type})`, unit: "months", quantity: money(1), price: { provider: "hetzner", section: "server_types", id: a.server_type } };
    const out: ComponentSpec[] = [server];
    // Without public_net Hetzner enables IPv4 (and IPv6); an IPv4 set to a primary IP resource is priced there.
    const net = a.public_net?.[0];
    const ipv4Enabled = net === undefined || net.ipv4_enabled === undefined || net.ipv4_enabled === true || net.ipv4_enabled === "true";
    if (ipv4Enabled && net?.ipv4 === undefined) {
      out.push({ name: "Primary IPv4 (automatic)", unit: "IPs", quantity: money(1), price: { provider: "hetzner", section: "products", id: "primary_ipv4" } });
    }
    if (a.backups === true || a.backups === "true") {
      out.push({ ...server, name: `Backups (${a.server_type})`, percent: { provider: "hetzner", section: "products", id: "backup_percent" } });
    }
    return out;
  },
});
