/**
 * Pricing throughput: a generated Terraform JSON configuration with 10,000 and 100,000
 * resources (servers, volumes, IPs, dedicated hosts, AWS instances, free network resources),
 * priced end to end as `aiwc cost --plan` does (aiwc's file reader, JSON.parse, instances,
 * estimate) and compared in the same run with a plain `JSON.parse(readFileSync(file, "utf8"))`
 * of the same file — and, stricter, with JSON.parse after aiwc's own (Latin-1) read. Targets (issue #3): ≥ 100,000 resources/s and
 * ≤ 2× the parse time.
 *
 *   npm run bench:pricing            # 10k and 100k
 *   npm run bench:pricing -- 50000   # other sizes
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { loadConfig } from "../model/load";
import { estimate } from "../cost/engine";
import { fromConfiguration } from "../cost/input";
import { PriceBook } from "../catalog/prices";
import { readJsonFile } from "../cli/input-files";

const ROOT = resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

// Each timed section starts on a collected heap, so neither pays for the garbage the one
// before it left (a major GC landing in a 30 ms section doubled it at random).
setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;

/** A configuration shaped like aiwc's stacks: every resource gets labels, most are priced. */
function generate(count: number): string {
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
        add("hcloud_volume", name, { name, size: 20 + (i % 500), location: "fsn1", labels });
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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const config = loadConfig(join(ROOT, "config"));
const sizes = process.argv.slice(2).map(Number);
console.log(`node ${process.version}, ${RUNS} runs each, median\n`);
console.log("| resources | file | JSON.parse (utf8 read) | JSON.parse (aiwc's read) | pricing (aiwc's read + parse + price) | resources/s | pricing ÷ parse | pricing ÷ parse after aiwc's read | total |");
console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const count of sizes.length > 0 ? sizes : [10_000, 100_000]) {
  const dir = mkdtempSync(join(tmpdir(), "aiwc-bench-pricing-"));
  try {
    const file = join(dir, "cdk.tf.json");
    writeFileSync(file, generate(count));
    const size = readFileSync(file).length;
    const parseTimes: number[] = [];
    const fastParseTimes: number[] = [];
    const priceTimes: number[] = [];
    let total = "";
    for (let run = 0; run < RUNS; run++) {
      collect();
      let started = performance.now();
      JSON.parse(readFileSync(file, "utf8"));
      parseTimes.push(performance.now() - started);
      // The same parse after aiwc's own read (ASCII copied as Latin-1, not decoded).
      collect();
      started = performance.now();
      JSON.parse(readFileSync(file).toString("latin1"));
      fastParseTimes.push(performance.now() - started);
      collect();
      // What `aiwc cost --plan <file>` does: its reader, JSON.parse, instances, estimate.
      started = performance.now();
      const book = new PriceBook(config.catalogs, config.fx, "2026-11-27");
      const result = estimate(fromConfiguration(readJsonFile(file, "a Terraform JSON file"), "bench"), book);
      priceTimes.push(performance.now() - started);
      total = result.totalMonthly.toFixed(2);
      if (result.resources.length !== count) throw new Error(`priced ${result.resources.length} of ${count}`);
    }
    const parse = median(parseTimes);
    const fastParse = median(fastParseTimes);
    const price = median(priceTimes);
    console.log(
      `| ${count.toLocaleString("en")} | ${(size / 1048576).toFixed(1)} MB | ${parse.toFixed(0)} ms | ${fastParse.toFixed(0)} ms | ${price.toFixed(0)} ms | ${Math.round(count / (price / 1000)).toLocaleString("en")} | ${(price / parse).toFixed(2)}× | ${(price / fastParse).toFixed(2)}× | ${total} € |`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
