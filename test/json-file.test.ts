/** writeJsonFile writes exactly JSON.stringify(value, null, 2) and a newline, for any value. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { writeJsonFile } from "../config/json-file";
import { prng, tempDir } from "./helpers";

test("byte for byte JSON.stringify(value, null, 2), nested values, edge cases and a large array included", () => {
  const random = prng(0x15);
  const leaf = (): unknown => [null, true, 0, -1.5, "", "a\nb", "ü \"q\"", undefined, [], {}, { toJSON: () => "x" }][Math.floor(random() * 11)];
  const value = (depth: number): unknown => {
    if (depth > 3 || random() < 0.3) return leaf();
    if (random() < 0.5) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, (_, i) => [`k${i}${random() < 0.1 ? "\"" : ""}`, value(depth + 1)]));
  };
  const dir = tempDir();
  const cases = [...Array.from({ length: 300 }, () => value(0)), { resources: Array.from({ length: 20_000 }, (_, i) => ({ address: `a.b${i}`, components: [{ n: i }] })) }, [], {}, "text", 5, null];
  cases.forEach((v, i) => {
    const file = join(dir, `${i}.json`);
    writeJsonFile(file, v);
    expect(readFileSync(file, "utf8"), JSON.stringify(v)?.slice(0, 200)).toBe(`${JSON.stringify(v, null, 2) ?? "null"}\n`);
  });
});
