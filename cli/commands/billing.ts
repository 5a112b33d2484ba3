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

export interface LedgerCommandOptions {
  readonly config?: string;
  /** PGlite directory. @default .aiwc/ledger (AIWC_LEDGER=postgres://… takes precedence) */
  readonly ledger?: string;
}

/** billing/'s expected errors as usage errors: a message, exit 1, no stack trace. */
async function withLedger<T>(options: LedgerCommandOptions, work: (ledger: Ledger) => Promise<T>): Promise<T> {
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

function render(bill: Bill, format: string): string {
  return format === "json" ? JSON.stringify(bill, null, 2) : format === "csv" ? billCsv(bill) : format === "markdown" ? billMarkdown(bill) : billTable(bill);
}

function checkFormat(format: string): void {
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, got "${format}"`);
}

export async function bill(options: LedgerCommandOptions & { month?: string; format?: string }): Promise<CommandResult> {
  const format = options.format ?? "table";
  checkFormat(format);
  if (options.month === undefined) throw new UsageError("--month is required, e.g. --month 2026-11");
  const config = loadConfig(options.config);
  return withLedger(options, async (ledger) => ({ stdout: render(await draftBill(config, ledger, options.month!), format), exitCode: 0 }));
}

export async function billIssue(options: LedgerCommandOptions & { month?: string; format?: string; date?: string }): Promise<CommandResult> {
  const format = options.format ?? "table";
  checkFormat(format);
  if (options.month === undefined) throw new UsageError("--month is required, e.g. --month 2026-11");
  const config = loadConfig(options.config);
  return withLedger(options, async (ledger) => ({ stdout: render(await issueBill(config, ledger, options.month!, options.date !== undefined ? { date: options.date } : {}), format), exitCode: 0 }));
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
  if (options.month === undefined) throw new UsageError("--month is required, e.g. --month 2026-11");
  if (options.out === undefined) throw new UsageError("--out DIR is required");
  const config = loadConfig(options.config);
  return withLedger(options, async (ledger) => {
    const bill = await draftBill(config, ledger, options.month!);
    if (!bill.issued) throw new UsageError(`${options.month} is not issued yet: invoices are exported once issued (aiwc bill issue --month ${options.month})`);
    mkdirSync(options.out!, { recursive: true });
    for (const invoice of bill.invoices) {
      writeFileSync(join(options.out!, `${invoice.number}.html`), invoiceHtml(invoice));
      writeFileSync(join(options.out!, `${invoice.number}.pdf`), await invoicePdf(invoice));
    }
    writeFileSync(join(options.out!, `bill-${options.month}.csv`), `${billCsv(bill)}\n`);
    return { stdout: `${displayPath(options.out!)}: ${bill.invoices.length} document(s) as HTML and PDF, and bill-${options.month}.csv`, exitCode: 0 };
  });
}

const PROVIDERS = ["stripe", "paypal"] as const;

/** `aiwc bill send`: an issued month's invoices to the payment provider; safe to run again. */
export async function billSend(options: LedgerCommandOptions & { month?: string; to?: string }): Promise<CommandResult> {
  if (options.month === undefined) throw new UsageError("--month is required, e.g. --month 2026-11");
  if (options.to === undefined || !(PROVIDERS as readonly string[]).includes(options.to)) throw new UsageError(`--to must be one of ${PROVIDERS.join(", ")}${options.to !== undefined ? `, got "${options.to}"` : ""}`);
  const config = loadConfig(options.config);
  return withLedger(options, async (ledger) => {
    const bill = await draftBill(config, ledger, options.month!);
    if (!bill.issued) throw new UsageError(`${options.month} is not issued yet: issue it first (aiwc bill issue --month ${options.month})`);
    const done = options.to === "stripe" ? await handToStripe(config, ledger, bill.invoices) : await handToPayPal(ledger, bill.invoices);
    const fresh = done.filter((d) => d.status === "handed over").length;
    return { stdout: [...done.map((d) => `${d.number}: ${d.status} (${d.externalId})`), `${options.to}: ${fresh} invoice(s) handed over, ${done.length - fresh} before`].join("\n"), exitCode: 0 };
  });
}
