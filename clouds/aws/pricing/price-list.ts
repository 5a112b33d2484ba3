/**
 * AWS's own price list for `aiwc prices refresh aws`: the Price List Query API's GetProducts
 * (`@aws-sdk/client-pricing`, signed with the environment's AWS credentials — any IAM
 * principal allowed `pricing:GetProducts`), service AmazonEC2, on-demand Linux with shared
 * tenancy and no pre-installed software, for the catalog's regions and the instance types of
 * the catalog and of the families aiwc places nodes on (t3/t3a, m5/m6i/m7i, c6i/c7i, r6i up to
 * 4xlarge, g5/g6 up to 8xlarge). A type the catalog lacks is added with its specs from the
 * list. EBS, load balancers, NAT, IPv4 and S3 stay hand-kept for now.
 */
import { z } from "zod";
import type { Catalog } from "../../../catalog/catalog";
import { PriceListError, type Observation, type ObservedPrice, type ObservedServerType, type PriceList, type PriceListOptions } from "../../../catalog/refresh";

const SIZES = ["large", "xlarge", "2xlarge", "4xlarge"];
/** The instance types aiwc asks for besides the catalog's own. */
export const AWS_BREADTH: readonly string[] = [
  ...["t3", "t3a"].flatMap((f) => ["small", "medium", ...SIZES].map((s) => `${f}.${s}`)),
  ...["m5", "m6i", "m7i", "c6i", "c7i", "r6i"].flatMap((f) => SIZES.map((s) => `${f}.${s}`)),
  ...["g5", "g6"].flatMap((f) => ["xlarge", "2xlarge", "4xlarge", "8xlarge"].map((s) => `${f}.${s}`)),
];

/** GPU models by family: the price list states the count and memory, not the model. */
const GPU_MODELS: Readonly<Record<string, string>> = { g5: "NVIDIA A10G", g6: "NVIDIA L4", g6e: "NVIDIA L40S", g4dn: "NVIDIA T4", p4d: "NVIDIA A100", p5: "NVIDIA H100" };

const decimal = z.string().regex(/^\d+(\.\d+)?$/, "must be a decimal string");
const product = z.object({
  product: z.object({
    productFamily: z.string().optional(),
    attributes: z.object({
      instanceType: z.string().min(1),
      regionCode: z.string().min(1),
      vcpu: z.string().regex(/^\d+$/, "must be a whole number"),
      memory: z.string().regex(/^[\d.,]+ GiB$/, 'must read like "16 GiB"'),
      storage: z.string().optional(),
      physicalProcessor: z.string().optional(),
      gpu: z.string().optional(),
      gpuMemory: z.string().optional(),
    }),
  }),
  terms: z.object({
    OnDemand: z.record(z.string(), z.object({ priceDimensions: z.record(z.string(), z.object({ unit: z.string(), pricePerUnit: z.object({ USD: decimal }) })) })),
  }),
});
/** GetProducts' answer (pages merged): PriceList items as JSON strings, or already parsed in a saved file. */
const responseSchema = z.object({ PriceList: z.array(z.union([z.string(), z.record(z.string(), z.unknown())])) });

export const awsPriceList: PriceList = {
  info: { key: "API_AWS_PRICE_LIST", description: "AWS Price List Query API GetProducts (AmazonEC2, on-demand Linux, shared tenancy)", url: "https://pricing.us-east-1.amazonaws.com" },
  credentials: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],

  async fetch(options: PriceListOptions, catalog: Catalog): Promise<unknown> {
    const accessKeyId = options.env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = options.env.AWS_SECRET_ACCESS_KEY;
    if (accessKeyId === undefined || accessKeyId === "" || secretAccessKey === undefined || secretAccessKey === "") {
      throw new PriceListError(["AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set: the Price List API is signed (any IAM principal allowed pricing:GetProducts)"]);
    }
    // Loaded only here: the SDK is for this command alone.
    const { PricingClient, paginateGetProducts } = require("@aws-sdk/client-pricing") as typeof import("@aws-sdk/client-pricing");
    const endpoint = options.env.AIWC_AWS_PRICING_ENDPOINT;
    const client = new PricingClient({
      region: "us-east-1",
      maxAttempts: 2,
      credentials: { accessKeyId, secretAccessKey, ...(options.env.AWS_SESSION_TOKEN !== undefined && options.env.AWS_SESSION_TOKEN !== "" ? { sessionToken: options.env.AWS_SESSION_TOKEN } : {}) },
      ...(endpoint !== undefined && endpoint !== "" ? { endpoint } : {}),
    });
    const types = [...new Set([...Object.keys(catalog.server_types), ...AWS_BREADTH])].sort();
    const regions = options.region !== undefined ? [options.region] : Object.keys(catalog.locations);
    const items: string[] = [];
    try {
      for (const region of regions) {
        const filters = [
          ["regionCode", region],
          ["operatingSystem", "Linux"],
          ["tenancy", "Shared"],
          ["preInstalledSw", "NA"],
          ["capacitystatus", "Used"],
          ["licenseModel", "No License required"],
        ].map(([Field, Value]) => ({ Type: "TERM_MATCH" as const, Field, Value }));
        const pages = paginateGetProducts({ client, pageSize: 100 }, { ServiceCode: "AmazonEC2", FormatVersion: "aws_v1", Filters: [...filters, { Type: "ANY_OF", Field: "instanceType", Value: types.join(",") }] });
        // The SDK hands each product over as a (lazy) JSON string object.
        for await (const page of pages) items.push(...(page.PriceList ?? []).map((p: unknown) => (typeof p === "object" && p !== null && !(p instanceof String) ? JSON.stringify(p) : String(p))));
      }
    } catch (error) {
      const e = error as Error & { $metadata?: { httpStatusCode?: number } };
      const status = e.$metadata?.httpStatusCode;
      throw new PriceListError([`the AWS Price List API refused or failed${status !== undefined ? ` (HTTP ${status})` : ""}: ${e.name}: ${e.message}`.replaceAll(accessKeyId, "AWS_ACCESS_KEY_ID")]);
    } finally {
      client.destroy();
    }
    return { PriceList: items };
  },

  observe(response: unknown, catalog: Catalog, options: PriceListOptions): Observation {
    const parsed = responseSchema.safeParse(response);
    if (!parsed.success) throw new PriceListError(parsed.error.issues.map((i) => `the price list's ${i.path.join(".") || "response"}: ${i.message}`));
    const problems: string[] = [];
    const prices: ObservedPrice[] = [];
    const specs = new Map<string, ObservedServerType["spec"]>();
    const regionsOf = new Map<string, Set<string>>();
    parsed.data.PriceList.forEach((raw, i) => {
      let item: unknown;
      try {
        item = typeof raw === "string" ? JSON.parse(raw) : raw;
      } catch {
        problems.push(`the price list's PriceList.${i}: not JSON`);
        return;
      }
      const p = product.safeParse(item);
      if (!p.success) {
        problems.push(...p.error.issues.map((issue) => `the price list's PriceList.${i}.${issue.path.join(".")}: ${issue.message}`));
        return;
      }
      const a = p.data.product.attributes;
      if (options.region !== undefined && a.regionCode !== options.region) return;
      const terms = Object.values(p.data.terms.OnDemand);
      const dimensions = terms.flatMap((t) => Object.values(t.priceDimensions)).filter((d) => d.unit === "Hrs");
      if (terms.length !== 1 || dimensions.length !== 1) {
        problems.push(`the price list's PriceList.${i} (${a.instanceType} in ${a.regionCode}): expected one on-demand hourly price, found ${dimensions.length}`);
        return;
      }
      prices.push({ section: "server_types", id: a.instanceType, region: a.regionCode, hourly: dimensions[0]!.pricePerUnit.USD });
      regionsOf.set(a.instanceType, (regionsOf.get(a.instanceType) ?? new Set()).add(a.regionCode));
      const family = a.instanceType.split(".")[0]!;
      const disks = /^(\d+) x ([\d,]+)/.exec(a.storage ?? "");
      const gpus = Number(a.gpu ?? 0);
      specs.set(a.instanceType, {
        vcpu: Number(a.vcpu),
        ram_gb: Number(a.memory.replace(/ GiB$/, "").replace(",", "")),
        disk_gb: disks === null ? 0 : Number(disks[1]) * Number(disks[2]!.replace(",", "")),
        arch: /graviton/i.test(a.physicalProcessor ?? "") ? "arm" : "x86",
        cpu: /^t\d/.test(family) ? "shared" : "dedicated",
        ...(gpus > 0 ? { gpu: { model: GPU_MODELS[family] ?? `${family} GPU`, memory_gb: Number((a.gpuMemory ?? "0").replace(/ GiB$/, "")) / gpus || 0, count: gpus } } : {}),
      });
    });
    if (problems.length > 0) throw new PriceListError(problems);
    const serverTypes: ObservedServerType[] = [...specs].map(([id, spec]) => ({ id, spec, orderable: true, locations: [...(regionsOf.get(id) ?? [])].sort() }));
    const notes = ["EBS volumes, load balancers, NAT gateways, public IPv4 and S3 are not read: they stay as the catalog has them"];
    const asked = new Set([...Object.keys(catalog.server_types), ...AWS_BREADTH]);
    const missing = [...asked].filter((t) => !specs.has(t)).sort();
    if (missing.length > 0) notes.push(`not in the list for the regions asked: ${missing.join(", ")}`);
    return { prices, serverTypes, notes, currency: "USD" };
  },
};
