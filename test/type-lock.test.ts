/**
 * types.lock.yaml: a price catalog change (a refresh that adds a cheaper type) never changes
 * the type of running machines chosen by requirements or by the tariff's VM size; `aiwc types
 * lock --upgrade` does, and says how many machines that rescales.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseDocument } from "yaml";
import { typesLock } from "../cli/commands/types";
import { validate } from "../cli/commands/validate";
import { loadConfig } from "../model/load";
import { buildTopology } from "../model/topology";
import { aiwcCli as aiwc, fixtureConfig, ROOT, type FixtureEdits } from "./helpers";

/** The default config with its own copy of the price catalogs, and a lock when asked. */
function config(options: { lock?: boolean; cluster?: FixtureEdits["cluster"] } = {}): string {
  const dir = fixtureConfig(options.cluster !== undefined ? { cluster: options.cluster } : {});
  cpSync(join(ROOT, "config", "prices"), join(dir, "prices"), { recursive: true });
  if (options.lock === true) typesLock({ config: dir });
  return dir;
}

/** A refresh that brings a cheaper 1 vCPU / 2 GB type (and a cheaper 4 vCPU / 16 GB one) into the Hetzner catalog. */
function addCheaperTypes(dir: string): void {
  const file = join(dir, "prices", "hetzner.yaml");
  const text = readFileSync(file, "utf8");
  const line = (id: string, vcpu: number, ram: number, monthly: string) =>
    `  ${id}: { vcpu: ${vcpu}, ram_gb: ${ram}, disk_gb: 40, arch: x86, cpu: shared, orderable: true, locations: [fsn1, nbg1, hel1], prices: [{ valid_from: "2026-11-01", monthly: "${monthly}", source: [S_REF], as_of: "2026-11-01" }] }\n`;
  writeFileSync(file, text.replace(/^server_types:\n/m, `server_types:\n${line("cpx02", 1, 2, "1.00")}${line("cpx04", 4, 16, "9.00")}`));
}

const vmTypes = (dir: string) => new Set(buildTopology(loadConfig(dir)).users.map((u) => u.serverType));

describe("types.lock.yaml", () => {
  test("a cheaper type in the catalog changes every user VM without a lock, none with one; --upgrade moves them and counts the rescales", () => {
    const unlocked = config();
    const locked = config({ lock: true });
    expect(parseDocument(readFileSync(join(locked, "types.lock.yaml"), "utf8")).toJS()).toEqual({ "hetzner/fsn1": { tariffs: { basic: { type: "cpx12", requirements: "1 vCPU, 2 GB RAM" } } } });
    for (const dir of [unlocked, locked]) addCheaperTypes(dir);
    expect(vmTypes(unlocked)).toEqual(new Set(["cpx02"]));
    expect(vmTypes(locked)).toEqual(new Set(["cpx12"]));

    // Locking again keeps the entry and says a cheaper type exists; nothing is rewritten.
    const before = readFileSync(join(locked, "types.lock.yaml"), "utf8");
    const again = typesLock({ config: locked });
    expect(again.stdout).toContain("kept (cheapest today: cpx02; --upgrade moves it)");
    expect(again.stdout).toContain("types.lock.yaml is up to date.");
    expect(readFileSync(join(locked, "types.lock.yaml"), "utf8")).toBe(before);

    const upgraded = JSON.parse(typesLock({ config: locked, upgrade: true, format: "json" }).stdout) as { written: boolean; rows: { entry: string; before: string; after: string; status: string; machines: number }[] };
    const users = loadConfig(locked).users.filter((u) => u.tariff === "basic" && u.serverType === undefined).length;
    expect(upgraded.written).toBe(true);
    expect(upgraded.rows).toEqual([expect.objectContaining({ entry: "tariffs.basic.vm", before: "cpx12", after: "cpx02", status: "changed", machines: users })]);
    expect(users).toBeGreaterThan(0);
    expect(vmTypes(locked)).toEqual(new Set(["cpx02"]));
  });

  test("node groups chosen by requirements: kept while the requirements are the ones locked; new requirements choose again", () => {
    const needs = (ramGb: number) => (d: ReturnType<typeof parseDocument>) => {
      d.deleteIn(["nodeGroups", "service-nodes", "serverType"]);
      d.setIn(["nodeGroups", "service-nodes", "requirements"], { vcpu: 4, ramGb });
    };
    const dir = config({ lock: true, cluster: needs(16) });
    addCheaperTypes(dir);
    const choice = () => buildTopology(loadConfig(dir)).choices.find((c) => c.group === "service-nodes")!;
    expect(choice()).toMatchObject({ serverType: "cpx42", lock: "locked", current: "cpx04" });
    expect(validate({ config: dir }).stdout).toContain("nodeGroups.service-nodes: cpx42, locked in types.lock.yaml for 4 vCPU, 16 GB RAM (the cheapest today is cpx04: aiwc types lock --upgrade)");

    // The operator asks for more memory: the lock entry no longer applies.
    const cluster = join(dir, "cluster.yaml");
    const doc = parseDocument(readFileSync(cluster, "utf8"));
    doc.setIn(["nodeGroups", "service-nodes", "requirements", "ramGb"], 32);
    writeFileSync(cluster, doc.toString());
    expect(choice()).toMatchObject({ serverType: "cpx62", lock: "stale" });
    expect(validate({ config: dir }).stdout).toContain("(types.lock.yaml holds a choice for other requirements: aiwc types lock)");
    const relocked = JSON.parse(typesLock({ config: dir, format: "json" }).stdout) as { rows: { entry: string; before: string; after: string; status: string }[] };
    expect(relocked.rows.find((r) => r.entry === "nodeGroups.service-nodes")).toMatchObject({ before: "cpx42", after: "cpx62", status: "changed" });
    expect(choice()).toMatchObject({ serverType: "cpx62", lock: "locked" });
  });

  test("a locked type gone from the catalog there is chosen again; a portable config locks each cloud", () => {
    const dir = config({ lock: true });
    const file = join(dir, "types.lock.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace('type: "cpx12"', 'type: "cpx99"'));
    expect(vmTypes(dir)).toEqual(new Set(["cpx12"]));
    expect(buildTopology(loadConfig(join(ROOT, "config", "examples", "portable"))).choices.every((c) => c.lock === "locked")).toBe(true);
    expect(existsSync(join(ROOT, "config", "examples", "portable", "types.lock.yaml"))).toBe(true);
    expect(() => typesLock({ config: dir, provider: "gcp" })).toThrow('--provider: unknown provider "gcp"; use hetzner, aws, ovh');
  });

  test("a malformed lock is a config error naming the file and the path, exit 1", () => {
    const dir = config();
    writeFileSync(join(dir, "types.lock.yaml"), 'hetzner/fsn1:\n  tariffs:\n    basic: { type: "cpx12" }\nfsn1: {}\n');
    const { code, err } = aiwc(["validate", "--config", dir]);
    expect(code).toBe(1);
    expect(err).toContain('types.lock.yaml: ["hetzner/fsn1"].tariffs.basic.requirements: is required (a string)');
    expect(err).toMatch(/types\.lock\.yaml: fsn1: .*must read "<provider>\/<location>"/);
    expect(err).not.toMatch(/at .*\.js:\d+/);
  });
});
