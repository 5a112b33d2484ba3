/**
 * The V8 code cache of the compiled CLI (bin/compile-cache.cjs): modules behave as without it,
 * and an edited module never runs its old code.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ROOT, tempDir } from "./helpers";

function setup(): { dist: string; run: (env?: NodeJS.ProcessEnv) => { code: number | null; stdout: string; stderr: string } } {
  const dir = tempDir("aiwc-v8cache-");
  const dist = join(dir, "dist");
  mkdirSync(join(dist, "lib"), { recursive: true });
  writeFileSync(join(dist, "lib", "value.js"), "module.exports = { value: 1 };\n");
  writeFileSync(join(dist, "lib", "dynamic.js"), 'import("node:os").then((os) => console.log(typeof os.cpus));\n');
  writeFileSync(
    join(dist, "main.js"),
    [
      'const { value } = require("./lib/value");',
      'const path = require("node:path");',
      "console.log(JSON.stringify({ value, dir: path.basename(__dirname), file: path.basename(__filename), resolved: path.relative(__dirname, require.resolve(\"./lib/value\")), parent: module.parent !== undefined, main: require.main === process.mainModule }));",
      'if (process.env.THROW) throw new Error("boom");',
      'if (process.env.IMPORT) require("./lib/dynamic");',
      "",
    ].join("\n"),
  );
  const runner = join(dir, "run.cjs");
  writeFileSync(runner, `require(${JSON.stringify(join(ROOT, "bin", "compile-cache.cjs"))}).install(${JSON.stringify(dist)});\nrequire(${JSON.stringify(join(dist, "main.js"))});\n`);
  return {
    dist,
    run: (env = {}) => {
      const r = spawnSync(process.execPath, [runner], { encoding: "utf8", env: { ...process.env, ...env } });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    },
  };
}

describe("compile cache", () => {
  test("modules run the same with the cache written, read, and switched off", () => {
    const { dist, run } = setup();
    const expected = `${JSON.stringify({ value: 1, dir: "dist", file: "main.js", resolved: "lib/value.js", parent: true, main: true })}\n`;
    expect(run().stdout).toBe(expected);
    expect(run({ AIWC_COMPILE_CACHE: "write" }).stdout).toBe(expected);
    expect(readdirSync(join(dist, "v8-cache")).map((e) => e.replace(/\.\d+\.\d+$/, "")).sort()).toEqual(["lib~value.js", "main.js"]);
    expect(run().stdout).toBe(expected);
    expect(run({ AIWC_COMPILE_CACHE: "off" }).stdout).toBe(expected);
  });

  test("a module edited after the cache was written runs its new code, even at the same size", () => {
    const { dist, run } = setup();
    run({ AIWC_COMPILE_CACHE: "write" });
    const file = join(dist, "lib", "value.js");
    writeFileSync(file, "module.exports = { value: 2 };\n");
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    expect(JSON.parse(run().stdout).value).toBe(2);
  });

  test("a module that imports dynamically still can (it is compiled the ordinary way)", () => {
    const { dist, run } = setup();
    // The build lists the modules that import() (from esbuild's metafile); they are not cached.
    const skip = join(dist, "..", "skip.json");
    writeFileSync(skip, JSON.stringify([join(dist, "lib", "dynamic.js")]));
    run({ AIWC_COMPILE_CACHE: "write", AIWC_COMPILE_CACHE_SKIP: skip, IMPORT: "1" });
    expect(readdirSync(join(dist, "v8-cache")).map((e) => e.replace(/\.\d+\.\d+$/, "")).sort()).toEqual(["lib~value.js", "main.js"]);
    const r = run({ IMPORT: "1" });
    expect(r.stderr).toBe("");
    expect(r.stdout.split("\n")[1]).toBe("function");
  });

  test("errors from a cached module name its file and line", () => {
    const { run } = setup();
    run({ AIWC_COMPILE_CACHE: "write" });
    const r = run({ THROW: "1" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Error: boom\n\s+at .*dist\/main\.js:4:/);
  });
});
