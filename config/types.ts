/** The parsed configuration's shapes, shared by the rules, the providers' models and the loader. */
import type { Catalog } from "../catalog/catalog";
import type { ClusterConfig, TariffsConfig, UserConfig } from "./schema";
import type { TypeLock } from "./type-lock";

export interface ParsedConfig {
  readonly cluster: ClusterConfig;
  readonly users: readonly UserConfig[];
  readonly tariffs: TariffsConfig;
  readonly catalogs: Readonly<Record<string, Catalog>>;
  /** types.lock.yaml beside cluster.yaml, when there is one. */
  readonly typeLock?: TypeLock;
}

/** What loaded cleanly: rules run on whatever they need, so one broken file hides no other problem. */
export interface PartialConfig {
  readonly cluster: ClusterConfig;
  readonly users?: readonly UserConfig[];
  readonly tariffs?: TariffsConfig;
  readonly catalogs: Readonly<Record<string, Catalog>>;
  readonly typeLock?: TypeLock;
}

export interface ConfigFiles {
  readonly cluster: string;
  readonly users: string;
  readonly tariffs: string;
}
