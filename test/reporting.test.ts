/**
 * What ran and what it cost (reporting/deployments.ts, `aiwc record`): the recorded states in
 * the ledger (PGlite and PostgreSQL), and the month's incurred cost checked against a hand
 * computation.
 */
import { execFile } from "node:child_process";
import { appendFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { deploymentsUntil, incurredCost, type DeployedResource, type Deployment } from "../reporting/deployments";
import { openLedger, type Ledger } from "../billing/ledger";
import { DEFAULT_CONFIG, ROOT, tempDir } from "./helpers";
import { freshDatabase } from "./helpers-postgres";

const state = (recordedAt: string, resources: DeployedResource[]): Deployment => ({
  recordedAt, cluster: "aiwc", configDigest: "d", gitCommit: null, pricingDate: recordedAt.slice(0, 10), totalMonthly: "0", setupOneTime: "0", passed: true, overrideReason: null, reasons: [], groups: [], resources,
});
const r = (address: string, group: string, monthly: string, setup = "0"): DeployedResource => ({ address, group, monthly, setup });

describe("the month's incurred cost", () => {
  // November has 720 hours. 73 € a month is 0.10 € an hour (730 hours a month), 7.30 € 0.01 €, 146 € 0.20 €.
  const november = [
    state("2026-11-01T00:00:00Z", [r("x", "workers", "73"), r("y", "ceph", "7.30", "10")]),
    state("2026-11-11T00:00:00Z", [r("x", "workers", "73"), r("z", "workers", "146")]),
    state("2026-11-21T00:00:00Z", [r("x", "workers", "146"), r("z", "workers", "146")]),
  ];

  test("three deploys in a month, by hand: each resource's hours at its price then, setup fees where they first appear", () => {
    const cost = incurredCost(november, "2026-11", new Date("2026-12-05T00:00:00Z"));
    // x: 240 h × 0.10 + 240 h × 0.10 + 240 h × 0.20 = 96 (under its 146 cap)
    // y: 240 h × 0.01 = 2.40, and its 10 € setup
    // z: 480 h × 0.20 = 96
    expect(cost.running.toFixed(2)).toBe("194.40");
    expect(cost.setup.toFixed(2)).toBe("10.00");
    expect(cost.total.toFixed(2)).toBe("204.40");
    expect(cost.groups.map((g) => [g.group, g.cost.toFixed(2), g.setup.toFixed(2)])).toEqual([["ceph", "2.40", "10.00"], ["workers", "192.00", "0.00"]]);
    expect(cost).toMatchObject({ deployments: 3, coveredFrom: "2026-11-01T00:00:00.000Z", coveredUntil: "2026-12-01T00:00:00.000Z" });
  });

  test("a whole 31-day month costs the monthly price, not more (the cap); the setup fee stays in its month", () => {
    const december = incurredCost(november, "2026-12", new Date("2027-01-10T00:00:00Z"));
    // x at 146 and z at 146 all December: 744 h × 0.20 = 148.80 each, capped at 146.
    expect(december.running.toFixed(2)).toBe("292.00");
    expect(december.setup.toFixed(2)).toBe("0.00");
    expect(december.deployments).toBe(1);
  });

  test("the current month up to now; a month before the first record costs nothing known", () => {
    const sofar = incurredCost(november, "2026-11", new Date("2026-11-06T00:00:00Z"));
    // 120 h: x 12, y 1.20, setup 10.
    expect([sofar.running.toFixed(2), sofar.setup.toFixed(2), sofar.coveredUntil]).toEqual(["13.20", "10.00", "2026-11-06T00:00:00.000Z"]);
    const october = incurredCost(november, "2026-10", new Date("2026-12-01T00:00:00Z"));
    expect([october.total.toFixed(2), october.deployments, october.coveredFrom]).toEqual(["0.00", 0, null]);
  });
});

const backends: [string, () => Promise<{ dir?: string; url?: string }>][] = [
  ["PGlite", async () => ({ dir: join(tempDir("aiwc-record-"), "ledger") })],
  ["PostgreSQL", async () => ({ url: await freshDatabase() })],
];

const aiwc = (args: string[], env: NodeJS.ProcessEnv = {}, cwd = tempDir("aiwc-record-cwd-")) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [join(ROOT, "bin", "aiwc.cjs"), ...args], { cwd, encoding: "utf8", env: { ...process.env, AIWC_LEDGER: "", CI_COMMIT_SHA: "", GITHUB_SHA: "", ...env } }, (error, stdout, stderr) =>
      resolve({ status: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr }),
    );
  });

describe.each(backends)("aiwc record on %s", (_name, where) => {
  let at: { dir?: string; url?: string };
  let ledger: Ledger;
  const ledgerArgs = () => (at.dir !== undefined ? ["--ledger", at.dir] : []);
  const ledgerEnv = () => (at.url !== undefined ? { AIWC_LEDGER: at.url } : {});
  beforeAll(async () => {
    at = await where();
  });
  afterAll(async () => ledger?.close());

  test("from the synthesis that was deployed, with its verdict and commit; a synthesis changed after its gate is refused", async () => {
    const out = join(tempDir("aiwc-record-synth-"), "cdktf.out");
    const synth = await aiwc(["synth", "--out", out, "--config", DEFAULT_CONFIG]);
    expect(synth.status, synth.stderr).toBe(0);
    const first = await aiwc(["record", "--outdir", out, "--at", "2026-11-01T00:00:00Z", "--commit", "0123abcd", ...ledgerArgs()], ledgerEnv());
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^deployment #1 recorded at 2026-11-01T00:00:00\.000Z from the synthesis in .*cdktf\.out: \d+\.\d\d € per month, \d+\.\d\d € setup, \d+ resource\(s\); the gate passed; commit 0123abcd\n$/);
    // Without a synthesis: the config priced now.
    const second = await aiwc(["record", "--outdir", join(out, "..", "none"), "--at", "2026-11-16T00:00:00Z", "--config", DEFAULT_CONFIG, ...ledgerArgs()], ledgerEnv());
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^deployment #2 recorded at 2026-11-16T00:00:00\.000Z from the config \(no synthesis in .*none\), priced now: /);

    const stack = readdirSync(join(out, "stacks"))[0]!;
    appendFileSync(join(out, "stacks", stack, "cdk.tf.json"), " ");
    const tampered = await aiwc(["record", "--outdir", out, ...ledgerArgs()], ledgerEnv());
    expect(tampered.status).toBe(1);
    expect(tampered.stderr).toContain("is not what its gate judged, so not what was deployed:");
    expect(tampered.stderr).toContain(`✗ stack ${stack}: stacks/${stack}/cdk.tf.json was changed after the gate ran`);
    expect((await aiwc(["record", "--at", "yesterday", ...ledgerArgs()], ledgerEnv())).stderr).toBe('aiwc: --at must be a time such as 2026-11-28T14:00:00Z, got "yesterday"\n');

    ledger = await openLedger(at);
    const recorded = await deploymentsUntil(ledger, new Date("2027-01-01T00:00:00Z"));
    expect(recorded.map((d) => [d.id, d.recordedAt, d.gitCommit, d.passed])).toEqual([
      [1, "2026-11-01T00:00:00.000Z", "0123abcd", true],
      [2, "2026-11-16T00:00:00.000Z", null, true],
    ]);
    // The same config both times: the month costs exactly its monthly total (30 days × 24 h = 720 of 730 hours, per resource).
    const cost = incurredCost(recorded, "2026-11", new Date("2026-12-02T00:00:00Z"));
    const monthly = recorded[0]!.resources.reduce((sum, x) => sum + Number(x.monthly), 0);
    expect(Number(cost.running.toFixed(2))).toBeCloseTo((monthly * 720) / 730, 1);
    expect(cost.setup.toFixed(2)).toBe(Number(recorded[0]!.setupOneTime).toFixed(2));
    expect(recorded[0]!.resources.length).toBe(recorded[1]!.resources.length);
    expect(recorded[0]!.configDigest).toBe(recorded[1]!.configDigest);
  }, 120_000);
});

describe("DecimalTotal", () => {
  test("sums decimal strings exactly, negative ones and ones finer than 12 places too", async () => {
    const { DecimalTotal } = await import("../catalog/money");
    const total = new DecimalTotal();
    for (const text of ["0.1", "0.2", "-0.3", "1234567890.123456789012", "0.0000000000001", "1e-13", "7"]) total.add(text);
    // 0.1 + 0.2 − 0.3 is exactly 0; the last two are added as Decimals.
    expect(total.value.toFixed()).toBe("1234567897.1234567890122");
    const cents = new DecimalTotal();
    for (let i = 0; i < 1000; i++) cents.add("0.01");
    expect(cents.value.toFixed()).toBe("10");
    // Past what doubles hold exactly: whole parts of 15 digits, fractions carried over and over.
    const large = new DecimalTotal();
    for (let i = 0; i < 11; i++) large.add("999999999999999.999999999999");
    large.add("-0.000000000009");
    expect(large.value.toFixed()).toBe("10999999999999999.99999999998");
    const fractions = new DecimalTotal();
    for (let i = 0; i < 20_000; i++) fractions.add("0.999999999999");
    for (let i = 0; i < 3; i++) fractions.add("-0.5");
    expect(fractions.value.toFixed()).toBe("19998.49999998");
  });
});
