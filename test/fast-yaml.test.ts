/**
 * The fast YAML path means what `yaml` means: GIVEN every YAML file of the project and
 * generated documents full of scalars the two parsers could read differently, THEN js-yaml's
 * value (where the fast path answers) equals `yaml`'s, and a large plain users file takes it.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseDocument, stringify } from "yaml";
import { fastYaml } from "../config/fast-yaml";
import { prng, ROOT } from "./helpers";

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "node_modules" ? [] : yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

const slow = (text: string) => {
  const doc = parseDocument(text, { uniqueKeys: true });
  return doc.errors.length > 0 ? "error" : doc.toJS({ maxAliasCount: 100 });
};

const SCALARS = ["1_000", "0b101", "0o17", "0x1F", "-0x1", "+.5", "017", "+12", "-0", "1e3", ".inf", "-.Inf", ".NaN", "~", "null", "Null", "true", "True", "yes", "no", "on", "2026-11-01", "12:30", "'q'", '"d"', "0.", "1,5", "0001", "a b", "x#y", "!!str 12", "!!float 1", "&a 1", "*a", "<<", "ssh-ed25519 AAAAC3Nz+/0x9", "R&D", "-", "'a: b'", "|\n    block\n    text", ">\n    folded"];

describe("fast YAML path", () => {
  test("every YAML file of the project reads the same both ways", () => {
    const files = [...yamlFiles(join(ROOT, "config")), ...yamlFiles(join(ROOT, "ansible")), ...yamlFiles(join(ROOT, "examples"))];
    expect(files.length).toBeGreaterThan(20);
    let fast = 0;
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const value = fastYaml(text);
      if (value === undefined) continue;
      fast += 1;
      expect(value, file).toEqual(slow(text));
    }
    // Most files take the fast path: the check compares something.
    expect(fast).toBeGreaterThan(files.length / 2);
  });

  test("generated documents: where the fast path answers, it answers what yaml does", () => {
    const random = prng(0xfa57);
    let answered = 0;
    for (let round = 0; round < 2000; round++) {
      const lines: string[] = [];
      for (let i = 0; i < 6; i++) {
        const scalar = SCALARS[Math.floor(random() * SCALARS.length)]!;
        lines.push(random() < 0.5 ? `k${i}: ${scalar}` : `k${i}:\n  - ${scalar.replace(/\n/g, "\n  ")}\n  - n${i}`);
      }
      const text = `${lines.join("\n")}\n`;
      const value = fastYaml(text);
      if (value === undefined) continue;
      answered += 1;
      expect(value, text).toEqual(slow(text));
    }
    expect(answered).toBeGreaterThan(100);
  });

  test("a large plain users file takes the fast path; errors and duplicates are left to yaml", () => {
    const users = Array.from({ length: 2000 }, (_, i) => ({ name: `user${i}`, tariff: "basic", packs: ["pro"], sshKey: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI+/${i} user${i}` }));
    const text = stringify({ users });
    expect(fastYaml(text)).toEqual({ users });
    expect(fastYaml("a: 1\na: 2\n")).toBeUndefined();
    expect(fastYaml("a: [1, 2\n")).toBeUndefined();
    expect(fastYaml("a: &x 1\nb: *x\n")).toBeUndefined();
  });
});
