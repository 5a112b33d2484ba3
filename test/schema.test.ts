/**
 * One typed contract each for the report and the diff: the zod schema that types reportJson() accepts every
 * report the golden files hold and what `aiwc cost --format json` prints for a plan with
 * destroys and unsupported resources, rejects a report with a float amount or an unknown
 * field, and is what `aiwc schema report` prints. The config files' JSON Schemas come from
 * the schemas that validate them (the provider enum from the one provider list).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { runInProcess } from "../cli/main";
import { PROVIDER_IDS } from "../clouds/sections";
import { diffSchema } from "../cost/diff-schema";
import { reportSchema } from "../cost/report-schema";
import { ROOT } from "./helpers";

const golden = (name: string) => JSON.parse(readFileSync(join(ROOT, "test", "golden", "reports", name), "utf8")) as unknown;

describe("report schema", () => {
  test.each(["default.json", "aws-seed.json", "hetzner-dedicated.json", "seed-18.json"])("golden report %s is a valid report", (name) => {
    const result = reportSchema.safeParse(golden(name));
    expect(result.success, JSON.stringify(result.error?.issues.slice(0, 3))).toBe(true);
  });

  test("a plan's report (destroyed, replaced, unsupported) is valid too", async () => {
    const plan = {
      format_version: "1.2",
      planned_values: { root_module: { resources: [{ address: "hcloud_load_balancer.lb", mode: "managed", type: "hcloud_load_balancer", name: "lb", values: { load_balancer_type: "lb21", location: "fsn1" } }] } },
      resource_changes: [
        { address: "hcloud_volume.data", mode: "managed", type: "hcloud_volume", name: "data", change: { actions: ["delete"], before: { size: 100, location: "fsn1" }, after: null } },
        { address: "hcloud_load_balancer.lb", mode: "managed", type: "hcloud_load_balancer", name: "lb", change: { actions: ["create"], before: null, after: { load_balancer_type: "lb21", location: "fsn1" } } },
      ],
    };
    const file = join(require("node:os").tmpdir(), `aiwc-plan-${process.pid}.json`);
    require("node:fs").writeFileSync(file, JSON.stringify(plan));
    const r = await runInProcess(["cost", "--plan", file, "--format", "json", "--date", "2026-11-27"]);
    expect([0, 2]).toContain(r.code);
    const report = reportSchema.parse(JSON.parse(r.stdout));
    expect(report.removed.map((x) => x.address)).toEqual(["hcloud_volume.data"]);
    expect(report.unsupported.map((x) => x.address)).toEqual(["hcloud_load_balancer.lb"]);
    expect(report.complete).toBe(false);
  });

  test.each(["add-and-remove-users.json", "change-server-type.json", "scale-service-nodes.json", "shrink-ceph.json", "switch-provider.json"])("golden diff %s is a valid diff", (name) => {
    const result = diffSchema.safeParse(JSON.parse(readFileSync(join(ROOT, "test", "golden", "diffs", name), "utf8")));
    expect(result.success, JSON.stringify(result.error?.issues.slice(0, 3))).toBe(true);
  });

  test("a float amount or an unknown field is not a report", () => {
    const report = golden("default.json") as Record<string, unknown>;
    expect(reportSchema.safeParse({ ...report, totalMonthly: 924.62 }).success).toBe(false);
    expect(reportSchema.safeParse({ ...report, totalMonthyl: "924.62" }).success).toBe(false);
  });

  test("aiwc schema prints JSON Schemas: the report's, and the config files' with the provider list", async () => {
    const report = await runInProcess(["schema", "report"]);
    expect(report.code).toBe(0);
    const json = JSON.parse(report.stdout);
    expect(json.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(json.additionalProperties).toBe(false);
    expect(json.properties.totalMonthly.pattern).toBe("^-?\\d+\\.\\d{2}$");
    const cluster = JSON.parse((await runInProcess(["schema", "cluster"])).stdout);
    expect(cluster.properties.provider.enum).toEqual([...PROVIDER_IDS]);
    expect(Object.keys(cluster.properties)).toEqual(expect.arrayContaining([...PROVIDER_IDS, "nodeGroups", "network"]));
    // `state: { shards: 4 }` (the local backend by default) is valid for editors as for aiwc; s3 must say so.
    const [local, s3] = cluster.properties.state.oneOf as { properties: Record<string, { default?: unknown }>; required?: string[] }[];
    expect(local!.required ?? []).not.toContain("backend");
    expect(local!.properties.backend!.default).toBe("local");
    expect(s3!.required).toContain("backend");
    const diff = JSON.parse((await runInProcess(["schema", "diff"])).stdout);
    expect(diff.properties.resources.items.properties.change.enum).toEqual(["added", "removed", "replaced", "changed", "moved"]);
    const monthly = JSON.parse((await runInProcess(["schema", "monthly"])).stdout);
    expect(monthly.title).toBe("aiwc monthly report (aiwc report --format json), version 1");
    expect(monthly.properties.revenue.properties.source.enum).toEqual(["issued", "draft"]);
    const bad = await runInProcess(["schema", "nope"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('aiwc: unknown schema "nope"; use one of cluster, users, tariffs, report, diff, monthly\n');
  });
});
