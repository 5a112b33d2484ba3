/**
 * V8 code cache for the compiled CLI (dist/): Node 20 compiles every module's source at each
 * start (Node 22's module.enableCompileCache is not there), and for zod and cdktf that compile
 * was most of `aiwc validate`. `npm run build` runs the common commands once with
 * AIWC_COMPILE_CACHE=write, which stores each dist module's code — taken at exit, so it holds
 * the functions that actually ran, not only the top level — in dist/v8-cache/. Later runs hand
 * it to V8 with the source; V8 itself rejects data from another V8 version or other flags, and
 * the entry's name carries the file's size and modification time, so a rebuilt or edited file
 * never meets old code. Modules without an entry (outside dist/, not run by the warm-up, or
 * using import()) load the ordinary way.
 */
"use strict";
const Module = require("node:module");
const { mkdirSync, readFileSync, statSync, writeFileSync } = require("node:fs");
const { dirname, join, relative, sep } = require("node:path");
const { Script } = require("node:vm");

/** A module's `require`, as Node builds it (resolve, cache, main, extensions). */
function requireFor(mod) {
  const require = (id) => mod.require(id);
  require.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
  require.resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

/** Installs the cache for modules under `dist` (an absolute path). */
function install(dist) {
  const cacheDir = join(dist, "v8-cache");
  const write = process.env.AIWC_COMPILE_CACHE === "write";
  if (process.env.AIWC_COMPILE_CACHE === "off") return;
  try {
    if (!write && !statSync(cacheDir).isDirectory()) return;
  } catch {
    if (!write) return;
  }
  const prefix = dist + sep;
  let skip = new Set();
  if (write && process.env.AIWC_COMPILE_CACHE_SKIP) skip = new Set(JSON.parse(readFileSync(process.env.AIWC_COMPILE_CACHE_SKIP, "utf8")));
  const produced = [];
  const compile = Module.prototype._compile;
  Module.prototype._compile = function (content, filename) {
    // Modules that use import() (the build lists them: a vm.Script would need an import
    // callback, which Node 20 offers only as an experimental API) are never cached.
    if (!filename.startsWith(prefix) || skip.has(filename)) return compile.call(this, content, filename);
    let entry;
    let cachedData;
    try {
      const { size, mtimeMs } = statSync(filename);
      entry = join(cacheDir, `${relative(dist, filename).split(sep).join("~")}.${size}.${Math.trunc(mtimeMs)}`);
      cachedData = readFileSync(entry);
    } catch {
      cachedData = undefined;
    }
    // Only modules the build cached run through vm.Script; everything else compiles as usual.
    if (cachedData === undefined && !write) return compile.call(this, content, filename);
    const script = new Script(Module.wrap(content), { filename, cachedData });
    if (write && entry !== undefined && (cachedData === undefined || script.cachedDataRejected)) produced.push([script, entry]);
    const fn = script.runInThisContext({ displayErrors: true });
    return fn.call(this.exports, this.exports, requireFor(this), this, filename, dirname(filename));
  };
  if (write) {
    process.on("exit", () => {
      mkdirSync(cacheDir, { recursive: true });
      for (const [script, entry] of produced) writeFileSync(entry, script.createCachedData());
    });
  }
}

module.exports = { install };
