/** What every provider's model (clouds/<p>/model.ts) provides; the registry lists them. */
import type { Catalog } from "../catalog/catalog";
import type { PricedResourceType } from "../catalog/priced-resource";
import type { PriceList } from "../catalog/refresh";
import type { ProblemSink } from "../config/problems";
import type { ProviderLimit } from "../config/limits";
import type { ClusterConfig, NodeGroupConfig } from "../config/schema";
import type { ConfigFiles, PartialConfig } from "../config/types";
import type { ProviderId } from "./sections";

export interface ProviderModel {
  readonly id: ProviderId;
  /** The provider's name as people write it: "Hetzner", "AWS", "OVH". */
  readonly displayName: string;
  /** Provider-specific config rules (types exist, locations, …). */
  checkConfig(config: PartialConfig, files: ConfigFiles, sink: ProblemSink): void;
  /** Where the cluster runs (Hetzner location, AWS region), for catalog lookups. */
  location(cluster: ClusterConfig): string;
  /** The image nodes boot (a name, or an AMI id / "data source" marker). */
  image(cluster: ClusterConfig): string;
  /** The bastion's fixed private address. */
  bastionIp(cluster: ClusterConfig): string;
  /** The user Ansible logs in as on the cloud's images (dedicated servers always use root). */
  readonly loginUser: string;
  /** Whether the bastion is the private nodes' NAT (else the cloud provides egress). */
  bastionIsNat(cluster: ClusterConfig): boolean;
  /**
   * Where the bastion backs up when cluster.yaml names no `software.backups`: a bucket the
   * provider's platform stack creates itself (AWS), else none.
   */
  builtInBackups?(cluster: ClusterConfig): BackupTarget | undefined;
  /** Catalog names by the ids a plan uses for types, where they differ (OVH flavor ids). */
  priceAliases?(cluster: ClusterConfig): Readonly<Record<string, string>>;
  /**
   * Rules on the cluster file that need no price catalog (quotas, addresses); run with the
   * cross-field rules, before the catalog-based checkConfig.
   */
  checkCluster?(cluster: ClusterConfig, file: string, sink: ProblemSink): void;
  /** Subnets the provider's network has besides network.platformSubnet and usersSubnet. */
  extraSubnets(cluster: ClusterConfig): readonly ("vswitchSubnet" | "publicSubnet")[];
  /** Addresses of the platform subnet the provider never hands to nodes. */
  reservedPlatformAddresses(cluster: ClusterConfig): number;
  /** Whether a node group's nodes take platform-subnet addresses (Hetzner's dedicated hosts do not). */
  onPlatformSubnet(group: NodeGroupConfig): boolean;
  /** The provider's limit on a machine's boot user data, and whether operator keys are written there. */
  readonly userData?: { readonly limit: ProviderLimit; readonly operatorKeys: boolean };
  /** Users' VMs can be pinned to an availability zone (users[].zone). */
  readonly zonePins: boolean;
  /** Dedicated servers (a node group's `dedicated:`) join this provider's network. */
  readonly dedicatedHosts?: boolean;
  /** The vSwitch dedicated servers join the network through, when the config has one. */
  vswitch?(cluster: ClusterConfig): { readonly id: number } | undefined;
  /** How `aiwc compare` moves a config onto this provider. */
  readonly comparison?: {
    /** This provider's settings with placeholders where the config has none, so the moved config synthesizes. */
    placeholders(cluster: ClusterConfig, catalog: Catalog | undefined): Partial<ClusterConfig>;
    /** A node group as this provider runs it (e.g. Hetzner: GPU workers on a dedicated product). */
    group?(mapped: NodeGroupConfig, from: { readonly dedicated: NodeGroupConfig["dedicated"]; readonly requirements: NodeGroupConfig["requirements"]; readonly catalog: Catalog | undefined }): NodeGroupConfig;
  };
  /** The provider's own price list for `aiwc prices refresh` (loaded when used). */
  priceList?(): PriceList;
  /** How the provider's API meters Terraform's requests (the API budget of `aiwc cost`). */
  readonly api: ApiModel;
  /** Priced resource types, and the types this provider never charges for (with the reason). */
  pricing(): { readonly priced: readonly PricedResourceType<any>[]; readonly free: Readonly<Record<string, string>> };
}

/** Requests Terraform's provider makes for one resource: reading it during a plan, creating it (waiting included). */
export interface ResourceRequests {
  readonly refresh: number;
  readonly create: number;
}

/**
 * A provider's API budget: the documented rate its account or project is held to, and
 * estimates of the requests each resource type costs (from how the Terraform provider reads
 * and creates it; estimates, stated as such in the output).
 */
export interface ApiModel {
  /** The documented request rate, or undefined where the provider publishes none. */
  readonly rate?: {
    /** Requests per second, sustained (a token bucket's refill). */
    readonly perSecond: number;
    /** Requests available at once (the bucket). */
    readonly burst: number;
    /** What the budget belongs to: "project", "account and Region". */
    readonly scope: string;
    readonly source: string;
    /** Seconds of waiting for the budget beyond which a plan or apply gets a warning. */
    readonly warnAfterSeconds: number;
  };
  /** Said instead of a rate where the provider publishes none. */
  readonly noRate?: string;
  readonly requests: Readonly<Record<string, ResourceRequests>>;
  /** Any other resource type. */
  readonly otherResource: ResourceRequests;
  /** Prefixes of resource types whose calls go to other APIs with budgets of their own (not counted). */
  readonly outside?: readonly string[];
  /** Resource types that count against the project's server limit, and that limit where the config states it. */
  readonly servers?: { readonly types: readonly string[]; limit(cluster: ClusterConfig): number | undefined; readonly where: string };
}

export interface BackupTarget {
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  readonly onCalendar: string;
  /** Credentials come from the machine's environment (an instance profile), not from keys. */
  readonly envAuth?: boolean;
}
