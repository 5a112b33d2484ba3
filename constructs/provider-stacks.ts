/** What a provider contributes to the two stacks; clouds/stacks.ts lists each provider's. */
import type { TerraformStack } from "./cdk";
import type { Topology } from "../model/topology";

/** Values the users stack needs from the platform stack (cross-stack references). */
export type PlatformExports = Readonly<Record<string, unknown>>;

/**
 * A provider's stack builders, typed by what its platform stack exports to its users stack:
 * the users builder receives exactly what its own platform builder returned.
 */
export interface ProviderStacks<E extends PlatformExports = PlatformExports> {
  /** Adds the provider and the platform's resources (network, firewalls, node groups, bastion). */
  platform(stack: TerraformStack, topology: Topology): E;
  /** Adds the provider and one VM (plus packs' extras) per user. */
  users(stack: TerraformStack, topology: Topology, platform: E): void;
}
