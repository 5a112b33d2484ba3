/**
 * The same topology priced on several providers. Each node group is mapped by its
 * requirements — stated, or read off the catalog entry of the type (or dedicated product) the
 * group uses now — and user VMs by their tariff, then the config is priced on each provider
 * exactly like `aiwc cost` would. Provider settings missing from the config (OVH's project and
 * image ids) get placeholders: the stacks are priced, never deployed.
 */
import type { Config } from "../model/load";
import type { ClusterConfig, NodeGroupConfig } from "../config/schema";
import { buildTopology } from "../model/topology";
import { PROVIDERS, PROVIDERS_BY_ID } from "../clouds/registry";
import type { Catalog } from "../catalog/catalog";
import type { CostReport, PricingOptions } from "./report";

export interface ProviderPricing {
  readonly provider: string;
  readonly report: CostReport;
  /** Type chosen per group and why. */
  readonly types: readonly { readonly group: string; readonly type: string; readonly why: string }[];
}

type Requirements = NonNullable<NodeGroupConfig["requirements"]>;

/**
 * A group's requirements: stated, or those of the type or dedicated product it uses. GPU
 * workers are mapped by their GPU alone: a dedicated GEX44's 20 cores and 64 GB are a whole
 * machine's, not what an inference node needs from a cloud.
 */
export function requirementsOf(group: NodeGroupConfig, catalog: Catalog | undefined): Requirements | undefined {
  if (group.requirements !== undefined) return group.requirements;
  const spec = group.serverType !== undefined ? catalog?.server_types[group.serverType] : group.dedicated !== undefined ? catalog?.dedicated[group.dedicated.product] : undefined;
  if (spec === undefined) return undefined;
  if (group.role === "gpu-worker" && spec.gpu !== undefined) return { vcpu: 1, ramGb: 1, gpu: { count: spec.gpu.count, memoryGb: spec.gpu.memory_gb } };
  return { vcpu: spec.vcpu, ramGb: spec.ram_gb };
}



/** The config moved to `provider`: types replaced by requirements, missing settings filled in. */
export function onProvider(config: Config, provider: string): Config {
  const current = config.catalogs[config.cluster.provider];
  const target = PROVIDERS_BY_ID[provider]!;
  const nodeGroups: ClusterConfig["nodeGroups"] = {};
  for (const [name, group] of Object.entries(config.cluster.nodeGroups)) {
    if (provider === config.cluster.provider) {
      nodeGroups[name] = group;
      continue;
    }
    const requirements = requirementsOf(group, current);
    const { serverType: _type, dedicated, ...rest } = group;
    let mapped: NodeGroupConfig = { ...rest, ...(requirements !== undefined ? { requirements } : {}) };
    mapped = target.comparison?.group?.(mapped, { dedicated, requirements, catalog: config.catalogs[provider] }) ?? mapped;
    nodeGroups[name] = mapped;
  }
  const cluster: ClusterConfig = {
    ...config.cluster,
    // Settings a provider needs to be synthesized and priced, filled in where the config has none.
    ...Object.assign({}, ...PROVIDERS.map((p) => p.comparison?.placeholders(config.cluster, config.catalogs[p.id]) ?? {})),
    provider: provider as ClusterConfig["provider"],
    nodeGroups,
    // Comparing is not deploying: the gate is reported, not enforced.
    policy: { ...config.cluster.policy },
  };
  return { ...config, cluster };
}

export function comparisonTypes(config: Config): ProviderPricing["types"] {
  const topology = buildTopology(config);
  return topology.groups.map((g) => {
    const chosen = topology.choices.find((c) => c.group === g.name);
    const type = g.kind === "cloud" ? g.serverType : `${g.product} (dedicated)`;
    const why =
      chosen === undefined
        ? "as configured"
        : chosen.lock === "locked"
          ? `locked in types.lock.yaml for ${chosen.requirements}${chosen.current !== undefined ? ` (the cheapest today: ${chosen.current})` : ""}`
          : `cheapest in ${chosen.location} with ${chosen.requirements}`;
    return { group: g.name, type, why };
  });
}

export type PriceFn = (config: Config, options: PricingOptions) => CostReport;
