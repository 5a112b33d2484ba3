/**
 * The gate's record, written into the synthesis output (`cdktf.out/aiwc-gate.json`) next to
 * the stacks it judged: verdict, reasons, warnings, override and its reason, data-loss
 * allowances, pricing date and its source, and a SHA-256 digest of each stack's Terraform JSON.
 * `aiwc verify` recomputes the digests, so a stack edited after its gate ran (or a gate that
 * never ran) is caught before `terraform apply`: `cdktf deploy --skip-synth` is then safe.
 *
 * No cdktf here: `aiwc verify` must not load it.
 */
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../model/load";
import { reportJson, type CostReport } from "../cost/report";
import { toAmount } from "../catalog/money";
import { writeJsonFile } from "../config/json-file";
import { sha256 } from "../config/digest";
import { byText } from "../config/text";

export const GATE_RECORD = "aiwc-gate.json";
/** The full cost report of the synthesis (what `aiwc cost --format json` prints), for `cost diff --base-dir`. */
export const REPORT_FILE = "aiwc-report.json";
export const GATE_RECORD_VERSION = 1;

export interface GateRecord {
  readonly version: number;
  readonly writtenAt: string;
  readonly config: { readonly cluster: string; readonly digest: string };
  readonly pricingDate: string;
  readonly pricingDateSource: string;
  readonly totalMonthly: string;
  readonly gate: {
    readonly passed: boolean;
    readonly reasons: readonly string[];
    readonly warnings: readonly string[];
    readonly override?: { readonly reason: string; readonly source: string };
    readonly allowances: readonly { readonly address: string; readonly source: string }[];
  };
  /** Stack name → its file (relative to the output directory) and the file's SHA-256. */
  readonly stacks: Readonly<Record<string, { readonly file: string; readonly sha256: string }>>;
}

export function configDigest(config: Config): string {
  const hash = createHash("sha256");
  for (const file of [config.files.cluster, config.files.users, config.files.tariffs]) hash.update(`${file}\n`).update(readFileSync(file));
  return hash.digest("hex");
}

/** Writes the record after a synthesis whose gate passed (or was overridden). */
export function writeGateRecord(outdir: string, stackNames: readonly string[], config: Config, report: CostReport): GateRecord {
  const stacks: Record<string, { file: string; sha256: string }> = {};
  for (const name of stackNames) {
    const file = join("stacks", name, "cdk.tf.json");
    stacks[name] = { file, sha256: sha256(readFileSync(join(outdir, file))) };
  }
  const { gate } = report;
  const record: GateRecord = {
    version: GATE_RECORD_VERSION,
    writtenAt: new Date().toISOString(),
    config: { cluster: config.cluster.name, digest: configDigest(config) },
    pricingDate: report.estimate.pricingDate,
    pricingDateSource: report.pricingDateSource,
    totalMonthly: toAmount(report.estimate.totalMonthly),
    gate: {
      passed: gate.passed,
      reasons: gate.reasons,
      warnings: gate.warnings,
      ...(gate.override !== undefined ? { override: gate.override } : {}),
      allowances: gate.allowances,
    },
    stacks,
  };
  writeFileSync(join(outdir, GATE_RECORD), `${JSON.stringify(record, null, 2)}\n`);
  writeJsonFile(join(outdir, REPORT_FILE), reportJson(report));
  return record;
}

export interface Verification {
  readonly ok: boolean;
  readonly lines: readonly string[];
}

/** Checks a synthesis output against its gate record. Throws VerifyInputError when there is nothing to verify. */
export function verifyOutput(outdir: string): Verification {
  const file = join(outdir, GATE_RECORD);
  if (!existsSync(outdir) || !lstatSync(outdir).isDirectory()) throw new VerifyInputError(`${outdir}: not a directory; pass the synthesis output (default cdktf.out)`);
  if (!existsSync(file)) throw new VerifyInputError(`${file}: no gate record; synthesize with \`aiwc synth\` or \`npx cdktf synth\` (the gate writes it), never by hand`);
  let record: GateRecord;
  try {
    record = JSON.parse(readFileSync(file, "utf8")) as GateRecord;
  } catch (error) {
    throw new VerifyInputError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  if (record === null || typeof record !== "object" || record.version !== GATE_RECORD_VERSION || typeof record.stacks !== "object" || record.stacks === null || typeof record.gate !== "object" || record.gate === null) {
    throw new VerifyInputError(`${file}: not an aiwc gate record (version ${GATE_RECORD_VERSION})`);
  }
  const lines: string[] = [];
  let ok = true;
  if (record.gate.passed !== true) {
    ok = false;
    lines.push(`✗ the gate did not pass: ${(record.gate.reasons ?? []).join("; ")}`);
  }
  const recorded = new Set(Object.keys(record.stacks));
  const present = existsSync(join(outdir, "stacks")) ? readdirSync(join(outdir, "stacks")).filter((n) => existsSync(join(outdir, "stacks", n, "cdk.tf.json"))) : [];
  for (const name of present) {
    if (!recorded.has(name)) {
      ok = false;
      lines.push(`✗ stack ${name}: not judged by the gate (added after synthesis)`);
    }
  }
  for (const [name, entry] of Object.entries(record.stacks).sort(([a], [b]) => byText(a, b))) {
    const path = join(outdir, entry.file);
    if (!existsSync(path)) {
      ok = false;
      lines.push(`✗ stack ${name}: ${entry.file} is missing`);
      continue;
    }
    const actual = sha256(readFileSync(path));
    if (actual !== entry.sha256) {
      ok = false;
      lines.push(`✗ stack ${name}: ${entry.file} was changed after the gate ran (sha256 ${actual.slice(0, 12)}…, recorded ${String(entry.sha256).slice(0, 12)}…); synthesize again`);
    } else lines.push(`✓ stack ${name}: ${entry.file} is what the gate judged (sha256 ${actual.slice(0, 12)}…)`);
  }
  lines.push(`gate: ${record.gate.passed ? (record.gate.reasons.length > 0 ? "failed, overridden" : "passed") : "FAILED"} at ${record.pricingDate} (${record.pricingDateSource}), ${record.totalMonthly} € per month`);
  if (record.gate.override !== undefined) lines.push(`override (${record.gate.override.source}): ${record.gate.override.reason}`);
  for (const a of record.gate.allowances ?? []) lines.push(`data loss allowed (${a.source}): ${a.address}`);
  return { ok, lines };
}

export class VerifyInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VerifyInputError";
  }
}
