/**
 * The API budget: GIVEN resources per stack, THEN the requests of a plan (refresh) and a first
 * apply (create) are summed per stack, and a warning names the stack, the requests and the
 * provider's documented limit (with its source) exactly when the budget runs out.
 */
import { describe, expect, test } from "vitest";
import { apiBudget, waitSeconds } from "../cost/api-budget";
import { PROVIDERS_BY_ID } from "../clouds/registry";
import { loadConfig } from "../model/load";
import { priceConfig } from "../stacks/app";
import { DEFAULT_CONFIG, tempDir } from "./helpers";
import { join } from "node:path";

const cluster = loadConfig(DEFAULT_CONFIG).cluster;
const servers = (stack: string, n: number, type = "hcloud_server") => Array.from({ length: n }, () => ({ type, stack }));

describe("API budget", () => {
  test("Hetzner: 3,600 requests per hour and project; a stack past it is named, with the source", () => {
    const hetzner = PROVIDERS_BY_ID.hetzner!.api;
    const fits = apiBudget("Hetzner", hetzner, cluster, [...servers("users-00", 200), ...servers("users-01", 200, "hcloud_volume")]);
    expect(fits.stacks).toEqual([
      { stack: "users-00", resources: 200, servers: 200, refresh: 200, create: 3000 },
      { stack: "users-01", resources: 200, servers: 0, refresh: 200, create: 1000 },
    ]);
    expect(fits.total).toMatchObject({ resources: 400, servers: 200, refresh: 400, create: 4000 });
    // Creating 4,000 requests' worth at once is past the hour's budget.
    expect(fits.warnings).toEqual([expect.stringMatching(/^API budget: creating every stack from scratch needs about 4,000 Hetzner API requests \(~7 min of waiting for the project's budget\)/)]);

    const big = apiBudget("Hetzner", hetzner, cluster, servers("users", 4_000));
    expect(big.warnings[0]).toBe(
      "API budget: a plan of stack users refreshes 4,000 resources, about 4,000 Hetzner API requests, more than 3,600 requests at once and 1 per second per project allow without waiting (~7 min; Hetzner Cloud API reference, Rate Limiting (docs.hetzner.cloud/reference/cloud#rate-limiting): 3,600 requests per hour and project, refilled at one per second); split users into more stacks (state.shards, aiwc shards plan)",
    );
    // Split into stacks, no single plan runs out; all of them together still do.
    const split = apiBudget("Hetzner", hetzner, cluster, [...servers("users-00", 2_000), ...servers("users-01", 2_000)]);
    expect(split.warnings.filter((w) => w.includes("a plan of stack"))).toEqual([]);
    expect(split.warnings.some((w) => w.startsWith("API budget: a plan of all 2 stacks needs about 4,000 Hetzner API requests"))).toBe(true);
  });

  test("Hetzner's server limit, when the config states it", () => {
    const hetzner = PROVIDERS_BY_ID.hetzner!.api;
    const limited = { ...cluster, hetzner: { ...cluster.hetzner, serverLimit: 100 } };
    expect(apiBudget("Hetzner", hetzner, limited, servers("users-00", 100)).warnings).toEqual([]);
    expect(apiBudget("Hetzner", hetzner, limited, servers("users-00", 101)).warnings).toEqual([expect.stringContaining("the stacks hold 101 servers, more than the project's limit of 100 (hetzner.serverLimit")]);
    expect(apiBudget("Hetzner", hetzner, cluster, servers("users-00", 101)).serverLimit).toBeUndefined();
  });

  test("AWS: Describe* at 20 per second; warned past half an hour of waiting; S3 and IAM are other budgets", () => {
    const aws = PROVIDERS_BY_ID.aws!.api;
    expect(waitSeconds(36_100, { perSecond: 20, burst: 100 })).toBe(1_800);
    const ok = apiBudget("AWS", aws, cluster, [...servers("users-00", 5_000, "aws_instance"), { type: "aws_s3_bucket", stack: "platform" }, { type: "aws_iam_role", stack: "platform" }]);
    expect(ok.stacks.map((s) => s.stack)).toEqual(["users-00"]);
    expect(ok.warnings.filter((w) => w.includes("a plan of stack"))).toEqual([]);
    const big = apiBudget("AWS", aws, cluster, servers("users-00", 6_000, "aws_instance"));
    expect(big.warnings[0]).toMatch(/^API budget: a plan of stack users-00 refreshes 6,000 resources, about 42,000 AWS API requests, .*docs\.aws\.amazon\.com\/ec2\/latest\/devguide\/ec2-api-throttling\.html/);
  });

  test("OVH publishes no rate: requests are counted, nothing is warned", () => {
    const budget = apiBudget("OVH", PROVIDERS_BY_ID.ovh!.api, cluster, servers("users-00", 50_000, "ovh_cloud_instance"));
    expect(budget.rate).toBeUndefined();
    expect(budget.noRate).toMatch(/no request rate limit/);
    expect(budget.total.refresh).toBe(100_000);
    expect(budget.warnings).toEqual([]);
  });

  test("the default config's report carries the budget of both stacks, within Hetzner's", () => {
    const report = priceConfig(loadConfig(DEFAULT_CONFIG), { outdir: join(tempDir(), "out"), pricing: { date: "2026-11-27" } });
    expect(report.apiBudget.stacks.map((s) => s.stack)).toEqual(["platform", "users-00"]);
    expect(report.apiBudget.stacks.find((s) => s.stack === "users-00")!.servers).toBe(loadConfig(DEFAULT_CONFIG).users.length);
    expect(report.apiBudget.warnings).toEqual([]);
    expect(report.gate.warnings.filter((w) => w.startsWith("API budget"))).toEqual([]);
  });
});
