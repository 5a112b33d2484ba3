/**
 * The provider schema snapshots aiwc generates bindings from. One entry per provider that
 * has no prebuilt cdktf package; see providers/README.md for how to refresh a snapshot.
 */
export interface ProviderSnapshot {
  /** Folder name under .gen/providers/ and the import path segment. */
  readonly name: string;
  /** Registry source address, as in `terraform providers schema -json`. */
  readonly source: string;
  /** Provider version the snapshot was taken from; pinned in `required_providers`. */
  readonly version: string;
  /** File under providers/schemas/. */
  readonly file: string;
}

export const PROVIDER_SNAPSHOTS: readonly ProviderSnapshot[] = [
  { name: "hcloud", source: "registry.terraform.io/hetznercloud/hcloud", version: "1.68.0", file: "hcloud.schema.json" },
  { name: "ovh", source: "registry.terraform.io/ovh/ovh", version: "2.19.0", file: "ovh.schema.json" },
];
