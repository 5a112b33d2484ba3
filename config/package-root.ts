/**
 * The aiwc package's root directory (package.json, config/, providers/, .gen/), found from
 * wherever this module runs: the TypeScript sources (tests) or the compiled dist/.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "aiwc") return dir;
    if (dirname(dir) === dir) throw new Error(`aiwc's package.json not found above ${start}`);
  }
}

export const PACKAGE_ROOT = findRoot(__dirname);

export const PACKAGE_VERSION = (JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;
