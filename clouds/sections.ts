/**
 * The one list of cloud providers aiwc knows, with each provider's section of cluster.yaml.
 * Everything else that lists providers derives from it and is checked against it by the
 * compiler: the models (clouds/registry.ts), the stack builders (clouds/stacks.ts), the schema's
 * `provider` enum and the tests. Adding a provider: README "Adding a provider".
 *
 * Bottom layer: zod and the providers' section files only.
 */
import { awsSection } from "./aws/section";
import { hetznerSection } from "./hetzner/section";
import { ovhSection } from "./ovh/section";

export const PROVIDER_SECTIONS = { hetzner: hetznerSection, aws: awsSection, ovh: ovhSection } as const;

export type ProviderId = keyof typeof PROVIDER_SECTIONS;

/** In the order they are documented and compared; the first is the default. */
export const PROVIDER_IDS = Object.keys(PROVIDER_SECTIONS) as [ProviderId, ...ProviderId[]];
