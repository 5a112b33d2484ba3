/**
 * Whole cost reports (golden files) for the default config, the seed's 18-node layout and the
 * seed's AWS topology, and the gate's verdict on each.
 */
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { cost, EXIT_GATE_FAILED } from "../cli/commands/cost";
import { fixtureConfig, ROOT } from "./helpers";
import { money, ZERO, type Money } from "../catalog/money";

const DATE = "2026-11-27";
const AWS_SEED = join(ROOT, "test", "fixtures", "aws-seed.tf.json");

describe("cost reports", () => {
  test("default config: JSON, table and Markdown match their golden files; the gate passes", async () => {
    const json = cost({ format: "json", date: DATE });
    expect(json.exitCode).toBe(0);
    await expect(`${json.stdout}\n`).toMatchFileSnapshot("golden/reports/default.json");
    await expect(`${cost({ date: DATE }).stdout}\n`).toMatchFileSnapshot("golden/reports/default.txt");
    await expect(`${cost({ format: "markdown", date: DATE }).stdout}\n`).toMatchFileSnapshot("golden/reports/default.md");
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({
      version: 1,
      currency: "EUR",
      totalMonthly: "944.11",
      setupOneTime: "114.00",
      unsupported: [],
      tariff: { breakEvenUsers: expect.any(Number) },
      gate: { passed: true, reasons: [] },
    });
    // Every group's revenue is exactly what its paying streams bring (to the cent: shares are exact).
    for (const g of report.tariff.groups) {
      const paid = g.paidBy.reduce((sum: Money, p: { amount: string }) => sum.plus(money(p.amount)), ZERO);
      // Each amount is rounded to the cent on its own: at most half a cent off per stream.
      expect(paid.minus(money(g.revenue)).abs().lessThanOrEqualTo(money("0.005").times(g.paidBy.length)), g.group).toBe(true);
    }
    expect(report.tariff.groups.find((g: { group: string }) => g.group === "service-nodes").paidBy.map((p: { stream: string }) => p.stream)).toEqual(
      expect.arrayContaining(["tariffs.basic", "packs.team", "packs.devops", "payg.qdrant_queries"]),
    );
    expect(report.resources[0]).toEqual(expect.objectContaining({ address: expect.any(String), type: expect.any(String), group: expect.any(String), monthly: expect.stringMatching(/^\d+\.\d{2}$/) }));
  });

  test("seed-18 fails the gate with reasons naming what breaks the margin", async () => {
    const result = cost({ config: join(ROOT, "config", "examples", "seed-18"), format: "json", date: DATE });
    expect(result.exitCode).toBe(EXIT_GATE_FAILED);
    await expect(`${result.stdout}\n`).toMatchFileSnapshot("golden/reports/seed-18.json");
    const { gate, totalMonthly } = JSON.parse(result.stdout);
    expect(totalMonthly).toBe("2278.27");
    expect(gate.passed).toBe(false);
    expect(gate.reasons).toEqual([expect.stringMatching(/^gross margin -125\.6 % is below policy\.minMarginPercent 10 %: .*groups not covered by their revenue: gpu-workers -735\.76 €/)]);
  });

  test("the seed's AWS topology: the real figure beside the seed's $2,680", async () => {
    const table = cost({ plan: [AWS_SEED], date: DATE, reference: "2680 USD", referenceLabel: "seed estimate" });
    await expect(`${table.stdout}\n`).toMatchFileSnapshot("golden/reports/aws-seed.txt");
    expect(table.stdout).toContain("seed estimate: 2680.00 USD = 2,407.26 €; this estimate: ≥ 5,267.94 € (5864.79 USD)");
    const json = cost({ plan: [AWS_SEED], date: DATE, format: "json", reference: "2680 USD", referenceLabel: "seed estimate" });
    await expect(`${json.stdout}\n`).toMatchFileSnapshot("golden/reports/aws-seed.json");
    const report = JSON.parse(json.stdout);
    expect(report.references).toEqual([{ label: "seed estimate", amount: "2680.00", currency: "USD", eur: "2407.26", difference: "2860.68" }]);
    // 3 + 4 + 3 + 6 + 1 instances from count = 17.
    expect(report.resources.filter((r: { type: string }) => r.type === "aws_instance")).toHaveLength(17);
  });

  test("aiwc cost on config/examples/aws-seed shows the seed's $2,680 and the default Hetzner figure beside it", () => {
    const { stdout } = cost({ config: join(ROOT, "config", "examples", "aws-seed"), date: DATE });
    expect(stdout).toContain("seed estimate: 2680.00 USD = 2,407.26 €; this estimate: ≥ 5,800.76 € (6457.99 USD), +3,393.50 € (+141.0 %)");
    expect(stdout).toContain("default Hetzner config: 944.11 EUR = 944.11 €; this estimate: ≥ 5,800.76 €, +4,856.65 € (+514.4 %)");
    expect(stdout).toContain("override (config): reference design from the seed, kept for comparison; not sized for the 20 € tariff");
  });

  test("Object Storage outside Terraform: one base fee per project, the backups' on the bastion's group", () => {
    const KEY = "hetzner.products.object_storage_base";
    const storage = (config?: string) =>
      (JSON.parse(cost({ ...(config !== undefined ? { config } : {}), format: "json", date: DATE }).stdout).resources as { group: string; monthly: string; components: { name: string; priceKey: string }[] }[])
        .filter((r) => r.components.some((c) => c.priceKey === KEY))
        .map((r) => [r.group, r.monthly, r.components[0]!.name]);
    expect(storage()).toEqual([["bastion", "6.49", "Object Storage base, 1 TB storage and egress included (aiwc-config-backups)"]]);
    // The state bucket in the same project's Object Storage adds no second base fee.
    const withState = fixtureConfig({ cluster: (d) => d.setIn(["state"], { backend: "s3", bucket: "aiwc-state", region: "fsn1", endpoint: "https://fsn1.your-objectstorage.com" }) });
    expect(storage(withState)).toEqual([["bastion", "6.49", "Object Storage base, 1 TB storage and egress included (aiwc-config-backups, aiwc-state)"]]);
    // An S3 store of the operator's own (here: not Hetzner's) is nothing aiwc can price.
    const own = fixtureConfig({ cluster: (d) => d.setIn(["software", "backups", "endpoint"], "https://minio.example.org") });
    expect(storage(own)).toEqual([]);
  });

  test("hetzner-dedicated: an old GEX44 keeps its order-date price, both hosts declared with their vSwitch addresses", async () => {
    const result = cost({ config: join(ROOT, "config", "examples", "hetzner-dedicated"), format: "json", date: DATE });
    expect(result.exitCode).toBe(0);
    await expect(`${result.stdout}\n`).toMatchFileSnapshot("golden/reports/hetzner-dedicated.json");
    const report = JSON.parse(result.stdout);
    const hosts = report.resources.filter((r: { type: string; components: { priceKey: string }[] }) => r.type === "terraform_data" && r.components[0]?.priceKey.startsWith("hetzner.dedicated."));
    expect(hosts.map((h: { group: string; monthly: string; setup: string }) => [h.group, h.monthly, h.setup])).toEqual([
      ["gpu-legacy", "184.00", "79.00"],
      ["gpu-workers", "232.30", "114.00"],
    ]);
    expect(report.setupOneTime).toBe("193.00");
  });

  test("every example config validates and prices without unsupported resources", () => {
    for (const example of ["seed-18", "aws-seed", "hetzner-dedicated"]) {
      const report = JSON.parse(cost({ config: join(ROOT, "config", "examples", example), format: "json", date: DATE }).stdout);
      expect(report.unsupported, example).toEqual([]);
      expect(Number(report.totalMonthly), example).toBeGreaterThan(0);
    }
  });

  test("GPU workers: PAYG at 0.20 €/GPU-hour cannot pay for a 232.30 € server alone", () => {
    const { tariff } = JSON.parse(cost({ format: "json", date: DATE }).stdout);
    expect(tariff.gpu).toEqual([
      { group: "gpu-workers", workers: 1, costPerWorker: "232.30", maxPaygPerUser: "146.00", hoursPerMonth: 730, concurrentUsersNeeded: 2 },
    ]);
  });
});
