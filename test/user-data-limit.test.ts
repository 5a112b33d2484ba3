/**
 * A user's key can push the VM's user data past the provider's limit (AWS: 16 KB): GIVEN keys
 * just under and just over it, THEN exactly the one over it is a config error naming the user's
 * key — the shortcut that skips measuring short keys never hides one.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { parseDocument } from "yaml";
import { loadConfig } from "../model/load";
import { ConfigError } from "../config/problems";
import { ROOT, tempDir } from "./helpers";
import { cpSync } from "node:fs";

const EXAMPLE = join(ROOT, "config", "examples", "aws-seed");

function awsWithKey(key: string): string {
  const dir = tempDir("aiwc-userdata-");
  const doc = parseDocument(readFileSync(join(EXAMPLE, "cluster.yaml"), "utf8"));
  doc.setIn(["files", "users"], "users.yaml");
  // A long operator key (AWS writes operator keys into every machine's user data) brings the
  // limit within reach of one user's key.
  (doc.getIn(["access", "sshKeys"]) as { add: (v: unknown) => void }).add(doc.createNode({ name: "hsm", publicKey: `ssh-rsa ${"B".repeat(7000)} hsm` }));
  doc.setIn(["files", "tariffs"], join(ROOT, "config", "tariffs.yaml"));
  writeFileSync(join(dir, "cluster.yaml"), doc.toString());
  cpSync(join(EXAMPLE, "types.lock.yaml"), join(dir, "types.lock.yaml"));
  writeFileSync(join(dir, "users.yaml"), `users:\n  - { name: anna, tariff: basic, packs: [], sshKey: "${key}" }\n`);
  return dir;
}

const problems = (dir: string): string[] => {
  try {
    loadConfig(dir);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((p) => `${p.path}: ${p.message}`);
  }
};

test("the user-data limit is exact at the boundary", () => {
  expect(problems(awsWithKey("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBuiZ5GD2kh710VAvt4oM+BSUW3xZD+Fd0wH9X6Nbm8P anna"))).toEqual([]);
  // The size of anna's user data with a key of n base64 characters, as the VM would get it.
  const keyOf = (n: number) => `ssh-rsa ${"A".repeat(n)}`;
  const rendered = (n: number) => {
    const dir = awsWithKey(keyOf(n));
    return { dir, found: problems(dir).find((p) => p.startsWith("users[0].sshKey: makes the VM's user data")) };
  };
  // Find the first length that is refused; the one before it must pass.
  let low = 100;
  let high = 8100;
  expect(rendered(high).found, "an 8,100-character key must be over AWS's 16 KB with the seed's user data").toBeDefined();
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (rendered(mid).found !== undefined) high = mid;
    else low = mid;
  }
  const over = rendered(high).found!;
  const size = Number(/makes the VM's user data (\d+) bytes/.exec(over)![1]);
  expect(size).toBe(16 * 1024 + 1);
  expect(rendered(low).found).toBeUndefined();
});
