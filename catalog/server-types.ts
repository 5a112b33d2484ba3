/**
 * Server-type choice and checks over a provider's price catalog, shared by every provider:
 * the catalog lists each type's vCPUs, RAM, architecture, locations and whether it can be
 * ordered, so "the smallest type that fits" means the same on Hetzner, AWS and OVH.
 */
import type { Catalog, ServerTypeSpec } from "./catalog";
import type { ParsedConfig } from "../config/types";
import { lockedChoice, type LockSection, type TypeLock } from "../config/type-lock";
import { closest } from "../config/problems";
import { byText } from "../config/text";

function monthlyOf(catalog: Catalog, spec: ServerTypeSpec): number {
  const price = spec.prices[0]!;
  return Number(price.monthly ?? Number(price.hourly) * catalog.hours_per_month);
}

/** The smallest orderable x86 type in `location` with at least this RAM and vCPU; ties go to the cheaper. */
export function smallestFit(catalog: Catalog, location: string, ramGb: number, vcpu: number, gpu = false): string | undefined {
  const fits = Object.entries(catalog.server_types)
    .filter(([, t]) => t.orderable && t.arch === "x86" && t.locations.includes(location) && t.ram_gb >= ramGb && t.vcpu >= vcpu && (t.gpu !== undefined) === gpu)
    .sort(([idA, a], [idB, b]) => a.ram_gb - b.ram_gb || a.vcpu - b.vcpu || monthlyOf(catalog, a) - monthlyOf(catalog, b) || byText(idA, idB));
  return fits[0]?.[0];
}

/**
 * Reports an unknown type, a type not offered in `location`, or (as a warning) one not
 * orderable. `provider` is the provider's name as people write it ("Hetzner", "AWS").
 */
export function checkServerType(
  provider: string,
  catalog: Catalog,
  location: string,
  type: string,
  report: (message: string) => void,
  warn: (message: string) => void,
): void {
  const spec = catalog.server_types[type];
  if (spec === undefined) {
    const suggestion = closest(type, Object.keys(catalog.server_types));
    report(`unknown ${provider} server type "${type}"${suggestion !== undefined ? `; did you mean "${suggestion}"?` : ""} (known: ${Object.keys(catalog.server_types).join(", ")})`);
  } else if (!spec.locations.includes(location)) {
    report(`server type "${type}" is not offered in ${location}; it is offered in ${spec.locations.join(", ")}`);
  } else if (!spec.orderable) {
    warn(`${provider} lists "${type}" as not available for new servers (catalog ${catalog.as_of}); creating it may fail for lack of capacity`);
  }
}

export interface Requirements {
  readonly vcpu: number;
  readonly ramGb: number;
  readonly diskGb?: number | undefined;
  readonly gpu?: { readonly count: number; readonly model?: string | undefined; readonly memoryGb?: number | undefined } | undefined;
}

/**
 * The cheapest orderable type in `location` that meets the requirements (ties: less RAM, fewer
 * vCPUs, then the id), so the same choice comes out every time.
 */
export function cheapestFit(catalog: Catalog, location: string, needs: Requirements): string | undefined {
  const fits = Object.entries(catalog.server_types).filter(([, t]) => {
    if (!t.orderable || t.arch !== "x86" || !t.locations.includes(location)) return false;
    if (t.vcpu < needs.vcpu || t.ram_gb < needs.ramGb) return false;
    if (needs.diskGb !== undefined && t.disk_gb > 0 && t.disk_gb < needs.diskGb) return false;
    if (needs.gpu === undefined) return t.gpu === undefined;
    const gpu = t.gpu;
    if (gpu === undefined || gpu.count < needs.gpu.count) return false;
    if (needs.gpu.model !== undefined && !gpu.model.toLowerCase().includes(needs.gpu.model.toLowerCase())) return false;
    return needs.gpu.memoryGb === undefined || gpu.memory_gb >= needs.gpu.memoryGb;
  });
  fits.sort(([idA, a], [idB, b]) => monthlyOf(catalog, a) - monthlyOf(catalog, b) || a.ram_gb - b.ram_gb || a.vcpu - b.vcpu || byText(idA, idB));
  return fits[0]?.[0];
}

export function describeRequirements(needs: Requirements): string {
  const parts = [`${needs.vcpu} vCPU`, `${needs.ramGb} GB RAM`];
  if (needs.diskGb !== undefined) parts.push(`${needs.diskGb} GB disk`);
  if (needs.gpu !== undefined) parts.push(`${needs.gpu.count}× GPU${needs.gpu.model !== undefined ? ` ${needs.gpu.model}` : ""}${needs.gpu.memoryGb !== undefined ? ` ≥ ${needs.gpu.memoryGb} GB` : ""}`);
  return parts.join(", ");
}

/**
 * A user VM's type on a provider: the user's override, else the tariff's explicit type for
 * that provider, else the smallest orderable type with the tariff's RAM and vCPUs.
 */
export function userServerTypeOn(provider: string, location: string, config: ParsedConfig, tariffId: string, override?: string): string | undefined {
  if (override !== undefined) return override;
  const tariff = config.tariffs.tariffs[tariffId];
  const catalog = config.catalogs[provider];
  if (tariff === undefined || catalog === undefined) return undefined;
  return tariff.vm.serverType?.[provider] ?? tariffVmChoice(catalog, config.typeLock, provider, location, tariffId, tariff.vm).type;
}

/** A type chosen by requirements: the locked one while the lock applies, and the current choice. */
export interface TypeChoice {
  /** What is used: the locked type, else the current choice. */
  readonly type: string | undefined;
  /** The catalog's choice today (cheapest fit for groups, smallest for VMs). */
  readonly current: string | undefined;
  readonly requirements: string;
  /** "locked": the lock applies; "stale": a lock entry exists but its requirements changed or its type is gone from the catalog there; "unlocked": no entry. */
  readonly lock: "locked" | "stale" | "unlocked";
}

function withLock(catalog: Catalog, lock: TypeLock | undefined, provider: string, location: string, section: LockSection, name: string, requirements: string, current: string | undefined): TypeChoice {
  const entry = lockedChoice(lock, provider, location, section, name);
  if (entry === undefined) return { type: current, current, requirements, lock: "unlocked" };
  const applies = entry.requirements === requirements && catalog.server_types[entry.type]?.locations.includes(location) === true;
  return applies ? { type: entry.type, current, requirements, lock: "locked" } : { type: current, current, requirements, lock: "stale" };
}

/** A node group's type by its requirements (types.lock.yaml first). */
export function groupChoice(catalog: Catalog, lock: TypeLock | undefined, provider: string, location: string, group: string, needs: Requirements): TypeChoice {
  return withLock(catalog, lock, provider, location, "nodeGroups", group, describeRequirements(needs), cheapestFit(catalog, location, needs));
}

/** A tariff's VM type by its size (types.lock.yaml first). */
export function tariffVmChoice(catalog: Catalog, lock: TypeLock | undefined, provider: string, location: string, tariffId: string, vm: { readonly ramGb: number; readonly vcpu: number }): TypeChoice {
  return withLock(catalog, lock, provider, location, "tariffs", tariffId, describeRequirements({ vcpu: vm.vcpu, ramGb: vm.ramGb }), smallestFit(catalog, location, vm.ramGb, vm.vcpu));
}
