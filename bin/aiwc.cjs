#!/usr/bin/env node
// The `aiwc` command: the compiled CLI in dist/ (built at `npm ci` and by `npm run build`).
// Commands, cdktf and the provider bindings load lazily (see cli/main.ts).
"use strict";
require("./compile-cache.cjs").install(require("node:path").join(__dirname, "..", "dist"));
let main;
try {
  main = require("../dist/cli/main.js").main;
} catch (error) {
  if (error && error.code === "MODULE_NOT_FOUND" && String(error.message).includes("dist/cli/main.js")) {
    process.stderr.write("aiwc: not built yet: run `npm run build` (npm ci does it) in " + require("node:path").join(__dirname, "..") + "\n");
    process.exit(1);
  }
  throw error;
}
void main(process.argv.slice(2));
