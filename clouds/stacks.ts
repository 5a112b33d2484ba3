/**
 * Each provider's stack builders (cdktf and its provider bindings), loaded on first use: a
 * synthesis on Hetzner never loads the AWS bindings. Only commands that synthesize load this
 * module; the compiler checks it has one loader per provider of clouds/sections.ts.
 */
import type { ProviderStacks } from "../constructs/provider-stacks";
import type { ProviderId } from "./sections";

const LOADERS = {
  hetzner: () => (require("./hetzner/constructs/stacks") as typeof import("./hetzner/constructs/stacks")).hetznerStacks,
  aws: () => (require("./aws/constructs/stacks") as typeof import("./aws/constructs/stacks")).awsStacks,
  ovh: () => (require("./ovh/constructs/stacks") as typeof import("./ovh/constructs/stacks")).ovhStacks,
} as const satisfies Record<ProviderId, () => ProviderStacks>;

export function providerStacks(id: ProviderId): ProviderStacks {
  return LOADERS[id]();
}
