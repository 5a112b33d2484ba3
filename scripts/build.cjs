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
const SOURCES = ["cli", "config", "catalog", "clouds", "model", "cost", "billing", "metering", "reporting", "constructs", "stacks", "ansible", "ssh", "providers", ".gen"];
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
const compiled = esbuild.buildSync({
  entryPoints,
  metafile: true,
  absWorkingDir: ROOT,
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

// The libraries every run loads, each bundled into one file in dist/vendor/ (zod alone is 95
// modules, cdktf 373): one read and one compile instead of hundreds. The AWS bindings modules
// aiwc imports are bundled too, so that they and aiwc share the one vendored cdktf (two copies
// of cdktf would not recognise each other's tokens). constructs stays in node_modules, shared.
const VENDOR = join(OUT, "vendor");
const PACKAGES = ["zod", "yaml", "cdktf", "commander", "cli-table3"];
const outputs = files(OUT, ".js");
const required = new Set();
for (const file of outputs) for (const m of readFileSync(file, "utf8").matchAll(/require\("(@cdktf\/provider-aws\/lib\/[a-z0-9-]+)"\)/g)) required.add(m[1]);
const vendored = [...PACKAGES, ...[...required].sort()];
const vendorFile = (name) => join(VENDOR, `${name}.js`);
const metafiles = [compiled.metafile];
const stubs = join(OUT, ".vendor-entries");
mkdirSync(stubs, { recursive: true });
for (const name of vendored) {
  const stub = join(stubs, `${name.replace(/[@/]/g, "_")}.cjs`);
  writeFileSync(stub, `module.exports = require(${JSON.stringify(name)});\n`);
  const bundled = esbuild.buildSync({
    entryPoints: [stub],
    metafile: true,
    absWorkingDir: ROOT,
    outfile: vendorFile(name),
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    logLevel: "warning",
    nodePaths: [join(ROOT, "node_modules")],
    external: ["constructs", ...vendored.filter((other) => other !== name)],
  });
  metafiles.push(bundled.metafile);
}
rmSync(stubs, { recursive: true, force: true });

// Node 22 made util's type checks runtime deprecations (DEP0044 and its kin). cdktf 0.21, its
// last release, calls util.isArray whenever it synthesizes an output, so every synth on Node
// 22/24 printed a DeprecationWarning on stderr. util.isArray is an alias of Array.isArray
// (Node's docs), so the vendored bundles and the nodes' bundle call that instead. Any other
// call of a deprecated util function fails the build, naming it, rather than warning every
// user at run time.
const DEPRECATED = "isArray|isBoolean|isBuffer|isDate|isError|isFunction|isNull|isNullOrUndefined|isNumber|isObject|isPrimitive|isRegExp|isString|isSymbol|isUndefined|_extend";
const DEPRECATED_UTIL = new RegExp(`\\(0, (\\w+)\\.(${DEPRECATED})\\)\\(|\\b(\\w+)\\.(${DEPRECATED})\\(`, "g");
function withoutDeprecatedUtil(text, file) {
  // Names bound to Node's util module, and only to it, anywhere in the bundle.
  const bindings = new Map();
  for (const m of text.matchAll(/\b(?:var|let|const) (\w+) = (require\("(?:node:)?util"\)|[^;\n]*)/g)) bindings.set(m[1], (bindings.get(m[1]) ?? true) && m[2].startsWith("require("));
  const isUtil = (binding) => bindings.get(binding) === true;
  return text.replace(DEPRECATED_UTIL, (call, b1, f1, b2, f2) => {
    const [binding, fn] = b1 !== undefined ? [b1, f1] : [b2, f2];
    if (!isUtil(binding)) return call;
    if (fn === "isArray") return "Array.isArray(";
    throw new Error(`scripts/build.cjs: ${relative(ROOT, file)} calls util.${fn}, deprecated since Node 22 (it would print a DeprecationWarning on every run): replace it here like util.isArray`);
  });
}

// Every require of a vendored library, in aiwc's modules and in the bundles, goes to the bundle.
const pattern = new RegExp(`require\\("(${vendored.map((v) => v.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("|")})"\\)`, "g");
for (const file of files(OUT, ".js")) {
  const text = readFileSync(file, "utf8");
  let rewritten = text.replace(pattern, (_, name) => {
    let target = relative(dirname(file), vendorFile(name)).split("\\").join("/");
    if (!target.startsWith(".")) target = `./${target}`;
    return `require(${JSON.stringify(target)})`;
  });
  if (file.startsWith(VENDOR)) rewritten = withoutDeprecatedUtil(rewritten, file);
  if (rewritten !== text) writeFileSync(file, rewritten);
}

// aiwc for the platform's own nodes, self-contained (dist/node/): what the metering gateway and
// the collectors run with nothing but Node — the gpu_worker and ceph roles copy the directory.
// One bundled file, the package manifest (aiwc finds its root by it) and the built-in YAML
// (catalogs, examples' defaults). cdktf, the provider bindings and the embedded ledger stay
// out: a node ships usage into the PostgreSQL ledger (AIWC_LEDGER).
{
  const NODE = join(OUT, "node");
  mkdirSync(NODE, { recursive: true });
  const entry = join(OUT, ".node-entry.cjs");
  writeFileSync(entry, `"use strict";\nrequire("./cli/main.js").main(process.argv.slice(2));\n`);
  esbuild.buildSync({
    entryPoints: [entry],
    absWorkingDir: ROOT,
    outfile: join(NODE, "aiwc.cjs"),
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    logLevel: "error",
    nodePaths: [join(ROOT, "node_modules")],
    banner: { js: "#!/usr/bin/env node\n// aiwc for the platform's nodes (metering gateway, collectors), built by scripts/build.cjs." },
    external: ["cdktf", "constructs", "@cdktf/*", "@electric-sql/pglite", "pg-native", "cdktf-cli", "esbuild", "playwright-core", "ssh2", "*.node"],
  });
  rmSync(entry, { force: true });
  const bundle = join(NODE, "aiwc.cjs");
  writeFileSync(bundle, withoutDeprecatedUtil(readFileSync(bundle, "utf8"), bundle));
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  writeFileSync(join(NODE, "package.json"), `${JSON.stringify({ name: manifest.name, version: manifest.version, private: true, description: "aiwc for the platform's nodes (bundled)" }, null, 2)}\n`);
  for (const file of yamlFiles) {
    const target = join(NODE, "config", relative(join(ROOT, "config"), file));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, readFileSync(file));
  }
}

// The V8 code cache (bin/compile-cache.cjs): the common commands once, each module's code kept.
if (!process.argv.includes("--no-compile-cache")) {
  const { spawnSync } = require("node:child_process");
  const bin = join(ROOT, "bin", "aiwc.cjs");
  const scratch = require("node:fs").mkdtempSync(join(require("node:os").tmpdir(), "aiwc-warm-"));
  // Modules that import() dynamically are left out of the cache (see bin/compile-cache.cjs).
  const dynamic = metafiles.flatMap((m) => Object.entries(m.outputs).filter(([, o]) => o.imports.some((i) => i.kind === "dynamic-import")).map(([file]) => join(ROOT, file)));
  const skipFile = join(scratch, "skip.json");
  writeFileSync(skipFile, JSON.stringify(dynamic));
  if (process.argv.includes("--verbose")) process.stderr.write(`aiwc: not in the compile cache (they import() dynamically): ${dynamic.map((f) => relative(ROOT, f)).join(", ") || "none"}\n`);
  const env = { ...process.env, AIWC_COMPILE_CACHE: "write", AIWC_COMPILE_CACHE_SKIP: skipFile, CHECKPOINT_DISABLE: "1", CDKTF_OUTDIR: scratch };
  const runs = [["--help"], ["validate"], ["cost", "--format", "json", "--quiet"], ["cost", "--quiet", "--config", join(ROOT, "config", "examples", "aws-seed")], ["cost", "--quiet", "--config", join(ROOT, "config", "examples", "ovh")]];
  for (const args of runs) {
    const r = spawnSync(process.execPath, [bin, ...args], { cwd: scratch, env, encoding: "utf8" });
    // A failing warm-up only means less is cached; the tests judge the commands themselves.
    if (r.status !== 0 && r.status !== 2 && process.argv.includes("--verbose")) process.stderr.write(`aiwc: warming the compile cache with \`aiwc ${args.join(" ")}\` exited ${r.status}: ${String(r.stderr).slice(-300)}\n`);
  }
  rmSync(scratch, { recursive: true, force: true });
}
if (process.argv.includes("--verbose")) process.stderr.write(`aiwc: compiled ${entryPoints.length} modules, ${vendored.length} vendored libraries and ${yamlFiles.length} built-in YAML files into ${relative(process.cwd(), OUT) || "."} in ${Date.now() - started} ms\n`);
