/**
 * Placement is a pure function of identity: GIVEN random user lists and node counts (a fixed
 * seed), WHEN users are added, removed and reordered and node groups grown or shrunk, THEN
 * every resource that exists on both sides synthesizes to byte-identical JSON — on Hetzner,
 * AWS and OVH. A change to one user or node never touches another's machine.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseDocument } from "yaml";
import { loadConfig } from "../model/load";
import { dedicatedPlacements, stableSlot, userZone } from "../config/placement";
import { priceConfigJson } from "./helpers-synth";
import { portableOn, prng, ROOT } from "./helpers";
import { PROVIDER_IDS } from "../clouds/sections";

const PROVIDERS = PROVIDER_IDS;
const PACKS = ["pro", "team", "devops", "storage-plus"];
const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBuiZ5GD2kh710VAvt4oM+BSUW3xZD+Fd0wH9X6Nbm8P";

interface Layout {
  readonly users: readonly { name: string; packs: string[] }[];
  readonly counts: Readonly<Record<string, number>>;
}

function randomName(random: () => number, taken: Set<string>): string {
  for (;;) {
    const length = 3 + Math.floor(random() * 8);
    let name = "u";
    for (let i = 1; i < length; i++) name += "abcdefghijklmnopqrstuvwxyz0123456789"[Math.floor(random() * 36)];
    if (!taken.has(name)) {
      taken.add(name);
      return name;
    }
  }
}

function randomLayout(random: () => number): Layout {
  const taken = new Set<string>();
  const users = Array.from({ length: 5 + Math.floor(random() * 20) }, () => ({ name: randomName(random, taken), packs: PACKS.filter(() => random() < 0.3) }));
  return { users, counts: { controllers: [1, 3, 5][Math.floor(random() * 3)]!, "service-nodes": 1 + Math.floor(random() * 4), "ceph-storage": 3 + Math.floor(random() * 3), "gpu-workers": 1 + Math.floor(random() * 3) } };
}

/** Another layout from `base`: users removed, added and shuffled, node counts changed. */
function mutate(base: Layout, random: () => number): Layout {
  const taken = new Set(base.users.map((u) => u.name));
  const kept = base.users.filter(() => random() > 0.2);
  const added = Array.from({ length: 1 + Math.floor(random() * 4) }, () => ({ name: randomName(random, taken), packs: PACKS.filter(() => random() < 0.3) }));
  const users = [...kept, ...added];
  for (let i = users.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [users[i], users[j]] = [users[j]!, users[i]!];
  }
  const counts = { ...base.counts };
  const group = ["controllers", "service-nodes", "ceph-storage", "gpu-workers"][Math.floor(random() * 4)]!;
  if (group === "controllers") counts.controllers = [1, 3, 5].filter((c) => c !== base.counts.controllers)[Math.floor(random() * 2)]!;
  else counts[group] = Math.max(group === "ceph-storage" ? 3 : 1, base.counts[group]! + (random() < 0.5 ? -1 : 1) * (1 + Math.floor(random() * 2)));
  return { users, counts };
}

function configFor(provider: string, layout: Layout): string {
  const dir = portableOn(provider);
  const cluster = parseDocument(readFileSync(join(dir, "cluster.yaml"), "utf8"));
  for (const [group, count] of Object.entries(layout.counts)) cluster.setIn(["nodeGroups", group, "count"], count);
  cluster.setIn(["files", "users"], "users.yaml");
  cluster.setIn(["policy", "override"], { reason: "placement property test: layouts, not budgets" });
  writeFileSync(join(dir, "cluster.yaml"), cluster.toString());
  writeFileSync(join(dir, "users.yaml"), `users:\n${layout.users.map((u) => `  - { name: ${u.name}, tariff: basic, packs: [${u.packs.join(", ")}], sshKey: "${KEY} ${u.name}" }`).join("\n")}\n`);
  return dir;
}

/** Every resource of both stacks, by `<stack>:<type>.<name>`, as its exact JSON text. */
function resourcesOf(stacks: Readonly<Record<string, Record<string, any>>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [stack, json] of Object.entries(stacks)) {
    for (const [type, byName] of Object.entries((json.resource ?? {}) as Record<string, Record<string, unknown>>)) {
      for (const [name, body] of Object.entries(byName)) out.set(`${stack}:${type}.${name}`, JSON.stringify(body));
    }
  }
  return out;
}

describe("placement is a pure function of identity", () => {
  test.each(PROVIDERS)("%s: adding, removing and reordering users and nodes leaves every other resource byte-identical", (provider) => {
    const random = prng(0x5afe + provider.length);
    for (let round = 0; round < 8; round++) {
      const base = randomLayout(random);
      const before = resourcesOf(priceConfigJson(loadConfig(configFor(provider, base))));
      const next = mutate(base, random);
      const after = resourcesOf(priceConfigJson(loadConfig(configFor(provider, next))));
      const changed = [...before.keys()].filter((k) => after.has(k) && after.get(k) !== before.get(k));
      expect(changed, `round ${round}: ${JSON.stringify(base.counts)} → ${JSON.stringify(next.counts)}`).toEqual([]);
      // The mutation did something: users came and went.
      expect([...after.keys()].some((k) => !before.has(k))).toBe(true);
    }
  });

  test("zones and dedicated addresses depend on the name alone", () => {
    const zones = ["eu-central-1a", "eu-central-1b", "eu-central-1c"];
    expect(userZone({ name: "ben" }, zones)).toBe(userZone({ name: "ben" }, zones));
    expect(userZone({ name: "ben", zone: "eu-central-1c" }, zones)).toBe("eu-central-1c");
    const spread = new Set(Array.from({ length: 200 }, (_, i) => userZone({ name: `user${i}` }, zones)));
    expect(spread).toEqual(new Set(zones));
    expect(stableSlot("x", 1)).toBe(0);
    const config = loadConfig(join(ROOT, "config", "examples", "hetzner-dedicated"));
    const placements = dedicatedPlacements(config.cluster);
    expect(new Set(placements.map((p) => p.address)).size).toBe(placements.length);
  });
});
