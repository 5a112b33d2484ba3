/**
 * Each provider's stack builders (cdktf and its provider bindings). Only commands that
 * synthesize load this module; the compiler checks it has one builder per provider of
 * clouds/sections.ts.
 */
import type { ProviderStacks } from "../constructs/provider-stacks";
import { awsStacks } from "./aws/constructs/stacks";
import { hetznerStacks } from "./hetzner/constructs/stacks";
import { ovhStacks } from "./ovh/constructs/stacks";
import type { ProviderId } from "./sections";

export const PROVIDER_STACKS = { hetzner: hetznerStacks, aws: awsStacks, ovh: ovhStacks } as const satisfies Record<ProviderId, ProviderStacks>;
