/**
 * `aiwc types lock [--upgrade] [--provider …]`: writes types.lock.yaml beside cluster.yaml with
 * the server types chosen by requirements (node groups) and by the tariffs' VM sizes, so a price
 * catalog change never rescales running machines (see config/type-lock.ts). Without --upgrade
 * an entry that still applies is kept and only missing or stale ones are (re)chosen; with
 * --upgrade every entry becomes the catalog's current choice, and the table says which
 * machines that rescales.
 */
import { existsSync, readFileSync } from "node:fs";
import { replaceFile } from "../../metering/spool";
import Table from "cli-table3";
import { displayPath, loadConfig, type Config } from "../../model/load";
import { PROVIDERS_BY_ID } from "../../clouds/registry";
import { groupChoice, tariffVmChoice, type TypeChoice } from "../../catalog/server-types";
import { renderTypeLock, type LockSection, type TypeLock } from "../../config/type-lock";
import { onProvider } from "../../cost/compare";
import { PROVIDER_IDS } from "../../clouds/sections";
import { UsageError, type CommandResult } from "../result";

export interface TypesLockOptions {
  readonly config?: string;
  readonly upgrade?: boolean;
  /** Comma-separated providers to lock for; default the config's provider. */
  readonly provider?: string;
  readonly format?: string;
}

export interface LockRow {
  readonly place: string;
  readonly entry: string;
  readonly requirements: string;
  readonly before: string | null;
  readonly after: string;
  /** kept: unchanged; added: no entry before; changed: another type (machines rescale); cheaper: kept, though the catalog now chooses another. */
  readonly status: "kept" | "added" | "changed" | "cheaper";
  /** The machines of this entry on the config's provider (0 elsewhere). */
  readonly machines: number;
  readonly current?: string;
}

function decide(choice: TypeChoice, before: string | undefined, upgrade: boolean): { after: string | undefined; status: LockRow["status"] } {
  if (choice.lock === "locked" && !upgrade) return { after: choice.type, status: choice.current !== undefined && choice.current !== choice.type ? "cheaper" : "kept" };
  const after = choice.current;
  if (before === undefined) return { after, status: "added" };
  return { after, status: before === after ? "kept" : "changed" };
}

export function typesLock(options: TypesLockOptions): CommandResult {
  if (options.format !== undefined && !["table", "json"].includes(options.format)) throw new UsageError(`--format: use table or json, got "${options.format}"`);
  const config = loadConfig(options.config);
  const providers = options.provider !== undefined ? options.provider.split(",").map((p) => p.trim()) : [config.cluster.provider];
  for (const p of providers) if (!(PROVIDER_IDS as readonly string[]).includes(p)) throw new UsageError(`--provider: unknown provider "${p}"; use ${PROVIDER_IDS.join(", ")}`);

  // Entries for other providers and places are kept as they are.
  const lock: TypeLock = structuredClone(config.typeLock ?? {});
  const rows: LockRow[] = [];
  const set = (place: string, section: LockSection, name: string, type: string, requirements: string) => {
    lock[place] ??= { nodeGroups: {}, tariffs: {} };
    lock[place]![section][name] = { type, requirements };
  };
  for (const provider of providers) {
    const on: Config = provider === config.cluster.provider ? config : onProvider(config, provider);
    const model = PROVIDERS_BY_ID[provider]!;
    const location = model.location(on.cluster);
    const catalog = on.catalogs[provider];
    if (catalog === undefined) throw new UsageError(`--provider ${provider}: there is no ${provider} price catalog in ${displayPath(config.files.prices)}`);
    const place = `${provider}/${location}`;
    const here = provider === config.cluster.provider;
    for (const [name, group] of Object.entries(config.cluster.nodeGroups)) {
      // Only groups the config types by requirements (a stated serverType or a dedicated product is its own pin).
      const requirements = on.cluster.nodeGroups[name]?.requirements;
      if (group.requirements === undefined || group.serverType !== undefined || requirements === undefined) continue;
      if (group.dedicated !== undefined && model.dedicatedHosts === true) continue;
      const choice = groupChoice(catalog, config.typeLock, provider, location, name, requirements);
      const before = config.typeLock?.[place]?.nodeGroups[name]?.type;
      const { after, status } = decide(choice, before, options.upgrade === true);
      if (after === undefined) continue; // no fit: `aiwc validate` says so
      set(place, "nodeGroups", name, after, choice.requirements);
      rows.push({ place, entry: `nodeGroups.${name}`, requirements: choice.requirements, before: before ?? null, after, status, machines: here ? group.count : 0, ...(choice.current !== undefined && choice.current !== after ? { current: choice.current } : {}) });
    }
    for (const [id, tariff] of Object.entries(config.tariffs.tariffs)) {
      if (tariff.vm.serverType?.[provider] !== undefined) continue;
      const choice = tariffVmChoice(catalog, config.typeLock, provider, location, id, tariff.vm);
      const before = config.typeLock?.[place]?.tariffs[id]?.type;
      const { after, status } = decide(choice, before, options.upgrade === true);
      if (after === undefined) continue;
      set(place, "tariffs", id, after, choice.requirements);
      const machines = here ? config.users.filter((u) => u.tariff === id && u.serverType === undefined).length : 0;
      rows.push({ place, entry: `tariffs.${id}.vm`, requirements: choice.requirements, before: before ?? null, after, status, machines, ...(choice.current !== undefined && choice.current !== after ? { current: choice.current } : {}) });
    }
  }

  const file = config.files.typeLock;
  const text = renderTypeLock(lock);
  const previous = existsSync(file) ? readFileSync(file, "utf8") : undefined;
  if (text !== previous) replaceFile(file, text);
  const rescaled = rows.filter((r) => r.status === "changed" && r.machines > 0);
  if (options.format === "json") return { stdout: `${JSON.stringify({ file: displayPath(file), written: text !== previous, rows }, null, 2)}\n`, exitCode: 0 };
  const table = new Table({ head: ["place", "entry", "requirements", "locked", "status"], style: { head: [], border: [] } });
  for (const r of rows) {
    const locked = r.status === "changed" ? `${r.before} → ${r.after}` : r.after;
    const status = r.status === "cheaper" ? `kept (cheapest today: ${r.current}; --upgrade moves it)` : r.status === "changed" && r.machines > 0 ? `changed: ${r.machines} machine(s) rescale on the next deploy` : r.status;
    table.push([r.place, r.entry, r.requirements, locked, status]);
  }
  const lines = [
    table.toString(),
    text === previous ? `${displayPath(file)} is up to date.` : `${displayPath(file)} written${previous === undefined ? "" : " (updated)"}: commit it with the config.`,
    ...(rescaled.length > 0 ? [`The next deploy rescales ${rescaled.reduce((n, r) => n + r.machines, 0)} machine(s) (a restart each): run \`aiwc cost diff\` to see it priced.`] : []),
  ];
  return { stdout: `${lines.join("\n")}\n`, exitCode: 0 };
}
