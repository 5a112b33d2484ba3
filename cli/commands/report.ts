/**
 * `aiwc record`: the deployed state into the ledger, after each `cdktf deploy` — read from the
 * synthesis that was deployed (its gate record and cost report in cdktf.out, checked as
 * `aiwc verify` checks them), or, without one, the config priced now.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { displayPath, loadConfig } from "../../model/load";
import { UsageError, type CommandResult } from "../result";
import { untilStopped, withLedger, type LedgerCommandOptions } from "./billing";
import type { ReportJson } from "../../cost/report-schema";

export interface RecordOptions extends LedgerCommandOptions {
  /** The synthesis output that was deployed. @default $CDKTF_OUTDIR, else cdktf.out */
  readonly outdir?: string;
  /** The git commit deployed. @default CI_COMMIT_SHA, GITHUB_SHA, else `git rev-parse HEAD` */
  readonly commit?: string;
  /** When it was deployed (ISO 8601). @default now */
  readonly at?: string;
}

function gitCommit(options: RecordOptions, cwd: string): string | null {
  const given = options.commit ?? process.env.CI_COMMIT_SHA ?? process.env.GITHUB_SHA;
  if (given !== undefined && given !== "") {
    if (!/^[0-9a-f]{7,64}$/i.test(given)) throw new UsageError(`--commit must be a git commit id (hex), got "${given.slice(0, 80)}"`);
    return given.toLowerCase();
  }
  const r = spawnSync("git", ["-C", cwd, "rev-parse", "HEAD"], { encoding: "utf8" });
  return r.status === 0 && /^[0-9a-f]{40,64}$/.test(r.stdout.trim()) ? r.stdout.trim() : null;
}

export async function record(options: RecordOptions): Promise<CommandResult> {
  const at = options.at ?? new Date().toISOString();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(at) || Number.isNaN(Date.parse(at))) throw new UsageError(`--at must be a time such as 2026-11-28T14:00:00Z, got "${at}"`);
  const outdir = options.outdir ?? process.env.CDKTF_OUTDIR ?? "cdktf.out";
  const { GATE_RECORD, REPORT_FILE, verifyOutput, configDigest } = require("../../stacks/gate-record") as typeof import("../../stacks/gate-record");
  const { deploymentOf, recordDeployment } = require("../../reporting/deployments") as typeof import("../../reporting/deployments");
  let report: ReportJson;
  let meta: { cluster: string; configDigest: string };
  let from: string;
  if (existsSync(join(outdir, GATE_RECORD))) {
    const verified = verifyOutput(outdir);
    if (!verified.ok) throw new UsageError(`${displayPath(outdir)} is not what its gate judged, so not what was deployed:\n${verified.lines.filter((l) => l.startsWith("✗")).join("\n")}`);
    if (!existsSync(join(outdir, REPORT_FILE))) throw new UsageError(`${displayPath(join(outdir, REPORT_FILE))} is missing: synthesize again with this aiwc (it writes the report beside the gate record)`);
    const gate = JSON.parse(readFileSync(join(outdir, GATE_RECORD), "utf8")) as import("../../stacks/gate-record").GateRecord;
    report = JSON.parse(readFileSync(join(outdir, REPORT_FILE), "utf8")) as ReportJson;
    meta = { cluster: gate.config.cluster, configDigest: gate.config.digest };
    from = `the synthesis in ${displayPath(outdir)}`;
  } else {
    const config = loadConfig(options.config);
    const { priceConfig } = require("../../stacks/app") as typeof import("../../stacks/app");
    const { reportJson } = require("../../cost/report") as typeof import("../../cost/report");
    const priced = priceConfig(config, { outdir });
    report = reportJson(priced);
    meta = { cluster: config.cluster.name, configDigest: configDigest(config) };
    from = `the config (no synthesis in ${displayPath(outdir)}), priced now`;
  }
  const deployment = deploymentOf(report, { ...meta, recordedAt: new Date(at).toISOString(), gitCommit: gitCommit(options, process.cwd()) });
  return withLedger(options, async (ledger) => {
    const id = await recordDeployment(ledger, deployment);
    const verdict = deployment.passed ? (deployment.overrideReason !== null ? `the gate failed, overridden: ${deployment.overrideReason}` : "the gate passed") : `the gate FAILED: ${deployment.reasons.join("; ")}`;
    return {
      stdout: `deployment #${id} recorded at ${deployment.recordedAt} from ${from}: ${deployment.totalMonthly} € per month, ${deployment.setupOneTime} € setup, ${deployment.resources.length} resource(s); ${verdict}${deployment.gitCommit !== null ? `; commit ${deployment.gitCommit.slice(0, 12)}` : ""}`,
      exitCode: 0,
    };
  });
}

export interface ReportOptions extends LedgerCommandOptions {
  readonly month?: string;
  readonly format?: string;
  readonly html?: string;
}

const REPORT_FORMATS = ["table", "json", "markdown"] as const;

/** `aiwc report --month YYYY-MM`: the month's real figures beside the forecast. */
export async function monthReport(options: ReportOptions): Promise<CommandResult> {
  const format = options.format ?? "table";
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(", ")}, got "${format}"`);
  if (options.month === undefined || !/^\d{4}-(0[1-9]|1[0-2])$/.test(options.month)) throw new UsageError(`--month must be a month YYYY-MM, got "${options.month ?? ""}"`);
  const config = loadConfig(options.config);
  const { monthlyReport } = require("../../reporting/monthly") as typeof import("../../reporting/monthly");
  const { monthlyTable, monthlyMarkdown } = require("../../reporting/render") as typeof import("../../reporting/render");
  const report = await withLedger(options, (ledger) => monthlyReport(config, ledger, options.month!));
  let stderr: string | undefined;
  if (options.html !== undefined) {
    const { monthlyPage } = require("../../reporting/page") as typeof import("../../reporting/page");
    const { writeFileSync } = require("node:fs") as typeof import("node:fs");
    const page = monthlyPage(report);
    writeFileSync(options.html, page);
    stderr = `aiwc: the admin page for ${report.month} written to ${displayPath(options.html)} (${Math.round(Buffer.byteLength(page) / 1024)} KiB, self-contained)`;
  }
  const stdout = format === "json" ? JSON.stringify(report, null, 2) : format === "markdown" ? monthlyMarkdown(report) : monthlyTable(report);
  return { stdout, ...(stderr !== undefined ? { stderr } : {}), exitCode: 0 };
}

/** `aiwc serve`: the admin page live from the ledger, read-only, behind the admin token. */
export async function serveCommand(options: LedgerCommandOptions & { listen?: string }): Promise<CommandResult> {
  const config = loadConfig(options.config);
  const token = process.env.AIWC_ADMIN_TOKEN ?? "";
  if (token.length < 16) throw new UsageError("AIWC_ADMIN_TOKEN must be set to a token of at least 16 characters: every request to the page must carry it (e.g. export AIWC_ADMIN_TOKEN=$(openssl rand -hex 24))");
  const address = options.listen ?? "127.0.0.1:8080";
  const listen = /^(.+):(\d+)$/.exec(address);
  if (!address.startsWith("unix:") && listen === null) throw new UsageError(`--listen must be HOST:PORT or unix:PATH, got "${options.listen}"`);
  const { openLedger } = require("../../billing/ledger") as typeof import("../../billing/ledger");
  const { serve } = require("../../reporting/serve") as typeof import("../../reporting/serve");
  // The ledger is opened by each request; check it opens before serving.
  const ledgerOptions = options.ledger !== undefined ? { dir: options.ledger } : {};
  await withLedger(options, async () => undefined);
  const serving = await serve({ config, token, openLedger: () => openLedger(ledgerOptions), ...(address.startsWith("unix:") ? { socket: address.slice(5) } : { host: listen![1]!, port: Number(listen![2]) }) });
  const stopped = untilStopped();
  process.stderr.write(`aiwc: the admin page on ${serving.url} (read-only; every request needs AIWC_ADMIN_TOKEN)\n`);
  await stopped;
  await serving.close();
  return { stdout: "", exitCode: 0 };
}
