/**
 * The type checks every provider runs the same way, fed by its model: each tariff's VM type
 * (an override must exist and be orderable at the provider's location, else some type must
 * fit the sizing) and each user's own override. The providers' checkConfig add what is theirs.
 */
import type { Catalog } from "../catalog/catalog";
import { checkServerType, smallestFit } from "../catalog/server-types";
import type { ProblemSink } from "../config/problems";
import type { ConfigFiles, PartialConfig } from "../config/types";
import type { ProviderId } from "./sections";

export interface TypeCheckSubject {
  readonly id: ProviderId;
  readonly displayName: string;
  readonly catalog: Catalog;
  readonly location: string;
  /** What a type is called on this provider: "orderable Hetzner server type", "AWS instance type". */
  readonly noun: string;
}

export function checkUserVmTypes(config: PartialConfig, files: ConfigFiles, sink: ProblemSink, { id, displayName, catalog, location, noun }: TypeCheckSubject): void {
  for (const [tariffId, tariff] of Object.entries(config.tariffs?.tariffs ?? {})) {
    const override = tariff.vm.serverType?.[id];
    const path = ["tariffs", tariffId, "vm", "serverType", id];
    if (override !== undefined) checkServerType(displayName, catalog, location, override, (m) => sink.add(files.tariffs, path, m), (m) => sink.warn(files.tariffs, path, m));
    else if (smallestFit(catalog, location, tariff.vm.ramGb, tariff.vm.vcpu) === undefined) {
      sink.add(files.tariffs, ["tariffs", tariffId, "vm"], `no ${noun} in ${location} has ${tariff.vm.ramGb} GB RAM and ${tariff.vm.vcpu} vCPU; lower the sizing or set vm.serverType.${id}`);
    }
  }
  (config.users ?? []).forEach((user, index) => {
    if (user.serverType === undefined) return;
    const path = ["users", index, "serverType"];
    checkServerType(displayName, catalog, location, user.serverType, (m) => sink.add(files.users, path, m), (m) => sink.warn(files.users, path, m));
  });
}
