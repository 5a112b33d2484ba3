/**
 * Which attribute changes make Terraform replace a resource (destroy, then create), per type,
 * for every type aiwc emits on the three providers — so a cost diff between two Terraform JSON
 * configurations can say "replaced" next to "destroyed", the way a plan's
 * `["delete","create"]` does. `terraform providers schema -json` does not carry this ("ForceNew"
 * / RequiresReplace live in provider code), so the table is kept from the provider docs and
 * code, each type with its source. Attributes a resource lists in `lifecycle.ignore_changes`
 * never force anything.
 *
 * Also here: which resources hold data (their destruction or replacement loses it), and which
 * attributes only seed a new machine (user data, keys: ignored by Terraform after creation;
 * changes reach running machines through Ansible).
 */
import { createHash } from "node:crypto";

export interface ReplacementRule {
  /** Top-level attributes, or `block.attribute` for an attribute inside a nested block. */
  readonly attributes: readonly string[];
  /** Where the list comes from. */
  readonly source: string;
}

const HCLOUD_DOCS = "hetznercloud/terraform-provider-hcloud docs (registry.terraform.io/providers/hetznercloud/hcloud), attributes marked 'ForceNew' in the provider's schema";
const AWS_DOCS = "hashicorp/terraform-provider-aws 5.100 docs, attributes noted 'Forces new resource' / ForceNew in the schema";
const OVH_CODE = "ovh/terraform-provider-ovh 2.x, attributes with the RequiresReplace plan modifier or ForceNew";

export const REPLACED_ON: Readonly<Record<string, ReplacementRule>> = {
  // Hetzner Cloud. Server type, name, labels, networks, placement group and protection update in
  // place (a type change powers the server off and on: see cost diff's "changed").
  hcloud_server: { attributes: ["image", "location", "datacenter", "user_data", "ssh_keys"], source: HCLOUD_DOCS },
  hcloud_volume: { attributes: ["location", "format"], source: HCLOUD_DOCS },
  hcloud_volume_attachment: { attributes: ["volume_id", "server_id", "automount"], source: HCLOUD_DOCS },
  hcloud_network: { attributes: [], source: HCLOUD_DOCS },
  hcloud_network_subnet: { attributes: ["network_id", "type", "network_zone", "ip_range", "vswitch_id"], source: HCLOUD_DOCS },
  hcloud_network_route: { attributes: ["network_id", "destination", "gateway"], source: HCLOUD_DOCS },
  hcloud_placement_group: { attributes: ["type"], source: HCLOUD_DOCS },
  hcloud_primary_ip: { attributes: ["type", "datacenter", "location", "assignee_type"], source: HCLOUD_DOCS },
  hcloud_floating_ip: { attributes: ["type", "home_location"], source: HCLOUD_DOCS },
  hcloud_ssh_key: { attributes: ["public_key"], source: HCLOUD_DOCS },
  hcloud_firewall: { attributes: [], source: HCLOUD_DOCS },
  hcloud_load_balancer: { attributes: ["location", "network_zone"], source: HCLOUD_DOCS },
  // AWS. instance_type, tags, security groups and root volume size/type update in place.
  aws_instance: {
    attributes: ["ami", "availability_zone", "subnet_id", "key_name", "private_ip", "placement_group", "tenancy", "host_id", "associate_public_ip_address", "ebs_block_device", "ephemeral_block_device", "network_interface", "cpu_options", "hibernation", "root_block_device.encrypted", "root_block_device.kms_key_id"],
    source: AWS_DOCS,
  },
  aws_ebs_volume: { attributes: ["availability_zone", "encrypted", "kms_key_id", "snapshot_id", "outpost_arn"], source: AWS_DOCS },
  aws_volume_attachment: { attributes: ["device_name", "instance_id", "volume_id"], source: AWS_DOCS },
  aws_s3_bucket: { attributes: ["bucket", "bucket_prefix", "object_lock_enabled"], source: AWS_DOCS },
  aws_s3_bucket_versioning: { attributes: ["bucket", "expected_bucket_owner"], source: AWS_DOCS },
  aws_s3_bucket_server_side_encryption_configuration: { attributes: ["bucket", "expected_bucket_owner"], source: AWS_DOCS },
  aws_s3_bucket_public_access_block: { attributes: ["bucket"], source: AWS_DOCS },
  aws_eip: { attributes: ["domain", "address", "public_ipv4_pool", "customer_owned_ipv4_pool", "network_border_group"], source: AWS_DOCS },
  aws_key_pair: { attributes: ["key_name", "key_name_prefix", "public_key"], source: AWS_DOCS },
  aws_vpc: { attributes: ["cidr_block", "ipv4_ipam_pool_id"], source: AWS_DOCS },
  aws_subnet: { attributes: ["vpc_id", "cidr_block", "availability_zone", "availability_zone_id"], source: AWS_DOCS },
  aws_security_group: { attributes: ["name", "name_prefix", "description", "vpc_id"], source: AWS_DOCS },
  aws_vpc_security_group_ingress_rule: { attributes: ["security_group_id"], source: AWS_DOCS },
  aws_vpc_security_group_egress_rule: { attributes: ["security_group_id"], source: AWS_DOCS },
  aws_nat_gateway: { attributes: ["allocation_id", "subnet_id", "connectivity_type", "private_ip"], source: AWS_DOCS },
  aws_internet_gateway: { attributes: [], source: AWS_DOCS },
  aws_route: { attributes: ["route_table_id", "destination_cidr_block", "destination_ipv6_cidr_block", "destination_prefix_list_id"], source: AWS_DOCS },
  aws_route_table: { attributes: ["vpc_id"], source: AWS_DOCS },
  aws_route_table_association: { attributes: ["subnet_id", "gateway_id"], source: AWS_DOCS },
  aws_iam_role: { attributes: ["name", "name_prefix", "path"], source: AWS_DOCS },
  aws_iam_role_policy: { attributes: ["name", "name_prefix", "role"], source: AWS_DOCS },
  aws_iam_instance_profile: { attributes: ["name", "name_prefix", "path"], source: AWS_DOCS },
  aws_lb: { attributes: ["name", "name_prefix", "internal", "load_balancer_type"], source: AWS_DOCS },
  // OVH: the instance updates name, flavor, image, key, networks and volumes in place.
  ovh_cloud_instance: { attributes: ["service_name", "region", "availability_zone"], source: OVH_CODE },
  ovh_cloud_project_volume: { attributes: ["service_name", "region_name", "availability_zone", "image_id", "snapshot_id", "type", "encryption"], source: OVH_CODE },
  ovh_cloud_project_network_private: { attributes: ["service_name", "vlan_id"], source: OVH_CODE },
  ovh_cloud_project_network_private_subnet_v2: {
    attributes: ["service_name", "network_id", "region", "name", "cidr", "dhcp", "enable_gateway_ip", "gateway_ip", "allocation_pool", "dns_nameservers", "host_route", "use_default_public_dns_resolver"],
    source: OVH_CODE,
  },
  // Built in: `input` updates in place; only `triggers_replace` replaces.
  terraform_data: { attributes: ["triggers_replace"], source: "Terraform documentation, terraform_data resource" },
};

/** Attributes that only seed a new machine (aiwc lists them in lifecycle.ignore_changes). */
export const BOOT_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  hcloud_server: ["user_data", "ssh_keys"],
  aws_instance: ["user_data", "key_name"],
  ovh_cloud_instance: ["ssh_key_name"],
};

/** Types whose destruction or replacement deletes stored data. */
const DATA_TYPES = new Set(["hcloud_volume", "aws_ebs_volume", "ovh_cloud_project_volume", "aws_s3_bucket"]);
/** Machine types: a user's VM, or a machine of a role that holds data, keeps data on its disk. */
const MACHINE_TYPES = new Set(["hcloud_server", "aws_instance", "ovh_cloud_instance", "ovh_cloud_project_instance"]);
const DATA_ROLES = new Set(["user-vm", "ceph", "service", "bastion"]);

export function holdsData(resource: { readonly type: string; readonly user?: string | undefined; readonly role?: string | undefined }): boolean {
  if (DATA_TYPES.has(resource.type)) return true;
  if (!MACHINE_TYPES.has(resource.type)) return false;
  return resource.user !== undefined || (resource.role !== undefined && DATA_ROLES.has(resource.role));
}

function ignored(values: Readonly<Record<string, unknown>>): ReadonlySet<string> | "all" {
  const lifecycle = values.lifecycle;
  if (lifecycle === null || typeof lifecycle !== "object") return new Set();
  const list = (lifecycle as Record<string, unknown>).ignore_changes;
  if (list === "all") return "all";
  return new Set(Array.isArray(list) ? list.filter((x): x is string => typeof x === "string") : []);
}

function valueAt(values: Readonly<Record<string, unknown>>, path: string): unknown {
  const dot = path.indexOf(".");
  if (dot < 0) return values[path];
  let block = values[path.slice(0, dot)];
  if (Array.isArray(block)) block = block[0];
  return block !== null && typeof block === "object" ? (block as Record<string, unknown>)[path.slice(dot + 1)] : undefined;
}

function digest(values: Readonly<Record<string, unknown>>, attributes: readonly string[]): string {
  let text = "";
  let any = false;
  for (const attribute of attributes) {
    const value = valueAt(values, attribute);
    if (value === undefined) continue;
    any = true;
    text += `${attribute}=${JSON.stringify(value)}\n`;
  }
  return any ? createHash("sha256").update(text).digest("hex").slice(0, 16) : "";
}

export interface Keys {
  /**
   * Digest of the replacement-forcing attributes that Terraform watches: two configurations of
   * the same address with different keys mean a replacement. Undefined: type not in the table.
   */
  readonly replaceKey?: string;
  /** Digest of boot-only attributes (ignored after creation): a change means "run Ansible". */
  readonly bootKey?: string;
}

/** The keys of a resource as written in Terraform JSON configuration. */
export function replacementKeys(type: string, values: Readonly<Record<string, unknown>>): Keys {
  const rule = REPLACED_ON[type];
  const skip = ignored(values);
  const boot = BOOT_ATTRIBUTES[type];
  const out: { replaceKey?: string; bootKey?: string } = {};
  if (rule !== undefined) {
    const watched = skip === "all" ? [] : rule.attributes.filter((a) => !skip.has(a.split(".")[0]!));
    out.replaceKey = digest(values, watched);
  }
  if (boot !== undefined) {
    const bootKey = digest(values, boot);
    if (bootKey !== "") out.bootKey = bootKey;
  }
  return out;
}

/** A plan's actions, as aiwc reads them. */
export type PlannedAction = "create" | "update" | "delete" | "replace" | "no-op" | "read";

/** Terraform's `change.actions` list as one action. */
export function plannedAction(actions: readonly string[] | undefined): PlannedAction | undefined {
  if (actions === undefined) return undefined;
  const has = (a: string) => actions.includes(a);
  if (has("delete") && has("create")) return "replace";
  if (has("delete")) return "delete";
  if (has("create")) return "create";
  if (has("update")) return "update";
  if (has("read")) return "read";
  return "no-op";
}
