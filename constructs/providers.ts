/**
 * The one list of cloud providers. A provider is a folder in constructs/ (and, for pricing,
 * one in cost/) plus one entry here: adding a provider touches no other provider.
 *
 * Commands that need no provider (e.g. `aiwc --help`) never load this module: the CLI loads
 * each command lazily.
 */
import type { ConfigFiles, ParsedConfig, PartialConfig } from "../config/rules";
import type { ProblemSink } from "../config/problems";
import type { ClusterConfig } from "../config/schema";
import type { ProviderStacks } from "./provider-stacks";
import { awsConfig } from "./aws/provider";
import { hetznerConfig } from "./hetzner/provider";
import { ovhConfig } from "./ovh/provider";

export interface ProviderDescriptor {
  readonly id: string;
  /** Provider-specific config rules (types exist, locations, …). */
  checkConfig(config: PartialConfig, files: ConfigFiles, sink: ProblemSink): void;
  /** Server type for a user VM of this tariff (override, else the smallest orderable fit). */
  userServerType(config: ParsedConfig, tariffId: string, override?: string): string | undefined;
  /** Where the cluster runs (Hetzner location, AWS region), for catalog lookups. */
  location(cluster: ClusterConfig): string;
  /** The image nodes boot (a name, or an AMI id / "data source" marker). */
  image(cluster: ClusterConfig): string;
  /** The bastion's fixed private address. */
  bastionIp(cluster: ClusterConfig): string;
  /** The cdktf builders for the platform and users stacks. */
  readonly stacks: ProviderStacks;
}

export const PROVIDERS: readonly ProviderDescriptor[] = [hetznerConfig, awsConfig, ovhConfig];

export const PROVIDERS_BY_ID: Readonly<Record<string, ProviderDescriptor>> = Object.fromEntries(
  PROVIDERS.map((p) => [p.id, p]),
);
