import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { displayPath, loadConfig, resolveClusterFile } from "../../model/load";
import { ConfigError, formatProblem } from "../../config/problems";
import { diffReports, isReportDoc, type CostDiff, type ReportDoc } from "../../cost/diff";
import { diffJson, diffMarkdown, diffTable } from "../../cost/diff-render";
import { money } from "../../catalog/money";
import { reportForDocuments, reportJson } from "../../cost/report";
import { InputError } from "../../cost/input";
import { REPORT_FILE } from "../../stacks/gate-record";
import { priceConfig } from "../../stacks/app";
import { GateFailure } from "../../stacks/gate-failure";
import { UsageError, type CommandResult } from "../result";
import { readJsonFile } from "../input-files";
import { ADDRESS } from "../../config/schema";
import { isCalendarDate } from "../../config/dates";
import { PACKAGE_ROOT } from "../../config/package-root";
import { sha256 } from "../../config/digest";

export interface CostDiffOptions {
  /** Git ref, config path (file or directory) or a saved `aiwc cost --format json` report. */
  readonly base?: string;
  /** The head: a config path or saved report. @default the working tree's config (--config) */
  readonly head?: string;
  readonly config?: string;
  readonly format?: string;
  readonly date?: string;
  /** Conditions that make the command exit 2: monthly:<€>, percent:<%>, margin, gate, data-at-risk. */
  readonly failOn?: readonly string[];
  /** Addresses whose destruction or replacement is intended. */
  readonly allowDataLoss?: readonly string[];
  /** `aiwc shards plan`'s script has moved the state of the users that change stacks. */
  readonly shardsMigrated?: boolean;
  /** An already synthesized output of the base (`cdktf.out`), instead of --base. */
  readonly baseDir?: string;
  /** Also write the full diff as JSON to this file (the CI artifact beside a capped comment). */
  readonly jsonOut?: string;
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
    return reportJson(priceConfig(loadConfig(configPath), { pricing: date !== undefined ? { date } : {}, outdir: "cdktf.out" }));
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new UsageError(`${side}: the configuration has ${error.problems.length} problem(s):\n${error.problems.map((p) => `  ${formatProblem(p)}`).join("\n")}`);
    }
    if (error instanceof GateFailure) return reportJson(error.report);
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
/** Where this aiwc runs from: its package root (node_modules, .gen). */
const AIWC_ROOT = PACKAGE_ROOT;

function sha256File(file: string): string | undefined {
  return existsSync(file) ? sha256(readFileSync(file)) : undefined;
}

/**
 * node_modules for the base's own code: this checkout's when the lockfiles are identical,
 * else an install into a cache keyed by the base lockfile's hash (offline, from npm's cache);
 * a clear error when that is impossible.
 */
function baseModules(side: string, root: string): string {
  const lock = join(root, "package-lock.json");
  const hash = sha256File(lock);
  if (hash === undefined) throw new UsageError(`${side}: has no package-lock.json to install its dependencies from; synthesize the base separately and pass --base-dir`);
  if (hash === sha256File(join(AIWC_ROOT, "package-lock.json"))) return join(AIWC_ROOT, "node_modules");
  const cache = join(process.env.AIWC_CACHE ?? join(homedir(), ".cache", "aiwc"), "node_modules", hash.slice(0, 16));
  if (existsSync(join(cache, "node_modules", ".package-lock.json"))) return join(cache, "node_modules");
  mkdirSync(cache, { recursive: true });
  cpSync(join(root, "package.json"), join(cache, "package.json"));
  cpSync(lock, join(cache, "package-lock.json"));
  const npm = spawnSync("npm", ["ci", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: cache, encoding: "utf8", timeout: 600_000 });
  if (npm.status !== 0) {
    rmSync(join(cache, "node_modules"), { recursive: true, force: true });
    const why = `${npm.error?.message ?? ""}${npm.stderr ?? ""}`.trim().split("\n").slice(-2).join(" ");
    throw new UsageError(`${side}: its package-lock.json differs from this checkout's and its dependencies cannot be installed offline (npm: ${why}); install them once with network access, or synthesize the base separately and pass --base-dir`);
  }
  return join(cache, "node_modules");
}

/**
 * Prices the base with the base's own code: in its worktree, with its node_modules and its
 * generated provider bindings, through its own `aiwc cost --format json`. A pull request that
 * only changes code (clouds/, model/, cost/, stacks/, …) then shows what the change costs.
 */
function priceWithOwnCode(side: string, worktree: string, configInBase: string, date: string | undefined): ReportDoc {
  const modules = baseModules(side, worktree);
  if (!existsSync(join(worktree, "node_modules"))) symlinkSync(modules, join(worktree, "node_modules"), "dir");
  // Bindings: start from this checkout's (the generator skips what its stamps say is current).
  if (existsSync(join(AIWC_ROOT, ".gen")) && !existsSync(join(worktree, ".gen"))) cpSync(join(AIWC_ROOT, ".gen"), join(worktree, ".gen"), { recursive: true });
  const env = { ...process.env, CHECKPOINT_DISABLE: "1" };
  if (existsSync(join(worktree, "providers", "generate.ts"))) {
    const generated = spawnSync(process.execPath, [join(modules, "tsx", "dist", "cli.mjs"), "providers/generate.ts"], { cwd: worktree, encoding: "utf8", env, timeout: 600_000 });
    if (generated.status !== 0) throw new UsageError(`${side}: generating its provider bindings failed: ${`${generated.stderr}`.trim().split("\n").slice(-3).join(" ")}`);
  }
  // Code from before the compiled CLI ran through tsx; since then the binary runs dist/.
  if (existsSync(join(worktree, "scripts", "build.cjs"))) {
    const built = spawnSync(process.execPath, [join(worktree, "scripts", "build.cjs"), "--no-compile-cache"], { cwd: worktree, encoding: "utf8", env, timeout: 600_000 });
    if (built.status !== 0) throw new UsageError(`${side}: compiling its code failed: ${`${built.stderr}`.trim().split("\n").slice(-3).join(" ")}`);
  }
  const args = [join(worktree, "bin", "aiwc.cjs"), "cost", "--config", configInBase, "--format", "json", ...(date !== undefined ? ["--date", date] : [])];
  const run = spawnSync(process.execPath, args, { cwd: worktree, encoding: "utf8", env, timeout: 600_000, maxBuffer: 1024 * 1024 * 1024 });
  if (run.status === 1) throw new UsageError(`${side}: ${`${run.stderr}`.trim()}`);
  if (run.status !== 0 && run.status !== 2) throw new UsageError(`${side}: its aiwc failed (exit ${run.status ?? run.signal}): ${`${run.stderr}`.trim().split("\n").slice(-5).join(" ")}`);
  let value: unknown;
  try {
    value = JSON.parse(run.stdout);
  } catch {
    throw new UsageError(`${side}: its aiwc printed no JSON report`);
  }
  if (!isReportDoc(value)) throw new UsageError(`${side}: its aiwc printed a report of another version`);
  return value;
}

/** Whether a tree is the aiwc project itself (then its code prices its config). */
function isAiwcProject(root: string): boolean {
  try {
    return existsSync(join(root, "bin", "aiwc.cjs")) && (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { name?: string }).name === "aiwc";
  } catch {
    return false;
  }
}

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
    const side = `base (${ref})`;
    const source = `${ref} (${commit.stdout.slice(0, 12)})`;
    // The aiwc project itself: the base's code synthesizes and prices the base.
    if (isAiwcProject(worktree)) return { ...priceWithOwnCode(side, worktree, configInBase, date), source };
    // A repository of configs: the same aiwc prices both sides unless its lockfile pins another.
    if (existsSync(join(worktree, "package-lock.json")) && sha256File(join(worktree, "package-lock.json")) !== sha256File(join(top.stdout, "package-lock.json"))) {
      throw new UsageError(`${side}: pins another aiwc (its package-lock.json differs); synthesize the base with it and pass --base-dir`);
    }
    return { ...priceSide(side, configInBase, date), source };
  } finally {
    git(top.stdout, ["worktree", "remove", "--force", worktree]);
    rmSync(dirname(worktree), { recursive: true, force: true });
    git(top.stdout, ["worktree", "prune"]);
  }
}

/**
 * The base as synthesized elsewhere (a CI job that builds the base with its own code): the
 * report the synthesis wrote next to its stacks, or else its stacks' JSON priced here.
 */
function readBaseDir(dir: string, headConfigFile: string, date: string | undefined): ReportDoc {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new UsageError(`--base-dir: ${dir} is not a directory; pass the base's synthesis output (cdktf.out)`);
  if (existsSync(join(root, REPORT_FILE))) return { ...readReport("base", join(root, REPORT_FILE)), source: `${dir} (synthesized base)` };
  const stacks = join(root, "stacks");
  const names = existsSync(stacks) ? readdirSync(stacks).filter((n) => existsSync(join(stacks, n, "cdk.tf.json"))).sort() : [];
  if (names.length === 0) throw new UsageError(`--base-dir: ${dir} has neither ${REPORT_FILE} nor stacks/*/cdk.tf.json`);
  const documents = names.map((name) => ({ name, json: readJsonFile(join(stacks, name, "cdk.tf.json"), "a synthesized stack") }));
  try {
    return { ...(reportJson(reportForDocuments(loadConfig(headConfigFile), documents, `${dir} (synthesized base)`, date !== undefined ? { date } : {}))) };
  } catch (error) {
    if (error instanceof InputError) throw new UsageError(`--base-dir: ${error.message}`);
    throw error;
  }
}

/** "working tree (abc1234)" or "working tree (abc1234 + uncommitted changes)"; the path outside git. */
function workingTreeLabel(configFile: string): string {
  const dir = dirname(configFile);
  if (!existsSync(dir)) return displayPath(configFile);
  const sha = spawnSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd: dir, encoding: "utf8" });
  if (sha.status !== 0) return displayPath(configFile);
  const dirty = spawnSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: dir, encoding: "utf8" });
  return `working tree (${sha.stdout.trim()}${dirty.stdout.trim() !== "" ? " + uncommitted changes" : ""})`;
}

function resolveSide(side: "base" | "head", value: string, headConfigFile: string, date: string | undefined): ReportDoc {
  const path = resolve(value);
  if (existsSync(path) && statSync(path).isFile() && path.endsWith(".json")) return readReport(side, path);
  if (existsSync(path)) return { ...priceSide(side, value, date), source: displayPath(path) };
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
  if ((options.base === undefined) === (options.baseDir === undefined)) throw new UsageError("name the base: --base <git ref|config|report.json> or --base-dir <synthesized cdktf.out>, one of them");
  // Check the rules before the (slow) pricing.
  for (const rule of options.failOn ?? []) {
    if (!/^(monthly|percent):\d+(\.\d+)?$|^(margin|gate|data-at-risk)$/.test(rule)) {
      throw new UsageError(`--fail-on: unknown condition "${rule}"; use monthly:<euros>, percent:<percent>, margin, gate or data-at-risk`);
    }
  }
  const head = options.head !== undefined ? resolveSide("head", options.head, headConfigFile, options.date) : { ...priceSide("head", headConfigFile, options.date), source: workingTreeLabel(headConfigFile) };
  const base = options.baseDir !== undefined ? readBaseDir(options.baseDir, headConfigFile, options.date) : resolveSide("base", options.base!, headConfigFile, options.date);
  for (const address of options.allowDataLoss ?? []) {
    if (!ADDRESS.test(address)) throw new UsageError(`--allow-data-loss: "${address}" is not a Terraform resource address (e.g. hcloud_volume.x or users:aws_instance.user-ben)`);
  }
  const diff = diffReports(base, head, { allowances: (options.allowDataLoss ?? []).map((address) => ({ address, source: "command line" as const })), shardsMigrated: options.shardsMigrated === true });
  const failed = failures(diff, options.failOn ?? []);
  if (options.jsonOut !== undefined) writeFileSync(options.jsonOut, `${JSON.stringify(diffJson(diff, failed), null, 2)}\n`);
  const stdout = format === "json" ? JSON.stringify(diffJson(diff, failed), null, 2) : format === "markdown" ? diffMarkdown(diff, failed) : diffTable(diff, failed);
  return { stdout, exitCode: failed.length > 0 ? EXIT_FAIL_ON : 0 };
}
