/**
 * Pricing throughput: a generated Terraform JSON configuration with 10,000 and 100,000
 * resources (servers, volumes, IPs, dedicated hosts, AWS instances, free network resources),
 * priced end to end as `aiwc cost --plan` does (aiwc's file reader, JSON.parse, one pass that
 * reads and prices each resource) and compared in the same process with a plain
 * `JSON.parse(readFileSync(file, "utf8"))` of the same file — and with JSON.parse after aiwc's
 * own (Latin-1) read. Targets: ≥ 100,000 resources/s, ≤ 2× the parse time (issue #3), ≤ 1.5×
 * (issue #12). `--cold` times each section once per fresh process instead (modules and config
 * loaded first, the pricing code not yet optimized), as one `aiwc cost --plan` run is. `--plan`
 * prices the same resources as a `terraform show -json` plan instead (planned values, resource
 * changes and the configuration's provider keys: about six times the bytes per resource).
 * `--distinct` gives every volume its own size, so each is a kind of resource the pricing has
 * not seen (a classification, a price component), instead of 125 sizes in all.
 *
 *   npm run bench:pricing                    # 10k and 100k, warm, in one process
 *   npm run bench:pricing -- 50000           # other sizes
 *   npm run bench:pricing -- --cold          # one section per fresh process
 *   npm run bench:pricing -- --plan          # plans instead of configurations (with --cold too)
 *   npm run bench:pricing -- --distinct      # every volume a size of its own
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { PerformanceObserver } from "node:perf_hooks";
import { loadConfig } from "../model/load";
import { estimateEach } from "../cost/engine";
import { documentsSource } from "../cost/input";
import { PriceBook } from "../catalog/prices";
import { readJsonFile } from "../cli/input-files";

const ROOT = resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);

// Each timed section starts on a collected heap, so neither pays for the garbage the one
// before it left (a major GC landing in a 30 ms section doubled it at random).
setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;

/** A configuration shaped like aiwc's stacks: every resource gets labels, most are priced. */
function generate(count: number, distinct = false): string {
  const resource: Record<string, Record<string, unknown>> = {};
  const add = (type: string, name: string, body: unknown) => ((resource[type] ??= {})[name] = body);
  const types = ["cpx12", "cpx22", "cpx42", "ccx13"];
  for (let i = 0; i < count; i++) {
    const labels = { "aiwc/cluster": "bench", "aiwc/group": `group-${i % 7}`, "aiwc/user": `user${i % 1000}` };
    const name = `r${i}`;
    switch (i % 8) {
      case 0:
      case 1:
      case 2:
        add("hcloud_server", name, { "//": { metadata: { path: `users/${name}/Server` } }, name, server_type: types[i % types.length], image: "ubuntu-24.04", location: "fsn1", labels, public_net: [{ ipv4_enabled: false, ipv6_enabled: false }], network: [{ network_id: "${hcloud_network.n.id}" }] });
        break;
      case 3:
        add("hcloud_volume", name, { name, size: 20 + (distinct ? i : i % 500), location: "fsn1", labels });
        break;
      case 4:
        add("hcloud_primary_ip", name, { name, type: "ipv4", location: "fsn1", assignee_type: "server", auto_delete: false, labels });
        break;
      case 5:
        add("terraform_data", name, { input: { aiwc_kind: "dedicated_server", product: "GEX44-1", labels } });
        break;
      case 6:
        add("aws_instance", name, { ami: "ami-0a1b2c3d4e5f67890", instance_type: "m5.large", root_block_device: { volume_size: 40, volume_type: "gp3" }, tags: labels });
        break;
      default:
        add("hcloud_firewall", name, { name, labels, rule: [{ direction: "in", protocol: "tcp", port: "22", source_ips: ["10.0.0.0/8"] }] });
    }
  }
  return JSON.stringify({ provider: { aws: [{ region: "eu-central-1" }], hcloud: [{}] }, resource });
}

/**
 * The same resources as a plan (`terraform show -json`): each in the planned values (with the
 * attributes a provider reports back), as a no-op change (before and after), and in the
 * configuration with its provider key — what aiwc reads a plan's regions from.
 */
function generatePlan(count: number, distinct = false): string {
  const configuration = JSON.parse(generate(count, distinct)) as { resource: Record<string, Record<string, Record<string, unknown>>> };
  const resources: unknown[] = [];
  const changes: unknown[] = [];
  const configured: unknown[] = [];
  for (const [type, byName] of Object.entries(configuration.resource)) {
    const provider = type === "terraform_data" ? "terraform" : type.split("_")[0]!;
    for (const [name, body] of Object.entries(byName)) {
      const { "//": _metadata, ...values } = body;
      const address = `${type}.${name}`;
      const reported = { ...values, id: String(resources.length + 1) };
      resources.push({ address, mode: "managed", type, name, provider_name: `registry.terraform.io/x/${provider}`, schema_version: 0, values: reported, sensitive_values: {} });
      changes.push({ address, mode: "managed", type, name, provider_name: `registry.terraform.io/x/${provider}`, change: { actions: ["no-op"], before: reported, after: reported, after_unknown: {}, before_sensitive: {}, after_sensitive: {} } });
      configured.push({ address, mode: "managed", type, name, provider_config_key: provider, expressions: {}, schema_version: 0 });
    }
  }
  const provider_config = { aws: { name: "aws", expressions: { region: { constant_value: "eu-central-1" } } }, hcloud: { name: "hcloud" } };
  return JSON.stringify({ format_version: "1.2", terraform_version: "1.11.0", planned_values: { root_module: { resources } }, resource_changes: changes, configuration: { provider_config, root_module: { resources: configured } } });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const config = loadConfig(join(ROOT, "config"));

/**
 * What `aiwc cost --plan <file>` does: its reader, JSON.parse, then one pass that reads and
 * prices each resource (cost/report.ts reportForDocuments).
 */
function priceFile(file: string): { total: string; resources: number } {
  const book = new PriceBook(config.catalogs, config.fx, "2026-11-27");
  const result = estimateEach(documentsSource([{ name: "bench", json: readJsonFile(file, "a Terraform JSON file") }]), book);
  return { total: result.totalMonthly.toFixed(2), resources: result.resources.length };
}

// Garbage collections as V8 reports them, to say how much of a section was GC.
const collections: { start: number; duration: number }[] = [];
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) collections.push({ start: entry.startTime, duration: entry.duration });
});
observer.observe({ entryTypes: ["gc"] });
const gcWithin = (from: number, to: number) => collections.filter((c) => c.start >= from && c.start < to).reduce((sum, c) => sum + c.duration, 0);

/**
 * One timed section. A function, so nothing it made outlives it: a block-scoped result in the
 * run loop stays reachable until the next run assigns it, and would sit in the next run's heap
 * (before 2026-11-29 the previous run's ~50 MB did, in every section: a grown heap that spared
 * the pricing a major GC a fresh process pays).
 */
function timed(section: () => unknown): { ms: number; from: number; to: number } {
  collect();
  const from = performance.now();
  section();
  const to = performance.now();
  return { ms: to - from, from, to };
}

const SECTIONS = {
  utf8: (file: string) => JSON.parse(readFileSync(file, "utf8")) as unknown,
  // The same parse after aiwc's own read (ASCII copied as Latin-1, not decoded).
  latin1: (file: string) => JSON.parse(readFileSync(file).toString("latin1")) as unknown,
  price: (file: string) => priceFile(file),
};
type Section = keyof typeof SECTIONS;

/** A generated document in a temporary file for `use`, removed afterwards. */
async function inTempFile(text: string, use: (file: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "aiwc-bench-pricing-"));
  try {
    const file = join(dir, "cdk.tf.json");
    writeFileSync(file, text);
    await use(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `--cold`: each section timed once in a fresh process of this script (AIWC_BENCH_SECTION). */
async function cold(sizes: number[], document: (count: number) => string, kind: string): Promise<void> {
  console.log(`node ${process.version}, ${kind}, one timed section per fresh process (modules and config loaded first), ${RUNS} processes each, median\n`);
  console.log("| resources | JSON.parse (utf8 read) | JSON.parse (aiwc's read) | pricing | pricing ÷ parse | pricing ÷ parse after aiwc's read |");
  console.log("|---:|---:|---:|---:|---:|---:|");
  for (const count of sizes) {
    await inTempFile(document(count), async (file) => {
      const times: Record<Section, number[]> = { utf8: [], latin1: [], price: [] };
      for (let run = 0; run < RUNS; run++) {
        for (const section of Object.keys(times) as Section[]) {
          const child = spawnSync(process.execPath, [...process.execArgv, __filename], { env: { ...process.env, AIWC_BENCH_SECTION: section, AIWC_BENCH_FILE: file }, encoding: "utf8" });
          if (child.status !== 0) throw new Error(`section ${section} failed: ${child.stderr}`);
          times[section].push(Number(child.stdout.trim()));
        }
      }
      const [p, fp, pr] = [median(times.utf8), median(times.latin1), median(times.price)];
      console.log(`| ${count.toLocaleString("en")} | ${p.toFixed(0)} ms | ${fp.toFixed(0)} ms | ${pr.toFixed(0)} ms | ${(pr / p).toFixed(2)}× | ${(pr / fp).toFixed(2)}× |`);
    });
  }
}

async function main(): Promise<void> {
  const child = process.env.AIWC_BENCH_SECTION as Section | undefined;
  if (child !== undefined) {
    // One section, once, in this fresh process: its time on stdout.
    const started = performance.now();
    SECTIONS[child](process.env.AIWC_BENCH_FILE!);
    console.log((performance.now() - started).toFixed(1));
    return;
  }
  const args = process.argv.slice(2);
  const sizes = args.filter((a) => !a.startsWith("--")).map(Number);
  const [plan, distinct] = [args.includes("--plan"), args.includes("--distinct")];
  const document = (count: number) => (plan ? generatePlan : generate)(count, distinct);
  const kind = `${plan ? "plans" : "configurations"}${distinct ? " (every volume a size of its own)" : ""}`;
  if (args.includes("--cold")) return cold(sizes.length > 0 ? sizes : [10_000, 100_000], document, kind);
  console.log(`node ${process.version}, ${kind}, ${WARMUP} warm-up and ${RUNS} measured runs each, median\n`);
  console.log("| resources | file | JSON.parse (utf8 read) | JSON.parse (aiwc's read) | pricing (aiwc's read + parse + price) | GC in parse (aiwc's read) | GC in pricing | resources/s | pricing ÷ parse | pricing ÷ parse after aiwc's read | total |");
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const count of sizes.length > 0 ? sizes : [10_000, 100_000]) {
    await inTempFile(document(count), async (file) => {
      const size = readFileSync(file).length;
      const parse: number[] = [];
      const fastParse: number[] = [];
      const price: number[] = [];
      const windows: { parse: { from: number; to: number }; price: { from: number; to: number } }[] = [];
      let total = "";
      // The first runs compile and optimize the pricing code (JSON.parse is native): not measured.
      const sections = [
        () => SECTIONS.utf8(file),
        () => SECTIONS.latin1(file),
        () => {
          const result = SECTIONS.price(file);
          total = result.total;
          if (result.resources !== count) throw new Error(`priced ${result.resources} of ${count}`);
        },
      ];
      for (let run = 0; run < WARMUP + RUNS; run++) {
        // Each section comes first, second and third in turn: V8 sizes the heap after a full
        // GC from what came before, and a fixed order gave one parse ~15 % more GC than the other.
        const times: { ms: number; from: number; to: number }[] = [];
        for (let k = 0; k < sections.length; k++) {
          const index = (run + k) % sections.length;
          times[index] = timed(sections[index]!);
        }
        const [utf8, latin1, priced] = times as [(typeof times)[0], (typeof times)[0], (typeof times)[0]];
        if (run < WARMUP) continue;
        parse.push(utf8.ms);
        fastParse.push(latin1.ms);
        price.push(priced.ms);
        windows.push({ parse: latin1, price: priced });
      }
      // Observer entries arrive asynchronously: wait for them before reading the GC columns.
      await new Promise((done) => setTimeout(done, 50));
      const parseGc = windows.map((w) => gcWithin(w.parse.from, w.parse.to));
      const priceGc = windows.map((w) => gcWithin(w.price.from, w.price.to));
      const p = median(parse);
      const fp = median(fastParse);
      const pr = median(price);
      console.log(
        `| ${count.toLocaleString("en")} | ${(size / 1048576).toFixed(1)} MB | ${p.toFixed(0)} ms | ${fp.toFixed(0)} ms | ${pr.toFixed(0)} ms | ${median(parseGc).toFixed(0)} ms | ${median(priceGc).toFixed(0)} ms | ${Math.round(count / (pr / 1000)).toLocaleString("en")} | ${(pr / p).toFixed(2)}× | ${(pr / fp).toFixed(2)}× | ${total} € |`,
      );
    });
  }
}

void main().finally(() => observer.disconnect());
