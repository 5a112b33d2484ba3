/**
 * The `nodes` output of the platform and users stacks: one entry per machine, keyed by its
 * name. The providers' stacks produce it and `aiwc inventory` reads it (from
 * `cdktf output --outputs-file` or `terraform output -json`): both use this type.
 */
import type { Role } from "../config/schema";

export interface NodeOutput {
  readonly group: string;
  readonly role: Role | "user-vm";
  /** A cloud server, or a dedicated (Robot) host declared in the config. */
  readonly kind?: "cloud" | "dedicated";
  /** The cloud type the node runs as (the price key's id). */
  readonly server_type?: string;
  /** A dedicated host's product. */
  readonly product?: string;
  /** The provider's id of the instance (OVH). */
  readonly instance_id?: string;
  readonly private_ip?: string;
  /** The bastion's public address. */
  readonly public_ip?: string;
  /** A user VM's owner, tariff and packs. */
  readonly user?: string;
  readonly tariff?: string;
  readonly packs?: readonly string[];
}

export type NodesOutput = Record<string, NodeOutput>;

/** The output's name in every stack. */
export const NODES_OUTPUT = "nodes";
