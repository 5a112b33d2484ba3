/**
 * types.lock.yaml: the server types aiwc chose by requirements, kept until the operator moves
 * them on purpose — as Terraform's .terraform.lock.hcl keeps provider versions.
 *
 * A node group with `requirements` and a tariff's VM (`vm: { ramGb, vcpu }`) get the cheapest
 * (or smallest) fitting type of the price catalog. Without a lock, a catalog change — a price
 * refresh that adds a cheaper type, a type Hetzner stops selling — would change the type of
 * every such machine on the next deploy: a rescale of every user's VM at once. With the lock,
 * the locked type stays as long as it is in the catalog at that location and the requirements
 * it was chosen for are unchanged; `aiwc types lock --upgrade` moves to the current choice and
 * says which machines that rescales. Keyed by provider and location, so a portable config
 * keeps one choice per cloud.
 */
import { z } from "zod";

export const TYPE_LOCK_FILE = "types.lock.yaml";

const choice = z.strictObject({
  /** The locked server type. */
  type: z.string().min(1),
  /** The requirements it was chosen for, as aiwc describes them ("8 vCPU, 16 GB RAM"). */
  requirements: z.string().min(1),
});
export type LockedChoice = z.output<typeof choice>;

const place = z.strictObject({
  /** Node groups by name. */
  nodeGroups: z.record(z.string(), choice).default({}),
  /** Tariffs' VMs by tariff id. */
  tariffs: z.record(z.string(), choice).default({}),
});

/** `<provider>/<location>` → the choices made there. */
export const typeLockSchema = z.record(
  z.string().regex(/^[a-z0-9-]+\/[A-Za-z0-9-]+$/, 'must read "<provider>/<location>", e.g. hetzner/fsn1'),
  place,
);
export type TypeLock = z.output<typeof typeLockSchema>;

export type LockSection = "nodeGroups" | "tariffs";

/** The locked choice for a group or tariff at a provider's location, if any. */
export function lockedChoice(lock: TypeLock | undefined, provider: string, location: string, section: LockSection, name: string): LockedChoice | undefined {
  return lock?.[`${provider}/${location}`]?.[section][name];
}

/** The lock as its file is written: places, sections and names sorted, one choice per line. */
export function renderTypeLock(lock: TypeLock): string {
  const lines = [
    "# Server types chosen by requirements (node groups) and by tariffs' vm: sizes, per provider",
    "# and location. Written by `aiwc types lock`; commit it. A locked type stays while it is in",
    "# the price catalog there and its requirements are unchanged, so a catalog refresh never",
    "# rescales running machines; `aiwc types lock --upgrade` moves to the current choice.",
  ];
  const sorted = (record: Record<string, unknown>) => Object.keys(record).sort();
  for (const key of sorted(lock)) {
    lines.push(`${key}:`);
    for (const section of ["nodeGroups", "tariffs"] as const) {
      const entries = lock[key]![section];
      if (Object.keys(entries).length === 0) continue;
      lines.push(`  ${section}:`);
      for (const name of sorted(entries)) {
        const c = entries[name]!;
        lines.push(`    ${JSON.stringify(name)}: { type: ${JSON.stringify(c.type)}, requirements: ${JSON.stringify(c.requirements)} }`);
      }
    }
  }
  return `${lines.join("\n")}\n`;
}
