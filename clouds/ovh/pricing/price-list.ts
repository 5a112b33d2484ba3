/**
 * OVHcloud's own price list for `aiwc prices refresh ovh`: the public cloud order catalog,
 * `GET /1.0/order/catalog/public/cloud?ovhSubsidiary=…` — public, no credentials. Each
 * instance flavor is an addon twice: `<flavor>.consumption` (per hour) and, where OVH sells a
 * monthly plan, `<flavor>.monthly.postpaid`; prices are integers in 10^-8 of the currency,
 * net of tax, the same in every region of the subsidiary (local-zone variants such as
 * `b3-8.consumption.LZ.EU` are other products and not read). Block storage: the
 * `volume.<class>` addons. Load balancers, object storage and egress stay hand-kept.
 */
import { z } from "zod";
import type { Catalog } from "../../../catalog/catalog";
import { money } from "../../../catalog/money";
import { PriceListError, type Observation, type ObservedPrice, type PriceList, type PriceListOptions } from "../../../catalog/refresh";

const pricing = z.object({
  capacities: z.array(z.string()),
  interval: z.number().int().positive(),
  intervalUnit: z.string(),
  price: z.number().int().nonnegative("must be a non-negative integer (10^-8 of the currency)"),
  mode: z.string().optional(),
});

/** The documented shape of the catalog (fields aiwc reads; others are ignored). */
export const ovhCloudCatalogSchema = z.object({
  catalogId: z.number().optional(),
  locale: z.object({ currencyCode: z.string().min(1), subsidiary: z.string().optional() }),
  addons: z.array(z.object({ planCode: z.string().min(1), invoiceName: z.string().optional(), pricings: z.array(pricing) })).min(1, "lists no addons"),
});

export const OVH_API = "https://eu.api.ovh.com/1.0";
const DEFAULT_SUBSIDIARY = "DE";

/** 10^-8 currency units as a decimal string. */
const units = (price: number) => money(price).dividedBy(100_000_000).toFixed();

/** Block storage classes: planCode stem → catalog product. */
const VOLUMES: Readonly<Record<string, string>> = { "volume.classic": "volume_classic_gb", "volume.high-speed": "volume_high_speed_gb" };

export const ovhPriceList: PriceList = {
  info: { key: "API_OVH_CLOUD_CATALOG", description: "OVHcloud API GET /1.0/order/catalog/public/cloud (public cloud order catalog, net prices)", url: `${OVH_API}/order/catalog/public/cloud` },
  credentials: [],

  async fetch(options: PriceListOptions): Promise<unknown> {
    const base = (options.env.AIWC_OVH_API ?? OVH_API).replace(/\/+$/, "");
    const subsidiary = options.env.AIWC_OVH_SUBSIDIARY ?? DEFAULT_SUBSIDIARY;
    const url = `${base}/order/catalog/public/cloud?ovhSubsidiary=${encodeURIComponent(subsidiary)}`;
    let response: Response;
    try {
      response = await fetch(url, { headers: { Accept: "application/json" } });
    } catch (error) {
      throw new PriceListError([`cannot reach ${url}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`]);
    }
    const text = await response.text();
    if (!response.ok) throw new PriceListError([`${url} answered HTTP ${response.status}: ${text.slice(0, 200)}`]);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new PriceListError([`${url} did not answer JSON`]);
    }
  },

  observe(response: unknown, catalog: Catalog): Observation {
    const parsed = ovhCloudCatalogSchema.safeParse(response);
    if (!parsed.success) throw new PriceListError(parsed.error.issues.map((i) => `the price list's ${i.path.join(".") || "response"}: ${i.message}`));
    const { addons, locale } = parsed.data;
    // Per flavor (or volume class): the hourly and the monthly price, where the list has them.
    const found = new Map<string, { section: "server_types" | "products"; hourly?: string; monthly?: string }>();
    const put = (section: "server_types" | "products", id: string, field: "hourly" | "monthly", value: string) => {
      const entry = found.get(`${section}\u0000${id}`) ?? { section };
      entry[field] = value;
      found.set(`${section}\u0000${id}`, entry);
    };
    for (const addon of addons) {
      const hourly = /^(.+)\.consumption$/.exec(addon.planCode);
      const monthly = /^(.+)\.monthly\.postpaid$/.exec(addon.planCode);
      const stem = hourly?.[1] ?? monthly?.[1];
      if (stem === undefined) continue;
      const unit = hourly !== null ? "hour" : "month";
      const price = addon.pricings.find((p) => p.intervalUnit === unit && p.interval === 1 && p.capacities.includes("consumption"));
      if (price === undefined) continue;
      const volume = Object.keys(VOLUMES).find((v) => stem === v || stem.startsWith(`${v}.`));
      if (volume !== undefined) {
        // Volumes are priced per GiB: `volume.classic.consumption` per GiB-hour, `…monthly.postpaid` per GiB-month.
        put("products", VOLUMES[volume]!, hourly !== null ? "hourly" : "monthly", units(price.price));
      } else if (!stem.includes(".")) put("server_types", addon.invoiceName ?? stem, hourly !== null ? "hourly" : "monthly", units(price.price));
    }
    const prices: ObservedPrice[] = [...found].map(([key, p]) => ({ section: p.section, id: key.split("\u0000")[1]!, ...(p.monthly !== undefined ? { monthly: p.monthly } : {}), ...(p.hourly !== undefined ? { hourly: p.hourly } : {}) }));
    const notes = [`prices of the ${locale.subsidiary ?? DEFAULT_SUBSIDIARY} subsidiary, the same in each of its regions; load balancers, object storage and egress are not read (hand-kept)`];
    if (Object.keys(catalog.server_types).length === 0) notes.push("the catalog has no flavors to refresh");
    return { prices, notes, currency: locale.currencyCode };
  },
};
