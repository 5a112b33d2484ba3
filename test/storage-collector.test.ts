/**
 * The storage collector (metering/storage.ts, `aiwc meter storage`) against `ceph fs subvolume`
 * output in Ceph 19's format (test/fixtures/ceph/squid), printed by a stand-in `ceph` command
 * that answers exactly the two commands the collector may ask and fails like Ceph otherwise.
 */
import { chmodSync, existsSync, readdirSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { collectStorage, gigabytes } from "../metering/storage";
import { Spool, spoolFiles } from "../metering/spool";
import { collectSpool } from "../metering/collect";
import { openLedger, type Ledger } from "../billing/ledger";
import { draftBill } from "../billing/bill";
import { loadConfig } from "../model/load";
import { DEFAULT_CONFIG, ROOT, tempDir } from "./helpers";

const config = loadConfig(DEFAULT_CONFIG);
const FIXTURES = join(ROOT, "test", "fixtures", "ceph", "squid");

/** A `ceph` that prints the recorded output; FAIL_FOR=<name> makes its info fail as Ceph does. */
function standInCeph(dir: string): string {
  const file = join(dir, "ceph");
  writeFileSync(
    file,
    `#!${process.execPath}
const { readFileSync } = require("node:fs");
const args = process.argv.slice(2).join(" ");
const fixtures = ${JSON.stringify(FIXTURES)};
let m;
if (args === "fs subvolume ls aiwc --group_name users --format json") process.stdout.write(readFileSync(fixtures + "/subvolume-ls.json", "utf8"));
else if ((m = /^fs subvolume info aiwc (\\S+) --group_name users --format json$/.exec(args)) && m[1] !== process.env.FAIL_FOR) process.stdout.write(readFileSync(fixtures + "/subvolume-info-" + m[1] + ".json", "utf8"));
else { process.stderr.write("Error ENOENT: subvolume '" + (m ? m[1] : args) + "' does not exist\\n"); process.exit(2); }
`,
  );
  chmodSync(file, 0o755);
  return file;
}

let dir: string;
let ceph: string;
beforeAll(() => {
  dir = tempDir("aiwc-storage-");
  ceph = standInCeph(dir);
});

describe("storage samples from Ceph", () => {
  const now = new Date("2026-11-29T03:00:00Z");
  let ledger: Ledger;
  beforeAll(async () => {
    ledger = await openLedger({ dir: join(dir, "ledger"), url: "" });
  });
  afterAll(async () => ledger?.close());

  test("bytes as GB, six decimals half-up", () => {
    expect(gigabytes(3221225472)).toBe("3.221225");
    expect(gigabytes(48734219)).toBe("0.048734");
    expect(gigabytes(500)).toBe("0.000001");
    expect(gigabytes(0)).toBe("0");
  });

  test("one sample per user with a subvolume; strangers and users without one are reported, not sampled", async () => {
    const spool = new Spool(join(dir, "spool"));
    const result = await collectStorage({ config, spool, ceph: [ceph], now, source: "storage:ceph-01" });
    spool.close();
    expect(result.events).toEqual([
      { source: "storage:ceph-01", id: "storage_gb:anna:2026-11-29:3221225472", time: "2026-11-29T03:00:00.000Z", user: "anna", meter: "storage_gb", quantity: "3.221225", detail: "CephFS subvolume aiwc/users/anna" },
      { source: "storage:ceph-01", id: "storage_gb:ben:2026-11-29:48734219", time: "2026-11-29T03:00:00.000Z", user: "ben", meter: "storage_gb", quantity: "0.048734", detail: "CephFS subvolume aiwc/users/ben" },
      { source: "storage:ceph-01", id: "storage_gb:david:2026-11-29:0", time: "2026-11-29T03:00:00.000Z", user: "david", meter: "storage_gb", quantity: "0", detail: "CephFS subvolume aiwc/users/david" },
    ]);
    expect(result.strangers).toEqual(["old-customer"]);
    expect(result.missing).toContain("clara");
    expect(result.missing).not.toContain("anna");
    // Collected twice the same day: the same events, imported once.
    const again = new Spool(join(dir, "spool"));
    await collectStorage({ config, spool: again, ceph: [ceph], now, source: "storage:ceph-01" });
    again.close();
    expect(await collectSpool(config, ledger, join(dir, "spool"), now)).toMatchObject({ events: 3, imported: 3 });
    // The month's bill averages the gauge over anna's active days: 0 GB until the first sample
    // (Nov 29), 3.221225 GB on the 29th and 30th — 3.221225 × 2 / 30 = 0.2147 GB.
    const bill = await draftBill(config, ledger, "2026-11");
    const line = bill.invoices.find((i) => i.user === "anna")!.lines.find((l) => l.item === "payg:storage_gb");
    expect(line?.description).toBe("GB-month: 0.2147 average, 2 included");
  });

  test("a Ceph that fails for one user fails the run and spools nothing (the binary: exit 1, no stack trace)", () => {
    const spoolDir = join(dir, "spool-failing");
    const r = spawnSync(process.execPath, [join(ROOT, "bin", "aiwc.cjs"), "meter", "storage", "--spool", spoolDir, "--ceph", ceph, "--config", DEFAULT_CONFIG], { encoding: "utf8", env: { ...process.env, FAIL_FOR: "ben" } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("fs subvolume info aiwc ben --group_name users --format json` failed: Error ENOENT: subvolume 'ben' does not exist");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(spoolDir) ? readdirSync(spoolDir).filter((f) => f.startsWith("events-")) : []).toEqual([]);
    const ok = spawnSync(process.execPath, [join(ROOT, "bin", "aiwc.cjs"), "meter", "storage", "--spool", spoolDir, "--ceph", ceph, "--source", "storage:cli", "--config", DEFAULT_CONFIG], { encoding: "utf8" });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain("3 storage sample(s) spooled");
    expect(ok.stderr).toContain("subvolume old-customer is no user in users.yaml");
    expect(spoolFiles(spoolDir).flatMap((f) => f.text.split("\n")).filter((l) => l !== "")).toHaveLength(3);
  });
});
