/**
 * `aiwc usage import` and `aiwc bill`: metered usage into the ledger, and the month's draft
 * bill out of it (billing/).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { displayPath, loadConfig } from "../../model/load";
import { openLedger, type Ledger } from "../../billing/ledger";
import { importUsage, readUsage } from "../../billing/usage";
import { draftBill, type Bill } from "../../billing/bill";
import { creditNote, issueBill } from "../../billing/issue";
import { invoiceHtml, invoicePdf } from "../../billing/documents";
import { handToStripe } from "../../billing/stripe";
import { handToPayPal } from "../../billing/paypal";
import { billCsv, billMarkdown, billTable } from "../../billing/render";
import { UsageError, type CommandResult } from "../result";
import { readText } from "../input-files";
import { thousands } from "../../config/text";
import { isCalendarDate } from "../../config/dates";

export interface LedgerCommandOptions {
  readonly config?: string;
  /** PGlite directory. @default .aiwc/ledger (AIWC_LEDGER=postgres://… takes precedence) */
  readonly ledger?: string;
}

/** billing/'s expected errors as usage errors: a message, exit 1, no stack trace. */
export async function withLedger<T>(options: LedgerCommandOptions, work: (ledger: Ledger) => Promise<T>): Promise<T> {
  let ledger: Ledger | undefined;
  try {
    ledger = await openLedger(options.ledger !== undefined ? { dir: options.ledger } : {});
    return await work(ledger);
  } catch (error) {
    if (error instanceof Error && ["LedgerError", "UsageFileError", "BillError"].includes(error.name)) throw new UsageError(error.message);
    throw error;
  } finally {
    await ledger?.close();
  }
}

export async function usageImport(file: string, options: LedgerCommandOptions): Promise<CommandResult> {
  const config = loadConfig(options.config);
  const name = file === "-" ? "(stdin)" : displayPath(file);
  const text = file === "-" ? readFileSync(0, "utf8") : readText(file, "a usage file (JSON Lines or CSV)", 2 * 1024 * 1024 * 1024 - 1);
  let events;
  try {
    events = readUsage(text, name, config);
  } catch (error) {
    if (error instanceof Error && error.name === "UsageFileError") {
      const problems = (error as Error & { problems: readonly string[] }).problems;
      throw new UsageError(`${problems.join("\n")}\n${name}: ${problems.length} problem(s); nothing was imported`);
    }
    throw error;
  }
  return withLedger(options, async (ledger) => {
    const result = await importUsage(ledger, events, name);
    const parts = [`${name}: ${thousands(result.events)} event(s): ${thousands(result.imported)} imported`];
    if (result.alreadyImported > 0) parts.push(`${thousands(result.alreadyImported)} already in the ledger (unchanged)`);
    return { stdout: `${parts.join(", ")} — ${ledger.description}`, exitCode: 0 };
  });
}

const FORMATS = ["table", "json", "csv", "markdown"] as const;

function requireMonth(options: { month?: string }): string {
  if (options.month === undefined) throw new UsageError("--month is required, e.g. --month 2026-11");
  return options.month;
}

function render(bill: Bill, format: string): string {
  return format === "json" ? JSON.stringify(bill, null, 2) : format === "csv" ? billCsv(bill) : format === "markdown" ? billMarkdown(bill) : billTable(bill);
}

function checkFormat(format: string): void {
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, got "${format}"`);
}

export async function bill(options: LedgerCommandOptions & { month?: string; format?: string }): Promise<CommandResult> {
  const format = options.format ?? "table";
  checkFormat(format);
  const month = requireMonth(options);
  const config = loadConfig(options.config);
  return withLedger(options, async (ledger) => ({ stdout: render(await draftBill(config, ledger, month), format), exitCode: 0 }));
}

export async function billIssue(options: LedgerCommandOptions & { month?: string; format?: string; date?: string }): Promise<CommandResult> {
  const format = options.format ?? "table";
  checkFormat(format);
  const month = requireMonth(options);
  const config = loadConfig(options.config);
  return withLedger(options, async (ledger) => ({ stdout: render(await issueBill(config, ledger, month, options.date !== undefined ? { date: options.date } : {}), format), exitCode: 0 }));
}

export async function billCredit(number: string, options: LedgerCommandOptions & { date?: string; reason?: string }): Promise<CommandResult> {
  const config = loadConfig(options.config);
  return withLedger(options, async (ledger) => {
    const note = await creditNote(config, ledger, number, { ...(options.date !== undefined ? { date: options.date } : {}), ...(options.reason !== undefined ? { reason: options.reason } : {}) });
    return { stdout: `credit note ${note.number} for invoice ${number} (${note.user}): gross ${note.gross} EUR — ${ledger.description}`, exitCode: 0 };
  });
}

/** `aiwc bill export`: an issued month's invoices and credit notes as HTML and PDF, and the CSV. */
export async function billExport(options: LedgerCommandOptions & { month?: string; out?: string }): Promise<CommandResult> {
  const month = requireMonth(options);
  if (options.out === undefined) throw new UsageError("--out DIR is required");
  const config = loadConfig(options.config);
  return withLedger(options, async (ledger) => {
    const bill = await draftBill(config, ledger, month);
    if (!bill.issued) throw new UsageError(`${month} is not issued yet: invoices are exported once issued (aiwc bill issue --month ${month})`);
    mkdirSync(options.out!, { recursive: true });
    for (const invoice of bill.invoices) {
      writeFileSync(join(options.out!, `${invoice.number}.html`), invoiceHtml(invoice));
      writeFileSync(join(options.out!, `${invoice.number}.pdf`), await invoicePdf(invoice));
    }
    writeFileSync(join(options.out!, `bill-${month}.csv`), `${billCsv(bill)}\n`);
    return { stdout: `${displayPath(options.out!)}: ${bill.invoices.length} document(s) as HTML and PDF, and bill-${month}.csv`, exitCode: 0 };
  });
}

const PROVIDERS = ["stripe", "paypal"] as const;

/** `aiwc bill send`: an issued month's invoices to the payment provider; safe to run again. */
export async function billSend(options: LedgerCommandOptions & { month?: string; to?: string }): Promise<CommandResult> {
  const month = requireMonth(options);
  if (options.to === undefined || !(PROVIDERS as readonly string[]).includes(options.to)) throw new UsageError(`--to must be one of ${PROVIDERS.join(", ")}${options.to !== undefined ? `, got "${options.to}"` : ""}`);
  const config = loadConfig(options.config);
  return withLedger(options, async (ledger) => {
    const bill = await draftBill(config, ledger, month);
    if (!bill.issued) throw new UsageError(`${month} is not issued yet: issue it first (aiwc bill issue --month ${month})`);
    const done = options.to === "stripe" ? await handToStripe(config, ledger, bill.invoices) : await handToPayPal(ledger, bill.invoices);
    const fresh = done.filter((d) => d.status === "handed over").length;
    return { stdout: [...done.map((d) => `${d.number}: ${d.status} (${d.externalId})`), `${options.to}: ${fresh} invoice(s) handed over, ${done.length - fresh} before`].join("\n"), exitCode: 0 };
  });
}

/** `aiwc bill status`: whether an issued month's handed-over invoices were paid, as the provider says. */
export async function billStatus(options: LedgerCommandOptions & { month?: string; from?: string }): Promise<CommandResult> {
  const month = requireMonth(options);
  if (options.from === undefined || !(PROVIDERS as readonly string[]).includes(options.from)) throw new UsageError(`--from must be one of ${PROVIDERS.join(", ")}${options.from !== undefined ? `, got "${options.from}"` : ""}`);
  const { issuedBill } = require("../../billing/bill") as typeof import("../../billing/bill");
  const { stripePayments } = require("../../billing/stripe") as typeof import("../../billing/stripe");
  const { paypalPayments } = require("../../billing/paypal") as typeof import("../../billing/paypal");
  return withLedger(options, async (ledger) => {
    const numbers = (await issuedBill(ledger, month)).invoices.filter((i) => i.kind === "invoice" && i.number !== null).map((i) => i.number!);
    if (numbers.length === 0) throw new UsageError(`${month} has no issued invoices`);
    const checked = options.from === "stripe" ? await stripePayments(ledger, numbers) : await paypalPayments(ledger, numbers);
    const paid = checked.filter((c) => c.paid).length;
    return { stdout: [...checked.map((c) => `${c.number}: ${c.paid ? "paid" : `not paid (${c.status})`}`), `${options.from}: ${paid} of ${checked.length} handed-over invoice(s) paid; ${numbers.length - checked.length} not handed over`].join("\n"), exitCode: 0 };
  });
}

/** `aiwc usage key create USER`: a new API key for the metering gateway, printed this once. */
export async function usageKeyCreate(user: string, options: LedgerCommandOptions): Promise<CommandResult> {
  const config = loadConfig(options.config);
  if (!config.users.some((u) => u.name === user)) throw new UsageError(`"${user}" is not in users.yaml`);
  const { createKey } = require("../../metering/keys") as typeof import("../../metering/keys");
  return withLedger(options, async (ledger) => ({
    stdout: await createKey(ledger, user),
    stderr: `aiwc: a new API key for ${user}; it is shown only now (the ledger keeps its hash). Export the key file for the gateways: aiwc usage keys export FILE`,
    exitCode: 0,
  }));
}

/** `aiwc usage key revoke USER`: every key of the user stops working once the key file is exported again. */
export async function usageKeyRevoke(user: string, options: LedgerCommandOptions): Promise<CommandResult> {
  const { revokeKeys } = require("../../metering/keys") as typeof import("../../metering/keys");
  return withLedger(options, async (ledger) => {
    const revoked = await revokeKeys(ledger, user);
    return {
      stdout: `${revoked} key(s) of ${user} revoked`,
      ...(revoked > 0 ? { stderr: "aiwc: export the key file again and deploy it (aiwc usage keys export FILE): the gateways and the services' key check still hold the old one" } : {}),
      exitCode: 0,
    };
  });
}

/** `aiwc usage keys export FILE`: the hashed key file the gateways read. */
export async function usageKeysExport(file: string, options: LedgerCommandOptions): Promise<CommandResult> {
  const { keyFile } = require("../../metering/keys") as typeof import("../../metering/keys");
  return withLedger(options, async (ledger) => {
    const keys = await keyFile(ledger);
    writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o640 });
    return { stdout: `${displayPath(file)}: ${keys.keys.length} key(s) in force`, exitCode: 0 };
  });
}

/** `aiwc usage collect --spool DIR`: spooled events into the ledger. */
export async function usageCollect(options: LedgerCommandOptions & { spool?: string }): Promise<CommandResult> {
  if (options.spool === undefined) throw new UsageError("--spool DIR is required");
  const config = loadConfig(options.config);
  const { collectSpool } = require("../../metering/collect") as typeof import("../../metering/collect");
  return withLedger(options, async (ledger) => {
    const result = await collectSpool(config, ledger, options.spool!);
    const lines = [`${displayPath(options.spool!)}: ${result.files} file(s), ${thousands(result.events)} event(s): ${thousands(result.imported)} new in the ledger — ${ledger.description}`];
    for (const file of result.incomplete) lines.push(`${displayPath(file)}: its last line is incomplete (a crash while writing?); the complete lines were shipped, the file is kept`);
    return { stdout: lines.join("\n"), exitCode: 0 };
  });
}

/** `aiwc meter gateway`: runs until SIGINT or SIGTERM. */
export async function meterGateway(options: { config?: string; listen?: string; upstream?: string; keys?: string; spool?: string; trustForwardedFrom?: string[]; source?: string; checkpointSeconds?: string }): Promise<CommandResult> {
  const config = loadConfig(options.config);
  if (options.keys === undefined || options.spool === undefined) throw new UsageError("--keys FILE and --spool DIR are required");
  const checkpoint = Number(options.checkpointSeconds ?? "5");
  if (!(checkpoint > 0 && checkpoint <= 3600)) throw new UsageError(`--checkpoint-seconds must be a number of seconds between 0 and 3600, got "${options.checkpointSeconds}"`);
  const listen = /^(.+):(\d+)$/.exec(options.listen ?? "127.0.0.1:11435");
  if (listen === null) throw new UsageError(`--listen must be HOST:PORT, got "${options.listen}"`);
  const ipaddr = require("ipaddr.js") as typeof import("ipaddr.js");
  for (const cidr of options.trustForwardedFrom ?? []) {
    try {
      ipaddr.parseCIDR(cidr);
    } catch {
      throw new UsageError(`--trust-forwarded-from: "${cidr}" is not a CIDR such as 10.0.1.0/24`);
    }
  }
  const keys = readKeyFile(options.keys);
  const { startGateway } = require("../../metering/gateway") as typeof import("../../metering/gateway");
  const { Spool } = require("../../metering/spool") as typeof import("../../metering/spool");
  const spool = new Spool(options.spool);
  const gateway = await startGateway({ config, upstream: options.upstream ?? "http://127.0.0.1:11434", keys, spool, host: listen[1]!, port: Number(listen[2]), checkpointMs: checkpoint * 1000, ...(options.trustForwardedFrom !== undefined ? { trustForwardedFrom: options.trustForwardedFrom } : {}), ...(options.source !== undefined ? { source: options.source } : {}) });
  for (const event of gateway.settled) process.stderr.write(`aiwc: request ${event.id} of ${event.user} was cut off by a stopped gateway: charged ${event.quantity} GPU hours, the time it was last seen running\n`);
  // Listening for the stop before saying so: a supervisor may stop it the moment it reads this line.
  const stopped = untilStopped();
  process.stderr.write(`aiwc: metering gateway on ${gateway.url} → ${options.upstream ?? "http://127.0.0.1:11434"}, ${keys.keys.length} key(s), spool ${options.spool}\n`);
  await stopped;
  await gateway.close();
  spool.close();
  return { stdout: "", exitCode: 0 };
}

/** The hashed key file `aiwc usage keys export` wrote. */
function readKeyFile(path: string): import("../../metering/keys").KeyFile {
  try {
    const keys = JSON.parse(readText(path, "a key file (aiwc usage keys export)")) as import("../../metering/keys").KeyFile;
    if (keys.version !== 1 || !Array.isArray(keys.keys)) throw new Error("not a key file");
    return keys;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${displayPath(path)}: not a key file written by \`aiwc usage keys export\``);
  }
}

/**
 * Resolves at SIGINT or SIGTERM. Call it before announcing readiness: stderr to a pipe is
 * written synchronously, so whoever reads the announcement can signal before the next line
 * runs — and a signal without a listener ends the process at once, nothing drained.
 */
export function untilStopped(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
}

/** `aiwc meter auth`: the services' key check behind Caddy's forward_auth. */
export async function meterAuth(options: { config?: string; listen?: string; keys?: string }): Promise<CommandResult> {
  const config = loadConfig(options.config);
  if (options.keys === undefined) throw new UsageError("--keys FILE is required");
  const address = options.listen ?? "unix:/run/aiwc-meter/auth.sock";
  const hostPort = /^(.+):(\d+)$/.exec(address);
  if (!address.startsWith("unix:") && hostPort === null) throw new UsageError(`--listen must be HOST:PORT or unix:PATH, got "${address}"`);
  const keys = readKeyFile(options.keys);
  const { startServiceAuth } = require("../../metering/service-auth") as typeof import("../../metering/service-auth");
  const auth = await startServiceAuth({ config, keys, listen: address.startsWith("unix:") ? { socket: address.slice(5) } : { host: hostPort![1]!, port: Number(hostPort![2]) } });
  const stopped = untilStopped();
  process.stderr.write(`aiwc: services' key check on ${auth.address}, ${keys.keys.length} key(s)\n`);
  await stopped;
  await auth.close();
  return { stdout: "", exitCode: 0 };
}

/** `aiwc meter access-log`: metered service calls from Caddy's access log. */
export async function meterAccessLog(options: { config?: string; log?: string; cursor?: string; spool?: string; source?: string; graceSeconds?: string }): Promise<CommandResult> {
  const config = loadConfig(options.config);
  if (options.log === undefined || options.cursor === undefined || options.spool === undefined) throw new UsageError("--log FILE, --cursor FILE and --spool DIR are required");
  const grace = Number(options.graceSeconds ?? "60");
  if (!(grace >= 0 && grace <= 3600)) throw new UsageError(`--grace-seconds must be a number of seconds between 0 and 3600, got "${options.graceSeconds}"`);
  const { collectAccessLog } = require("../../metering/access-log") as typeof import("../../metering/access-log");
  const result = await withServiceSpool(options.spool, async (spool) => collectAccessLog({ config, spool, log: options.log!, cursor: options.cursor!, graceSeconds: grace, ...(options.source !== undefined ? { source: options.source } : {}) }));
  const skipped = Object.entries(result.skipped).map(([reason, n]) => `${n} ${reason}`);
  const lines = [`${result.lines} access-log line(s) in ${result.files} file(s): ${result.counted} call(s) counted${skipped.length > 0 ? `, not counted: ${skipped.join(", ")}` : ""}`, `${result.events.length} event(s) spooled to ${displayPath(options.spool)}, ${result.open} call(s) in hours still open`];
  const notes = result.strangers.map((name) => `aiwc: calls of ${name}, who is no user in users.yaml, were not counted: revoke the user's keys (aiwc usage key revoke ${name}) and export the key file again`);
  return { stdout: lines.join("\n"), ...(notes.length > 0 ? { stderr: notes.join("\n") } : {}), exitCode: 0 };
}

/** Runs a service collector with its spool; its ServiceError is the user's error (exit 1). */
async function withServiceSpool<T>(dir: string, collect: (spool: import("../../metering/spool").Spool) => Promise<T>): Promise<T> {
  const { Spool } = require("../../metering/spool") as typeof import("../../metering/spool");
  const { ServiceError } = require("../../metering/service-api") as typeof import("../../metering/service-api");
  const spool = new Spool(dir);
  try {
    return await collect(spool);
  } catch (error) {
    if (error instanceof ServiceError) throw new UsageError(error.message);
    throw error;
  } finally {
    spool.close();
  }
}

/** `aiwc meter n8n`: production executions per workflow owner. */
export async function meterN8n(options: { config?: string; url?: string; cursor?: string; spool?: string; source?: string }): Promise<CommandResult> {
  const config = loadConfig(options.config);
  if (options.url === undefined || options.cursor === undefined || options.spool === undefined) throw new UsageError("--url URL, --cursor FILE and --spool DIR are required");
  const apiKey = process.env.N8N_API_KEY ?? "";
  if (apiKey === "") throw new UsageError("N8N_API_KEY is not set: export an n8n API key of an owner account (n8n → Settings → n8n API)");
  const { collectN8n } = require("../../metering/n8n") as typeof import("../../metering/n8n");
  const result = await withServiceSpool(options.spool, (spool) => collectN8n({ config, spool, url: options.url!, apiKey, cursor: options.cursor!, ...(options.source !== undefined ? { source: options.source } : {}) }));
  const skipped = Object.entries(result.notCounted).map(([mode, n]) => `${n} ${mode}`);
  const lines = [`${result.read} execution(s) read: ${result.events.length} run(s) spooled to ${displayPath(options.spool)}, ${result.unfinished} still running or waiting${skipped.length > 0 ? `, not counted: ${skipped.join(", ")}` : ""}`];
  const notes = result.unattributed.map((u) => `aiwc: ${u.executions} run(s) of workflow ${u.workflow}, owned by ${u.owner}, belong to no user in users.yaml (no user has that email): not billed`);
  return { stdout: lines.join("\n"), ...(notes.length > 0 ? { stderr: notes.join("\n") } : {}), exitCode: 0 };
}

/** `aiwc meter gitlab-ci`: the CI group's runners' finished jobs as CI minutes per user. */
export async function meterGitlabCi(options: { config?: string; url?: string; cursor?: string; spool?: string; source?: string; group?: string }): Promise<CommandResult> {
  const config = loadConfig(options.config);
  if (options.url === undefined || options.cursor === undefined || options.spool === undefined) throw new UsageError("--url URL, --cursor FILE and --spool DIR are required");
  const token = process.env.GITLAB_TOKEN ?? "";
  if (token === "") throw new UsageError("GITLAB_TOKEN is not set: export a personal access token of a GitLab administrator with the read_api scope");
  const { collectGitlabCi } = require("../../metering/gitlab") as typeof import("../../metering/gitlab");
  const result = await withServiceSpool(options.spool, (spool) => collectGitlabCi({ config, spool, url: options.url!, token, cursor: options.cursor!, ...(options.source !== undefined ? { source: options.source } : {}), ...(options.group !== undefined ? { group: options.group } : {}) }));
  const minutes = result.events.reduce((sum, e) => sum + Number(e.quantity), 0);
  const lines = [`${result.runners} runner(s) of the CI group, ${result.read} job(s) read: ${result.events.length} job(s), ${minutes} minute(s) spooled to ${displayPath(options.spool)}, ${result.unfinished} not finished yet`];
  const notes = result.unattributed.map((u) => `aiwc: ${u.jobs} job(s), ${u.minutes} minute(s) of GitLab account ${u.account} belong to no user in users.yaml: not billed`);
  return { stdout: lines.join("\n"), ...(notes.length > 0 ? { stderr: notes.join("\n") } : {}), exitCode: 0 };
}

/** `aiwc meter langfuse`: each user's project's traces and observations per day. */
export async function meterLangfuse(options: { config?: string; url?: string; projects?: string; cursor?: string; spool?: string; since?: string; source?: string }): Promise<CommandResult> {
  const config = loadConfig(options.config);
  if (options.url === undefined || options.projects === undefined || options.cursor === undefined || options.spool === undefined) throw new UsageError("--url URL, --projects FILE, --cursor FILE and --spool DIR are required");
  if (options.since !== undefined && !isCalendarDate(options.since)) throw new UsageError(`--since must be a day (YYYY-MM-DD), got "${options.since}"`);
  const { collectLangfuse, readProjects } = require("../../metering/langfuse") as typeof import("../../metering/langfuse");
  const result = await withServiceSpool(options.spool, async (spool) => {
    const projects = readProjects(options.projects!, config);
    return collectLangfuse({ config, spool, url: options.url!, projects, cursor: options.cursor!, ...(options.since !== undefined ? { since: options.since } : {}), ...(options.source !== undefined ? { source: options.source } : {}) });
  });
  return { stdout: `${result.projects} project(s) through ${result.through}: ${result.events.length} day(s) with events spooled to ${displayPath(options.spool)}`, exitCode: 0 };
}

/** `aiwc meter storage`: each user's CephFS subvolume usage as a storage_gb sample. */
export async function meterStorage(options: { config?: string; spool?: string; ceph?: string; volume?: string; group?: string; source?: string }): Promise<CommandResult> {
  const config = loadConfig(options.config);
  if (options.spool === undefined) throw new UsageError("--spool DIR is required");
  const command = (options.ceph ?? "ceph").trim().split(/\s+/);
  const { collectStorage } = require("../../metering/storage") as typeof import("../../metering/storage");
  const result = await withServiceSpool(options.spool, (spool) => collectStorage({ config, spool, ceph: command, ...(options.volume !== undefined ? { volume: options.volume } : {}), ...(options.group !== undefined ? { group: options.group } : {}), ...(options.source !== undefined ? { source: options.source } : {}) }));
  const lines = [`${result.events.length} storage sample(s) spooled to ${displayPath(options.spool)}`];
  const notes = [
    ...result.strangers.map((name) => `aiwc: subvolume ${name} is no user in users.yaml: not sampled`),
    ...result.missing.map((name) => `aiwc: ${name} has no subvolume in the group: no sample (the ceph role creates one per user)`),
  ];
  return { stdout: lines.join("\n"), ...(notes.length > 0 ? { stderr: notes.join("\n") } : {}), exitCode: 0 };
}
