/**
 * `aiwc prices check` and `aiwc prices refresh <provider>`: how old each catalog price is and
 * what uses it; and a provider's own price list mapped onto its catalog (catalog/refresh.ts).
 */
import { readFileSync } from "node:fs";
import { replaceFile } from "../../metering/spool";
import Table from "cli-table3";
import { join } from "node:path";
import { displayPath, loadConfig } from "../../model/load";
import { PROVIDERS, PROVIDERS_BY_ID } from "../../clouds/registry";
import { daysBetween, today as todayOf } from "../../config/dates";
import { inForce } from "../../catalog/prices";
import { applyRefresh, type AvailabilityChange, type PriceChange, type PriceListError } from "../../catalog/refresh";
import type { CatalogPrice } from "../../catalog/catalog";
import { priceConfig } from "../../stacks/app";
import { readJsonFile } from "../input-files";
import { UsageError, type CommandResult } from "../result";

/** Columns without a frame (long rows stay greppable), as the project's other tables use cli-table3. */
function plainTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const chars = Object.fromEntries(["top", "top-mid", "top-left", "top-right", "bottom", "bottom-mid", "bottom-left", "bottom-right", "left", "left-mid", "mid", "mid-mid", "right", "right-mid"].map((k) => [k, ""]));
  const table = new Table({ head: [...head], chars: { ...chars, middle: "  " }, style: { head: [], border: [], "padding-left": 0, "padding-right": 0 } });
  table.push([...head].map((h) => "-".repeat(h.length)), ...rows.map((r) => [...r]));
  return table.toString().split("\n").map((line) => line.trimEnd()).join("\n");
}

/** Exit code when the check ran and found a price in use too old (1 is bad input), as the gate's. */
export const EXIT_STALE = 2;

const SECTIONS = ["server_types", "dedicated", "products"] as const;

export interface PricesCheckOptions {
  readonly config?: string;
  readonly format?: string;
}

interface CheckRow {
  readonly key: string;
  readonly region: string | null;
  readonly monthly: string | null;
  readonly hourly: string | null;
  readonly validFrom: string;
  readonly asOf: string;
  readonly ageDays: number;
  readonly sources: readonly string[];
  readonly usedBy: readonly string[];
  readonly stale: boolean;
}

/** The prices in force on `date` of one catalog row: the general one, and one per region it has its own price in. */
function pricesInForce(prices: readonly CatalogPrice[], date: string): { region: string | null; price: CatalogPrice }[] {
  const regions = [...new Set(prices.flatMap((p) => (p.region !== undefined ? [p.region] : [])))];
  return [undefined, ...regions].flatMap((region) => {
    const price = prices[inForce(prices, region, date)];
    return price !== undefined && price.region === region ? [{ region: region ?? null, price }] : [];
  });
}

export function pricesCheck(options: PricesCheckOptions): CommandResult {
  const format = options.format ?? "table";
  if (format !== "table" && format !== "json") throw new UsageError(`--format must be table or json, not "${format}"`);
  const config = loadConfig(options.config);
  const date = todayOf();
  const max = config.cluster.policy.maxCatalogAgeDays;
  const report = priceConfig(config, { pricing: { date } });
  const usedBy = new Map<string, Set<string>>();
  const usedAsOf = new Map<string, Set<string>>();
  for (const r of report.estimate.resources) {
    for (const c of r.components) {
      if (c.missing !== undefined) continue;
      usedBy.set(c.priceKey, (usedBy.get(c.priceKey) ?? new Set()).add(r.address));
      if (c.asOf !== undefined) usedAsOf.set(c.priceKey, (usedAsOf.get(c.priceKey) ?? new Set()).add(c.asOf));
    }
  }
  const rows: CheckRow[] = [];
  for (const [provider, catalog] of Object.entries(config.catalogs).sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const section of SECTIONS) {
      for (const [id, entry] of Object.entries(catalog[section] ?? {}) as [string, { prices: CatalogPrice[] }][]) {
        const key = `${provider}.${section}.${id}`;
        const users = [...(usedBy.get(key) ?? [])].sort();
        for (const { region, price } of pricesInForce(entry.prices, date)) {
          const age = daysBetween(price.as_of, date);
          // A row in use is stale when the price the config is priced with was confirmed too long ago.
          const usedPrice = usedAsOf.get(key)?.has(price.as_of) ?? false;
          rows.push({ key, region, monthly: price.monthly ?? null, hourly: price.hourly ?? null, validFrom: price.valid_from, asOf: price.as_of, ageDays: age, sources: price.source, usedBy: usedPrice ? users : [], stale: usedPrice && age > max });
        }
      }
    }
  }
  const stale = rows.filter((r) => r.stale);
  const catalogsStale = Object.entries(config.catalogs).filter(([provider, c]) => rows.some((r) => r.key.startsWith(`${provider}.`) && r.usedBy.length > 0) && daysBetween(c.as_of, date) > max);
  const failed = stale.length > 0 || catalogsStale.length > 0;
  const summary = [
    ...catalogsStale.map(([provider, c]) => `the ${provider} catalog (${displayPath(join(config.files.prices, `${provider}.yaml`))}) is ${daysBetween(c.as_of, date)} days old (as_of ${c.as_of}), more than policy.maxCatalogAgeDays ${max}`),
    ...stale.map((r) => `${r.key}${r.region !== null ? ` (${r.region})` : ""} was last confirmed ${r.asOf}, ${r.ageDays} days ago (more than policy.maxCatalogAgeDays ${max}); used by ${r.usedBy.slice(0, 3).join(", ")}${r.usedBy.length > 3 ? ` and ${r.usedBy.length - 3} more` : ""}`),
  ];
  const hint = failed ? "refresh them: aiwc prices refresh <provider> (see README: Price catalogs)" : "";
  if (format === "json") {
    const json = { version: 1, date, maxCatalogAgeDays: max, failed, problems: summary, rows };
    return { stdout: `${JSON.stringify(json, null, 2)}\n`, ...(failed ? { stderr: `${[...summary, hint].join("\n")}\n` } : {}), exitCode: failed ? EXIT_STALE : 0 };
  }
  const header = ["price", "region", "monthly", "hourly", "valid from", "as of", "age (days)", "sources", "used by"];
  const lines = rows.map((r) => [r.key, r.region ?? "", r.monthly ?? "", r.hourly ?? "", r.validFrom, r.asOf, `${r.ageDays}${r.stale ? " (stale)" : ""}`, r.sources.join(" "), r.usedBy.length === 0 ? "" : `${r.usedBy.length} resource(s)`]);
  const table = plainTable(header, lines);
  const footer = failed ? "" : `\nevery price in use was confirmed within ${max} days (policy.maxCatalogAgeDays)`;
  return { stdout: `${table}\n${footer}${footer !== "" ? "\n" : ""}`, ...(failed ? { stderr: `${[...summary, hint].join("\n")}\n` } : {}), exitCode: failed ? EXIT_STALE : 0 };
}

export interface PricesRefreshOptions {
  readonly provider: string;
  readonly config?: string;
  readonly region?: string;
  readonly from?: string;
  readonly dryRun?: boolean;
  readonly format?: string;
}

function availabilityText(a: AvailabilityChange): string {
  if (a.added) return `${a.row}: added from the list — sold in ${a.after.join(", ")}${a.orderable ? "" : " (not orderable)"}`;
  const more = a.after.filter((l) => !a.before.includes(l));
  return `${a.row}: ${more.length > 0 ? `now sold in ${a.after.join(", ")} (was ${a.before.join(", ")})` : "sold where it was"}${more.length > 0 ? "; " : ", "}${a.orderable ? "orderable" : "no longer orderable"}`;
}

function percentText(change: PriceChange): string {
  return change.percent === null ? "new" : `${change.percent.startsWith("-") ? "" : "+"}${change.percent} %`;
}

export async function pricesRefresh(options: PricesRefreshOptions, env: NodeJS.ProcessEnv = process.env): Promise<CommandResult> {
  const format = options.format ?? "table";
  if (format !== "table" && format !== "json" && format !== "markdown") throw new UsageError(`--format must be table, json or markdown, not "${format}"`);
  const model = PROVIDERS_BY_ID[options.provider];
  const refreshable = PROVIDERS.filter((p) => p.priceList !== undefined).map((p) => p.id);
  if (model === undefined || model.priceList === undefined) {
    throw new UsageError(`no price list to refresh "${options.provider}" from; providers with one: ${refreshable.join(", ")}`);
  }
  const config = loadConfig(options.config);
  const file = join(config.files.prices, `${options.provider}.yaml`);
  const catalog = config.catalogs[options.provider];
  if (catalog === undefined) throw new UsageError(`${displayPath(file)}: there is no ${options.provider} catalog to refresh`);
  const list = model.priceList();
  const listOptions = { ...(options.region !== undefined ? { region: options.region } : {}), env };
  if (options.region !== undefined && catalog.locations[options.region] === undefined) {
    throw new UsageError(`--region ${options.region}: not a location of the ${options.provider} catalog (${Object.keys(catalog.locations).join(", ")})`);
  }
  const today = todayOf();
  const text = readFileSync(file, "utf8");
  let result;
  try {
    const response = options.from !== undefined ? readJsonFile(options.from, `a saved ${model.displayName} price list response`) : await list.fetch(listOptions, catalog);
    const observation = list.observe(response, catalog, listOptions);
    result = applyRefresh(text, displayPath(file), observation, list.info, today, options.region);
  } catch (error) {
    // By name: the provider's price list may come from another module instance (loaded lazily through the registry).
    if (error instanceof Error && error.name === "PriceListError") throw new UsageError(`${(error as PriceListError).problems.join("\n")}\n${displayPath(file)} was not changed`);
    throw error;
  }
  const changed = result.text !== text;
  if (changed && options.dryRun !== true) {
    // Whole or not at all: a new file next to the old, then renamed over it.
    replaceFile(file, result.text);
  }
  const written = !changed ? "nothing to write: every price the list has is the catalog's" : options.dryRun === true ? `dry run: ${displayPath(file)} not written` : `${displayPath(file)} written`;
  if (format === "json") {
    const json = { version: 1, provider: options.provider, date: today, file: displayPath(file), written: changed && options.dryRun !== true, changes: result.changes, availability: result.availability, confirmed: result.confirmed, unlisted: result.unlisted, notes: result.notes };
    return { stdout: `${JSON.stringify(json, null, 2)}\n`, exitCode: 0 };
  }
  if (format === "markdown") {
    // For a pull request's description (examples/ci/price-refresh.sh).
    const md = [`### ${model.displayName}: ${result.changes.length === 0 ? "no price changed" : `${result.changes.length} price(s) changed`} (${list.info.description}, ${today})`, ""];
    if (result.changes.length > 0) {
      md.push("| price | region | old | new | change |", "|---|---|---:|---:|---:|");
      for (const c of result.changes) md.push(`| \`${c.row}\` | ${c.region ?? ""} | ${c.old ?? "—"} | ${c.new} | ${percentText(c)} |`);
      md.push("", `Each changed price has a new entry valid from ${today}; the old ones stay (resources created before keep them).`, "");
    }
    if (result.availability.length > 0) md.push(...result.availability.map((a) => `- ${availabilityText(a)}`), "");
    md.push(`${result.confirmed.length} row(s) confirmed unchanged.${result.unlisted.length > 0 ? ` Not in the list, left as they were: ${result.unlisted.map((r) => `\`${r}\``).join(", ")}.` : ""}`);
    if (result.notes.length > 0) md.push("", ...result.notes.map((n) => `- ${n}`));
    return { stdout: `${md.join("\n")}\n`, exitCode: 0 };
  }
  const out: string[] = [];
  if (result.changes.length > 0) {
    const header = ["price", "region", "old", "new", "change"];
    const lines = result.changes.map((c) => [c.row, c.region ?? "", c.old ?? "—", c.new, percentText(c)]);
    out.push(plainTable(header, lines), "");
    out.push(`${result.changes.length} price(s) changed: each has a new entry valid from ${today}; the old ones stay (resources created before keep them)`);
  } else out.push("no price changed");
  out.push(...result.availability.map(availabilityText));
  out.push(`${result.confirmed.length} row(s) confirmed unchanged (as_of ${today})`);
  if (result.unlisted.length > 0) out.push(`${result.unlisted.length} row(s) not in the list, left as they were: ${result.unlisted.join(", ")}`);
  for (const note of result.notes) out.push(`note: ${note}`);
  out.push(written);
  return { stdout: `${out.join("\n")}\n`, exitCode: 0 };
}
