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

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "node_modules" ? [] : files(path);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [path] : [];
  });
}

const started = Date.now();
const entryPoints = SOURCES.map((d) => join(ROOT, d)).filter((d) => { try { return statSync(d).isDirectory(); } catch { return false; } }).flatMap(files);
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
if (process.argv.includes("--verbose")) process.stderr.write(`aiwc: compiled ${entryPoints.length} modules into ${relative(process.cwd(), OUT) || "."} in ${Date.now() - started} ms\n`);
