/**
 * The monthly report at scale: 10,000 users, 1,000,000 usage events and a month with two
 * recorded deployments (a resource per user and the platform's), on the embedded ledger.
 * Times the report (ledger to JSON) and the page (JSON to HTML), the page's size, and how
 * long Debian's Chromium takes to make it interactive (on the page's own clock, from the start
 * of navigation until its script has drawn everything; and as the bench saw it, with
 * Playwright's round trips and the load event). Targets (issue #15): report and page
 * ≤ 5 s, the page ≤ 5 MB and interactive within 2 s.
 *
 *   npm run bench:report                 # 10,000 users, 1,000,000 events
 *   npm run bench:report -- 1000 100000  # other sizes: users, events
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { configWithUsers, syntheticUsage } from "../test/helpers-scale";
import { loadConfig } from "../model/load";
import { openLedger } from "../billing/ledger";
import { importUsage, readUsage } from "../billing/usage";
import { recordDeployment, type Deployment } from "../reporting/deployments";
import { monthlyReport } from "../reporting/monthly";
import { monthlyPage } from "../reporting/page";

async function main(): Promise<void> {
  const users = Number(process.argv[2] ?? 10_000);
  const events = Number(process.argv[3] ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), "aiwc-bench-report-"));
  try {
    configWithUsers(users, dir, "hetzner");
    const config = loadConfig(dir);
    const text = syntheticUsage(config, events);
    const ledger = await openLedger({ dir: join(dir, "ledger") });
    try {
      await importUsage(ledger, readUsage(text, "bench.jsonl", config, new Date("2026-12-01T00:00:00Z")), "bench.jsonl");
      const platform = Array.from({ length: 20 }, (_, i) => ({ address: `hcloud_server.node${i}`, group: i < 2 ? "gpu-workers" : "service-nodes", monthly: i < 2 ? "184.00" : "15.90", setup: i < 2 ? "79.00" : "0", ...(i < 2 ? { role: "gpu-worker", machine: true as const } : { role: "service", machine: true as const }) }));
      const vms = config.users.map(({ name }) => ({ address: `users:hcloud_server.user-${name}`, group: "user-vms", monthly: "4.99", setup: "0", role: "user-vm", machine: true as const }));
      const state = (recordedAt: string, resources: Deployment["resources"]): Deployment => ({ recordedAt, cluster: "bench", configDigest: "d", gitCommit: null, pricingDate: "2026-11-01", totalMonthly: "0", setupOneTime: "0", passed: true, overrideReason: null, reasons: [], groups: [], resources });
      await recordDeployment(ledger, state("2026-11-01T00:00:00Z", [...platform, ...vms]));
      await recordDeployment(ledger, state("2026-11-15T12:00:00Z", [...platform, ...vms.slice(0, Math.floor(vms.length * 0.9))]));
      let started = performance.now();
      const report = await monthlyReport(config, ledger, "2026-11", new Date("2026-12-02T00:00:00Z"));
      const reportMs = performance.now() - started;
      started = performance.now();
      const page = monthlyPage(report);
      const pageMs = performance.now() - started;
      const file = join(dir, "page.html");
      writeFileSync(file, page);
      const browser = await chromium.launch({ executablePath: process.env.AIWC_CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
      let interactive = 0;
      let seen = 0;
      try {
        const tab = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
        // The page's own clock: from the start of navigation to the moment its script has drawn
        // everything and marked the body ready (a MutationObserver installed before the page).
        await tab.addInitScript({
          content: `new MutationObserver(function (_, observer) {
            if (document.body && document.body.getAttribute("data-ready") === "true") { window.aiwcReady = performance.now(); observer.disconnect(); }
          }).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-ready"] });`,
        });
        started = performance.now();
        await tab.goto(`file://${file}`);
        await tab.waitForSelector("body[data-ready=true]");
        seen = performance.now() - started;
        interactive = Number(await tab.evaluate("window.aiwcReady"));
      } finally {
        await browser.close();
      }
      console.log("| users | events | report (ledger → JSON) | page (JSON → HTML) | page size | interactive in Chromium | … as the bench saw it | peak RSS |");
      console.log("|---:|---:|---:|---:|---:|---:|---:|---:|");
      console.log(`| ${users.toLocaleString("en")} | ${events.toLocaleString("en")} | ${(reportMs / 1000).toFixed(2)} s | ${(pageMs / 1000).toFixed(2)} s | ${(Buffer.byteLength(page) / 1024 / 1024).toFixed(2)} MB | ${(interactive / 1000).toFixed(2)} s | ${(seen / 1000).toFixed(2)} s | ${Math.round(process.resourceUsage().maxRSS / 1024)} MB |`);
    } finally {
      await ledger.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
