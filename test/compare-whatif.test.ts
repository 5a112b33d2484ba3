/**
 * `aiwc compare` and `aiwc whatif` agree with `aiwc cost` for the same configuration, and
 * explain their choices.
 */
import { describe, expect, test } from "vitest";
import { compare } from "../cli/commands/compare";
import { cost } from "../cli/commands/cost";
import { parseUserCounts, whatif } from "../cli/commands/whatif";
import { join } from "node:path";
import { fixtureConfig, portableOn, ROOT } from "./helpers";

const DATE = "2026-11-27";


const total = (config: string | undefined) => JSON.parse(cost({ ...(config !== undefined ? { config } : {}), format: "json", date: DATE }).stdout).totalMonthly as string;

describe("aiwc compare", () => {
  test("each provider's column equals aiwc cost of that config on that provider", () => {
    const json = JSON.parse(compare({ config: portableOn("hetzner"), format: "json", date: DATE }).stdout);
    const byProvider = Object.fromEntries(json.providers.map((p: { provider: string; totalMonthly: string }) => [p.provider, p.totalMonthly]));
    expect(byProvider).toEqual({ hetzner: total(portableOn("hetzner")), aws: total(portableOn("aws")), ovh: total(portableOn("ovh")) });
  });

  test("the default config: the Hetzner column is aiwc cost; types on OVH and AWS chosen by requirements and said why", () => {
    const json = JSON.parse(compare({ format: "json", date: DATE }).stdout);
    const hetzner = json.providers.find((p: { provider: string }) => p.provider === "hetzner");
    expect(hetzner.totalMonthly).toBe(total(undefined));
    const ovh = json.providers.find((p: { provider: string }) => p.provider === "ovh");
    expect(ovh.types).toContainEqual({ group: "gpu-workers", type: "l4-90", why: "cheapest in GRA11 with 1 vCPU, 1 GB RAM, 1× GPU ≥ 20 GB" });
    const aws = json.providers.find((p: { provider: string }) => p.provider === "aws");
    expect(aws.comparable).toBe(true);
    expect(aws.types).toContainEqual({ group: "service-nodes", type: "t3a.2xlarge", why: "cheapest in eu-central-1 with 8 vCPU, 16 GB RAM" });
    expect(aws.types).toContainEqual({ group: "gpu-workers", type: "g6.xlarge", why: "cheapest in eu-central-1 with 1 vCPU, 1 GB RAM, 1× GPU ≥ 20 GB" });
  });

  test("the default and the portable config place every node group on all three providers", () => {
    for (const config of [undefined, join(ROOT, "config", "examples", "portable")]) {
      const json = JSON.parse(compare({ format: "json", date: DATE, ...(config !== undefined ? { config } : {}) }).stdout) as { providers: { provider: string; comparable: boolean; types?: { group: string }[]; problems?: string[] }[] };
      for (const provider of json.providers) {
        expect(provider, `${config ?? "default"} on ${provider.provider}`).toMatchObject({ comparable: true });
        expect(provider.types!.map((t) => t.group).sort()).toEqual(["bastion", "ceph-storage", "ci-runners", "controllers", "gpu-workers", "service-nodes"]);
      }
    }
  });

  test("an unknown provider is a usage error", () => {
    expect(() => compare({ providers: "hetzner,gcp" })).toThrow('--providers: unknown provider "gcp"; use hetzner, aws, ovh');
  });
});

describe("aiwc whatif", () => {
  test("at today's user count it equals aiwc cost; capacity steps where the rules say", () => {
    const json = JSON.parse(whatif({ users: "30,31,60", format: "json", date: DATE }).stdout);
    const [today, plusOne, sixty] = json.rows;
    const report = JSON.parse(cost({ format: "json", date: DATE }).stdout);
    expect(today.totalMonthly).toBe(report.totalMonthly);
    expect(today.revenueMonthly).toBe(report.tariff.revenueMonthly);
    expect(today.breakEvenUsers).toBe(report.tariff.breakEvenUsers);
    expect(plusOne.nodes["service-nodes"]).toBe(3);
    expect(sixty.nodes).toMatchObject({ "service-nodes": 4, "gpu-workers": 2 });
  });

  test("GitLab's and the runners' sizing: runners grow with DevOps users, GitLab past one node's 1,000 users is named", () => {
    const json = JSON.parse(whatif({ users: "30,120,1200", format: "json", date: DATE }).stdout) as { notes: string[]; rows: { users: number; nodes: Record<string, number> }[] };
    // 4 of the 30 users have the DevOps pack: one runner per 10 of them.
    expect(json.rows.map((r) => r.nodes["ci-runners"])).toEqual([1, 2, 16]);
    expect(json.notes).toEqual([expect.stringMatching(/^At 1200 users: GitLab: 1200 accounts are more than the 1,000 users GitLab's single-node reference architecture serves \(docs\.gitlab\.com\/administration\/reference_architectures\/1k_users\)/)]);
    expect(JSON.parse(whatif({ users: "30,1000", format: "json", date: DATE }).stdout).notes).toEqual([]);
  });

  test("table with steps and a chart; csv for plotting", () => {
    const table = whatif({ users: "30..60:30", date: DATE }).stdout;
    expect(table).toMatch(/60 .* step: gpu-workers 1→2, service-nodes 2→4/);
    expect(table).toContain("Revenue (█) against cost (░) per month:");
    const csv = whatif({ users: "30", format: "csv", date: DATE }).stdout.split("\n");
    expect(csv[0]).toBe("users,fixed_monthly,per_user_monthly,total_monthly,revenue_monthly,margin_monthly,margin_percent,break_even_users,nodes_controllers,nodes_gpu-workers,nodes_ceph-storage,nodes_service-nodes,nodes_ci-runners,nodes_bastion");
    expect(csv[1]).toMatch(/^30,594\.83,11\.64,944\.11,1009\.94,65\.84,6\.5,28,3,1,3,2,1,1$/);
  });

  test("bad counts and capacity rules are clear errors", () => {
    expect(() => parseUserCounts("ten")).toThrow('--users takes counts like 50, 30,60,100 or 10..100:10, got "ten"');
    expect(() => parseUserCounts("100..10")).toThrow("--users: a range is from..to[:step] with from ≤ to");
    expect(() => whatif({ users: "40", config: fixtureConfig({ cluster: (d) => d.set("capacity", [{ group: "controllers", per: 10 }]) }) })).toThrow(/capacity\[0\]\.group: a controller group does not scale with users/);
  });
});
