/**
 * The layers hold (.dependency-cruiser.cjs): config and the catalog at the bottom, then the
 * providers' models, the model, cost, constructs, stacks and the CLI; no cycles; nothing
 * below the constructs layer loads cdktf, and only constructs/cdk.ts imports it at all; no
 * provider folder imports another. And the CLI is
 * lazy in fact: `aiwc validate` and `aiwc --help` never load cdktf, and a Hetzner synthesis
 * never loads the AWS bindings.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, test } from "vitest";
import { ROOT, tempDir } from "./helpers";

const SOURCES = ["cli", "bin", "config", "catalog", "clouds", "model", "cost", "billing", "metering", "reporting", "ansible", "ssh", "constructs", "stacks", "providers"];

interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string };
}

function cruise(cwd: string, paths: readonly string[]): { violations: Violation[]; modules: number } {
  const r = spawnSync(process.execPath, [join(ROOT, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs"), ...paths, "--config", join(ROOT, ".dependency-cruiser.cjs"), "--output-type", "json"], { cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  expect(r.stdout, r.stderr).not.toBe("");
  const result = JSON.parse(r.stdout) as { summary: { violations: Violation[]; totalCruised: number } };
  return { violations: result.summary.violations, modules: result.summary.totalCruised };
}

/** The modules of aiwc's own (dist/) and of packages that one CLI run loads. */
function loaded(args: readonly string[], env: NodeJS.ProcessEnv = {}, status = 0): string[] {
  const dir = tempDir("aiwc-loaded-");
  const preload = join(dir, "loaded.cjs");
  const out = join(dir, "modules.json");
  writeFileSync(preload, `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(out)}, JSON.stringify(Object.keys(require.cache))));\n`);
  const r = spawnSync(process.execPath, ["-r", preload, join(ROOT, "bin", "aiwc.cjs"), ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env } });
  expect(r.status, r.stderr).toBe(status);
  return JSON.parse(readFileSync(out, "utf8")) as string[];
}

/** The packages among loaded modules: from node_modules, or bundled into dist/vendor/ (scripts/build.cjs). */
const packages = (modules: readonly string[]) =>
  new Set(modules.flatMap((m) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(m)?.[1] ?? /dist\/vendor\/((?:@[^/]+\/)?[^/]+?)(?:\.js$|\/)/.exec(m)?.[1] ?? []));

describe("architecture", () => {
  test("aiwc's sources keep the layers: no back-edges, no cycles, no cdktf below the constructs", () => {
    const { violations, modules } = cruise(ROOT, SOURCES);
    expect(violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
    expect(modules).toBeGreaterThan(100);
  });

  test("the rules catch a back-edge, a cycle, cdktf in the cost layer and one provider importing another", () => {
    const dir = tempDir("aiwc-layers-");
    const files: Record<string, string> = {
      "config/bottom.ts": 'import { report } from "../cost/top";\nexport const x = report;\n',
      "cost/top.ts": 'import { App } from "cdktf";\nexport const report = App;\n',
      "model/a.ts": 'import { b } from "./b";\nexport const a = () => b;\n',
      "model/b.ts": 'import { a } from "./a";\nexport const b = () => a;\n',
      "clouds/one/model.ts": 'import { two } from "../two/model";\nexport const one = two;\n',
      "clouds/two/model.ts": "export const two = 2;\n",
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    }
    mkdirSync(join(dir, "node_modules", "cdktf"), { recursive: true });
    writeFileSync(join(dir, "node_modules", "cdktf", "package.json"), '{"name":"cdktf","main":"index.js"}');
    writeFileSync(join(dir, "node_modules", "cdktf", "index.js"), "exports.App = class {};\n");
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "commonjs", moduleResolution: "node" } }));
    const rules = new Set(cruise(dir, ["config", "cost", "model", "clouds"]).violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`));
    expect(rules).toContain("base-not-above: config/bottom.ts → cost/top.ts");
    expect(rules).toContain("no-cdktf-below-constructs: cost/top.ts → node_modules/cdktf/index.js");
    expect([...rules].filter((r) => r.startsWith("no-cycles: model/"))).not.toEqual([]);
    expect(rules).toContain("provider-folders-apart: clouds/one/model.ts → clouds/two/model.ts");
    expect(rules).toContain("cdktf-through-one-module: cost/top.ts → node_modules/cdktf/index.js");
  });

  test("validate, --help and cost --plan never load cdktf; a Hetzner synthesis never loads the AWS bindings", () => {
    for (const args of [["validate"], ["--help"]]) {
      const seen = packages(loaded(args));
      expect(seen.has("cdktf"), args.join(" ")).toBe(false);
      expect(seen.has("@cdktf/provider-aws"), args.join(" ")).toBe(false);
    }
    expect([...packages(loaded(["--help"]))]).toEqual(["commander"]);
    // Pricing a plan or a Terraform JSON file synthesizes nothing (exit 2: the seed's gate fails).
    const plan = packages(loaded(["cost", "--plan", join(ROOT, "test", "fixtures", "aws-seed.tf.json")], {}, 2));
    expect(plan.has("cdktf")).toBe(false);
    expect(plan.has("@cdktf/provider-aws")).toBe(false);
    const cost = packages(loaded(["cost"]));
    expect(cost.has("cdktf")).toBe(true);
    expect(cost.has("@cdktf/provider-aws")).toBe(false);
    const awsModules = loaded(["cost", "--config", join(ROOT, "config", "examples", "aws-seed")]);
    expect(packages(awsModules).has("@cdktf/provider-aws")).toBe(true);
    // One cdktf in the process: the vendored one, which the AWS bindings use too.
    const cdktf = awsModules.filter((m) => /\/cdktf\/|\/vendor\/cdktf\.js$/.test(m));
    expect(cdktf).toEqual([join(ROOT, "dist", "vendor", "cdktf.js")]);
    expect(awsModules.filter((m) => m.includes("node_modules/@cdktf/provider-aws"))).toEqual([]);
  });

  test("the vendored libraries are single files, and the compile cache holds what the commands run", () => {
    const modules = loaded(["validate"]);
    for (const name of ["zod", "yaml", "commander"]) {
      expect(modules).toContain(join(ROOT, "dist", "vendor", `${name}.js`));
      expect(modules.filter((m) => m.includes(`node_modules/${name}/`)), name).toEqual([]);
    }
    const cache = readdirSync(join(ROOT, "dist", "v8-cache"));
    for (const module of ["vendor~zod.js", "vendor~cdktf.js", "cli~main.js", "model~load.js"]) expect(cache.some((entry) => entry.startsWith(`${module}.`)), module).toBe(true);
  });
});
