/**
 * The built-in YAML (config/**: the default config, the examples and the price catalogs),
 * parsed at build time into dist/yaml/ as JSON beside the SHA-256 of the text it came from.
 * Reading one costs a hash and a JSON.parse instead of a cold YAML parse (about 150 ms of
 * `aiwc validate`); any edit to the file changes the hash, and the file is parsed as YAML
 * as usual. Operators' own files are always parsed as YAML.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { sha256 } from "./digest";
import { PACKAGE_ROOT } from "./package-root";

/** Where the build writes the parsed form of `config/<path>.yaml`. */
export const PRECOMPILED_DIR = join(PACKAGE_ROOT, "dist", "yaml");

export interface Precompiled {
  readonly sha256: string;
  readonly value: unknown;
}

/** The parsed value of a built-in YAML file, if the build parsed exactly this text; else undefined. */
export function precompiledYaml(file: string, text: string): unknown {
  const rel = relative(join(PACKAGE_ROOT, "config"), file);
  if (rel.startsWith("..") || !rel.endsWith(".yaml")) return undefined;
  const json = join(PRECOMPILED_DIR, `${rel}.json`);
  if (!existsSync(json)) return undefined;
  const entry = JSON.parse(readFileSync(json, "utf8")) as Precompiled;
  return entry.sha256 === sha256(text) ? entry.value : undefined;
}
