#!/usr/bin/env node
/**
 * Compiles aiwc's TypeScript to CommonJS in dist/ (same paths), one file per module so the
 * CLI keeps loading commands, cdktf and the provider bindings only when a command needs them.
 * esbuild strips types only; `npm run typecheck` (part of `npm test`) checks them. Runs at
 * `npm ci` (postinstall, after the bindings are generated) and before the tests.
 */
"use strict";
const { readdirSync, rmSync, statSync } = require("node:fs");
const { join, relative } = require("node:path");
const esbuild = require("esbuild");

const ROOT = join(__dirname, "..");
const SOURCES = ["cli", "config", "catalog", "clouds", "model", "cost", "constructs", "stacks", "ansible", "ssh", "providers", ".gen"];
const OUT = join(ROOT, "dist");

function files(dir, ext = ".ts") {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "node_modules" ? [] : files(path, ext);
    return name.endsWith(ext) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

const started = Date.now();
const entryPoints = SOURCES.map((d) => join(ROOT, d)).filter((d) => { try { return statSync(d).isDirectory(); } catch { return false; } }).flatMap((d) => files(d));
rmSync(OUT, { recursive: true, force: true });
esbuild.buildSync({
  entryPoints,
  outdir: OUT,
  outbase: ROOT,
  format: "cjs",
  platform: "node",
  target: "node20",
  logLevel: "warning",
  // The sources' own tsconfig (experimentalDecorators etc.).
  tsconfig: join(ROOT, "tsconfig.json"),
});
// The built-in YAML, parsed once here (config/precompiled.ts reads it back when the file's
// hash still matches). Only documents that parse cleanly are written; the rest stay YAML-only.
const { createHash } = require("node:crypto");
const { mkdirSync, readFileSync, writeFileSync } = require("node:fs");
const { dirname } = require("node:path");
const { parseDocument } = require("yaml");
const yamlFiles = files(join(ROOT, "config"), ".yaml");
for (const file of yamlFiles) {
  const text = readFileSync(file, "utf8");
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) continue;
  let value;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch {
    continue;
  }
  if (value === null || value === undefined) continue;
  const out = join(OUT, "yaml", `${relative(join(ROOT, "config"), file)}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ sha256: createHash("sha256").update(text).digest("hex"), value }));
}
if (process.argv.includes("--verbose")) process.stderr.write(`aiwc: compiled ${entryPoints.length} modules and ${yamlFiles.length} built-in YAML files into ${relative(process.cwd(), OUT) || "."} in ${Date.now() - started} ms\n`);
