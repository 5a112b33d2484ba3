/**
 * The built-in YAML's parsed form (dist/yaml, written by the build) is used only for exactly
 * the text it was parsed from, and is then the same value a YAML parse gives.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseDocument } from "yaml";
import { precompiledYaml } from "../config/precompiled";
import { ROOT } from "./helpers";

const yamlFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? yamlFiles(join(dir, name)) : name.endsWith(".yaml") ? [join(dir, name)] : []));

describe("precompiled built-in YAML", () => {
  const files = yamlFiles(join(ROOT, "config"));

  test("every built-in file has its parsed form, equal to parsing the YAML", () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      expect(precompiledYaml(file, text), file).toEqual(parseDocument(text, { uniqueKeys: true }).toJS({ maxAliasCount: 100 }));
    }
  });

  test("an edited file, or one outside the built-in config, is parsed as YAML", () => {
    const file = join(ROOT, "config", "prices", "hetzner.yaml");
    const text = readFileSync(file, "utf8");
    expect(precompiledYaml(file, `${text}# edited\n`)).toBeUndefined();
    expect(precompiledYaml(join(ROOT, "test", "hetzner.yaml"), text)).toBeUndefined();
  });
});
