/**
 * The cost gate as operators meet it: `npx cdktf synth` and `aiwc synth` stop when the policy
 * is broken, an override with a reason passes and is reported, unpriceable resources fail
 * closed, and bad inputs get a clear message and exit 1.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseDocument } from "yaml";
import { fixtureConfig, ROOT, tempDir } from "./helpers";

const BIN = join(ROOT, "bin", "aiwc.cjs");
const CDKTF = join(ROOT, "node_modules", ".bin", "cdktf");
const ENV = { CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: join(ROOT, "providers", "terraform.rc"), AIWC_PRICING_DATE: "2026-11-27" };

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const { AIWC_COST_OVERRIDE: _drop, ...inherited } = process.env;
  const result = spawnSync(command, args, { cwd: ROOT, encoding: "utf8", env: { ...inherited, ...ENV, ...env }, timeout: 120_000 });
  return { code: result.status, out: `${result.stdout}${result.stderr}`, stdout: result.stdout };
}

const aiwc = (args: string[], env: NodeJS.ProcessEnv = {}) => run(process.execPath, [BIN, ...args], env);

/** A copy of the price catalogs with one file edited, and a config that uses it. */
function withPrices(file: string, edit: (doc: ReturnType<typeof parseDocument>) => void): string {
  const prices = join(tempDir("aiwc-prices-"), "prices");
  cpSync(join(ROOT, "config", "prices"), prices, { recursive: true });
  const doc = parseDocument(readFileSync(join(prices, file), "utf8"));
  edit(doc);
  writeFileSync(join(prices, file), doc.toString());
  return fixtureConfig({ cluster: (d) => d.setIn(["files", "prices"], prices) });
}

const overBudget = () => fixtureConfig({ cluster: (d) => d.setIn(["policy", "maxMonthlyCost"], "500.00") });

describe("gate in synthesis", () => {
  test("over budget: npx cdktf synth exits non-zero with the reason and writes no stack", () => {
    const out = tempDir();
    const { code, out: text } = run(CDKTF, ["synth", "--output", out], { AIWC_CONFIG: overBudget() });
    expect(code).not.toBe(0);
    expect(text).toContain("monthly cost 944.11 € exceeds policy.maxMonthlyCost 500.00 € by 444.11 €; largest groups: user-vms 349.28 €, gpu-workers 232.30 €, service-nodes 138.98 €");
    expect(existsSync(join(out, "stacks", "platform", "cdk.tf.json"))).toBe(false);
  });

  test("an override from the environment passes and its reason is printed", () => {
    const out = tempDir();
    const reason = "budget raise approved in OPS-42";
    const { code, out: text } = run(CDKTF, ["synth", "--output", out], { AIWC_CONFIG: overBudget(), AIWC_COST_OVERRIDE: reason });
    expect(code, text).toBe(0);
    expect(existsSync(join(out, "stacks", "platform", "cdk.tf.json"))).toBe(true);
    // `npx cdktf synth` records the verdict and the override with the stacks, and aiwc verify accepts them.
    expect(JSON.parse(readFileSync(join(out, "aiwc-gate.json"), "utf8")).gate.override).toEqual({ reason, source: "environment" });
    expect(aiwc(["verify", out]).code).toBe(0);
    const report = JSON.parse(aiwc(["cost", "--config", overBudget(), "--format", "json"], { AIWC_COST_OVERRIDE: reason }).stdout);
    expect(report.gate).toMatchObject({ passed: true, override: { reason, source: "environment" } });
    expect(report.gate.reasons).toHaveLength(1);
  });

  test("aiwc synth refuses over budget (exit 1, no stack trace) and passes with an override in the config", () => {
    const refused = aiwc(["synth", "--config", overBudget(), "--out", tempDir()]);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/^aiwc: cost gate failed:\n  - monthly cost 944\.11 €/);
    expect(refused.out).not.toMatch(/\n\s+at /);
    const dir = fixtureConfig({ cluster: (d) => { d.setIn(["policy", "maxMonthlyCost"], "500.00"); d.setIn(["policy", "override"], { reason: "one month of double running during migration" }); } });
    const passed = aiwc(["synth", "--config", dir, "--out", tempDir()]);
    expect(passed.code).toBe(0);
    expect(passed.out).toContain("cost gate override (config): one month of double running during migration");
    const table = aiwc(["cost", "--config", dir]);
    expect(table.code).toBe(0);
    expect(table.out).toContain("Gate: FAILED, OVERRIDDEN");
    expect(table.out).toContain("override (config): one month of double running during migration");
  });

  test("a resource without a price fails closed, and passes with a warning when the policy allows", () => {
    const shift = (doc: ReturnType<typeof parseDocument>) => doc.setIn(["server_types", "cpx12", "prices", 0, "valid_from"], "2027-01-01");
    const dir = withPrices("hetzner.yaml", shift);
    const { code, out } = aiwc(["synth", "--config", dir, "--out", tempDir()]);
    expect(code).toBe(1);
    expect(out).toMatch(/31 resource\(s\) cannot be priced, so the cost is not known: hcloud_server\.Bastion_Group_Server1_[0-9A-F]+ \(missing price: no price for "cpx12" in fsn1 valid on 2026-11-27\)/);
    const lenient = withPrices("hetzner.yaml", shift);
    const cluster = join(lenient, "cluster.yaml");
    const doc = parseDocument(readFileSync(cluster, "utf8"));
    doc.setIn(["policy", "failOnUnsupported"], false);
    doc.setIn(["policy", "minMarginPercent"], -100);
    writeFileSync(cluster, doc.toString());
    const report = JSON.parse(aiwc(["cost", "--config", lenient, "--format", "json"]).stdout);
    expect(report.gate.passed).toBe(true);
    expect(report.gate.warnings[0]).toMatch(/^31 resource\(s\) cannot be priced/);
    expect(report.counts.unsupported).toBe(31);
  });

  test("a stale catalog fails the gate", () => {
    const { code, out } = aiwc(["cost", "--config", fixtureConfig({ cluster: (d) => d.setIn(["policy", "maxCatalogAgeDays"], 20) })]);
    expect(code).toBe(2);
    expect(out).toContain("the hetzner price catalog is 30 days old (as_of 2026-10-28), more than policy.maxCatalogAgeDays 20");
  });
});

describe("bad input", () => {
  test("malformed plan JSON", () => {
    const file = join(tempDir(), "plan.json");
    writeFileSync(file, '{"planned_values": ');
    const { code, out } = aiwc(["cost", "--plan", file]);
    expect(code).toBe(1);
    expect(out).toMatch(/plan\.json: not valid JSON \(.+\); pass the output of `terraform show -json <planfile>` or a \*\.tf\.json file/);
    expect(out).not.toMatch(/\n\s+at /);
  });

  test("JSON that is neither a plan nor a configuration", () => {
    const file = join(tempDir(), "other.json");
    writeFileSync(file, JSON.stringify({ resource: [1, 2] }));
    const { code, out } = aiwc(["cost", "--plan", file]);
    expect(code).toBe(1);
    expect(out).toContain('other.json: resource: must be an object of resource types');
  });

  test("unknown server type in the config", () => {
    const { code, out } = aiwc(["cost", "--config", fixtureConfig({ cluster: (d) => d.setIn(["nodeGroups", "controllers", "serverType"], "cpx23") })]);
    expect(code).toBe(1);
    expect(out).toContain('nodeGroups.controllers.serverType: unknown Hetzner server type "cpx23"');
  });

  test("catalog entry without a source, and a source that is not listed", () => {
    const empty = aiwc(["validate", "--config", withPrices("hetzner.yaml", (doc) => doc.setIn(["server_types", "cpx22", "prices", 0, "source"], []))]);
    expect(empty.code).toBe(1);
    expect(empty.out).toContain("hetzner.yaml: server_types.cpx22.prices[0].source: every price needs a source");
    const unlisted = aiwc(["validate", "--config", withPrices("hetzner.yaml", (doc) => doc.setIn(["products", "lb11", "prices", 0, "source"], ["S_NOWHERE"]))]);
    expect(unlisted.code).toBe(1);
    expect(unlisted.out).toContain('hetzner.yaml: products.lb11.prices[0].source[0]: source "S_NOWHERE" is not listed under sources:; add it with description, url and date');
  });

  test("a currency without an exchange rate", () => {
    const dir = withPrices("fx.yaml", (doc) => doc.deleteIn(["rates", "USD"]));
    const { code, out } = aiwc(["cost", "--config", dir]);
    expect(code).toBe(1);
    expect(out).toContain("aws.yaml: currency: USD has no exchange rate in fx.yaml; add rates.USD.per_eur with its date and source");
  });

  test("bad --format, --date and --reference", () => {
    expect(aiwc(["cost", "--format", "xml"]).out).toContain('aiwc: --format must be one of table, json, markdown, got "xml"');
    expect(aiwc(["cost", "--date", "27.11.2026"]).out).toContain('aiwc: --date must be a date YYYY-MM-DD, got "27.11.2026"');
    expect(aiwc(["cost", "--reference", "lots"]).out).toContain('--reference must be an amount and a currency, e.g. "2680 USD", got "lots"');
  });
});
