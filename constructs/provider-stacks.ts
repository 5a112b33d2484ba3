/** What a provider contributes to the two stacks; see constructs/providers.ts for the registry. */
import type { TerraformStack } from "./cdk";
import type { Topology } from "../model/topology";

/** Values the users stack needs from the platform stack (cross-stack references). */
export type PlatformExports = Readonly<Record<string, unknown>>;

export interface ProviderStacks {
  /** Adds the provider and the platform's resources (network, firewalls, node groups, bastion). */
  platform(stack: TerraformStack, topology: Topology): PlatformExports;
  /** Adds the provider and one VM (plus packs' extras) per user. */
  users(stack: TerraformStack, topology: Topology, platform: PlatformExports): void;
}
