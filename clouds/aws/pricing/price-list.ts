/**
 * AWS's own price list for `aiwc prices refresh aws`: the Price List Query API's GetProducts
 * (`@aws-sdk/client-pricing`, signed with the environment's AWS credentials — any IAM
 * principal allowed `pricing:GetProducts`), service AmazonEC2, on-demand Linux with shared
 * tenancy and no pre-installed software, for the catalog's regions and the instance types of
 * the catalog and of the families aiwc places nodes on (t3/t3a, m5/m6i/m7i, c6i/c7i, r6i up to
 * 4xlarge, g5/g6 up to 8xlarge). A type the catalog lacks is added with its specs from the
 * list. Besides instances, per region: EBS volumes (AmazonEC2 Storage, System Operation and
 * Provisioned Throughput for gp2/gp3/io2/st1), NAT gateways (AmazonEC2), application and
 * network load balancers with their capacity units (AWSELB), in-use public IPv4 addresses
 * (AmazonVPC) and S3 Standard storage (AmazonS3, the first tier). Internet egress is
 * tiered across services and stays hand-kept.
 */
import { z } from "zod";
import { money } from "../../../catalog/money";
import type { Catalog } from "../../../catalog/catalog";
import { catalogDecimal, PriceListError, type Observation, type ObservedPrice, type ObservedServerType, type PriceList, type PriceListOptions } from "../../../catalog/refresh";

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
const dimension = z.object({ unit: z.string(), beginRange: z.string().optional(), pricePerUnit: z.object({ USD: decimal }) });
const onDemand = z.object({ OnDemand: z.record(z.string(), z.object({ priceDimensions: z.record(z.string(), dimension) })) });
/** Any product of the list: what tells instances and the other rows apart. */
const anyProduct = z.object({
  serviceCode: z.string().optional(),
  product: z.object({ productFamily: z.string().optional(), attributes: z.record(z.string(), z.string()) }),
  terms: onDemand,
});
const instance = z.object({
  product: z.object({
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
});
/** GetProducts' answer (pages merged): PriceList items as JSON strings, or already parsed in a saved file. */
const responseSchema = z.object({ PriceList: z.array(z.union([z.string(), z.record(z.string(), z.unknown())])) });

/** The catalog's `products:` rows the list states, by service and usage type (without its region prefix). */
interface ProductRow {
  readonly service: string;
  readonly usage: RegExp;
  /** For usage types two product families share (the load balancers). */
  readonly family?: string;
  readonly attribute?: readonly [string, string];
  readonly id: (match: RegExpExecArray) => string;
  /** The catalog's unit for the row (a row the catalog lacks is added with it). */
  readonly unit: (match: RegExpExecArray) => string;
  readonly rate: "hourly" | "monthly";
  /** Accepted units, each with what the list's price is divided by to give the catalog's unit. */
  readonly units: Readonly<Record<string, number>>;
}
/** io2's IOPS tiers (EBS pricing): the usage type's suffix, the catalog unit. */
const IO2_TIER_UNITS: Readonly<Record<string, string>> = { tier1: "IOPS-month up to 32,000", tier2: "IOPS-month 32,001-64,000", tier3: "IOPS-month above 64,000" };
const PRODUCT_ROWS: readonly ProductRow[] = [
  { service: "AmazonEC2", usage: /^EBS:VolumeUsage\.(gp2|gp3|io2|st1)$/, id: (m) => `ebs_${m[1]}_gb`, unit: () => "GB-month", rate: "monthly", units: { "GB-Mo": 1, "GB-month": 1 } },
  { service: "AmazonEC2", usage: /^EBS:VolumeP-IOPS\.gp3$/, id: () => "ebs_gp3_iops", unit: () => "IOPS-month above 3,000", rate: "monthly", units: { "IOPS-Mo": 1 } },
  // io2 IOPS are tiered by usage type: up to 32,000, 32,001-64,000, above 64,000.
  { service: "AmazonEC2", usage: /^EBS:VolumeP-IOPS\.io2(?:\.(tier2|tier3))?$/, id: (m) => `ebs_io2_iops${m[1] !== undefined ? `_${m[1]}` : ""}`, unit: (m) => IO2_TIER_UNITS[m[1] ?? "tier1"]!, rate: "monthly", units: { "IOPS-Mo": 1 } },
  // The list states gp3 throughput per GiB/s-month (0.04 $/MiB/s-month reads 40.96); the catalog is per MB/s-month.
  { service: "AmazonEC2", usage: /^EBS:VolumeP-Throughput\.gp3$/, id: () => "ebs_gp3_throughput", unit: () => "MB/s-month above 125", rate: "monthly", units: { "GiBps-mo": 1024, "MiBps-mo": 1 } },
  { service: "AmazonEC2", usage: /^NatGateway-Hours$/, id: () => "nat_gateway", unit: () => "hours", rate: "hourly", units: { Hrs: 1 } },
  { service: "AmazonEC2", usage: /^NatGateway-Bytes$/, id: () => "nat_gateway_gb", unit: () => "GB processed", rate: "monthly", units: { GB: 1 } },
  { service: "AWSELB", family: "Load Balancer-Application", usage: /^LoadBalancerUsage$/, id: () => "alb", unit: () => "hours", rate: "hourly", units: { Hrs: 1 } },
  { service: "AWSELB", family: "Load Balancer-Application", usage: /^LCUUsage$/, id: () => "alb_lcu", unit: () => "LCU-hours", rate: "monthly", units: { "LCU-Hrs": 1 } },
  { service: "AWSELB", family: "Load Balancer-Network", usage: /^LoadBalancerUsage$/, id: () => "nlb", unit: () => "hours", rate: "hourly", units: { Hrs: 1 } },
  { service: "AWSELB", family: "Load Balancer-Network", usage: /^LCUUsage$/, id: () => "nlb_nlcu", unit: () => "NLCU-hours", rate: "monthly", units: { "LCU-Hrs": 1, "NLCU-Hrs": 1 } },
  { service: "AmazonVPC", usage: /^PublicIPv4:InUseAddress$/, id: () => "public_ipv4", unit: () => "hours", rate: "hourly", units: { Hrs: 1 } },
  { service: "AmazonS3", usage: /^TimedStorage-ByteHrs$/, attribute: ["volumeType", "Standard"], id: () => "s3_standard_gb", unit: () => "GB-month", rate: "monthly", units: { "GB-Mo": 1 } },
];

/** The queries besides the instances', per region: service and filters. */
const PRODUCT_QUERIES: readonly { service: string; filters: readonly (readonly [type: "TERM_MATCH" | "ANY_OF", field: string, value: string])[] }[] = [
  { service: "AmazonEC2", filters: [["ANY_OF", "productFamily", "Storage,System Operation,Provisioned Throughput"], ["ANY_OF", "volumeApiName", "gp2,gp3,io2,st1"]] },
  { service: "AmazonEC2", filters: [["TERM_MATCH", "productFamily", "NAT Gateway"]] },
  { service: "AWSELB", filters: [["ANY_OF", "productFamily", "Load Balancer-Application,Load Balancer-Network"]] },
  { service: "AmazonVPC", filters: [["TERM_MATCH", "group", "VPCPublicIPv4Address"]] },
  { service: "AmazonS3", filters: [["TERM_MATCH", "productFamily", "Storage"], ["TERM_MATCH", "volumeType", "Standard"]] },
];

/** A usage type without its region prefix ("EUC1-", "EU-", none in us-east-1). */
export const usageWithoutRegion = (usage: string) => usage.replace(/^[A-Z]{2,4}\d?-(?=[A-Za-z])/, "");

/** A list item's schema problems, each naming where in the list it is. */
const itemIssues = (i: number, error: z.ZodError) => error.issues.map((issue) => `the price list's PriceList.${i}.${issue.path.join(".")}: ${issue.message}`);

type Dimension = z.output<typeof dimension>;

/** A product that is not an instance: the catalog's `products:` row it prices, if it is one (added to `prices`). */
function observeProduct(item: z.output<typeof anyProduct>, i: number, dimensions: readonly Dimension[], prices: ObservedPrice[], problems: string[]): void {
  const attributes = item.product.attributes;
  const regionCode = attributes.regionCode;
  const service = item.serviceCode ?? attributes.servicecode;
  const usage = usageWithoutRegion(attributes.usagetype ?? "");
  for (const row of PRODUCT_ROWS) {
    const match = row.usage.exec(usage);
    if (match === null || row.service !== service || (row.family !== undefined && row.family !== item.product.productFamily)) continue;
    if (row.attribute !== undefined && attributes[row.attribute[0]] !== row.attribute[1]) continue;
    const id = row.id(match);
    // Tiered prices (S3): the first tier.
    const usable = dimensions.filter((d) => row.units[d.unit] !== undefined && (d.beginRange ?? "0") === "0");
    if (regionCode === undefined || usable.length !== 1) {
      problems.push(`the price list's PriceList.${i} (${id}${regionCode !== undefined ? ` in ${regionCode}` : ""}): expected a region and one on-demand price per ${Object.keys(row.units).join(" or ")}, found ${usable.length}`);
      return;
    }
    const figure = catalogDecimal(money(usable[0]!.pricePerUnit.USD).dividedBy(row.units[usable[0]!.unit]!));
    const seen = prices.find((o) => o.section === "products" && o.id === id && o.region === regionCode);
    if (seen !== undefined && seen[row.rate] !== figure) problems.push(`the price list's PriceList.${i} (${id} in ${regionCode}): a second price, ${figure} besides ${seen[row.rate]}`);
    if (seen === undefined) prices.push({ section: "products", id, region: regionCode, [row.rate]: figure, unit: row.unit(match) });
    return;
  }
}

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
        const queries = [
          { service: "AmazonEC2", filters: [...filters, { Type: "ANY_OF" as const, Field: "instanceType", Value: types.join(",") }] },
          ...PRODUCT_QUERIES.map((q) => ({ service: q.service, filters: [{ Type: "TERM_MATCH" as const, Field: "regionCode", Value: region }, ...q.filters.map(([Type, Field, Value]) => ({ Type, Field, Value }))] })),
        ];
        for (const query of queries) {
          const pages = paginateGetProducts({ client, pageSize: 100 }, { ServiceCode: query.service, FormatVersion: "aws_v1", Filters: query.filters });
          // The SDK hands each product over as a (lazy) JSON string object.
          for await (const page of pages) items.push(...(page.PriceList ?? []).map((p: unknown) => (typeof p === "object" && p !== null && !(p instanceof String) ? JSON.stringify(p) : String(p))));
        }
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
      const any = anyProduct.safeParse(item);
      if (!any.success) {
        problems.push(...itemIssues(i, any.error));
        return;
      }
      const attributes = any.data.product.attributes;
      if (options.region !== undefined && attributes.regionCode !== options.region) return;
      const dimensions = Object.values(any.data.terms.OnDemand).flatMap((t) => Object.values(t.priceDimensions));
      if (attributes.instanceType === undefined) {
        // Not an instance: one of the products rows, or a product aiwc does not price.
        observeProduct(any.data, i, dimensions, prices, problems);
        return;
      }
      const p = instance.safeParse(item);
      if (!p.success) {
        problems.push(...itemIssues(i, p.error));
        return;
      }
      const a = p.data.product.attributes;
      const terms = Object.values(any.data.terms.OnDemand);
      const hourly = dimensions.filter((d) => d.unit === "Hrs");
      if (terms.length !== 1 || hourly.length !== 1) {
        problems.push(`the price list's PriceList.${i} (${a.instanceType} in ${a.regionCode}): expected one on-demand hourly price, found ${hourly.length}`);
        return;
      }
      prices.push({ section: "server_types", id: a.instanceType, region: a.regionCode, hourly: hourly[0]!.pricePerUnit.USD });
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
    const notes = ["internet egress (tiered across services) is not read: it stays as the catalog has it"];
    const asked = new Set([...Object.keys(catalog.server_types), ...AWS_BREADTH]);
    const missing = [...asked].filter((t) => !specs.has(t)).sort();
    if (missing.length > 0) notes.push(`not in the list for the regions asked: ${missing.join(", ")}`);
    return { prices, serverTypes, notes, currency: "USD" };
  },
};
