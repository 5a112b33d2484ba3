/**
 * `aiwc prices refresh hetzner` against a stand-in of the Cloud API's price list (the documented
 * shape, test/fixtures/prices/hcloud-pricing.json) and `aiwc prices check`: a changed price gets
 * a new valid_from entry and the old one stays, a replay changes nothing, a malformed response
 * or a refused token writes nothing, and the catalog stays one aiwc loads and prices with.
 */
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { parseDocument } from "yaml";
import { pricesRefresh } from "../cli/commands/prices";
import { today } from "../config/dates";
import { loadConfig } from "../model/load";
import { PriceBook, isMissing } from "../catalog/prices";
import { catalogDecimal } from "../catalog/refresh";
import { startHcloudStandIn, type HcloudStandIn } from "./stand-ins/hcloud";
import { startAwsPricingStandIn, type AwsPricingStandIn } from "./stand-ins/aws-pricing";
import { money } from "../catalog/money";
import { aiwcCli as aiwc, fixtureConfig, ROOT, tempDir } from "./helpers";
import { ebsComponents } from "../clouds/aws/pricing/ebs";

const BIN = join(ROOT, "bin", "aiwc.cjs");
const FIXTURE = join(ROOT, "test", "fixtures", "prices", "hcloud-pricing.json");
const serverTypes = () => (JSON.parse(readFileSync(join(ROOT, "test", "fixtures", "prices", "hcloud-server-types.json"), "utf8")) as { server_types: unknown[] }).server_types;
const response = () => JSON.parse(readFileSync(FIXTURE, "utf8")) as { pricing: { server_types: { name: string; prices: { location: string; price_monthly: { net: string }; price_hourly: { net: string } }[] }[] } };

/** The CLI without blocking this process (the stand-in answers from it). */
const aiwcAsync = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    execFile(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1", ...env } }, (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, out: stdout, err: stderr }));
  });

/** A config with its own copy of the price catalogs (the refresh writes there). */
function configWithPrices(): { dir: string; catalog: string } {
  const dir = fixtureConfig();
  cpSync(join(ROOT, "config", "prices"), join(dir, "prices"), { recursive: true });
  return { dir, catalog: join(dir, "prices", "hetzner.yaml") };
}

const lookup = (dir: string, id: string, region: string, date: string) => {
  const config = loadConfig(dir);
  const price = new PriceBook(config.catalogs, config.fx, date).lookup({ provider: "hetzner", section: "server_types", id }, { region });
  if (isMissing(price)) throw new Error(price.missing);
  return { monthly: price.monthly.toFixed(2), validFrom: price.validFrom, sources: price.sources };
};

const day = today();

describe("aiwc prices refresh hetzner (Cloud API GET /v1/pricing)", () => {
  let api: HcloudStandIn;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    api = await startHcloudStandIn(response(), serverTypes());
  });
  afterAll(async () => api?.close());
  beforeEach(() => {
    api.body = response();
    api.serverTypes = serverTypes();
    env = { HCLOUD_TOKEN: api.token, HCLOUD_ENDPOINT: api.url };
  });

  test("a changed price gets a new entry valid from today, the old one stays; unchanged ones are confirmed; a replay changes nothing", async () => {
    const { dir, catalog } = configWithPrices();
    const before = readFileSync(catalog, "utf8");
    const result = await pricesRefresh({ provider: "hetzner", config: dir }, env);
    expect(result.exitCode).toBe(0);
    expect(api.requests).toContain("GET /v1/pricing");
    // cpx22 went up everywhere: one new general entry; ccx13 only in the US: one per US location.
    expect(result.stdout).toMatch(/server_types\.cpx22\s+19\.49\s+20\.99\s+\+7\.7 %/);
    expect(result.stdout).toMatch(/server_types\.ccx13\s+ash\s+42\.99\s+47\.49\s+\+10\.5 %/);
    expect(result.stdout).toContain("3 price(s) changed");
    // Specs and availability from GET /v1/server_types, every page: cpx13 is new, cpx22 is now also sold in sin.
    expect(api.requests.filter((r) => r.startsWith("GET /v1/server_types"))).toEqual(["GET /v1/server_types?page=1&per_page=50", "GET /v1/server_types?page=2&per_page=50", "GET /v1/server_types?page=3&per_page=50"]);
    expect(result.stdout).toContain("server_types.cpx13: added from the list — sold in fsn1, nbg1, hel1");
    expect(result.stdout).toContain("server_types.cpx22: now sold in fsn1, nbg1, hel1, sin (was fsn1, nbg1, hel1); orderable");
    expect(result.stdout).toContain("note: load balancer type lb21 is in the price list but not in the catalog's products: not added");
    const after = readFileSync(catalog, "utf8");
    const entries = parseDocument(after).toJS() as { as_of: string; server_types: Record<string, { vcpu?: number; ram_gb?: number; locations?: string[]; orderable?: boolean; prices: { valid_from: string; region?: string; monthly: string; source: string[]; as_of: string; estimate?: string }[] }>; products: Record<string, { prices: { estimate?: string; source: string[]; as_of: string }[] }>; sources: Record<string, { date: string }> };
    expect(entries.as_of).toBe(day);
    expect(entries.sources.API_HCLOUD_PRICING?.date).toBe(day);
    expect(entries.server_types.cpx22!.prices.map((p) => [p.valid_from, p.region, p.monthly])).toEqual([
      [day, undefined, "20.99"],
      ["2026-06-15", undefined, "19.49"],
      ["2026-04-01", undefined, "7.99"],
    ]);
    expect(entries.server_types.ccx13!.prices.filter((p) => p.valid_from === day).map((p) => [p.region, p.monthly])).toEqual([["ash", "47.49"], ["hil", "47.49"]]);
    expect(entries.server_types.cpx22!.locations).toEqual(["fsn1", "nbg1", "hel1", "sin"]);
    expect(entries.server_types.cpx13).toEqual({ vcpu: 2, ram_gb: 4, disk_gb: 40, arch: "x86", cpu: "shared", orderable: true, locations: ["fsn1", "nbg1", "hel1"], prices: [{ valid_from: day, monthly: "9.99", hourly: "0.016", source: ["API_HCLOUD_PRICING"], as_of: day }] });
    // cx23 stays not orderable (the list's deprecation), and in its locations.
    expect(entries.server_types.cx23).toMatchObject({ orderable: false, locations: ["fsn1", "nbg1", "hel1"] });
    // Confirmed: as_of today and the list among its sources; the list's hourly price ends lb11's estimate.
    expect(entries.server_types.cx23!.prices[0]).toMatchObject({ monthly: "5.49", as_of: day });
    expect(entries.server_types.cx23!.prices[0]!.source).toContain("API_HCLOUD_PRICING");
    expect(entries.products.lb11!.prices[0]!.estimate).toBeUndefined();
    // Every line the refresh did not touch is as it was (comments, alignment).
    const untouched = before.split("\n").filter((line) => !/cpx22|ccx13|cx23:|cpx11|cpx51|primary_ipv4|volume_gb|snapshot_gb|backup_percent|traffic_overage_tb|lb11|^as_of|^sources:/.test(line));
    for (const line of untouched) expect(after.split("\n")).toContain(line);
    // Priced with: today the new price, before today the old one (servers created earlier keep it).
    expect(lookup(dir, "ccx13", "ash", day)).toMatchObject({ monthly: "47.49", validFrom: day, sources: ["API_HCLOUD_PRICING"] });
    expect(lookup(dir, "ccx13", "fsn1", day)).toMatchObject({ monthly: "42.99", validFrom: "2026-06-15" });
    expect(lookup(dir, "ccx13", "ash", "2026-11-01")).toMatchObject({ monthly: "42.99" });
    expect(lookup(dir, "cpx22", "sin", day)).toMatchObject({ monthly: "20.99" });
    expect(lookup(dir, "cpx13", "nbg1", day)).toMatchObject({ monthly: "9.99" });
    // The same response again: not a byte changes.
    const again = await pricesRefresh({ provider: "hetzner", config: dir }, env);
    expect(again.stdout).toContain("no price changed");
    expect(again.stdout).toContain("nothing to write");
    expect(readFileSync(catalog, "utf8")).toBe(after);
  });

  test("a second change the same day replaces that day's entry; a later change of another row adds its own", async () => {
    const { dir, catalog } = configWithPrices();
    await pricesRefresh({ provider: "hetzner", config: dir }, env);
    const body = response();
    for (const type of body.pricing.server_types) {
      for (const p of type.prices) {
        if (type.name === "cpx22") p.price_monthly.net = "21.4900000000";
        if (type.name === "cx23") p.price_monthly.net = "5.9900000000";
      }
    }
    api.body = body;
    // cpx11 is no longer sold in hil: the catalog keeps hil (servers there stay priced) and says so.
    api.serverTypes = serverTypes().map((t) => ((t as { name: string }).name === "cpx11" ? { ...(t as object), locations: [{ id: 1, name: "ash", deprecation: null }] } : t));
    const result = await pricesRefresh({ provider: "hetzner", config: dir, format: "json" }, env);
    const json = JSON.parse(result.stdout) as { changes: { row: string; old: string; new: string }[]; written: boolean; notes: string[]; availability: unknown[] };
    expect(json.written).toBe(true);
    expect(json.notes).toContain("server_types.cpx11 is no longer sold in hil: kept there for the servers that run there (set orderable or remove it by hand)");
    expect(json.availability).toEqual([]);
    expect(json.changes.filter((c) => c.row === "server_types.cpx22").map((c) => [c.old, c.new])).toEqual([["20.99", "21.49"]]);
    const entries = parseDocument(readFileSync(catalog, "utf8")).toJS() as { server_types: Record<string, { prices: { valid_from: string; monthly: string }[] }> };
    expect(entries.server_types.cpx22!.prices.map((p) => [p.valid_from, p.monthly])).toEqual([[day, "21.49"], ["2026-06-15", "19.49"], ["2026-04-01", "7.99"]]);
    expect(entries.server_types.cx23!.prices.map((p) => [p.valid_from, p.monthly])).toEqual([[day, "5.99"], ["2026-06-15", "5.49"], ["2026-04-01", "3.99"]]);
    expect((entries.server_types.cpx11 as unknown as { locations: string[] }).locations).toEqual(["ash", "hil"]);
  });

  test("--dry-run prints the changes and writes nothing; --region limits the refresh to one location; --from replays a saved response offline", async () => {
    const { dir, catalog } = configWithPrices();
    const before = readFileSync(catalog, "utf8");
    const dry = await pricesRefresh({ provider: "hetzner", config: dir, dryRun: true }, env);
    expect(dry.stdout).toContain("3 price(s) changed");
    expect(dry.stdout).toContain("dry run: ");
    expect(readFileSync(catalog, "utf8")).toBe(before);
    const fsn1 = await pricesRefresh({ provider: "hetzner", config: dir, region: "fsn1", format: "json" }, env);
    expect((JSON.parse(fsn1.stdout) as { changes: { row: string; region: string }[] }).changes.map((c) => `${c.row} ${c.region}`)).toEqual(["server_types.cpx22 fsn1"]);
    const entries = parseDocument(readFileSync(catalog, "utf8")).toJS() as { server_types: Record<string, { prices: { valid_from: string; region?: string }[] }> };
    expect(entries.server_types.cpx22!.prices[0]).toMatchObject({ valid_from: day, region: "fsn1" });
    // Offline, from a file, through the CLI (no token, no network).
    const { dir: offline, catalog: offlineCatalog } = configWithPrices();
    const cli = aiwc(["prices", "refresh", "hetzner", "--config", offline, "--from", FIXTURE], { HCLOUD_TOKEN: "", HCLOUD_ENDPOINT: "http://127.0.0.1:9/v1" });
    expect(cli.code).toBe(0);
    expect(cli.out).toContain("3 price(s) changed");
    expect(readFileSync(offlineCatalog, "utf8")).not.toBe(before);
  });

  test("a malformed response, another currency or a refused token: one clear error, exit 1, the catalog untouched, the token never printed", async () => {
    const { dir, catalog } = configWithPrices();
    const before = readFileSync(catalog, "utf8");
    const bad = response() as unknown as { pricing: { server_types: { prices: { price_hourly: { net: string } }[] }[]; currency: string } };
    bad.pricing.server_types[0]!.prices[0]!.price_hourly.net = "0,0088";
    api.body = bad;
    await expect(pricesRefresh({ provider: "hetzner", config: dir }, env)).rejects.toThrow(/pricing\.server_types\.0\.prices\.0\.price_hourly\.net: must be a decimal string\n.*hetzner\.yaml was not changed/);
    const usd = response() as unknown as { pricing: { currency: string } };
    usd.pricing.currency = "USD";
    api.body = usd;
    await expect(pricesRefresh({ provider: "hetzner", config: dir }, env)).rejects.toThrow(/the price list is in USD, the catalog .* in EUR/);
    const refused = await aiwcAsync(["prices", "refresh", "hetzner", "--config", dir], { HCLOUD_TOKEN: "wrong-token-abcdef", HCLOUD_ENDPOINT: api.url });
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/refused HCLOUD_TOKEN \(HTTP 401\)/);
    expect(refused.err).not.toMatch(/wrong-token-abcdef|at .*\.js:\d+/);
    expect(readFileSync(catalog, "utf8")).toBe(before);
    const unknown = aiwc(["prices", "refresh", "azure", "--config", dir]);
    expect([unknown.code, unknown.err.trim()]).toEqual([1, 'aiwc: no price list to refresh "azure" from; providers with one: hetzner, aws, ovh']);
  });

  test("prices as the catalogs write them: no exponent, no trailing zeros past two places", () => {
    expect(["5.4900000000", "0.0088000000", "20.0000", "0.0000100000", "1e-7"].map(catalogDecimal)).toEqual(["5.49", "0.0088", "20", "0.00001", "0.0000001"]);
  });
});

describe("aiwc prices refresh ovh (public cloud order catalog)", () => {
  let server: Server;
  let url = "";
  const requests: { url: string; authorization?: string }[] = [];
  beforeAll(async () => {
    const body = readFileSync(join(ROOT, "test", "fixtures", "prices", "ovh-cloud-catalog.json"), "utf8");
    server = createServer((req, res) => {
      requests.push({ url: req.url ?? "", ...(req.headers.authorization !== undefined ? { authorization: req.headers.authorization } : {}) });
      const ok = (req.url ?? "").startsWith("/1.0/order/catalog/public/cloud?ovhSubsidiary=");
      res.writeHead(ok ? 200 : 404, { "content-type": "application/json" });
      res.end(ok ? body : JSON.stringify({ message: "Got an invalid (or empty) URL" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/1.0`;
  });
  afterAll(async () => new Promise<void>((resolve) => server?.close(() => resolve())));

  test("hourly and monthly plans per flavor, no credentials; a figure the list does not state stays derived; local-zone variants are not read", async () => {
    const dir = fixtureConfig();
    cpSync(join(ROOT, "config", "prices"), join(dir, "prices"), { recursive: true });
    const catalog = join(dir, "prices", "ovh.yaml");
    const result = await pricesRefresh({ provider: "ovh", config: dir, format: "json" }, { AIWC_OVH_API: url, AIWC_OVH_SUBSIDIARY: "FR" });
    expect(requests.at(-1)).toEqual({ url: "/1.0/order/catalog/public/cloud?ovhSubsidiary=FR" });
    const json = JSON.parse(result.stdout) as { changes: { row: string; region?: string; old: string; new: string; percent: string }[]; confirmed: string[]; notes: string[] };
    // b3-16's hourly price went up in every region: one change, shown by the figure the list states.
    expect(json.changes).toEqual([{ row: "server_types.b3-16", old: "0.1023", new: "0.107", percent: "4.6" }]);
    expect(json.confirmed).toEqual(expect.arrayContaining(["server_types.d2-4", "server_types.b3-8", "server_types.l4-90", "products.volume_classic_gb"]));
    expect(json.notes).toContain("server_types.a100-180 is in the price list but not in the catalog: not added (its specs are not known here)");
    const entries = parseDocument(readFileSync(catalog, "utf8")).toJS() as { server_types: Record<string, { prices: { valid_from: string; hourly?: string; monthly?: string; derived?: boolean }[] }> };
    expect(entries.server_types["b3-16"]!.prices[0]).toEqual({ valid_from: day, hourly: "0.107", source: ["API_OVH_CLOUD_CATALOG"], as_of: day });
    // b3-8: confirmed by its hourly price (the LZ variant's 0.093 is another product); its monthly stays derived.
    expect(entries.server_types["b3-8"]!.prices[0]).toMatchObject({ hourly: "0.0512", monthly: "37.38", derived: true, as_of: day });
    // Priced with: the hourly price times the catalog's hours per month.
    const config = loadConfig(dir);
    const price = new PriceBook(config.catalogs, config.fx, day).lookup({ provider: "ovh", section: "server_types", id: "b3-16" }, { region: "GRA11" });
    expect(isMissing(price) ? price.missing : price.monthly.toFixed(2)).toBe("78.11");
  });
});

describe("aiwc prices refresh aws (Price List Query API GetProducts, through the SDK)", () => {
  let api: AwsPricingStandIn;
  const products = () => (JSON.parse(readFileSync(join(ROOT, "test", "fixtures", "prices", "aws-price-list.json"), "utf8")) as { items: { serviceCode: string; product: { attributes: Record<string, string> } }[] }).items;
  beforeAll(async () => {
    api = await startAwsPricingStandIn(products());
  });
  afterAll(async () => api?.close());

  test("signed requests per region, every page; changed prices get new regional entries, types the catalog lacks are added with their specs", async () => {
    const dir = fixtureConfig();
    cpSync(join(ROOT, "config", "prices"), join(dir, "prices"), { recursive: true });
    const env = { AWS_ACCESS_KEY_ID: api.accessKeyId, AWS_SECRET_ACCESS_KEY: api.secretAccessKey, AIWC_AWS_PRICING_ENDPOINT: api.url };
    const result = await pricesRefresh({ provider: "aws", config: dir, format: "json" }, env);
    // One query per catalog region (with the instance types as ANY_OF), paged.
    const regions = api.requests.map((r) => r.filters.find((f) => f.Field === "regionCode")?.Value);
    expect([...new Set(regions)]).toEqual(["eu-central-1", "us-east-1"]);
    expect(api.requests.some((r) => r.nextToken !== undefined)).toBe(true);
    const types = api.requests[0]!.filters.find((f) => f.Field === "instanceType")!;
    expect(types.Type).toBe("ANY_OF");
    expect(types.Value.split(",")).toEqual(expect.arrayContaining(["t3.small", "m6i.4xlarge", "c7i.large", "r6i.xlarge", "g6.8xlarge", "t3a.medium"]));
    const json = JSON.parse(result.stdout) as { changes: { row: string; region?: string; old: string; new: string }[]; availability: { row: string; added: boolean; after: string[] }[]; confirmed: string[] };
    expect(json.changes.filter((c) => c.row.startsWith("server_types."))).toEqual([{ row: "server_types.g6.xlarge", region: "eu-central-1", old: "1.0064", new: "0.9775", percent: "-2.9" }]);
    expect(json.confirmed).toEqual(expect.arrayContaining(["server_types.t3.small", "server_types.m5.large"]));
    expect(json.availability.filter((a) => a.added && a.row.startsWith("server_types.")).map((a) => [a.row, a.after])).toEqual([["server_types.m5.2xlarge", ["eu-central-1", "us-east-1"]], ["server_types.g5.2xlarge", ["us-east-1"]]]);
    const entries = parseDocument(readFileSync(join(dir, "prices", "aws.yaml"), "utf8")).toJS() as { server_types: Record<string, unknown> };
    expect(entries.server_types["g5.2xlarge"]).toEqual({ vcpu: 8, ram_gb: 32, disk_gb: 450, arch: "x86", cpu: "dedicated", orderable: true, gpu: { model: "NVIDIA A10G", memory_gb: 24, count: 1 }, locations: ["us-east-1"], prices: [{ valid_from: day, hourly: "1.212", source: ["API_AWS_PRICE_LIST"], as_of: day }] });
    expect((entries.server_types["m5.2xlarge"] as { prices: unknown[] }).prices).toEqual([
      { valid_from: day, region: "eu-central-1", hourly: "0.46", source: ["API_AWS_PRICE_LIST"], as_of: day },
      { valid_from: day, region: "us-east-1", hourly: "0.384", source: ["API_AWS_PRICE_LIST"], as_of: day },
    ]);
    // The catalog loads and prices the new type (USD through fx.yaml).
    const config = loadConfig(dir);
    const price = new PriceBook(config.catalogs, config.fx, day).lookup({ provider: "aws", section: "server_types", id: "m5.2xlarge" }, { region: "us-east-1" });
    expect(isMissing(price) ? price.missing : price.hourly!.toFixed(3)).toBe(money("0.384").dividedBy(config.fx.rates.USD!.per_eur).toFixed(3));
  });

  test("EBS, NAT, load balancers, public IPv4 and S3 from their services' products; rows the catalog lacks are added with their unit", async () => {
    const dir = fixtureConfig();
    cpSync(join(ROOT, "config", "prices"), join(dir, "prices"), { recursive: true });
    const env = { AWS_ACCESS_KEY_ID: api.accessKeyId, AWS_SECRET_ACCESS_KEY: api.secretAccessKey, AIWC_AWS_PRICING_ENDPOINT: api.url };
    const asked = api.requests.length;
    const result = await pricesRefresh({ provider: "aws", config: dir, format: "json", region: "us-east-1" }, env);
    const services = api.requests.slice(asked).map((r) => r.filters.map((f) => `${f.Field}=${f.Value}`).join(" "));
    expect(services.filter((s) => s.includes("volumeApiName=gp2,gp3,io2,st1")).length).toBeGreaterThan(0);
    expect(services.some((s) => s.includes("group=VPCPublicIPv4Address"))).toBe(true);
    const json = JSON.parse(result.stdout) as { changes: { row: string; region?: string; old: string | null; new: string }[]; availability: { row: string; added: boolean; after: string[] }[]; confirmed: string[] };
    // Already as the catalog has them: confirmed (the NLB's us-east-1 rate is no estimate any more).
    expect(json.confirmed).toEqual(expect.arrayContaining(["products.ebs_gp3_gb", "products.ebs_gp3_throughput", "products.nat_gateway", "products.nat_gateway_gb", "products.alb", "products.alb_lcu", "products.nlb", "products.nlb_nlcu", "products.public_ipv4", "products.s3_standard_gb"]));
    expect(json.changes.filter((c) => c.row.startsWith("products."))).toEqual([]);
    expect(json.availability.filter((a) => a.row.startsWith("products.")).map((a) => a.row)).toEqual(["products.ebs_gp2_gb", "products.ebs_io2_gb", "products.ebs_st1_gb", "products.ebs_io2_iops", "products.ebs_io2_iops_tier2", "products.ebs_io2_iops_tier3"]);
    const catalog = parseDocument(readFileSync(join(dir, "prices", "aws.yaml"), "utf8")).toJS() as { products: Record<string, { unit: string; prices: Record<string, unknown>[] }> };
    expect(catalog.products.ebs_io2_iops_tier2).toEqual({ unit: "IOPS-month 32,001-64,000", prices: [{ valid_from: day, region: "us-east-1", monthly: "0.0455", source: ["API_AWS_PRICE_LIST"], as_of: day }] });
    expect(catalog.products.nlb!.prices.find((p) => p.region === "us-east-1")).not.toHaveProperty("estimate");
    expect(catalog.products.s3_standard_gb!.prices.find((p) => p.region === "us-east-1")).toMatchObject({ monthly: "0.023", as_of: day });

    // Then eu-central-1: prices the catalog had only for us-east-1 get their own entry; the
    // list's throughput (per GiB/s-month) is the catalog's per MB/s-month.
    const second = JSON.parse((await pricesRefresh({ provider: "aws", config: dir, format: "json", region: "eu-central-1" }, env)).stdout) as typeof json;
    expect(second.changes.filter((c) => c.row.startsWith("products.")).map((c) => [c.row, c.region, c.old, c.new])).toEqual([
      ["products.ebs_gp3_iops", "eu-central-1", null, "0.006"],
      ["products.ebs_gp3_throughput", "eu-central-1", null, "0.048"],
      ["products.alb_lcu", "eu-central-1", null, "0.008"],
      ["products.nlb_nlcu", "eu-central-1", null, "0.006"],
    ]);
    // An io2 volume is priced per GB and per IOPS tier.
    const config = loadConfig(dir);
    const book = new PriceBook(config.catalogs, config.fx, day);
    const components = ebsComponents("Data", "io2", 100, 40_000);
    expect(components.map((c) => [c.price.id, c.quantity?.toFixed()])).toEqual([["ebs_io2_gb", "100"], ["ebs_io2_iops", "32000"], ["ebs_io2_iops_tier2", "8000"]]);
    const usd = components.map((c) => {
      const price = book.lookup(c.price, { region: "us-east-1" });
      return isMissing(price) ? price.missing : price.monthly.times(config.fx.rates.USD!.per_eur).times(c.quantity!).toFixed(2);
    });
    expect(usd).toEqual(["12.50", "2080.00", "364.00"]);
  });

  test("a malformed product (two prices where one is expected) writes nothing", async () => {
    const dir = fixtureConfig();
    cpSync(join(ROOT, "config", "prices"), join(dir, "prices"), { recursive: true });
    const before = readFileSync(join(dir, "prices", "aws.yaml"), "utf8");
    const saved = join(tempDir(), "list.json");
    const items = products().map((p) => JSON.parse(JSON.stringify(p)) as { product: { attributes: Record<string, string> }; terms: { OnDemand: Record<string, { priceDimensions: Record<string, { beginRange: string }> }> } });
    const nat = items.find((p) => p.product.attributes.usagetype === "EUC1-NatGateway-Hours")!;
    const term = Object.values(nat.terms.OnDemand)[0]!;
    term.priceDimensions.second = { ...Object.values(term.priceDimensions)[0]!, beginRange: "0" };
    writeFileSync(saved, JSON.stringify({ PriceList: items }));
    await expect(pricesRefresh({ provider: "aws", config: dir, from: saved }, {})).rejects.toThrow(/nat_gateway in eu-central-1\): expected a region and one on-demand price per Hrs, found 2/);
    expect(readFileSync(join(dir, "prices", "aws.yaml"), "utf8")).toBe(before);
  });

  test("without credentials, or with ones the API refuses: one message, exit 1, nothing written, no key printed", async () => {
    const dir = fixtureConfig();
    cpSync(join(ROOT, "config", "prices"), join(dir, "prices"), { recursive: true });
    const before = readFileSync(join(dir, "prices", "aws.yaml"), "utf8");
    await expect(pricesRefresh({ provider: "aws", config: dir }, { AIWC_AWS_PRICING_ENDPOINT: api.url })).rejects.toThrow(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set/);
    const refused = await aiwcAsync(["prices", "refresh", "aws", "--config", dir], { AWS_ACCESS_KEY_ID: "AKIAWRONG00000000000", AWS_SECRET_ACCESS_KEY: "wrong-secret-0123456789", AIWC_AWS_PRICING_ENDPOINT: api.url });
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/the AWS Price List API refused or failed \(HTTP 400\): UnrecognizedClientException/);
    expect(refused.err).not.toMatch(/AKIAWRONG|wrong-secret|at .*\.js:\d+/);
    expect(readFileSync(join(dir, "prices", "aws.yaml"), "utf8")).toBe(before);
  });
});

describe("aiwc prices check", () => {
  test("every price with its age and what uses it; exit 2 when one in use is older than policy.maxCatalogAgeDays, 0 when none is", () => {
    // A one-day policy: every price in use was confirmed before today.
    const strict = fixtureConfig({ cluster: (d) => d.setIn(["policy", "maxCatalogAgeDays"], 1) });
    const { code, out, err } = aiwc(["prices", "check", "--format", "json", "--config", strict]);
    const json = JSON.parse(out) as { date: string; maxCatalogAgeDays: number; failed: boolean; rows: { key: string; region: string | null; asOf: string; ageDays: number; usedBy: string[]; stale: boolean }[] };
    const storage = json.rows.find((r) => r.key === "hetzner.products.object_storage_base")!;
    expect(storage.ageDays).toBe(Math.round((Date.parse(`${json.date}T00:00:00Z`) - Date.parse(`${storage.asOf}T00:00:00Z`)) / 86_400_000));
    expect(storage.usedBy.length).toBeGreaterThan(0);
    expect(storage.stale).toBe(true);
    expect(code).toBe(2);
    expect(err).toContain(`hetzner.products.object_storage_base was last confirmed ${storage.asOf}`);
    // A row nothing uses is listed, never stale.
    expect(json.rows.find((r) => r.key === "ovh.products.lb_l")).toMatchObject({ usedBy: [], stale: false });
    const lenient = fixtureConfig({ cluster: (d) => d.setIn(["policy", "maxCatalogAgeDays"], 100_000) });
    const ok = aiwc(["prices", "check", "--config", lenient]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^price\s+region\s+monthly/);
    expect(ok.out).toContain("every price in use was confirmed within 100000 days");
    expect(ok.err).toBe("");
  });
});
