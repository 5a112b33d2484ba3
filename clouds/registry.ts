/**
 * Each provider's model: what aiwc knows about a cloud without building a stack — its config
 * rules, type choice, addressing, login user, NAT, and its priced resource types. Light: no
 * cdktf, no provider bindings (the stack builders are in clouds/stacks.ts, loaded only by
 * commands that synthesize). The list of providers is clouds/sections.ts; the compiler checks
 * that this map has exactly one model for each.
 */
import { awsModel } from "./aws/model";
import { hetznerModel } from "./hetzner/model";
import { ovhModel } from "./ovh/model";
import { userServerTypeOn } from "../catalog/server-types";
import type { ParsedConfig } from "../config/types";
import type { ProviderModel } from "./provider-model";
import { PROVIDER_IDS, type ProviderId } from "./sections";

export type { ProviderModel } from "./provider-model";

const MODELS = { hetzner: hetznerModel, aws: awsModel, ovh: ovhModel } as const satisfies Record<ProviderId, ProviderModel>;

export const PROVIDERS: readonly ProviderModel[] = PROVIDER_IDS.map((id) => MODELS[id]);

export const PROVIDERS_BY_ID: Readonly<Record<string, ProviderModel>> = MODELS;

/** Server type for a user VM of this tariff on the cluster's provider: the override, else the smallest orderable fit at its location. */
export function userServerType(config: ParsedConfig, tariffId: string, override?: string): string | undefined {
  const provider = MODELS[config.cluster.provider];
  return userServerTypeOn(provider.id, provider.location(config.cluster), config, tariffId, override);
}
