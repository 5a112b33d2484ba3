/**
 * Server-type choice and checks over a provider's price catalog, shared by every provider:
 * the catalog lists each type's vCPUs, RAM, architecture, locations and whether it can be
 * ordered, so "the smallest type that fits" means the same on Hetzner, AWS and OVH.
 */
import type { Catalog, ServerTypeSpec } from "../cost/catalog";
import { closest } from "../config/problems";

function monthlyOf(catalog: Catalog, spec: ServerTypeSpec): number {
  const price = spec.prices[0]!;
  return Number(price.monthly ?? Number(price.hourly) * catalog.hours_per_month);
}

/** The smallest orderable x86 type in `location` with at least this RAM and vCPU; ties go to the cheaper. */
export function smallestFit(catalog: Catalog, location: string, ramGb: number, vcpu: number, gpu = false): string | undefined {
  const fits = Object.entries(catalog.server_types)
    .filter(([, t]) => t.orderable && t.arch === "x86" && t.locations.includes(location) && t.ram_gb >= ramGb && t.vcpu >= vcpu && (t.gpu !== undefined) === gpu)
    .sort(([idA, a], [idB, b]) => a.ram_gb - b.ram_gb || a.vcpu - b.vcpu || monthlyOf(catalog, a) - monthlyOf(catalog, b) || idA.localeCompare(idB));
  return fits[0]?.[0];
}

/** Reports an unknown type, a type not offered in `location`, or (as a warning) one not orderable. */
export function checkServerType(
  catalog: Catalog,
  location: string,
  type: string,
  report: (message: string) => void,
  warn: (message: string) => void,
): void {
  const spec = catalog.server_types[type];
  const provider = catalog.provider.charAt(0).toUpperCase() + catalog.provider.slice(1);
  if (spec === undefined) {
    const suggestion = closest(type, Object.keys(catalog.server_types));
    report(`unknown ${provider === "Aws" ? "AWS" : provider === "Ovh" ? "OVH" : provider} server type "${type}"${suggestion !== undefined ? `; did you mean "${suggestion}"?` : ""} (known: ${Object.keys(catalog.server_types).join(", ")})`);
  } else if (!spec.locations.includes(location)) {
    report(`server type "${type}" is not offered in ${location}; it is offered in ${spec.locations.join(", ")}`);
  } else if (!spec.orderable) {
    warn(`${provider} lists "${type}" as not available for new servers (catalog ${catalog.as_of}); creating it may fail for lack of capacity`);
  }
}
