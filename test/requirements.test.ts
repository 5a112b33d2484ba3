/**
 * Node groups that state requirements instead of a type: the cheapest type that fits is
 * chosen from the provider's catalog, the same way every time, and `aiwc validate` prints it.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseDocument } from "yaml";
import { validate } from "../cli/commands/validate";
import { loadConfig } from "../model/load";
import { ConfigError, formatProblem } from "../config/problems";
import { buildTopology } from "../model/topology";
import { fixtureConfig, ROOT, tempDir } from "./helpers";

function awsSeedWith(edit: (doc: ReturnType<typeof parseDocument>) => void): string {
  const dir = tempDir("aiwc-req-");
  const doc = parseDocument(readFileSync(join(ROOT, "config", "examples", "aws-seed", "cluster.yaml"), "utf8"));
  doc.setIn(["files", "users"], join(ROOT, "config", "users.yaml"));
  doc.setIn(["files", "tariffs"], join(ROOT, "config", "tariffs.yaml"));
  doc.delete("references");
  edit(doc);
  writeFileSync(join(dir, "cluster.yaml"), doc.toString());
  return dir;
}

const typeOf = (dir: string, group: string) => {
  const spec = buildTopology(loadConfig(dir)).groups.find((g) => g.name === group)!;
  return spec.kind === "cloud" ? spec.serverType : undefined;
};

describe("requirements", () => {
  test("AWS: 2 vCPU / 8 GB → t3a.large (cheaper than t3.large and m5.large); an A10 GPU → g5.xlarge", () => {
    const dir = awsSeedWith((d) => {
      d.deleteIn(["nodeGroups", "controllers", "serverType"]);
      d.setIn(["nodeGroups", "controllers", "requirements"], { vcpu: 2, ramGb: 8 });
      d.deleteIn(["nodeGroups", "gpu-workers", "serverType"]);
      d.setIn(["nodeGroups", "gpu-workers", "requirements"], { vcpu: 4, ramGb: 16, gpu: { model: "A10" } });
    });
    expect(typeOf(dir, "controllers")).toBe("t3a.large");
    expect(typeOf(dir, "gpu-workers")).toBe("g5.xlarge");
    expect(validate({ config: dir }).stdout).toContain("  nodeGroups.controllers: t3a.large, the cheapest type in eu-central-1 with 2 vCPU, 8 GB RAM");
  });

  test("Hetzner: the same requirements choose cpx32, the same way every time", () => {
    const dir = fixtureConfig({ cluster: (d) => { d.deleteIn(["nodeGroups", "controllers", "serverType"]); d.setIn(["nodeGroups", "controllers", "requirements"], { vcpu: 2, ramGb: 8 }); d.setIn(["policy", "override"], { reason: "requirements test" }); } });
    expect(typeOf(dir, "controllers")).toBe("cpx32");
    expect(typeOf(dir, "controllers")).toBe("cpx32");
  });

  test("requirements nothing meets, and GPU workers without a GPU requirement, are config errors", () => {
    const dir = awsSeedWith((d) => {
      d.deleteIn(["nodeGroups", "controllers", "serverType"]);
      d.setIn(["nodeGroups", "controllers", "requirements"], { vcpu: 64, ramGb: 512 });
      d.deleteIn(["nodeGroups", "gpu-workers", "serverType"]);
      d.setIn(["nodeGroups", "gpu-workers", "requirements"], { ramGb: 16 });
    });
    let problems: string[] = [];
    try {
      loadConfig(dir);
    } catch (error) {
      problems = (error as ConfigError).problems.map((p) => formatProblem(p).replace(`${dir}/`, ""));
    }
    expect(problems).toEqual([
      "cluster.yaml: nodeGroups.controllers.requirements: no AWS instance type in eu-central-1 meets 64 vCPU, 512 GB RAM; relax them or set serverType",
      "cluster.yaml: nodeGroups.gpu-workers.requirements.gpu: is required for GPU workers (e.g. { count: 1, model: A10 })",
    ]);
  });
});
