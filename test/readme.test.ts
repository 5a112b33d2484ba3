/**
 * The README's config reference is kept in step with the zod schemas: every key the schemas
 * accept is documented, and the reference documents no key the schemas reject.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { z } from "zod";
import { clusterSchema, tariffsSchema, usersSchema } from "../config/schema";
import { ROOT } from "./helpers";

type Def = { type: string; [key: string]: unknown };
const defOf = (node: unknown) => (node as { _zod: { def: Def } })._zod.def;

/** Every key path a schema accepts: records as `<name>`, arrays as `[]`. */
function keyPaths(schema: unknown, prefix = ""): string[] {
  const def = defOf(schema);
  switch (def.type) {
    case "optional":
    case "default":
    case "prefault":
    case "nullable":
      return keyPaths(def.innerType, prefix);
    case "pipe":
      // z.preprocess is a pipe from a transform: the keys are those of what it feeds.
      return keyPaths(defOf(def.in).type === "transform" ? def.out : def.in, prefix);
    case "object":
      return Object.entries(def.shape as Record<string, unknown>).flatMap(([key, value]) => {
        const path = prefix === "" ? key : `${prefix}.${key}`;
        return [path, ...keyPaths(value, path)];
      });
    case "record":
      return keyPaths(def.valueType, `${prefix}.<name>`);
    case "array":
      return keyPaths(def.element, `${prefix}[]`);
    case "union":
      return [...new Set((def.options as unknown[]).flatMap((option) => keyPaths(option, prefix)))];
    default:
      return [];
  }
}

const README = readFileSync(join(ROOT, "README.md"), "utf8");
const reference = README.slice(README.indexOf("## Config reference"), README.indexOf("\n## ", README.indexOf("## Config reference") + 5));

function documented(file: string): string[] {
  const section = reference.slice(reference.indexOf(`### ${file}`), reference.indexOf("\n### ", reference.indexOf(`### ${file}`) + 5) >>> 0 || undefined);
  return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!);
}

describe("README config reference", () => {
  test.each([
    ["cluster.yaml", clusterSchema],
    ["users.yaml", usersSchema],
    ["tariffs.yaml", tariffsSchema],
  ] as [string, z.ZodType][])("%s documents exactly the keys its schema accepts", (file, schema) => {
    expect(documented(file).sort()).toEqual(keyPaths(schema).sort());
  });

  test("names the two set-up commands and the main command", () => {
    expect(README).toContain("npm ci");
    expect(README).toContain("npm test");
    expect(README).toContain("npx aiwc synth");
  });
});
