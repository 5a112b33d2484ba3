/** Shared test helpers: temp dirs that are always removed, config fixtures, in-process synthesis. */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll } from "vitest";
import { parseDocument } from "yaml";
import { parseCidr, type Cidr } from "../config/cidr";
import { loadConfig, type Config } from "../model/load";
import type { NetworkZones } from "../model/cloud-init";
import { synthesize as synthesizeApp } from "../stacks/app";

export const ROOT = resolve(__dirname, "..");
export const DEFAULT_CONFIG = join(ROOT, "config");

const created: string[] = [];
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temp dir removed after the test file, pass or fail. */
export function tempDir(prefix = "aiwc-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export type YamlEdit = (doc: ReturnType<typeof parseDocument>) => void;

export interface FixtureEdits {
  readonly cluster?: YamlEdit | string;
  readonly users?: YamlEdit | string;
  readonly tariffs?: YamlEdit | string;
}

/**
 * A copy of the default config in a temp dir with edits applied: a function edits the parsed
 * YAML document (comments kept), a string replaces the file.
 */
export function fixtureConfig(edits: FixtureEdits = {}): string {
  const dir = tempDir("aiwc-config-");
  for (const name of ["cluster", "users", "tariffs"] as const) {
    const file = join(dir, `${name}.yaml`);
    cpSync(join(DEFAULT_CONFIG, `${name}.yaml`), file);
    const edit = edits[name];
    if (typeof edit === "string") writeFileSync(file, edit);
    else if (edit !== undefined) {
      const doc = parseDocument(readFileSync(file, "utf8"));
      edit(doc);
      writeFileSync(file, doc.toString());
    }
  }
  return dir;
}

export interface Synthesized {
  readonly config: Config;
  readonly outdir: string;
  readonly platform: TerraformJson;
  readonly users: TerraformJson;
}

export type TerraformJson = Record<string, any>;

/**
 * A cluster edit that also lifts the cost gate (with a stated reason), for construct tests
 * that scale groups past the default config's budget.
 */
export function beyondBudget(edit: YamlEdit): YamlEdit {
  return (doc) => {
    edit(doc);
    doc.setIn(["policy", "override"], { reason: "construct test scales past the budget" });
  };
}

/** Loads a config and synthesizes both stacks in-process into a temp dir. */
export async function synthesize(configPath: string = DEFAULT_CONFIG): Promise<Synthesized> {
  const config = loadConfig(configPath);
  const outdir = tempDir("aiwc-synth-");
  synthesizeApp(config, { outdir });
  const read = (stack: string) => JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8")) as TerraformJson;
  // One users stack (state.shards: 1, the default) holds every user.
  return { config, outdir, platform: read("platform"), users: read("users-00") };
}

/** Resources of one type as [name, body] pairs. */
export function resources(stack: TerraformJson, type: string): [string, Record<string, any>][] {
  return Object.entries((stack.resource?.[type] ?? {}) as Record<string, Record<string, any>>);
}

/** JSON with sorted keys and machine-specific paths replaced, for golden files. */
export function stableJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === "object") {
      return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]));
    }
    if (typeof v === "string" && v.endsWith(".tfstate")) return `<state-dir>/${v.split("/").pop()}`;
    return v;
  };
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}

const cidr = (text: string) => parseCidr(text) as Cidr;

/** The default config's network zones, for cloud-init and firewall tests. */
export const ZONES: NetworkZones = {
  network: cidr("10.0.0.0/16"),
  platform: cidr("10.0.1.0/24"),
  users: cidr("10.0.16.0/20"),
  vswitch: cidr("10.0.2.0/24"),
  bastionIp: "10.0.1.2",
  gateway: "10.0.0.1",
  adminCidrs: ["198.51.100.0/24"],
};

/** config/examples/portable moved to `provider`, its siblings the default users and tariffs. */
export function portableOn(provider: string): string {
  const dir = tempDir("aiwc-portable-");
  const doc = parseDocument(readFileSync(join(ROOT, "config", "examples", "portable", "cluster.yaml"), "utf8"));
  doc.set("provider", provider);
  doc.setIn(["files", "users"], join(ROOT, "config", "users.yaml"));
  doc.setIn(["files", "tariffs"], join(ROOT, "config", "tariffs.yaml"));
  writeFileSync(join(dir, "cluster.yaml"), doc.toString());
  // The example's locked server types come with it, as they would in the operator's repository.
  cpSync(join(ROOT, "config", "examples", "portable", "types.lock.yaml"), join(dir, "types.lock.yaml"));
  return dir;
}

/** mulberry32: a small seeded PRNG, so every CI run tries the same cases. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Copies exactly what this checkout has now (committed or not, moved and deleted files
 * included; no node_modules, dist or bindings) into `dest`, which must be a git clone of it or
 * an empty directory: for tests that change the project's own code in a copy.
 */
export function copyWorkingTree(dest: string): void {
  if (existsSync(join(dest, ".git"))) {
    for (const file of execFileSync("git", ["ls-files"], { cwd: dest, encoding: "utf8" }).split("\n").filter((f) => f !== "")) rmSync(join(dest, file), { force: true });
  }
  const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" }).split("\n").filter((f) => f !== "" && existsSync(join(ROOT, f)));
  for (const file of files) cpSync(join(ROOT, file), join(dest, file));
}

/** The built CLI in a child process (exit code, stdout, stderr), as an operator runs it. */
export function aiwcCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(ROOT, "bin", "aiwc.cjs"), ...args], { encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1", ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
