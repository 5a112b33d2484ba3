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
import type { ProviderModel } from "./provider-model";
import { PROVIDER_IDS, type ProviderId } from "./sections";

export type { ProviderModel } from "./provider-model";

const MODELS = { hetzner: hetznerModel, aws: awsModel, ovh: ovhModel } as const satisfies Record<ProviderId, ProviderModel>;

export const PROVIDERS: readonly ProviderModel[] = PROVIDER_IDS.map((id) => MODELS[id]);

export const PROVIDERS_BY_ID: Readonly<Record<string, ProviderModel>> = MODELS;
