import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { loadConfig, resolveClusterFile } from "../../config/load";
import { ConfigError, formatProblem } from "../../config/problems";
import { diffReports, isReportDoc, type CostDiff, type ReportDoc } from "../../cost/diff";
import { diffJson, diffMarkdown, diffTable } from "../../cost/diff-render";
import { money } from "../../cost/money";
import { reportJson } from "../../cost/report";
import { priceConfig } from "../../stacks/app";
import { GateFailure } from "../../stacks/gate-failure";
import { UsageError, type CommandResult } from "../result";
import { readJsonFile } from "../input-files";
import { ADDRESS } from "../../config/schema";
import { isCalendarDate } from "../../config/dates";

export interface CostDiffOptions {
  /** Git ref, config path (file or directory) or a saved `aiwc cost --format json` report. */
  readonly base: string;
  /** The head: a config path or saved report. @default the working tree's config (--config) */
  readonly head?: string;
  readonly config?: string;
  readonly format?: string;
  readonly date?: string;
  /** Conditions that make the command exit 2: monthly:<€>, percent:<%>, margin, gate, data-at-risk. */
  readonly failOn?: readonly string[];
  /** Addresses whose destruction or replacement is intended. */
  readonly allowDataLoss?: readonly string[];
}

/** Exit code when a --fail-on condition holds (1 is bad input or config). */
export const EXIT_FAIL_ON = 2;

function git(cwd: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (result.error !== undefined) throw new UsageError(`git is needed for a git ref as --base: ${result.error.message}`);
  return { code: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

function priceSide(side: string, configPath: string, date: string | undefined): ReportDoc {
  try {
    return reportJson(priceConfig(loadConfig(configPath), { pricing: date !== undefined ? { date } : {}, outdir: "cdktf.out" })) as unknown as ReportDoc;
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new UsageError(`${side}: the configuration has ${error.problems.length} problem(s):\n${error.problems.map((p) => `  ${formatProblem(p)}`).join("\n")}`);
    }
    if (error instanceof GateFailure) return reportJson(error.report) as unknown as ReportDoc;
    throw error;
  }
}

function readReport(side: string, file: string): ReportDoc {
  let value: unknown;
  try {
    value = readJsonFile(file, "a report written by `aiwc cost --format json`");
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${side}: ${error.message}`);
    throw error;
  }
  if (!isReportDoc(value)) throw new UsageError(`${side}: ${file} is not an aiwc cost report (version 1); write one with \`aiwc cost --format json\``);
  return value;
}

/**
 * The base at a git ref: checked out into a temporary worktree (the user's tree is never
 * touched, uncommitted changes stay where they are) and priced with the config at the same
 * path; the worktree is removed afterwards, also when pricing fails.
 */
function priceGitRef(ref: string, headConfigFile: string, date: string | undefined): ReportDoc {
  const cwd = dirname(headConfigFile);
  const top = git(existsSync(cwd) ? cwd : process.cwd(), ["rev-parse", "--show-toplevel"]);
  if (top.code !== 0) throw new UsageError(`base: "${ref}" is not a file, and ${cwd} is not in a git repository to look it up as a ref`);
  const commit = git(top.stdout, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  if (commit.code !== 0) throw new UsageError(`base: "${ref}" is neither a file nor a git ref of ${top.stdout}`);
  const worktree = join(mkdtempSync(join(tmpdir(), "aiwc-base-")), "tree");
  const added = git(top.stdout, ["worktree", "add", "--detach", "--quiet", worktree, commit.stdout]);
  if (added.code !== 0) throw new UsageError(`base: could not check out ${ref}: ${added.stderr}`);
  try {
    const configInBase = join(worktree, relative(top.stdout, headConfigFile));
    if (!existsSync(configInBase)) throw new UsageError(`base (${ref}): ${relative(top.stdout, headConfigFile)} does not exist at that ref`);
    return { ...priceSide(`base (${ref})`, configInBase, date), source: `${ref} (${commit.stdout.slice(0, 12)})` };
  } finally {
    git(top.stdout, ["worktree", "remove", "--force", worktree]);
    rmSync(dirname(worktree), { recursive: true, force: true });
    git(top.stdout, ["worktree", "prune"]);
  }
}

function resolveSide(side: "base" | "head", value: string, headConfigFile: string, date: string | undefined): ReportDoc {
  const path = resolve(value);
  if (existsSync(path) && statSync(path).isFile() && path.endsWith(".json")) return readReport(side, path);
  if (existsSync(path)) return priceSide(side, value, date);
  if (side === "head") throw new UsageError(`head: ${value} does not exist`);
  return priceGitRef(value, headConfigFile, date);
}

/** The --fail-on conditions that hold. */
export function failures(diff: CostDiff, rules: readonly string[]): string[] {
  const out: string[] = [];
  const change = diff.monthly.after.minus(diff.monthly.before);
  for (const rule of rules) {
    const [name, value] = rule.split(":") as [string, string | undefined];
    const limit = value !== undefined && /^\d+(\.\d+)?$/.test(value) ? money(value) : undefined;
    if (name === "monthly" && limit !== undefined) {
      if (change.greaterThan(limit)) out.push(`monthly cost rises by ${change.toFixed(2)} €, more than ${limit.toFixed(2)} €`);
    } else if (name === "percent" && limit !== undefined) {
      const pct = diff.monthly.before.isZero() ? undefined : change.dividedBy(diff.monthly.before).times(100);
      if (pct !== undefined && pct.greaterThan(limit)) out.push(`monthly cost rises by ${pct.toFixed(1)} %, more than ${limit.toFixed(1)} %`);
    } else if (name === "margin" && value === undefined) {
      const reason = diff.head.gate.reasons.find((r) => r.startsWith("gross margin"));
      if (reason !== undefined) out.push(reason);
    } else if (name === "gate" && value === undefined) {
      if (!diff.gate.passed) out.push("the gate fails after this change");
    } else if (name === "data-at-risk" && value === undefined) {
      const blocked = diff.dataAtRisk.filter((r) => !r.allowed);
      if (blocked.length > 0) out.push(`${blocked.length} resource(s) holding data would be destroyed or replaced without an allowance`);
    } else {
      throw new UsageError(`--fail-on: unknown condition "${rule}"; use monthly:<euros>, percent:<percent>, margin, gate or data-at-risk`);
    }
  }
  return out;
}

/** `aiwc cost diff`: what a change costs, before anyone merges it. */
export function costDiff(options: CostDiffOptions): CommandResult {
  const format = options.format ?? "table";
  if (!["table", "json", "markdown"].includes(format)) throw new UsageError(`--format must be one of table, json, markdown, got "${format}"`);
  if (options.date !== undefined && !isCalendarDate(options.date)) throw new UsageError(`--date must be YYYY-MM-DD, got "${options.date}"`);
  const headConfigFile = resolveClusterFile(options.config);
  // Check the rules before the (slow) pricing.
  for (const rule of options.failOn ?? []) {
    if (!/^(monthly|percent):\d+(\.\d+)?$|^(margin|gate|data-at-risk)$/.test(rule)) {
      throw new UsageError(`--fail-on: unknown condition "${rule}"; use monthly:<euros>, percent:<percent>, margin, gate or data-at-risk`);
    }
  }
  const head = options.head !== undefined ? resolveSide("head", options.head, headConfigFile, options.date) : priceSide("head", headConfigFile, options.date);
  const base = resolveSide("base", options.base, headConfigFile, options.date);
  for (const address of options.allowDataLoss ?? []) {
    if (!ADDRESS.test(address)) throw new UsageError(`--allow-data-loss: "${address}" is not a Terraform resource address (e.g. hcloud_volume.x or users:aws_instance.user-ben)`);
  }
  const diff = diffReports(base, head, (options.allowDataLoss ?? []).map((address) => ({ address, source: "command line" as const })));
  const failed = failures(diff, options.failOn ?? []);
  const stdout = format === "json" ? JSON.stringify(diffJson(diff, failed), null, 2) : format === "markdown" ? diffMarkdown(diff, failed) : diffTable(diff, failed);
  return { stdout, exitCode: failed.length > 0 ? EXIT_FAIL_ON : 0 };
}
