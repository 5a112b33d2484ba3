import { basename, dirname, resolve } from "node:path";
import { parse } from "yaml";
import { displayPath, loadConfig } from "../../model/load";
import type { Usage } from "../../cost/engine";
import { InputError } from "../../cost/input";
import { renderMarkdown, renderTable } from "../../cost/render";
import { reportForDocuments, reportJson, type PricingOptions } from "../../cost/report";
import { UsageError, type CommandResult } from "../result";
import { readJsonFile, readText } from "../input-files";
import { AIWC_LIMITS } from "../../config/limits";
import { isCalendarDate } from "../../config/dates";
import { ADDRESS } from "../../config/schema";
import { withProgress } from "../progress";

/** The stacks (cdktf and the provider bindings) load only when a config is synthesized, never for `--plan`. */
const stacks = () => require("../../stacks/app") as typeof import("../../stacks/app");

export interface CostOptions {
  readonly config?: string;
  /** Plans or Terraform JSON configurations to price instead of the config's stacks. */
  readonly plan?: readonly string[];
  readonly format?: string;
  /** Pricing date (YYYY-MM-DD). */
  readonly date?: string;
  /** Usage file: `{ <address or resource type>: { <usage key>: number } }`. */
  readonly usage?: string;
  /** A monthly figure to compare with: "2680 USD". */
  readonly reference?: string;
  readonly referenceLabel?: string;
  /** Addresses whose destruction or replacement in a plan is intended. */
  readonly allowDataLoss?: readonly string[];
  /** No progress lines on stderr. */
  readonly quiet?: boolean;
}

/** Exit code when the report was produced but the gate failed (1 is bad input). */
export const EXIT_GATE_FAILED = 2;

const FORMATS = ["table", "json", "markdown"] as const;

function readJson(file: string): unknown {
  return readJsonFile(file, "a plan (terraform show -json) or a *.tf.json file", "pass the output of `terraform show -json <planfile>` or a *.tf.json file");
}

function readUsage(file: string): Usage {
  let value: unknown;
  try {
    value = parse(readText(file, "a usage file (YAML)", AIWC_LIMITS.yamlBytes), { maxAliasCount: 100 });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${displayPath(file)}: not valid YAML (${(error as Error).message.split("\n")[0]})`);
  }
  const ok =
    value !== null &&
    typeof value === "object" &&
    Object.values(value as object).every(
      (entry) => entry !== null && typeof entry === "object" && Object.values(entry as object).every((n) => typeof n === "number" && n >= 0),
    );
  if (!ok) throw new UsageError(`${displayPath(file)}: expected a mapping of resource address or type to { usage_key: number ≥ 0 }`);
  return value as Usage;
}

/** A stack name for a document: `stacks/<name>/cdk.tf.json` → name, else the file name. */
function documentName(file: string): string {
  return basename(file) === "cdk.tf.json" ? basename(dirname(file)) : basename(file).replace(/(\.tf)?\.json$/, "");
}

/** `aiwc cost`: prices the config's stacks (or plans) and holds them against the tariff model and the gate. */
export function cost(options: CostOptions): CommandResult {
  const format = options.format ?? "table";
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, got "${format}"`);
  if (options.date !== undefined && !isCalendarDate(options.date)) throw new UsageError(`--date must be a date YYYY-MM-DD, got "${options.date}"`);
  for (const address of options.allowDataLoss ?? []) {
    if (!ADDRESS.test(address)) throw new UsageError(`--allow-data-loss: "${address}" is not a Terraform resource address (e.g. hcloud_volume.x or users:aws_instance.user-ben)`);
  }
  const config = loadConfig(options.config);
  const references: { label: string; amount: string; currency: string }[] = [];
  if (options.reference !== undefined) {
    const match = /^(\d+(?:\.\d+)?)\s*([A-Z]{3})$/.exec(options.reference.trim());
    if (match === null) throw new UsageError(`--reference must be an amount and a currency, e.g. "2680 USD", got "${options.reference}"`);
    references.push({ label: options.referenceLabel ?? "reference", amount: match[1]!, currency: match[2]! });
  }
  // References from the config: fixed figures, or another config priced the same way.
  for (const ref of config.cluster.references) {
    if ("config" in ref) {
      const other = stacks().priceConfig(loadConfig(resolve(config.dir, ref.config)), { pricing: { ...(options.date !== undefined ? { date: options.date } : {}) }, outdir: "cdktf.out" });
      references.push({ label: ref.label, amount: other.estimate.totalMonthly.toFixed(2), currency: "EUR" });
    } else references.push({ label: ref.label, amount: ref.amount, currency: ref.currency });
  }
  const pricing: PricingOptions = {
    references,
    ...(options.allowDataLoss !== undefined ? { allowDataLoss: options.allowDataLoss } : {}),
    ...(options.date !== undefined ? { date: options.date } : {}),
    ...(options.usage !== undefined ? { usage: readUsage(options.usage) } : {}),
  };
  let report;
  if (options.plan !== undefined && options.plan.length > 0) {
    const documents = options.plan.map((file) => ({ name: documentName(file), json: readJson(file) }));
    try {
      report = reportForDocuments(config, documents, options.plan.map(displayPath).join(", "), pricing);
    } catch (error) {
      if (error instanceof InputError) throw new UsageError(`${options.plan.map(displayPath).join(", ")}: ${error.message}`);
      throw error;
    }
  } else {
    try {
      report = withProgress(config.users.length, { quiet: options.quiet === true }, (onStep) => stacks().priceConfig(config, { pricing, outdir: "cdktf.out", onStep }));
    } catch (error) {
      if (error instanceof InputError) throw new UsageError(error.message);
      throw error;
    }
  }
  const stdout = format === "json" ? JSON.stringify(reportJson(report), null, 2) : format === "markdown" ? renderMarkdown(report) : renderTable(report);
  return { stdout, exitCode: report.gate.passed ? 0 : EXIT_GATE_FAILED };
}
