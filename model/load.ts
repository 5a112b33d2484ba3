/**
 * Loads and validates the operator's configuration: cluster.yaml plus its sibling users.yaml,
 * tariffs.yaml and the price catalog. Returns a typed `Config` or throws `ConfigError` with
 * every problem of every file at once.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { fastYaml } from "../config/fast-yaml";
import { listYaml } from "../config/list-yaml";
import type { z } from "zod";
import { catalogSchema, fxSchema, unknownSources, type Catalog, type FxTable } from "../catalog/catalog";
import { checkEnvironment } from "../config/environment";
import { readRegularFile } from "../config/files";
import { AIWC_LIMITS } from "../config/limits";
import { ConfigError, ProblemSink } from "../config/problems";
import { checkRules } from "./rules";
import { PACKAGE_ROOT } from "../config/package-root";
import { precompiledYaml } from "../config/precompiled";
import { PROVIDER_IDS } from "../clouds/sections";
import { clusterSchema, tariffsSchema, usersSchema, type ClusterConfig, type TariffsConfig, type UsersConfig } from "../config/schema";
import { zodProblems } from "../config/zod-problems";
import { TYPE_LOCK_FILE, typeLockSchema, type TypeLock } from "../config/type-lock";

/** The project's own config/ directory: the default config and the built-in price catalog. */
export const BUILTIN_CONFIG_DIR = join(PACKAGE_ROOT, "config");

export interface Config {
  /** Directory holding cluster.yaml (sibling files resolve against it). */
  readonly dir: string;
  readonly files: { readonly cluster: string; readonly users: string; readonly tariffs: string; readonly prices: string; readonly typeLock: string };
  readonly cluster: ClusterConfig;
  readonly users: UsersConfig["users"];
  readonly tariffs: TariffsConfig;
  /** Price catalogs by provider id. */
  readonly catalogs: Readonly<Record<string, Catalog>>;
  /** The server types locked in types.lock.yaml (files.typeLock), when it exists. */
  readonly typeLock?: TypeLock;
  /** Exchange rates into EUR. */
  readonly fx: FxTable;
  /** Problems that do not stop synthesis (e.g. SSH open to the world). */
  readonly warnings: readonly string[];
}

/**
 * Which config to use: the `--config` argument, else `AIWC_CONFIG`, else the project's config/.
 * A directory means `<dir>/cluster.yaml`.
 */
export function resolveClusterFile(argument?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = argument ?? env.AIWC_CONFIG ?? BUILTIN_CONFIG_DIR;
  const absolute = resolve(chosen);
  if (existsSync(absolute) && statSync(absolute).isDirectory()) return join(absolute, "cluster.yaml");
  return absolute;
}

/** A path as the operator should read it: relative to the working directory when shorter. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel !== "" && !rel.startsWith("..") && rel.length < file.length ? rel : file;
}

type ParseResult = { ok: true; value: unknown } | { ok: false };

/** Reads a YAML file; syntax errors (with line:column) and a missing file go to the sink. */
function readYaml(file: string, sink: ProblemSink, what: string): ParseResult {
  const shown = displayPath(file);
  const read = readRegularFile(file, AIWC_LIMITS.yamlBytes, "a YAML file");
  if (!read.ok) {
    sink.add(shown, "", `${read.problem}; ${what}`);
    return { ok: false };
  }
  const text = read.text;
  const built = precompiledYaml(file, text) ?? listYaml(text) ?? fastYaml(text);
  if (built !== undefined && built !== null) return { ok: true, value: built };
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const position = lineCounter.linePos(error.pos[0]);
      sink.problems.push({
        file: shown,
        path: "",
        line: position.line,
        column: position.col,
        message: `YAML syntax error: ${error.message.split("\n")[0]}`,
      });
    }
    return { ok: false };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // yaml refuses documents whose aliases expand without bound ("billion laughs").
    if (!(error instanceof ReferenceError)) throw error;
    sink.add(shown, "", `YAML aliases expand too far (${error.message}); write the values out instead of using *aliases`);
    return { ok: false };
  }
  if (value === null || value === undefined) {
    sink.add(shown, "", `file is empty; ${what}`);
    return { ok: false };
  }
  return { ok: true, value };
}

export function parseWith<S extends z.ZodType>(schema: S, file: string, sink: ProblemSink, what: string): z.output<S> | undefined {
  const raw = readYaml(file, sink, what);
  if (!raw.ok) return undefined;
  const result = schema.safeParse(raw.value, { reportInput: true });
  if (result.success) return result.data;
  for (const problem of zodProblems(schema, result.error.issues)) sink.add(displayPath(file), problem.path, problem.message);
  return undefined;
}

/** Loads the config named by `argument` (see resolveClusterFile); throws ConfigError on any problem. */
export function loadConfig(argument?: string, env: NodeJS.ProcessEnv = process.env): Config {
  const clusterFile = resolveClusterFile(argument, env);
  const dir = dirname(clusterFile);
  const sink = new ProblemSink();

  const cluster = parseWith(clusterSchema, clusterFile, sink, "expected the cluster description (see README: Config reference)");
  // Siblings are read even when cluster.yaml is broken, so every file's problems show at once.
  const usersFile = resolve(dir, cluster?.files.users ?? "users.yaml");
  const tariffsFile = resolve(dir, cluster?.files.tariffs ?? "tariffs.yaml");
  const pricesDir = resolvePricesDir(dir, cluster?.files.prices);
  const users = parseWith(usersSchema, usersFile, sink, "expected `users:` with one entry per user (may be `users: []`)");
  const tariffs = parseWith(tariffsSchema, tariffsFile, sink, "expected `tariffs:` and `packs:`");

  const { catalogs, fx } = loadCatalogs(pricesDir, cluster?.provider ?? PROVIDER_IDS[0], sink);
  const typeLockFile = join(dir, TYPE_LOCK_FILE);
  const typeLock = existsSync(typeLockFile) ? parseWith(typeLockSchema, typeLockFile, sink, "expected the server types aiwc chose (written by `aiwc types lock`)") : undefined;
  checkEnvironment(env, sink);

  if (cluster !== undefined) {
    checkRules(
      { cluster, ...(users !== undefined ? { users: users.users } : {}), ...(tariffs !== undefined ? { tariffs } : {}), catalogs, ...(typeLock !== undefined ? { typeLock } : {}) },
      { cluster: displayPath(clusterFile), users: displayPath(usersFile), tariffs: displayPath(tariffsFile) },
      sink,
    );
  }
  if (sink.problems.length > 0 || cluster === undefined || users === undefined || tariffs === undefined || fx === undefined) {
    throw new ConfigError(sink.problems, sink.warnings);
  }
  return {
    dir,
    files: { cluster: clusterFile, users: usersFile, tariffs: tariffsFile, prices: pricesDir, typeLock: typeLockFile },
    cluster,
    users: users.users,
    tariffs,
    catalogs,
    ...(typeLock !== undefined ? { typeLock } : {}),
    fx,
    warnings: sink.warnings.map((w) => (w.path === "" ? `${w.file}: ${w.message}` : `${w.file}: ${w.path}: ${w.message}`)),
  };
}

/**
 * Every provider catalog in the prices directory (the configured provider's must exist: the
 * cost engine also prices other providers' resources found in a plan) and the FX table.
 */
export function loadCatalogs(
  pricesDir: string,
  required: string,
  sink: ProblemSink,
): { catalogs: Record<string, Catalog>; fx: FxTable | undefined } {
  const catalogs: Record<string, Catalog> = {};
  if (existsSync(pricesDir) && !statSync(pricesDir).isDirectory()) {
    sink.add(displayPath(pricesDir), "", "is not a directory; files.prices must name the directory holding <provider>.yaml and fx.yaml");
    return { catalogs, fx: undefined };
  }
  const files = existsSync(pricesDir) ? readdirSync(pricesDir).filter((f) => f.endsWith(".yaml") && f !== "fx.yaml").sort() : [];
  const providers = new Set([required, ...files.map((f) => f.slice(0, -".yaml".length))]);
  for (const provider of providers) {
    const file = join(pricesDir, `${provider}.yaml`);
    const catalog = parseWith(catalogSchema, file, sink, `expected the ${provider} price catalog`);
    if (catalog === undefined) continue;
    for (const [path, key] of unknownSources(catalog)) {
      sink.add(displayPath(file), path.map((s) => (/^\d+$/.test(s) ? Number(s) : s)), `source "${key}" is not listed under sources:; add it with description, url and date`);
    }
    catalogs[provider] = catalog;
  }
  const fx = parseWith(fxSchema, join(pricesDir, "fx.yaml"), sink, "expected exchange rates into EUR (base: EUR, rates:)");
  if (fx !== undefined) {
    for (const [provider, catalog] of Object.entries(catalogs)) {
      if (catalog.currency !== "EUR" && fx.rates[catalog.currency] === undefined) {
        sink.add(displayPath(join(pricesDir, `${provider}.yaml`)), "currency", `${catalog.currency} has no exchange rate in fx.yaml; add rates.${catalog.currency}.per_eur with its date and source`);
      }
    }
  }
  return { catalogs, fx };
}

/** `files.prices` when set; else `prices/` next to cluster.yaml when present; else the built-in catalog. */
function resolvePricesDir(dir: string, configured: string | undefined): string {
  if (configured !== undefined) return resolve(dir, configured);
  const local = join(dir, "prices");
  return existsSync(local) ? local : join(BUILTIN_CONFIG_DIR, "prices");
}
