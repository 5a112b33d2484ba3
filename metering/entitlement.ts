/**
 * What a user's tariff and packs sell: a PAYG meter with a `feature` is usable only by users
 * whose tariff or one of whose packs includes that feature (the gateway and the service
 * check answer 403 otherwise). A meter without a feature is open to every user.
 */
import type { Config } from "../model/load";

export type Entitled = (user: string, meter: string) => boolean;

export function entitlement(config: Config): Entitled {
  const tariffs = config.tariffs;
  const features = new Map(
    config.users.map((u) => [u.name, new Set([...(tariffs.tariffs[u.tariff]?.includes ?? []), ...u.packs.flatMap((p) => tariffs.packs[p]?.includes ?? [])])]),
  );
  return (user, meter) => {
    const has = features.get(user);
    if (has === undefined) return false;
    const feature = tariffs.payg[meter]?.feature;
    return feature === undefined || has.has(feature);
  };
}
