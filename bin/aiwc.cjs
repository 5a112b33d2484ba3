#!/usr/bin/env node
// The `aiwc` command: runs the TypeScript CLI through tsx's CommonJS hook (no build step).
// Commands are loaded lazily with require() (see cli/main.ts), which this hook covers.
"use strict";
require("tsx/cjs");
void require("../cli/main.ts").main(process.argv.slice(2));
