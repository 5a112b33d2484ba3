/**
 * Billing at scale: 1,000,000 usage events for 10,000 users imported into the embedded ledger
 * (PGlite), then the month's bill. Targets (issue #13): the import ≤ 30 s, the bill ≤ 10 s.
 *
 *   npm run bench:billing                 # 10,000 users, 1,000,000 events, PGlite
 *   AIWC_LEDGER=postgres://… npm run bench:billing   # the same on a PostgreSQL server
 *   npm run bench:billing -- 1000 100000  # other sizes: users, events
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configWithUsers, syntheticUsage } from "../test/helpers-scale";
import { loadConfig } from "../model/load";
import { openLedger } from "../billing/ledger";
import { importUsage, readUsage } from "../billing/usage";
import { draftBill } from "../billing/bill";

async function main(): Promise<void> {
const users = Number(process.argv[2] ?? 10_000);
const events = Number(process.argv[3] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), "aiwc-bench-billing-"));
try {
  configWithUsers(users, dir, "hetzner");
  const config = loadConfig(dir);
  const text = syntheticUsage(config, events);
  const ledger = await openLedger(process.env.AIWC_LEDGER ? {} : { dir: join(dir, "ledger") });
  try {
    let started = performance.now();
    const parsed = readUsage(text, "bench.jsonl", config, new Date("2026-12-01T00:00:00Z"));
    const read = performance.now() - started;
    started = performance.now();
    const result = await importUsage(ledger, parsed, "bench.jsonl");
    const imported = performance.now() - started;
    started = performance.now();
    const bill = await draftBill(config, ledger, "2026-11");
    const billed = performance.now() - started;
    console.log(`| ledger | users | events | read + check | import | bill | invoices | gross |`);
    console.log(`|---|---:|---:|---:|---:|---:|---:|---:|`);
    console.log(`| ${ledger.description.split(" ")[0]} | ${users.toLocaleString("en")} | ${result.imported.toLocaleString("en")} | ${(read / 1000).toFixed(1)} s | ${(imported / 1000).toFixed(1)} s | ${(billed / 1000).toFixed(1)} s | ${bill.totals.invoices.toLocaleString("en")} | ${bill.totals.gross} € |`);
  } finally {
    await ledger.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
}

void main();
