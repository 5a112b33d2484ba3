/**
 * The Ansible inventory from the deployed stacks' outputs: every node of the platform and
 * users stacks (output `nodes`) plus the dedicated hosts the config declares, in the groups
 * the playbooks use, private nodes reached through the bastion. Output is sorted, so it diffs
 * cleanly in git.
 */
import { createHash } from "node:crypto";
import { stringify } from "yaml";
import type { Config } from "../model/load";
import { nftablesRuleset } from "../model/cloud-init";
import type { Target } from "../config/firewall-matrix";
import { buildTopology, networkZones } from "../model/topology";
import { PROVIDERS_BY_ID } from "../clouds/registry";
import { NODES_OUTPUT, type NodeOutput } from "../model/node-output";
import type { BackupTarget } from "../clouds/provider-model";
import { gitlabAccess } from "./gitlab-accounts";

/** Inventory group per role. */
export const INVENTORY_GROUPS: Readonly<Record<string, string>> = {
  controller: "controllers",
  "gpu-worker": "gpu_workers",
  ceph: "ceph",
  service: "service_nodes",
  bastion: "bastion",
  "user-vm": "user_vms",
  "ci-runner": "ci_runners",
};



export class InventoryError extends Error {}

/**
 * Stack outputs in either format: `cdktf output --outputs-file` (`{ stack: { name: value } }`)
 * or `terraform output -json` of one stack (`{ name: { value, type, sensitive } }`).
 */
export function nodesFromOutputs(documents: readonly { file: string; json: unknown }[]): Record<string, NodeOutput> {
  const nodes: Record<string, NodeOutput> = {};
  const take = (file: string, value: unknown) => {
    if (value === null || typeof value !== "object") throw new InventoryError(`${file}: output "nodes" is not a mapping of node names`);
    Object.assign(nodes, value);
  };
  for (const { file, json } of documents) {
    if (json === null || typeof json !== "object") throw new InventoryError(`${file}: expected the JSON of \`cdktf output --outputs-file\` or \`terraform output -json\``);
    const doc = json as Record<string, unknown>;
    let found = false;
    const nodesOutput = doc[NODES_OUTPUT] as { value?: unknown } | undefined;
    if (nodesOutput !== undefined && typeof nodesOutput === "object" && nodesOutput !== null && "value" in nodesOutput) {
      take(file, nodesOutput.value);
      found = true;
    }
    for (const stack of Object.values(doc)) {
      if (stack !== null && typeof stack === "object" && NODES_OUTPUT in (stack as object) && !("value" in (stack as object))) {
        take(file, (stack as Record<string, unknown>)[NODES_OUTPUT]);
        found = true;
      }
    }
    if (!found) throw new InventoryError(`${file}: no "nodes" output found; pass the outputs of the platform and users stacks`);
  }
  return nodes;
}

/**
 * Services that must share a node with another one when both are enabled: Open WebUI's web
 * search calls SearXNG by container name, over the node's own Compose network.
 */
const COLOCATE: Readonly<Record<string, string>> = { searxng: "open-webui" };

/**
 * Each enabled service on one service node, by rendezvous hashing: a service goes to the node
 * with the highest hash of (service, node). Enabling or removing a service moves no other
 * (but one that follows it, COLOCATE), and adding a node moves only the services that now
 * hash highest on it — stateful services' data stays where it is as far as possible.
 */
export function placeServices(services: readonly string[], nodes: readonly string[]): Record<string, string> {
  const score = (service: string, node: string) => createHash("sha256").update(`${service}\0${node}`).digest("hex");
  const placement: Record<string, string> = {};
  if (nodes.length === 0) return placement;
  const sorted = [...nodes].sort();
  const home = (service: string) => sorted.reduce((best, node) => (score(service, node) > score(service, best) ? node : best));
  for (const service of services) {
    const leader = COLOCATE[service];
    placement[service] = home(leader !== undefined && services.includes(leader) ? leader : service);
  }
  return placement;
}

/** The shared services' domain: <service>.<cluster>.internal. */
function serviceDomain(config: Config): string {
  return `${config.cluster.name}.internal`;
}

/** The backup target: cluster.yaml software.backups, or the one the provider's platform stack creates (AWS). */
function backupTarget(config: Config): BackupTarget | undefined {
  const { cluster } = config;
  return cluster.software.backups ?? PROVIDERS_BY_ID[cluster.provider]!.builtInBackups?.(cluster);
}

/** What the config tells each group's role (role defaults are named after the role). */
function groupVariables(config: Config, group: string): Record<string, unknown> {
  const { cluster } = config;
  switch (group) {
    case "bastion": {
      const backups = backupTarget(config);
      return {
        bastion_nat_enabled: PROVIDERS_BY_ID[cluster.provider]!.bastionIsNat(cluster),
        ...(backups !== undefined
          ? { bastion_backup_endpoint: backups.endpoint, bastion_backup_bucket: backups.bucket, bastion_backup_region: backups.region, bastion_backup_on_calendar: backups.onCalendar, ...(backups.envAuth === true ? { bastion_backup_env_auth: true } : {}) }
          : {}),
      };
    }
    case "ceph":
      return {
        ceph_pool_size: cluster.ceph.replication,
        // One CephFS subvolume per user, its quota the tariff's (aiwc meter storage samples them).
        ceph_user_subvolumes: config.users.map((u) => ({ name: u.name, quota_gb: config.tariffs.tariffs[u.tariff]?.storageQuotaGb ?? 0 })),
      };
    case "gpu_workers":
      return { gpu_worker_ollama_models: [...cluster.software.models] };
    case "service_nodes": {
      if (!cluster.software.services.includes("gitlab")) return {};
      // GitLab's accounts and groups (the services role applies them on GitLab's node).
      const access = gitlabAccess(config, serviceDomain(config));
      return { services_gitlab_accounts: access.accounts, services_gitlab_team_members: access.team, services_gitlab_ci_members: access.ci };
    }
    default:
      return {};
  }
}

export function buildInventory(config: Config, nodes: Readonly<Record<string, NodeOutput>>): string {
  const topology = buildTopology(config);
  const provider = config.cluster.provider;
  const all: Record<string, NodeOutput> = { ...nodes };
  // Dedicated hosts are known from the config even when an output predates them.
  for (const group of topology.groups) {
    if (group.kind !== "dedicated") continue;
    for (const host of group.nodes) all[host.name] ??= { group: host.group, role: host.role, kind: "dedicated", product: host.product, private_ip: host.address };
  }
  const bastion = Object.entries(all).find(([, n]) => n.role === "bastion");
  if (bastion === undefined || bastion[1].public_ip === undefined) throw new InventoryError("the outputs name no bastion with a public IP; pass the platform stack's outputs after `cdktf deploy platform`");
  const login = PROVIDERS_BY_ID[provider]!.loginUser;
  const jump = `-o ProxyJump=${login}@${bastion[1].public_ip} -o StrictHostKeyChecking=yes`;

  // Users' keys and sudo come from the config (public keys, no secrets), for the user_vm role.
  const userSpecs = new Map(topology.users.map((u) => [u.name, u]));
  const groups: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const name of Object.keys(all).sort()) {
    const node = all[name]!;
    const group = INVENTORY_GROUPS[node.role];
    if (group === undefined) throw new InventoryError(`node ${name}: unknown role "${node.role}"`);
    const address = node.role === "bastion" ? node.public_ip : node.private_ip;
    if (address === undefined) throw new InventoryError(`node ${name}: the outputs carry no ${node.role === "bastion" ? "public" : "private"} IP for it`);
    const dedicated = node.kind === "dedicated";
    const vars: Record<string, unknown> = {
      ansible_host: address,
      aiwc_group: node.group,
      aiwc_provider: dedicated ? "hetzner-robot" : provider,
      aiwc_price_key: dedicated ? `hetzner.dedicated.${node.product}` : `${provider}.server_types.${node.server_type}`,
      ...(node.private_ip !== undefined ? { aiwc_private_ip: node.private_ip } : {}),
      ...(node.user !== undefined ? { aiwc_user: node.user, aiwc_tariff: node.tariff, aiwc_packs: [...(node.packs ?? [])].sort() } : {}),
      ...(userSpecs.get(name) !== undefined ? { user_vm_ssh_key: userSpecs.get(name)!.sshKey, user_vm_sudo: userSpecs.get(name)!.sudo } : {}),
      // Dedicated Robot servers are installed with root login, whatever the cloud's image does.
      ...(dedicated ? { ansible_user: "root" } : {}),
    };
    (groups[group] ??= {})[name] = vars;
  }
  const placement = placeServices(config.cluster.software.services, Object.keys(groups.service_nodes ?? {}));
  // The storage quota of each user's tariff, for user_vm.
  for (const vars of Object.values(groups.user_vms ?? {})) {
    const tariff = config.tariffs.tariffs[String(vars.aiwc_tariff)];
    if (tariff !== undefined) vars.user_vm_storage_quota_gb = tariff.storageQuotaGb;
  }
  const roleOf = Object.fromEntries(Object.entries(INVENTORY_GROUPS).map(([role, group]) => [group, role])) as Record<string, Target>;
  const zones = networkZones(topology);
  const children: Record<string, unknown> = {};
  for (const group of Object.keys(groups).sort()) {
    children[group] = {
      vars: {
        ...(group !== "bastion" ? { ansible_ssh_common_args: jump } : {}),
        // The host firewall of the group's role, from the same matrix as the cloud firewalls
        // (the common role installs it; on OVH it is the only firewall there is), in the form
        // that replaces only aiwc's tables when it is loaded again.
        aiwc_firewall_ruleset: nftablesRuleset(roleOf[group]!, zones, "reload"),
        ...groupVariables(config, group),
      },
      hosts: groups[group],
    };
  }
  const inventory = {
    all: {
      vars: {
        aiwc_cluster: config.cluster.name,
        aiwc_provider: provider,
        aiwc_network_cidr: config.cluster.network.cidr,
        aiwc_bastion_private_ip: topology.network.bastionIp,
        aiwc_services: [...config.cluster.software.services],
        aiwc_service_placement: placement,
        aiwc_service_domain: serviceDomain(config),
        ansible_user: login,
        ...(login !== "root" ? { ansible_become: true } : {}),
      },
      children,
    },
  };
  return `# Generated by \`aiwc inventory\` from the stacks' outputs; do not edit by hand.\n${stringify(inventory, { lineWidth: 0, sortMapEntries: false })}`;
}
