/**
 * The monthly report (reporting/monthly.ts, `aiwc report`): the default config recorded as
 * deployed, the sample usage (examples/usage/2026-11.jsonl) imported, on PGlite and PostgreSQL;
 * its figures checked against the recorded states, the bill and the usage file; table and
 * Markdown as golden files; the JSON valid against its schema.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openLedger, type Ledger } from "../billing/ledger";
import { importUsage, readUsage } from "../billing/usage";
import { draftBill } from "../billing/bill";
import { money } from "../catalog/money";
import { loadConfig } from "../model/load";
import { reportJson } from "../cost/report";
import { priceConfig } from "../stacks/app";
import { deploymentOf, deploymentsUntil, recordDeployment, type Deployment } from "../reporting/deployments";
import { monthlyReport } from "../reporting/monthly";
import { monthlySchema, type MonthlyJson } from "../reporting/monthly-schema";
import { monthlyMarkdown, monthlyTable } from "../reporting/render";
import { DEFAULT_CONFIG, ROOT, tempDir } from "./helpers";
import { freshDatabase } from "./helpers-postgres";

const config = loadConfig(DEFAULT_CONFIG);
const SAMPLE = join(ROOT, "examples", "usage", "2026-11.jsonl");
const NOW = new Date("2026-12-02T08:00:00Z");

let deployed: Deployment;
beforeAll(() => {
  const priced = reportJson(priceConfig(config, { outdir: join(tempDir("aiwc-monthly-out-"), "cdktf.out"), pricing: { date: "2026-11-01" } }));
  deployed = deploymentOf(priced, { recordedAt: "2026-11-01T00:00:00.000Z", cluster: config.cluster.name, configDigest: "digest", gitCommit: "0123abcd" });
}, 120_000);

const backends: [string, () => Promise<{ dir?: string; url?: string }>][] = [
  ["PGlite", async () => ({ dir: join(tempDir("aiwc-monthly-"), "ledger") })],
  ["PostgreSQL", async () => ({ url: await freshDatabase() })],
];

describe.each(backends)("the November report on %s", (_name, where) => {
  let ledger: Ledger;
  let report: MonthlyJson;
  beforeAll(async () => {
    ledger = await openLedger(await where());
    await recordDeployment(ledger, deployed);
    // Mid-month a second GPU worker joins.
    const worker = deployed.resources.find((r) => r.role === "gpu-worker" && r.machine === true)!;
    await recordDeployment(ledger, { ...deployed, recordedAt: "2026-11-16T00:00:00.000Z", resources: [...deployed.resources, { ...worker, address: `${worker.address}-2` }] });
    await importUsage(ledger, readUsage(readFileSync(SAMPLE, "utf8"), SAMPLE, config, NOW), SAMPLE);
    report = await monthlyReport(config, ledger, "2026-11", NOW);
  }, 120_000);
  afterAll(async () => ledger?.close());

  test("valid against its schema; cost from the two recorded states, revenue from the draft bill, margin their difference", async () => {
    expect(monthlySchema.parse(report)).toEqual(report);
    const [first, second] = await deploymentsUntil(ledger, new Date("2026-12-01T00:00:00Z"));
    // Each resource: 360 h in each state at monthly ÷ 730 per hour (a month of 720 h is under every cap).
    const hourly = (d: Deployment) => d.resources.reduce((sum, r) => sum.plus(r.monthly), money(0)).dividedBy(730);
    const running = hourly(first!).times(360).plus(hourly(second!).times(360));
    expect(report.cost.running).toBe(running.toFixed(2));
    // Setup fees: every resource of the first state, and the worker that joined (its first month).
    const joined = second!.resources.find((r) => r.address.endsWith("-2"))!;
    const setup = money(deployed.setupOneTime).plus(joined.setup);
    expect(joined.setup).not.toBe("0");
    expect(report.cost.setup).toBe(setup.toFixed(2));
    expect(report.cost.incurred).toBe(running.plus(setup).toFixed(2));
    expect(report.cost.deployments).toBe(2);
    // The forecast is what the state in force at the month's end costs a month (as recorded).
    expect(report.cost.forecast).toBe(money(second!.totalMonthly).toFixed(2));
    const bill = await draftBill(config, ledger, "2026-11");
    expect(report.revenue).toMatchObject({ source: "draft", net: bill.totals.net, invoices: bill.invoices.length });
    expect(report.margin.actual).toBe(money(bill.totals.net).minus(report.cost.incurred).toFixed(2));
    expect(report.warnings).toContain("2026-11 is not issued: the revenue is the draft bill");
  });

  test("PAYG per meter: the usage file's sums, the profiles' forecast and what it says about them", () => {
    const gpu = report.payg.find((p) => p.meter === "gpu_hours")!;
    // ben 1.25 + 2.5 + 0.5 (a correction of the 2.5), david 0.75 − 0.25 (a correction): 4.25 + 0.5.
    expect(gpu.actual).toBe("4.75");
    const normal = config.users.filter((u) => (u.profile ?? "normal") === "normal").length;
    const power = config.users.filter((u) => u.profile === "power").length;
    expect(gpu.forecast).toBe(String(normal * 5 + power * 60));
    expect(gpu.profiles.find((p) => p.profile === "power")).toMatchObject({ users: power, forecastPerUser: "60" });
    expect(gpu.calibration.some((c) => /^power users used \d+(\.\d)? GPU hour each, the profile says 60$/.test(c) || /^power users used [\d.]+ \S.* each, the profile says 60$/.test(c))).toBe(true);
    expect(report.payg.find((p) => p.meter === "n8n_runs")!.actual).toBe("340");
  });

  test("GPU workers: machine hours from the recorded states, utilisation and what follows", () => {
    const workers = deployed.resources.filter((r) => r.role === "gpu-worker" && r.machine === true).length;
    expect(report.gpu).toMatchObject({ meter: "gpu_hours", workers: workers + 1, workerHours: String(workers * 360 + (workers + 1) * 360), meteredHours: "4.75" });
    expect(Number(report.gpu!.utilisation)).toBeCloseTo((4.75 / (workers * 360 + (workers + 1) * 360)) * 100, 1);
    expect(report.gpu!.advice).toMatch(/busy 0\.\d % of the time/);
    expect(report.gpu!.breakEvenUsers).toBeGreaterThan(0);
  });

  test("users: revenue, invoice lines and usage; storage against quota; usage the tariff does not include", () => {
    const ben = report.users.find((u) => u.user === "ben")!;
    expect(ben.usage.gpu_hours).toBe("4.25");
    expect(ben.lines.some((l) => l.item === "base")).toBe(true);
    // ben has no Team pack, yet used Qdrant: billed and flagged.
    expect(ben.unentitled).toContain("qdrant_queries");
    const anna = report.users.find((u) => u.user === "anna")!;
    expect([anna.storageGb, anna.storageQuotaGb, anna.overQuota]).toEqual(["8", 10, false]);
    // Sorted by revenue, highest first.
    const revenues = report.users.map((u) => Number(u.revenue));
    expect(revenues).toEqual([...revenues].sort((a, b) => b - a));
    expect(report.history).toEqual([{ month: "2026-11", cost: report.cost.incurred, revenue: report.revenue.net, revenueSource: "draft" }]);
    expect(report.daily.find((d) => d.day === "2026-11-09" && d.meter === "gpu_hours")).toEqual({ day: "2026-11-09", meter: "gpu_hours", quantity: "3" });
  });

  test("table and Markdown (golden)", async () => {
    await expect(`${monthlyTable(report)}\n`).toMatchFileSnapshot(join("golden", "reports", "monthly-2026-11.txt"));
    await expect(`${monthlyMarkdown(report)}\n`).toMatchFileSnapshot(join("golden", "reports", "monthly-2026-11.md"));
  });

  // Last: it adds a correction to the ledger the tests above read.
  test("storage is each user's last sample in the month with its corrections; a sample from before the month is not this month's", async () => {
    expect(report.users.find((u) => u.user === "felix")?.storageGb).toBeNull();
    const correction = JSON.stringify({ id: "ceph-0003-fix", source: "ceph", time: "2026-11-25T00:00:00Z", user: "anna", meter: "storage_gb", quantity: "3", corrects: "ceph-0003" });
    await importUsage(ledger, readUsage(correction, "fix.jsonl", config, NOW), "fix.jsonl");
    const corrected = await monthlyReport(config, ledger, "2026-11", NOW);
    expect(corrected.users.find((u) => u.user === "anna")).toMatchObject({ storageGb: "11", storageQuotaGb: 10, overQuota: true });
  });
});
