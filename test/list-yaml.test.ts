/**
 * The list reader means what `yaml` means: GIVEN the project's users file, a generated users
 * file of the benchmark's shape and thousands of generated lists full of the scalars and
 * layouts YAML reads subtly (continued scalars, comments, blank lines, both block-list
 * indents, flow lists, booleans, nulls, numbers, quotes, indicators, duplicates, tabs, CR),
 * THEN wherever listYaml answers, its value equals `yaml`'s (and `yaml` reads the text without
 * error); it answers on the plain shapes, and declines what it does not read.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseDocument, stringify } from "yaml";
import { listYaml } from "../config/list-yaml";
import { prng, ROOT } from "./helpers";

/** `yaml`'s value of `text`, or "error". */
const slow = (text: string): unknown => {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) return "error";
  try {
    return doc.toJS();
  } catch {
    return "error"; // an alias without its anchor
  }
};

/** Words it reads, and words it declines or YAML reads subtly; most picks are the first kind. */
const GOOD = ["basic", "pro", "storage-plus", "anna@example.org", "true", "False", "TRUE", "yes", "no", "on", "a:b", "http://x/y", "o'brien", "R&D", "a,b", "x#y", "ä-ü", "AAAAC3Nz+/0x9"];
const TRICKY = ["null", "~", "12", "0x1F", "1e3", ".inf", "-1", "+1", "0.5", "a b", "x#y", "a #c", "a: b", "a:b", "a:", "http://x/y", "'q'", '"d"', "&a", "*a", "!t", "@x", "`x", "%x", "|", ">", "- x", "? x", "[a]", "{a: 1}", "o'brien", "a,b", "R&D", "ssh-ed25519 AAAAC3Nz+/0x9 anna", "ä-ü", "a\tb"];
function word(random: () => number): string {
  const list = random() < 0.85 ? GOOD : TRICKY;
  return list[Math.floor(random() * list.length)]!;
}
const KEYS = ["name", "tariff", "packs", "sshKey", "email", "sudo", "profile", "zone", "Key_2", "2key", "a b", "-x"];

/** One generated list: records of random keys and values in the layouts a users file can take. */
function generated(random: () => number): { text: string; continued: boolean } {
  let continued = false;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const item = random() < 0.2 ? "" : "  ";
  const key = `${item}  `;
  const lines: string[] = random() < 0.3 ? ["# users", ""] : [];
  lines.push(random() < 0.95 ? "users:" : pick(["users: []", "users: x", "- users:", "users :", "users: # c"]));
  const records = 1 + Math.floor(random() * 3);
  for (let r = 0; r < records; r++) {
    const fields = 1 + Math.floor(random() * 4);
    for (let f = 0; f < fields; f++) {
      const name = random() < 0.9 ? pick(KEYS.slice(0, 9)) : pick(KEYS);
      const prefix = f === 0 ? `${item}- ` : key;
      const layout = random();
      if (layout < 0.45) lines.push(`${prefix}${name}: ${word(random)}${random() < 0.1 ? " # note" : ""}`);
      else if (layout < 0.6) lines.push(`${prefix}${name}: [${Array.from({ length: Math.floor(random() * 3) }, () => word(random)).join(", ")}]`);
      else if (layout < 0.75) {
        lines.push(`${prefix}${name}:`);
        const indent = random() < 0.5 ? key : `${key}  `;
        for (let i = Math.floor(random() * 3); i > 0; i--) lines.push(`${indent}- ${word(random)}`);
      } else if (layout < 0.9) {
        lines.push(`${prefix}${name}: ${word(random)}`);
        continued = true;
        for (let i = 1 + Math.floor(random() * 2); i > 0; i--) {
          if (random() < 0.1) lines.push(pick(["", `${key}# c`]));
          lines.push(`${key}${random() < 0.8 ? "  " : ""}${word(random)}`);
        }
      } else lines.push(`${prefix}${name}:${pick(["", " ", "x", " # c", "  ", " []"])}`);
      if (random() < 0.05) lines.push(pick(["", "  # comment", "# comment", "other: 1", "---"]));
    }
  }
  const text = `${lines.join("\n")}\n`;
  return { text: random() < 0.03 ? text.replace(/\n/g, "\r\n") : text, continued };
}

describe("list reader (users.yaml)", () => {
  test("the project's users file and a generated one of the benchmark's shape read as yaml reads them", () => {
    const own = readFileSync(join(ROOT, "config", "users.yaml"), "utf8");
    expect(listYaml(own)).toBeDefined();
    expect(listYaml(own)).toEqual(slow(own));
    // yaml's own output: sshKey folded over lines, packs as block lists, booleans.
    const users = Array.from({ length: 500 }, (_, i) => ({
      name: `user${i}`,
      tariff: "basic",
      ...(i % 3 === 0 ? { packs: ["pro", "storage-plus"] } : {}),
      ...(i % 5 === 0 ? { sudo: i % 2 === 0, email: `user${i}@example.org` } : {}),
      sshKey: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBuiZ5GD2kh710VAvt4oM+BSUW3xZD+Fd0wH9X6Nbm8P${i} user${i}@example.org`,
    }));
    const text = stringify({ users });
    expect(text).toMatch(/sshKey: ssh-ed25519\n {6}AAAA/);
    expect(listYaml(text)).toEqual({ users });
  });

  test("generated lists: where it answers, it answers what yaml does; it answers the plain ones", () => {
    const random = prng(0x115a);
    let answered = 0;
    let plainShapes = 0;
    for (let round = 0; round < 6000; round++) {
      const { text, continued } = generated(random);
      const value = listYaml(text);
      const expected = slow(text);
      if (value === undefined) continue;
      answered += 1;
      expect(expected, text).not.toBe("error");
      expect(value, text).toEqual(expected);
      if (continued) plainShapes += 1;
    }
    expect(answered).toBeGreaterThan(600);
    // Continued scalars are among the answers: the folding is compared, not skipped.
    expect(plainShapes).toBeGreaterThan(10);
  });

  test.each([
    ["quotes", 'users:\n  - name: "anna"\n'],
    ["a null", "users:\n  - name: anna\n    zone: null\n"],
    ["an empty value", "users:\n  - name: anna\n    zone:\n    tariff: basic\n"],
    ["a number", "users:\n  - name: anna\n    zone: 12\n"],
    ["an anchor", "users:\n  - name: &a anna\n"],
    ["a block scalar", "users:\n  - name: |\n      anna\n"],
    ["a nested record", "users:\n  - name: anna\n    billing:\n      name: A\n"],
    ["a duplicate key", "users:\n  - name: anna\n    name: ben\n"],
    ["a second top-level key", "users:\n  - name: anna\nother: 1\n"],
    ["a blank line inside a continued scalar", "users:\n  - name: anna\n    sshKey: ssh-ed25519\n\n      AAAA\n"],
    ["a comment inside a continued scalar", "users:\n  - name: anna\n    sshKey: ssh-ed25519\n    # c\n      AAAA\n"],
    ["a tab", "users:\n  - name: anna\n    tariff:\tbasic\n"],
    ["CRLF line ends", "users:\r\n  - name: anna\r\n"],
    ["a document marker", "---\nusers:\n  - name: anna\n"],
    ["an empty list", "users: []\n"],
    ["no records", "users:\n"],
  ])("declines %s", (_what, text) => {
    expect(listYaml(text)).toBeUndefined();
  });
});
