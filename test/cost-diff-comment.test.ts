/**
 * The pull-request comment a reviewer trusts: total row, base and head labels with SHAs,
 * catalog dates, the gate before → after, resource counts, the names of users added and
 * removed, replaced and destroyed resources, data at risk capped with a count, and the whole
 * comment under GitHub's 65,536-character limit however large the change.
 */
import { describe, expect, test } from "vitest";
import { costDiff } from "../cli/commands/cost-diff";
import { COMMENT_LIMIT } from "../cost/diff-render";
import { DEFAULT_CONFIG, fixtureConfig } from "./helpers";

const DATE = "2026-11-27";
const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBuiZ5GD2kh710VAvt4oM+BSUW3xZD+Fd0wH9X6Nbm8P";

describe("the PR comment", () => {
  test("says what a reviewer needs: totals, sides, catalogs, gate before → after, counts, users, destroyed, data at risk", () => {
    const head = fixtureConfig({
      users: (d) => {
        const users = d.get("users") as { items: unknown[] };
        users.items.splice(19, 1); // tina (Storage+) leaves
        users.items.push(d.createNode({ name: "yara", tariff: "basic", packs: ["pro"], sshKey: `${KEY} yara` }));
      },
    });
    const md = costDiff({ base: DEFAULT_CONFIG, config: head, date: DATE, format: "markdown" }).stdout;
    expect(md).toMatch(/^### aiwc cost diff: [+-][\d.,]+ € per month \([\d.,]+ € → [\d.,]+ €, [+-][\d.]+ %\) — gate ✅ → ❌/);
    expect(md).toMatch(/\| \*\*Total\*\* \| \*\*[\d.,]+ €\*\* \| \*\*[\d.,]+ €\*\* \| \*\*[+-][\d.,]+ €\*\* \|/);
    expect(md).toMatch(/Base `.*config` → head `.*`\. Catalogs: hetzner [\d.]+ \(as of \d{4}-\d\d-\d\d\); prices for 2026-11-27\./);
    expect(md).toMatch(/Resources: \d+ → \d+ priced, \d+ free, 0 unsupported\./);
    expect(md).toContain("Users added (1): yara.");
    expect(md).toContain("Users removed (1): tina.");
    expect(md).toMatch(/➖ Destroyed \(2\): `hcloud_server\.User-tina_Server_[0-9A-F]+`, `hcloud_volume\.User-tina_StorageVolume_[0-9A-F]+`\./);
    expect(md).toContain("> **⚠️ Data at risk:** this change destroys or replaces 2 resource(s) that hold data");
  });

  test("stays under GitHub's comment limit with 3,000 users added; the data-at-risk list is capped with a count", () => {
    const head = fixtureConfig({
      cluster: (d) => {
        d.setIn(["policy", "override"], { reason: "comment size test, not a budget" });
        d.setIn(["network", "usersSubnet"], "10.0.64.0/18");
        d.setIn(["nodeGroups", "service-nodes", "count"], 210);
      },
      users: (d) => {
        const users = d.get("users") as { items: unknown[] };
        users.items.splice(0, 25); // 25 users leave: their VMs (and Storage+ volumes) are data at risk
        for (let i = 0; i < 3000; i++) users.items.push(d.createNode({ name: `new${i}`, tariff: "basic", sshKey: `${KEY} new${i}` }));
      },
    });
    const md = costDiff({ base: DEFAULT_CONFIG, config: head, date: DATE, format: "markdown" }).stdout;
    expect(md.length).toBeLessThan(COMMENT_LIMIT);
    expect(md).toMatch(/Users added \(3000\): new0, new1, .*, and 2950 more\./);
    expect(md).toMatch(/> \*\*⚠️ Data at risk:\*\* this change destroys or replaces \d+ resource\(s\) that hold data: .*, and \d+ more\./);
    expect(md).toContain("more resource change(s): the comment is capped at GitHub's limit; the full diff is in the job's artifact");
  });
});
