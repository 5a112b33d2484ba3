/**
 * Every priced resource type and every free type, from each provider's model
 * (clouds/<p>/pricing/). A type in neither list is *unsupported* — reported, and the gate
 * fails closed.
 */
import type { PricedResourceType } from "../catalog/priced-resource";
import { PROVIDERS } from "../clouds/registry";

/** Built into Terraform; free unless a provider prices a particular use (dedicated servers). */
const BUILTIN_FREE: Readonly<Record<string, string>> = {
  terraform_data: "built-in Terraform resource, no cloud cost",
  null_resource: "built-in Terraform resource, no cloud cost",
  random_id: "no cloud cost",
  random_password: "no cloud cost",
  tls_private_key: "no cloud cost",
  time_sleep: "no cloud cost",
};

export const PRICED_BY_TYPE: ReadonlyMap<string, readonly PricedResourceType<any>[]> = (() => {
  const map = new Map<string, PricedResourceType<any>[]>();
  for (const provider of PROVIDERS) {
    for (const definition of provider.pricing().priced) map.set(definition.type, [...(map.get(definition.type) ?? []), definition]);
  }
  return map;
})();

export const FREE_TYPES: Readonly<Record<string, string>> = Object.assign({}, BUILTIN_FREE, ...PROVIDERS.map((p) => p.pricing().free));
