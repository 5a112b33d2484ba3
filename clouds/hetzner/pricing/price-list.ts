/**
 * Hetzner's own price list for `aiwc prices refresh hetzner`: the Cloud API's `GET /v1/pricing`
 * (with HCLOUD_TOKEN; HCLOUD_ENDPOINT points elsewhere, as for the hcloud CLI and the
 * Terraform provider). Net prices per location for server types, load balancer types and
 * primary IPs; volumes, snapshots (image) and backups (percent of the server) for all.
 * Dedicated (Robot) servers are not in it: they stay hand-kept.
 */
import { z } from "zod";
import type { Catalog } from "../../../catalog/catalog";
import { PriceListError, type Observation, type ObservedPrice, type PriceList, type PriceListOptions } from "../../../catalog/refresh";

const decimal = z.string().regex(/^\d+(\.\d+)?$/, "must be a decimal string");
const amount = z.object({ net: decimal, gross: decimal });
const perLocation = z.object({ location: z.string().min(1), price_hourly: amount, price_monthly: amount });
const withTraffic = perLocation.extend({ included_traffic: z.number().optional(), price_per_tb_traffic: amount.optional() });

const deprecation = z.object({ unavailable_after: z.string().optional(), announced: z.string().optional() }).nullable().optional();

/** `GET /v1/server_types`: specs, and (since 2025) the locations each type is available in. */
const serverTypeSchema = z.object({
  name: z.string().min(1),
  cores: z.number().int().positive(),
  memory: z.number().positive(),
  disk: z.number().int().nonnegative(),
  cpu_type: z.enum(["shared", "dedicated"]),
  architecture: z.enum(["x86", "arm"]),
  deprecated: z.boolean().nullable().optional(),
  deprecation,
  locations: z.array(z.object({ name: z.string().min(1), deprecation })).optional(),
});

/** The documented shape of the price list (fields aiwc reads; others are ignored). */
export const hcloudPricingSchema = z.object({
  pricing: z.object({
    currency: z.string().min(1),
    vat_rate: decimal.optional(),
    primary_ips: z.array(z.object({ type: z.string(), prices: z.array(perLocation) })).default([]),
    image: z.object({ price_per_gb_month: amount }).optional(),
    volume: z.object({ price_per_gb_month: amount }).optional(),
    server_backup: z.object({ percentage: decimal }).optional(),
    server_types: z.array(z.object({ id: z.number(), name: z.string().min(1), prices: z.array(withTraffic) })).min(1, "lists no server types"),
    load_balancer_types: z.array(z.object({ id: z.number(), name: z.string().min(1), prices: z.array(withTraffic) })).default([]),
  }),
});

/** What the refresh reads: the price list and, where fetched, the server types (a saved `--from` file may hold either). */
const responseSchema = z.union([
  hcloudPricingSchema.extend({ server_types: z.array(serverTypeSchema) }),
  hcloudPricingSchema,
]);

export const HCLOUD_API = "https://api.hetzner.cloud/v1";

async function getJson(url: string, token: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: "application/json" } });
  } catch (error) {
    throw new PriceListError([`cannot reach ${url}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`]);
  }
  const text = await response.text();
  const path = new URL(url).pathname;
  if (response.status === 401 || response.status === 403) throw new PriceListError([`${path} refused HCLOUD_TOKEN (HTTP ${response.status}): check the token`]);
  if (!response.ok) throw new PriceListError([`${path} answered HTTP ${response.status}: ${text.slice(0, 200)}`]);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new PriceListError([`${path} did not answer JSON`]);
  }
}

export const hetznerPriceList: PriceList = {
  info: { key: "API_HCLOUD_PRICING", description: "Hetzner Cloud API GET /v1/pricing (net prices per location)", url: `${HCLOUD_API}/pricing` },
  credentials: ["HCLOUD_TOKEN"],

  async fetch(options: PriceListOptions): Promise<unknown> {
    const token = options.env.HCLOUD_TOKEN;
    if (token === undefined || token === "") throw new PriceListError(["HCLOUD_TOKEN is not set: the Cloud API's price list needs a (read-only) API token of any project"]);
    const base = (options.env.HCLOUD_ENDPOINT ?? HCLOUD_API).replace(/\/+$/, "");
    const pricing = (await getJson(`${base}/pricing`, token)) as { pricing?: unknown };
    // The server types, every page of them: specs and where each can be ordered.
    const serverTypes: unknown[] = [];
    for (let page: number | null = 1; page !== null; ) {
      const body = (await getJson(`${base}/server_types?page=${page}&per_page=50`, token)) as { server_types?: unknown[]; meta?: { pagination?: { next_page?: number | null } } };
      serverTypes.push(...(Array.isArray(body.server_types) ? body.server_types : []));
      const next = body.meta?.pagination?.next_page ?? null;
      page = next !== null && next > page ? next : null;
    }
    return { pricing: pricing.pricing, server_types: serverTypes };
  },

  observe(response: unknown, catalog: Catalog, options: PriceListOptions): Observation {
    const withTypes = responseSchema.options[0].safeParse(response);
    const parsed = withTypes.success ? withTypes : hcloudPricingSchema.safeParse(response);
    if (!parsed.success) {
      // The problems of the fuller shape when the response has server types, else the price list's.
      const issues = (typeof response === "object" && response !== null && "server_types" in response ? withTypes.error! : parsed.error).issues;
      throw new PriceListError(issues.map((i) => `the price list's ${i.path.join(".") || "response"}: ${i.message}`));
    }
    const pricing = parsed.data.pricing;
    const types = "server_types" in parsed.data ? (parsed.data.server_types as z.infer<typeof serverTypeSchema>[]) : [];
    const notes: string[] = [];
    const wanted = (location: string) => options.region === undefined || location === options.region;
    const prices: ObservedPrice[] = [];
    for (const type of pricing.server_types) {
      for (const p of type.prices.filter((x) => wanted(x.location))) prices.push({ section: "server_types", id: type.name, region: p.location, monthly: p.price_monthly.net, hourly: p.price_hourly.net });
    }
    for (const type of pricing.load_balancer_types) {
      if (catalog.products[type.name] === undefined) {
        notes.push(`load balancer type ${type.name} is in the price list but not in the catalog's products: not added`);
        continue;
      }
      for (const p of type.prices.filter((x) => wanted(x.location))) prices.push({ section: "products", id: type.name, region: p.location, monthly: p.price_monthly.net, hourly: p.price_hourly.net });
    }
    for (const p of pricing.primary_ips.find((ip) => ip.type === "ipv4")?.prices.filter((x) => wanted(x.location)) ?? []) {
      prices.push({ section: "products", id: "primary_ipv4", region: p.location, monthly: p.price_monthly.net, hourly: p.price_hourly.net });
    }
    // Traffic beyond the included volume: per location, the price the server types state there
    // (the same for every type; the most common one if they ever differ).
    const traffic = new Map<string, Map<string, number>>();
    for (const type of pricing.server_types) {
      for (const p of type.prices) {
        if (p.price_per_tb_traffic === undefined || !wanted(p.location)) continue;
        const counts = traffic.get(p.location) ?? new Map<string, number>();
        counts.set(p.price_per_tb_traffic.net, (counts.get(p.price_per_tb_traffic.net) ?? 0) + 1);
        traffic.set(p.location, counts);
      }
    }
    for (const [location, counts] of traffic) {
      const [net] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
      prices.push({ section: "products", id: "traffic_overage_tb", region: location, monthly: net });
    }
    if (pricing.volume !== undefined) prices.push({ section: "products", id: "volume_gb", monthly: pricing.volume.price_per_gb_month.net });
    if (pricing.image !== undefined) prices.push({ section: "products", id: "snapshot_gb", monthly: pricing.image.price_per_gb_month.net });
    if (pricing.server_backup !== undefined) prices.push({ section: "products", id: "backup_percent", monthly: pricing.server_backup.percentage });
    // Availability and specs: a location with a deprecation is still sold (servers run there)
    // but takes no new servers; a type is orderable while some location takes new ones.
    const serverTypes = types.map((t) => {
      const locations = (t.locations ?? []).map((l) => l.name);
      const priced = [...new Set(pricing.server_types.find((p) => p.name === t.name)?.prices.map((p) => p.location) ?? [])];
      const open = (t.locations ?? []).filter((l) => l.deprecation == null).length;
      return {
        id: t.name,
        locations: locations.length > 0 ? locations : priced,
        orderable: t.deprecated !== true && t.deprecation == null && (t.locations === undefined ? true : open > 0),
        spec: { vcpu: t.cores, ram_gb: t.memory, disk_gb: t.disk, arch: t.architecture, cpu: t.cpu_type },
      };
    });
    if (Object.keys(catalog.dedicated).length > 0) notes.push("dedicated (Robot) servers are not in the Cloud API's price list: they stay as the catalog has them (refresh them by hand from hetzner.com)");
    return { prices, ...(serverTypes.length > 0 ? { serverTypes } : {}), notes, currency: pricing.currency };
  },
};
