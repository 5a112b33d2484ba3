/**
 * The admin page in a real browser (Debian's Chromium, driven by playwright-core): the
 * documented monthly sequence — record → import → bill → report — on the default config and
 * examples/usage/, then the page it writes opened from the file and `aiwc serve` behind its
 * token. Screenshots go to test-artifacts/ (kept by CI, not committed).
 */
import { execFile, spawn } from "node:child_process";
import { request } from "node:http";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { DEFAULT_CONFIG, ROOT, tempDir } from "../helpers";
import type { MonthlyJson } from "../../reporting/monthly-schema";

const CHROMIUM = process.env.AIWC_CHROMIUM ?? "/usr/bin/chromium";
const ARTIFACTS = join(ROOT, "test-artifacts");
const TOKEN = "admin-token-0123456789abcdef";

const aiwc = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [join(ROOT, "bin", "aiwc.cjs"), ...args], { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env: { ...process.env, AIWC_LEDGER: "", CI_COMMIT_SHA: "", GITHUB_SHA: "", ...env } }, (error, stdout, stderr) =>
      resolve({ status: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr }),
    );
  });

let browser: Browser;
let dir: string;
let ledger: string;
let html: string;
let report: MonthlyJson;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (.ci/run does), or set AIWC_CHROMIUM`);
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = tempDir("aiwc-admin-page-");
  ledger = join(dir, "ledger");
  html = join(dir, "aiwc-2026-11.html");
  // The month's routine, as the README documents it.
  const steps: string[][] = [
    ["record", "--outdir", join(dir, "no-synthesis"), "--at", "2026-11-01T00:00:00Z", "--commit", "0123abcd", "--config", DEFAULT_CONFIG, "--ledger", ledger],
    ["usage", "import", join(ROOT, "examples", "usage", "2026-11.jsonl"), "--config", DEFAULT_CONFIG, "--ledger", ledger],
    ["bill", "--month", "2026-11", "--config", DEFAULT_CONFIG, "--ledger", ledger],
    ["report", "--month", "2026-11", "--format", "json", "--html", html, "--config", DEFAULT_CONFIG, "--ledger", ledger],
  ];
  let last = "";
  for (const step of steps) {
    const r = await aiwc(step, dir);
    expect(r.status, `${step.join(" ")}\n${r.stderr}`).toBe(0);
    last = r.stdout;
  }
  report = JSON.parse(last) as MonthlyJson;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
}, 240_000);
afterAll(async () => browser?.close());

/** A page that records console errors and every request it makes. */
async function open(url: string, headers: Record<string, string> = {}): Promise<{ page: Page; errors: string[]; requests: string[]; ms: number }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, extraHTTPHeaders: headers });
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("request", (r) => requests.push(r.url()));
  const started = performance.now();
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]");
  return { page, errors, requests, ms: performance.now() - started };
}

describe("the admin page in Chromium", () => {
  test("one self-contained file: no console errors, no request but itself; the totals are the report's", async () => {
    expect(statSync(html).size).toBeLessThan(5 * 1024 * 1024);
    const { page, errors, requests } = await open(`file://${html}`);
    expect(errors).toEqual([]);
    expect(requests).toEqual([`file://${html}`]);
    for (const [id, value] of [["cost", report.cost.incurred], ["revenue", report.revenue.net], ["margin", report.margin.actual]] as const) {
      expect(await page.getAttribute(`[data-testid=${id}]`, "data-value")).toBe(value);
    }
    // The charts drew: cost/revenue history and one per meter with usage.
    expect(await page.locator("#history-chart canvas").count()).toBe(1);
    const meters = new Set(report.daily.map((d) => d.meter));
    expect(await page.locator("#usage-charts .chart canvas").count()).toBe(meters.size);
    expect(await page.locator("#users tbody tr.user").count()).toBe(report.users.length);
    await page.screenshot({ path: join(ARTIFACTS, "admin-page.png"), fullPage: true });
  });

  test("sorting and drill-down work by clicks", async () => {
    const { page, errors } = await open(`file://${html}`);
    const names = () => page.locator("#users tbody tr.user").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-user")));
    // By revenue (the default), highest first.
    expect(await names()).toEqual(report.users.map((u) => u.user));
    await page.click("#users th[data-key=user]");
    expect(await names()).toEqual(report.users.map((u) => u.user).sort());
    await page.click("#users th[data-key=user]");
    expect(await names()).toEqual(report.users.map((u) => u.user).sort().reverse());
    // Open ben: his invoice lines and his usage.
    const ben = report.users.find((u) => u.user === "ben")!;
    await page.click("#users tr.user[data-user=ben]");
    const detail = page.locator("#users tr.detail[data-user=ben]");
    expect(await detail.locator("table").first().locator("tbody tr").count()).toBe(ben.lines.length);
    expect(await detail.textContent()).toContain("gpu_hours");
    await page.screenshot({ path: join(ARTIFACTS, "admin-page-drilldown.png"), fullPage: true });
    await page.click("#users tr.user[data-user=ben]");
    expect(await page.locator("#users tr.detail").count()).toBe(0);
    expect(errors).toEqual([]);
  });
});

test("hundreds of users: a hundred rows a page, sorted across all of them", async () => {
  const { monthlyPage } = await import("../../reporting/page");
  const many = { ...report, users: Array.from({ length: 250 }, (_, i) => ({ ...report.users[i % report.users.length]!, user: `u${String(i).padStart(3, "0")}` })) };
  const file = join(dir, "many.html");
  writeFileSync(file, monthlyPage(many));
  const { page, errors } = await open(`file://${file}`);
  const names = () => page.locator("#users tbody tr.user").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-user")));
  await page.click("#users th[data-key=user]");
  expect(await names()).toEqual(Array.from({ length: 100 }, (_, i) => `u${String(i).padStart(3, "0")}`));
  expect(await page.textContent("#range")).toBe(" rows 1–100 of 250 ");
  expect(await page.isDisabled("#previous")).toBe(true);
  await page.click("#next");
  await page.click("#next");
  expect(await names()).toEqual(Array.from({ length: 50 }, (_, i) => `u${String(200 + i).padStart(3, "0")}`));
  expect(await page.isDisabled("#next")).toBe(true);
  // Sorting again starts at the first page.
  await page.click("#users th[data-key=user]");
  expect((await names())[0]).toBe("u249");
  expect(errors).toEqual([]);
});

describe("aiwc serve", () => {
  let child: ReturnType<typeof spawn>;
  let url: string;
  let log = "";
  beforeAll(async () => {
    child = spawn(process.execPath, [join(ROOT, "bin", "aiwc.cjs"), "serve", "--listen", "127.0.0.1:0", "--config", DEFAULT_CONFIG, "--ledger", ledger], { env: { ...process.env, AIWC_LEDGER: "", AIWC_ADMIN_TOKEN: TOKEN }, stdio: ["ignore", "pipe", "pipe"] });
    url = await new Promise<string>((resolve, reject) => {
      child.stderr!.on("data", (d: Buffer) => {
        log += d.toString();
        const m = /admin page on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
        if (m !== null) resolve(m[1]!);
      });
      child.on("exit", (code) => reject(new Error(`aiwc serve exited ${code}: ${log}`)));
    });
  }, 60_000);
  afterAll(() => {
    child?.kill("SIGTERM");
  });

  test("401 without the token or with a wrong one; the page with it (Bearer or basic auth); read-only; the token never logged", async () => {
    const none = await fetch(`${url}/?month=2026-11`);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe('Basic realm="aiwc", charset="UTF-8"');
    expect((await fetch(`${url}/`, { headers: { authorization: "Bearer wrong-token" } })).status).toBe(401);
    expect((await fetch(`${url}/`, { headers: { authorization: `Basic ${Buffer.from("admin:wrong").toString("base64")}` } })).status).toBe(401);
    const json = await fetch(`${url}/report.json?month=2026-11`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(json.status).toBe(200);
    const live = (await json.json()) as MonthlyJson;
    expect([live.revenue.net, live.users.length]).toEqual([report.revenue.net, report.users.length]);
    // November is still running: the cost so far only grows.
    expect(Number(live.cost.incurred)).toBeGreaterThanOrEqual(Number(report.cost.incurred));
    expect((await fetch(`${url}/`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(405);
    expect((await fetch(`${url}/?month=11-2026`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(400);

    const basic = `Basic ${Buffer.from(`admin:${TOKEN}`).toString("base64")}`;
    const { page, errors, requests } = await open(`${url}/?month=2026-11`, { authorization: basic });
    expect(errors).toEqual([]);
    expect(requests).toEqual([`${url}/?month=2026-11`]);
    expect(await page.getAttribute("[data-testid=revenue]", "data-value")).toBe(report.revenue.net);
    await page.screenshot({ path: join(ARTIFACTS, "admin-page-served.png") });
    expect(log).toMatch(/GET \/report\.json 200 \d+ ms/);
    expect(log).toMatch(/GET \/ 401 \d+ ms/);
    expect(log).not.toContain(TOKEN);
  });

  test("on a Unix socket, as behind Caddy on the service node", async () => {
    const { serve } = await import("../../reporting/serve");
    const { openLedger } = await import("../../billing/ledger");
    const { loadConfig } = await import("../../model/load");
    const socket = join(dir, "admin.sock");
    const lines: string[] = [];
    const serving = await serve({ config: loadConfig(DEFAULT_CONFIG), token: TOKEN, openLedger: () => openLedger({ dir: ledger }), socket, log: (l) => lines.push(l) });
    try {
      expect(serving.url).toBe(`unix:${socket}`);
      const get = (authorization?: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = request({ socketPath: socket, path: "/report.json?month=2026-11", headers: { host: "admin.aiwc.internal", ...(authorization !== undefined ? { authorization } : {}) } }, (res) => {
            let body = "";
            res.on("data", (d: Buffer) => (body += d.toString()));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
          });
          req.on("error", reject);
          req.end();
        });
      expect((await get()).status).toBe(401);
      const ok = await get(`Bearer ${TOKEN}`);
      expect(ok.status).toBe(200);
      expect((JSON.parse(ok.body) as MonthlyJson).revenue.net).toBe(report.revenue.net);
      expect(lines.join("\n")).not.toContain(TOKEN);
    } finally {
      await serving.close();
    }
  });

  test("without a token of 16 characters or more it does not start", async () => {
    const r = await aiwc(["serve", "--config", DEFAULT_CONFIG, "--ledger", ledger], dir, { AIWC_ADMIN_TOKEN: "short" });
    expect(r).toMatchObject({ status: 1, stderr: expect.stringContaining("AIWC_ADMIN_TOKEN must be set to a token of at least 16 characters") });
  });
});

test("the page is readable as it was written (the README shows it)", () => {
  expect(readFileSync(html, "utf8")).toContain('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'');
});
