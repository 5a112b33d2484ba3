/**
 * A seeded mutation fuzzer over everything an operator or a CI job feeds aiwc: GIVEN the
 * default config (cluster, users, tariffs) or a Terraform JSON configuration / plan, with one
 * to three random mutations (keys deleted, values replaced by hostile ones, files swapped for
 * directories or broken YAML), WHEN `aiwc validate`, `aiwc cost` and `aiwc cost --plan` run,
 * THEN every run exits 0, 1 or 2, prints no stack trace, takes less than 10 s, and every
 * problem line names its file (and, for JSON, the path inside it).
 *
 * Per CI run: AIWC_FUZZ_CONFIG (default 500) config mutations and AIWC_FUZZ_PLAN (default 200)
 * plan mutations with the fixed seed AIWC_FUZZ_SEED (default 20261128). A longer run is
 * documented in test/README.md.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parse, stringify } from "yaml";
import { runInProcess } from "../cli/main";
import { DEFAULT_CONFIG, prng, tempDir } from "./helpers";

const CONFIG_RUNS = Number(process.env.AIWC_FUZZ_CONFIG ?? 500);
const PLAN_RUNS = Number(process.env.AIWC_FUZZ_PLAN ?? 200);
const SEED = Number(process.env.AIWC_FUZZ_SEED ?? 20261128);
const DATE = "2026-11-27";
const STACK_TRACE = /\n\s+at [^\n]+:\d+:\d+\)?/;

const HOSTILE: readonly unknown[] = [
  null, true, false, 0, -1, -5, 1.5, 1e9, 1e308, -0, "", " ", "x", "a\nb", "0", "-5", "1e9", "١٢٣", "ssh-ed25519 AAAA", "root", "ubuntu",
  "10.0.1.0/31", "10.0.1.0/32", "0.0.0.0/0", "300.1.2.3/8", "10.0.2.1", "2999-01-01", "2026-13-45", "zzzz", ".", "..", "/dev/null", "/",
  "http://example.org", "https://", "aiwc/user", "daily\nExecStart=/bin/sh", "${var.x}", "\u0000", "x".repeat(10_000), [], [null], [1, 2, 3], {}, { a: 1 }, { count: 1e9 },
];

type Json = Record<string, unknown> | unknown[];

function paths(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (value !== null && typeof value === "object") {
    out.push(at);
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
    // Long lists (30 users, many resources): visit a few entries, the mutation still reaches every kind of field.
    for (const [k, v] of entries.slice(0, 6)) paths(v, [...at, k], out);
  } else out.push(at);
  return out;
}

function get(root: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k as string] : undefined), root);
}

/** One random mutation of a JSON-like tree, in place. */
function mutate(root: Json, random: () => number): void {
  const all = paths(root).filter((p) => p.length > 0);
  if (all.length === 0) return;
  const path = all[Math.floor(random() * all.length)]!;
  const parent = get(root, path.slice(0, -1)) as Record<string | number, unknown> | unknown[];
  const key = path[path.length - 1]!;
  const pick = random();
  const hostile = () => structuredClone(HOSTILE[Math.floor(random() * HOSTILE.length)]);
  if (pick < 0.2) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete (parent as Record<string, unknown>)[key];
  } else if (pick < 0.75) {
    (parent as Record<string | number, unknown>)[key] = hostile();
  } else if (pick < 0.85) {
    const value = get(root, path);
    if (Array.isArray(value)) value.push(structuredClone(value[0] ?? hostile()));
    else (parent as Record<string | number, unknown>)[key] = [value, hostile()];
  } else {
    const value = get(root, path);
    if (value !== null && typeof value === "object" && !Array.isArray(value)) (value as Record<string, unknown>)[["zzz", "count", "labels", "lifecycle", "for_each"][Math.floor(random() * 5)]!] = hostile();
    else (parent as Record<string | number, unknown>)[key] = { nested: value };
  }
}

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (value !== null && typeof value === "object") for (const v of Object.values(value)) strings(v, out);
  return out;
}

/** A plausible edit (what an operator might do by mistake), so many mutants still validate and get priced. */
function nudge(root: Json, random: () => number): void {
  const all = paths(root).filter((p) => p.length > 0);
  if (all.length === 0) return;
  const path = all[Math.floor(random() * all.length)]!;
  const parent = get(root, path.slice(0, -1)) as Record<string | number, unknown>;
  const key = path[path.length - 1]!;
  const value = parent[key];
  const pool = strings(root);
  if (typeof value === "number") parent[key] = Math.floor(random() * 13);
  else if (typeof value === "boolean") parent[key] = !value;
  else if (typeof value === "string") parent[key] = pool[Math.floor(random() * pool.length)];
  else if (Array.isArray(value) && value.length > 0) {
    if (random() < 0.5) value.splice(Math.floor(random() * value.length), 1);
    else value.push(structuredClone(value[Math.floor(random() * value.length)]));
  }
}

interface Outcome {
  readonly what: string;
  readonly code: number | "threw";
  readonly ms: number;
  readonly output: string;
}

async function cli(argv: string[]): Promise<Omit<Outcome, "what">> {
  const started = performance.now();
  try {
    const r = await runInProcess(argv);
    return { code: r.code, ms: performance.now() - started, output: `${r.stdout}\n--stderr--\n${r.stderr}` };
  } catch (error) {
    return { code: "threw", ms: performance.now() - started, output: (error as Error).stack ?? String(error) };
  }
}

const FILES = ["cluster", "users", "tariffs"] as const;
const PROBLEM_FILE = /^(\S*(cluster|users|tariffs|fx|hetzner|aws|ovh)\.yaml(:\d+:\d+)?|environment|\S+): /;

function problemLinesOk(stderr: string): string | undefined {
  for (const line of stderr.split("\n")) {
    if (line === "" || line.startsWith("warning: ") || /^aiwc: the configuration has \d+ problem/.test(line)) continue;
    if (line.startsWith("aiwc: ")) continue; // usage errors name the option or file themselves
    if (!PROBLEM_FILE.test(line)) return line;
  }
  return undefined;
}

describe("fuzzer", () => {
  test(`${CONFIG_RUNS} config mutations: exit 0/1/2, no stack trace, < 10 s, every problem names its file`, async () => {
    const random = prng(SEED);
    const originals = Object.fromEntries(FILES.map((f) => [f, parse(readFileSync(join(DEFAULT_CONFIG, `${f}.yaml`), "utf8")) as Json]));
    const root = tempDir("aiwc-fuzz-config-");
    const bad: Outcome[] = [];
    let priced = 0;
    for (let run = 0; run < CONFIG_RUNS; run++) {
      const dir = join(root, String(run));
      mkdirSync(dir);
      const docs = structuredClone(originals);
      const mutations = 1 + Math.floor(random() * 3);
      const fileLevel = random() < 0.05 ? FILES[Math.floor(random() * 3)] : undefined;
      const gentle = random() < 0.5;
      for (let m = 0; m < mutations; m++) (gentle ? nudge : mutate)(docs[FILES[Math.floor(random() * 3)]!]!, random);
      for (const f of FILES) {
        const file = join(dir, `${f}.yaml`);
        if (f === fileLevel) {
          const kind = Math.floor(random() * 3);
          if (kind === 0) mkdirSync(file);
          else writeFileSync(file, kind === 1 ? "key: [unclosed\n  - : :" : "");
        } else writeFileSync(file, stringify(docs[f]));
      }
      const validate = await cli(["validate", "--config", dir]);
      const outcomes: Outcome[] = [{ what: `validate #${run}`, ...validate }];
      // Whatever validates is priced and judged by the gate too (synthesis in memory).
      if (validate.code === 0 && (priced < 150 || run % 3 === 0)) {
        priced++;
        outcomes.push({ what: `cost #${run}`, ...(await cli(["cost", "--config", dir, "--date", DATE, "--format", "json"])) });
      }
      for (const o of outcomes) {
        const stderr = o.output.split("\n--stderr--\n")[1] ?? "";
        const line = o.code === 1 ? problemLinesOk(stderr) : undefined;
        if (o.code === "threw" || ![0, 1, 2].includes(o.code) || STACK_TRACE.test(o.output) || o.ms > 10_000 || line !== undefined) {
          bad.push({ ...o, output: `${line !== undefined ? `problem line without a file: ${line}\n` : ""}${o.output.slice(0, 3000)}\n(files in ${dir})` });
        }
      }
      if (bad.length === 0) rmSync(dir, { recursive: true, force: true });
    }
    expect(bad.slice(0, 3)).toEqual([]);
    expect(priced).toBeGreaterThanOrEqual(CONFIG_RUNS / 25);
  }, 900_000);

  test(`${PLAN_RUNS} plan and Terraform JSON mutations: exit 0/1/2, no stack trace, < 10 s, errors name file and JSON path`, async () => {
    const random = prng(SEED + 1);
    const root = tempDir("aiwc-fuzz-plan-");
    const configuration = {
      resource: {
        hcloud_server: { a: { name: "aiwc-u-x", server_type: "cpx12", location: "fsn1", labels: { "aiwc/user": "x", "aiwc/role": "user-vm" }, user_data: "#cloud-config", lifecycle: { ignore_changes: ["user_data"] } } },
        hcloud_volume: { v: { name: "v", size: 20, location: "fsn1", delete_protection: true } },
        aws_instance: { b: { count: 2, instance_type: "t3.small", ami: "ami-0a1b2c3d4e5f67890", root_block_device: { volume_size: 30, volume_type: "gp3" } } },
      },
      provider: { aws: [{ region: "eu-central-1" }] },
    };
    const volume = { availability_zone: "eu-central-1a", size: 400, type: "gp3", encrypted: true, tags: { "aiwc/role": "ceph" } };
    const plan = {
      format_version: "1.2",
      terraform_version: "1.11.0",
      planned_values: { root_module: { resources: [{ address: "aws_ebs_volume.a", mode: "managed", type: "aws_ebs_volume", name: "a", values: volume }], child_modules: [{ resources: [] }] } },
      resource_changes: [
        { address: "aws_ebs_volume.a", mode: "managed", type: "aws_ebs_volume", change: { actions: ["delete", "create"], before: volume, after: volume } },
        { address: "aws_ebs_volume.b", mode: "managed", type: "aws_ebs_volume", change: { actions: ["delete"], before: volume, after: null } },
      ],
      configuration: { provider_config: { aws: { name: "aws", expressions: { region: { constant_value: "eu-central-1" } } } } },
    };
    const bad: Outcome[] = [];
    for (let run = 0; run < PLAN_RUNS; run++) {
      const doc = structuredClone(run % 2 === 0 ? configuration : plan) as Json;
      const mutations = 1 + Math.floor(random() * 3);
      for (let m = 0; m < mutations; m++) mutate(doc, random);
      const file = join(root, `${run}.json`);
      writeFileSync(file, JSON.stringify(doc));
      const o: Outcome = { what: `cost --plan #${run}`, ...(await cli(["cost", "--plan", file, "--date", DATE, "--format", "json"])) };
      const stderr = o.output.split("\n--stderr--\n")[1] ?? "";
      const pathMissing = o.code === 1 && !/^aiwc: \S+\.json: [^\s:]+: /.test(stderr);
      if (o.code === "threw" || ![0, 1, 2].includes(o.code) || STACK_TRACE.test(o.output) || o.ms > 10_000 || pathMissing) {
        bad.push({ ...o, output: `${pathMissing ? "error without a JSON path\n" : ""}${o.output.slice(0, 3000)}\n${JSON.stringify(doc).slice(0, 2000)}` });
      } else rmSync(file);
    }
    expect(bad.slice(0, 3)).toEqual([]);
  }, 900_000);
});
