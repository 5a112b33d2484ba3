/**
 * The operator's configuration: cluster.yaml, users.yaml and tariffs.yaml.
 *
 * Shapes (types, unknown keys, ranges) are checked here with zod; rules that span fields or
 * files (odd controller count, CIDR overlap, known packs, …) live in rules.ts. Every field
 * documents its default; the README's config reference is checked against this file by a test.
 */
import { z } from "zod";
import { PROVIDER_IDS, PROVIDER_SECTIONS } from "../clouds/sections";
import { AIWC_LIMITS } from "./limits";
import { isCalendarDate } from "./dates";

/** DNS label: lower-case letters, digits and hyphens, starting with a letter. */
export const dnsName = z
  .string()
  .regex(
    /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
    "must be DNS-safe: lower-case letters, digits and '-', starting with a letter and not ending with '-'",
  )
  .max(40, "must be at most 40 characters so derived server names stay under 63");

const money = z.string({ error: "must be an amount as a quoted decimal string, e.g. \"20.00\" (money is never a float)" }).regex(/^\d+(\.\d{1,2})?$/, "must be an amount as a quoted decimal string, e.g. \"20.00\"");

/** A Terraform resource address, optionally prefixed by its stack (`users:`). */
export const ADDRESS = /^([a-z0-9][a-z0-9_-]*:)?(module\.[A-Za-z0-9_-]+(\[[^\]]+\])?\.)*[a-z0-9_]+\.[A-Za-z0-9_-]+(\[[^\]]+\])?$/;

const cidr = z.string().min(1, "must be an IPv4 CIDR such as 10.0.0.0/16");

export const ROLES = ["controller", "gpu-worker", "ceph", "service", "bastion", "ci-runner"] as const;
export type Role = (typeof ROLES)[number];

export { PROVIDER_IDS as PROVIDERS } from "../clouds/sections";

const sshPublicKey = z
  .string()
  .max(AIWC_LIMITS.sshKeyChars, `is longer than ${AIWC_LIMITS.sshKeyChars} characters, which no OpenSSH public key is; paste the public key line (id_*.pub), not a file`)
  .regex(
    /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( .*)?$/,
    "must be an OpenSSH public key line (e.g. \"ssh-ed25519 AAAA… name\"); never a private key",
  );

/** The shared services Ansible can run on the service nodes (ansible/roles/services). */
export const SERVICES = ["open-webui", "searxng", "qdrant", "langfuse", "n8n", "flowise", "supabase", "gitlab"] as const;
export type Service = (typeof SERVICES)[number];

/** An Ollama model reference: `name[:tag]`, optionally `namespace/name[:tag]`. */
const ollamaModel = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)?(:[A-Za-z0-9][A-Za-z0-9._-]*)?$/, "must be an Ollama model such as \"llama3.1:8b\" or \"namespace/model:tag\"");

/** What Ansible installs after the deploy; `aiwc inventory` hands it to the roles. */
const software = z
  .strictObject({
    /** Shared services on the service nodes, as Docker Compose stacks. @default all eight */
    services: z.array(z.enum(SERVICES)).default([...SERVICES]),
    /** Ollama models every GPU worker pulls at deploy time. @default [llama3.1:8b] */
    models: z.array(ollamaModel).default(["llama3.1:8b"]),
    /**
     * The bastion's daily configuration backup to S3-compatible storage. Keys come from the
     * environment of the playbook run (AIWC_BACKUP_ACCESS_KEY, AIWC_BACKUP_SECRET_KEY), never
     * from a file. @default AWS: the stack's backup bucket; Hetzner and OVH: none (a warning)
     */
    backups: z
      .strictObject({
        /** S3 endpoint, e.g. https://fsn1.your-objectstorage.com (Hetzner Object Storage). */
        endpoint: z.url({ protocol: /^https$/, error: "must be an https:// URL such as https://fsn1.your-objectstorage.com" }),
        /** Bucket name (3–63 lower-case letters, digits, '-' and '.'). */
        bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name: 3–63 lower-case letters, digits, '-' and '.'"),
        /** Signing region. @default us-east-1 (what most S3-compatible services accept) */
        region: z.string().default("us-east-1"),
        /** When to back up, as a systemd OnCalendar expression. @default daily */
        onCalendar: z
          .string()
          .min(1)
          .max(100)
          .regex(/^[A-Za-z0-9 :*.,~\/+-]+$/, "must be one systemd OnCalendar expression (e.g. daily or *-*-* 03:00:00): letters, digits, spaces and : * . , ~ / + - only, no newlines")
          .default("daily"),
      })
      .optional(),
  })
  .prefault({});

const dedicatedHost = z.strictObject({
  /** Host name; @default `<cluster>-<group>-<NN>` */
  name: dnsName.optional(),
  /** Private address in the vSwitch subnet; @default allocated in order from the subnet's 10th address */
  address: z.string().optional(),
  /** Hetzner Robot server number, for the inventory; @default none */
  serverNumber: z.number().int().positive().optional(),
});

const nodeGroup = z.strictObject({
  /** What the group does; decides firewall ports, placement and cloud-init. */
  role: z.enum(ROLES),
  /** Number of nodes. 0 is allowed for gpu-worker and service groups only. */
  count: z
    .number({ message: "must be a whole number" })
    .int("must be a whole number")
    .min(0, "must be 0 or more")
    .max(AIWC_LIMITS.nodesPerGroup, `must be at most ${AIWC_LIMITS.nodesPerGroup} (aiwc's limit per node group)`),
  /** Provider server type (e.g. cpx22, t3.large). @default the cheapest type that meets `requirements` */
  serverType: z.string().optional(),
  /**
   * What a node needs, for choosing a type from the catalog when `serverType` is not given (the
   * same config then works on every provider). @default none
   */
  requirements: z
    .strictObject({
      vcpu: z.number().int().positive().default(1),
      ramGb: z.number().positive(),
      /** Local disk, GB (types with network storage only, e.g. AWS EBS, always qualify). */
      diskGb: z.number().int().positive().optional(),
      gpu: z
        .strictObject({
          count: z.number().int().positive().default(1),
          /** Substring of the GPU model, case-insensitive (e.g. "L4", "A10"). */
          model: z.string().optional(),
          memoryGb: z.number().positive().optional(),
        })
        .optional(),
    })
    .optional(),
  /** OS image; @default the provider's `image` */
  image: z.string().optional(),
  /** Size of the Ceph data volume attached to each node (ceph role only), GB, ≥ 10. */
  dataVolumeGb: z.number().int("must be a whole number of GB").min(10, "must be at least 10 GB (Hetzner's minimum volume)").max(10240, "must be at most 10240 GB (Hetzner's maximum volume)").optional(),
  /**
   * Dedicated (Robot) servers instead of cloud servers: rented monthly, joined through the
   * vSwitch subnet, declared in the stack so they are priced and inventoried.
   */
  dedicated: z
    .strictObject({
      /** Catalog product id, e.g. GEX44-1. */
      product: z.string(),
      /** Per-host details, one per count; @default names and addresses are derived */
      hosts: z.array(dedicatedHost).optional(),
      /** When the servers were ordered (prices differ by order date); @default today */
      orderedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD").optional(),
    })
    .optional(),
  /** Extra labels on every node of the group (keys under `aiwc/` are reserved); @default none */
  labels: z.record(z.string(), z.string()).optional(),
  /**
   * The provider's delete (and, on Hetzner, rebuild) protection on the group's machines. Set to
   * false and deploy before scaling a protected group down. @default true for roles that hold
   * data (ceph, service, bastion), false otherwise
   */
  deleteProtection: z.boolean().optional(),
});

/** Roles whose machines hold data (Ceph OSDs, the services' state, the bastion's backups). */
export const DATA_ROLES: ReadonlySet<Role> = new Set(["ceph", "service", "bastion"]);

/** Whether a group's machines get the provider's delete protection. */
export function groupDeleteProtection(group: { readonly role: Role; readonly deleteProtection?: boolean | undefined }): boolean {
  return group.deleteProtection ?? DATA_ROLES.has(group.role);
}
export type NodeGroupConfig = z.infer<typeof nodeGroup>;

/**
 * How users' VMs are split into stacks (`users-00`, `users-01`, …), each with its own state and
 * lock. A user's stack is a stable hash of the name: onboarding or removing a user changes one
 * stack and moves nobody else. Changing `shards` moves users between stacks: plan it with
 * `aiwc shards plan`, which writes the state moves (never a replacement).
 */
const sharding = {
  /** Number of users stacks; pinned, changed only through `aiwc shards plan`. @default 1 */
  shards: z.int().min(1).max(4096).default(1),
  /** Users a stack should hold at most: beyond it aiwc warns and proposes a shard count. @default 200 */
  usersPerStack: z.int().min(1).default(200),
};

const s3Backend = z.strictObject({
  backend: z.literal("s3"),
  ...sharding,
  /** Bucket holding the state files. */
  bucket: z.string().min(3),
  /** Key prefix; each stack stores `<prefix>/<stack>.tfstate`. @default `aiwc/<cluster>` */
  keyPrefix: z.string().optional(),
  /** Region name (for Hetzner Object Storage the location, e.g. fsn1). */
  region: z.string(),
  /** S3 endpoint for S3-compatible stores (e.g. https://fsn1.your-objectstorage.com); @default AWS */
  endpoint: z.url({ protocol: /^https$/, message: "must be an https:// URL: the state holds every resource's attributes and travels with the bucket's keys" }).optional(),
  /**
   * State locking: `lockfile` (S3 conditional writes, Terraform ≥ 1.10), `dynamodb` (AWS only)
   * or `none` (not recommended). @default lockfile
   */
  locking: z.enum(["lockfile", "dynamodb", "none"]).default("lockfile"),
  /** DynamoDB table for `locking: dynamodb`. */
  dynamodbTable: z.string().optional(),
});

const localBackend = z.strictObject({
  /** `state: { shards: 4 }` means the local backend with four users stacks. @default local */
  backend: z.literal("local").default("local"),
  ...sharding,
  /** Directory for state files, relative to the project; @default `terraform-state` */
  directory: z.string().default("terraform-state"),
});

const calendarDate = z.string().refine(isCalendarDate, "must be a date YYYY-MM-DD");
const countryCode = z.string().regex(/^[A-Z]{2}$/, "must be a two-letter country code such as DE");

export const clusterSchema = z.strictObject({
  /** Cluster name: prefixes every resource name and label. */
  name: dnsName.max(20, "must be at most 20 characters so derived server names stay under 63"),
  /** Cloud provider. @default hetzner */
  provider: z.enum(PROVIDER_IDS).default("hetzner"),
  ...PROVIDER_SECTIONS,
  network: z
    .strictObject({
      /** The private network. @default 10.0.0.0/16 */
      cidr: cidr.default("10.0.0.0/16"),
      /** Controllers, Ceph, service nodes and the bastion. @default 10.0.1.0/24 */
      platformSubnet: cidr.default("10.0.1.0/24"),
      /** Users' VMs. @default 10.0.16.0/20 (4,093 VMs) */
      usersSubnet: cidr.default("10.0.16.0/20"),
      /** Dedicated servers behind the vSwitch (only with hetzner.vswitchId). @default 10.0.2.0/24 */
      vswitchSubnet: cidr.default("10.0.2.0/24"),
      /** AWS: public subnets (bastion, NAT, load balancers), split across the zones. @default 10.0.3.0/24 */
      publicSubnet: cidr.default("10.0.3.0/24"),
      /** The bastion's private address, gateway for the NAT route. @default 2nd address of platformSubnet */
      bastionIp: z.string().optional(),
    })
    .prefault({}),
  access: z.strictObject({
    /** Who may SSH to the bastion (the only SSH entry). At least one CIDR. */
    adminCidrs: z
      .array(cidr)
      .min(1, "needs at least one CIDR allowed to SSH to the bastion")
      .max(AIWC_LIMITS.adminCidrs, `lists more than ${AIWC_LIMITS.adminCidrs} CIDRs; summarize them into larger ranges (each is a firewall rule)`),
    /** Operators' SSH public keys, installed for root on every node. */
    sshKeys: z
      .array(z.strictObject({ name: dnsName, publicKey: sshPublicKey }))
      .min(1, "needs at least one operator SSH key"),
  }),
  /** Node groups by name (the name is DNS-safe and prefixes its servers). */
  nodeGroups: z.record(dnsName, nodeGroup),
  ceph: z
    .strictObject({
      /** Replicated pool size; Ceph needs at least this many storage nodes. @default 3 */
      replication: z.number().int().min(1).max(7).default(3),
    })
    .prefault({}),
  /** What Ansible installs after the deploy: services, GPU models, backups. */
  software,
  /** The cost gate: checked on every synthesis, so no deploy passes it by accident. */
  policy: z
    .strictObject({
      /** Lowest acceptable gross margin, percent of revenue. @default 10 */
      minMarginPercent: z.number().min(-1000).max(100).default(10),
      /** Highest acceptable infrastructure cost per month, EUR. @default no limit */
      maxMonthlyCost: money.optional(),
      /** Fail when a resource cannot be priced (unknown type, missing price). @default true */
      failOnUnsupported: z.boolean().default(true),
      /** Fail when a price catalog is older than this many days. @default 180 */
      maxCatalogAgeDays: z.number().int().positive().default(180),
      /** Let the gate pass anyway; the reason is printed in every report. @default none */
      override: z.strictObject({ reason: z.string().trim().min(10, "say why in at least 10 characters") }).optional(),
      /**
       * Resource addresses (`aws_ebs_volume.x`, or `users:aws_instance.x` for one stack) whose
       * destruction or replacement is intended: the gate lets exactly these pass and prints
       * them. @default none
       */
      allowDataLoss: z.array(z.string().regex(ADDRESS, "must be a Terraform resource address such as hcloud_volume.data or users:aws_instance.user-ben")).default([]),
    })
    .prefault({}),
  /**
   * Capacity rules for `aiwc whatif`: a group needs one node per `per` users (or users with
   * pack `of`), never fewer than its configured count. @default none
   */
  capacity: z
    .array(
      z.strictObject({
        group: dnsName,
        per: z.number().int().positive(),
        /** Count users with this pack only. @default every user */
        of: z.string().optional(),
      }),
    )
    .default([]),
  /** Monthly figures `aiwc cost` shows beside the estimate: a fixed amount, or another config priced alike. @default none */
  references: z
    .array(
      z.union([
        z.strictObject({ label: z.string(), amount: z.string().regex(/^\d+(\.\d{1,2})?$/, "must be a quoted amount such as \"2680.00\""), currency: z.string().regex(/^[A-Z]{3}$/, "must be a currency code such as USD") }),
        z.strictObject({ label: z.string(), config: z.string() }),
      ]),
    )
    .default([]),
  /** Where Terraform keeps state. @default local */
  state: z.discriminatedUnion("backend", [localBackend, s3Backend], { message: "must be local or s3" }).prefault({ backend: "local" }),
  /** Invoicing: the seller, the VAT rate and invoice numbers (aiwc bill). */
  billing: z
    .strictObject({
      /** The operator as the invoices name it (§ 14 UStG: name, address, tax number or VAT ID). */
      seller: z
        .strictObject({
          name: z.string().min(1),
          address: z.string().min(1),
          country: countryCode,
          vatId: z.string().optional(),
          taxNumber: z.string().optional(),
        })
        .optional(),
      /** VAT rate in percent, as a quoted decimal. @default "19" (Germany) */
      vatRate: z.string().regex(/^\d{1,2}(\.\d{1,2})?$/, "must be a percentage as a quoted decimal such as \"19\"").default("19"),
      /** Stripe (`aiwc bill send --to stripe`; the key comes from STRIPE_SECRET_KEY). */
      stripe: z
        .strictObject({
          /** `send_invoice` (Stripe e-mails the invoice) or `charge_automatically` (the customer's saved method). @default send_invoice */
          collectionMethod: z.enum(["send_invoice", "charge_automatically"]).default("send_invoice"),
          /** Payment term for send_invoice, days. @default 14 */
          daysUntilDue: z.number().int().min(0).max(365).default(14),
        })
        .prefault({}),
      /** Invoice numbers: this prefix, the year and a sequence without gaps. @default "AIWC-" */
      invoicePrefix: z.string().regex(/^[A-Za-z0-9-]{0,20}$/, "must be up to 20 letters, digits or '-'").default("AIWC-"),
    })
    .prefault({}),
  /** Sibling files, relative to this file. @default users.yaml and tariffs.yaml next to it */
  files: z
    .strictObject({
      users: z.string().default("users.yaml"),
      tariffs: z.string().default("tariffs.yaml"),
      /** Price catalog directory. @default `prices/` next to this file if present, else the built-in catalog */
      prices: z.string().optional(),
    })
    .prefault({}),
});
export type ClusterConfig = z.infer<typeof clusterSchema>;

export const usersSchema = z.strictObject({
  users: z.array(
    z.strictObject({
      /** Account and VM name; unique, DNS-safe. */
      name: dnsName.max(32, "must be at most 32 characters (Linux user names)"),
      /** Tariff id from tariffs.yaml. */
      tariff: z.string(),
      /** Pack ids from tariffs.yaml. @default none */
      packs: z.array(z.string()).default([]),
      /** The user's SSH public key; the VM's account accepts only this key. */
      sshKey: sshPublicKey,
      /**
       * The address the user signs into the shared services with (n8n, Langfuse): how the
       * collectors tell the user's runs there from others'. @default none (not attributed)
       */
      email: z.string().regex(/^[^@\s]+@[^@\s]+$/, "must be an e-mail address").optional(),
      /** Server type override for this user's VM. @default the tariff's choice */
      serverType: z.string().optional(),
      /** Give the account sudo on its own VM. @default false */
      sudo: z.boolean().default(false),
      /** Usage profile from tariffs.yaml, for the PAYG forecast. @default tariffs.yaml defaultProfile */
      profile: z.string().optional(),
      /**
       * AWS: pin the VM (and its Storage+ volume) to this availability zone, e.g. written once by
       * `aiwc pins` from the deployed state. @default a zone derived from the user's name alone
       */
      zone: z.string().optional(),
      /**
       * The provider's delete protection on the user's VM (and volume). Set to false and deploy
       * before removing the user: a protected VM cannot be deleted. @default true
       */
      deleteProtection: z.boolean().default(true),
      /** First day the user is billed (base and packs prorated by active days). @default the whole month */
      since: calendarDate.optional(),
      /** Last day the user is billed. @default open-ended */
      until: calendarDate.optional(),
      /** Who the user's invoices go to (German invoices name both parties, § 14 UStG). */
      billing: z
        .strictObject({
          name: z.string().min(1),
          address: z.string().min(1),
          /** ISO 3166 country code, e.g. DE. */
          country: countryCode,
          email: z.string().regex(/^[^@\s]+@[^@\s]+$/, "must be an e-mail address").optional(),
          /** The customer's VAT ID: an EU business in another country is invoiced without VAT (reverse charge). */
          vatId: z.string().regex(/^[A-Z]{2}[A-Za-z0-9+*]{2,12}$/, "must be a VAT ID such as ATU12345678").optional(),
        })
        .optional(),
    }),
  ).max(AIWC_LIMITS.users, `lists more than ${AIWC_LIMITS.users} users, aiwc's limit`),
});
export type UsersConfig = z.infer<typeof usersSchema>;
export type UserConfig = UsersConfig["users"][number];

const meterId = z.string().regex(/^[a-z][a-z0-9_]*$/, "must be a meter id: lower-case letters, digits and '_'");
/** Included monthly quantities per PAYG meter, in the meter's unit. */
const allowances = z.record(meterId, z.number().min(0, "must be 0 or more")).default({});
/** Node-group roles whose cost this revenue stream pays for (margin per node group). */
const serves = z.array(z.enum([...ROLES, "user-vm"])).default([]);

export const tariffsSchema = z.strictObject({
  /** Currency of every amount in this file. @default EUR */
  currency: z.enum(["EUR"]).default("EUR"),
  /** What one GPU token is worth in GPU runtime, seconds. @default 1 */
  gpuTokenSeconds: z.number().positive().default(1),
  /** The PAYG meter GPU tokens are counted against. @default gpu_hours */
  gpuTokenMeter: meterId.default("gpu_hours"),
  tariffs: z.record(
    dnsName,
    z.strictObject({
      /** Monthly base price per user. */
      monthly: money,
      /** PAYG quantities included in the base price. @default none */
      allowances,
      /** Roles the base price pays for. @default none */
      serves,
      /** VM sizing: the smallest orderable server type with at least this much. */
      vm: z.strictObject({
        ramGb: z.number().positive(),
        vcpu: z.number().int().positive().default(1),
        /** Explicit server type per provider, overriding the choice. @default none */
        serverType: z.record(z.string(), z.string()).optional(),
      }),
      /** Services included (shown in reports; a shared service named here must be enabled in cluster.yaml software.services). */
      includes: z.array(z.string()).default([]),
      /**
       * Hard quota on the user's own Ceph storage (a CephFS subvolume), GB. Usage above
       * allowances.storage_gb is billed as PAYG up to it. @default 10
       */
      storageQuotaGb: z.number().int().positive().default(10),
    }),
  ),
  packs: z.record(
    dnsName,
    z.strictObject({
      monthly: money,
      includes: z.array(z.string()).default([]),
      /** GPU tokens included per month (Pro pack). @default 0 */
      gpuTokens: z.number().int().min(0).optional(),
      /** Extra block storage attached to the user's VM, GB. @default 0 */
      extraVolumeGb: z.number().int().min(10, "must be at least 10 GB (Hetzner's minimum volume)").optional(),
      /** Needs GPU workers to be useful (checked against the cluster). @default false */
      requiresGpu: z.boolean().default(false),
      /** PAYG quantities included with the pack. @default none */
      allowances,
      /** Roles the pack's price pays for. @default none */
      serves,
    }),
  ),
  /** Pay-as-you-go meters: price per `per` units beyond the allowances. */
  payg: z
    .record(
      meterId,
      z.strictObject({
        /** Singular unit, e.g. "GPU hour", "query". */
        unit: z.string(),
        price: money,
        /** Units the price is for (1,000 queries). @default 1 */
        per: z.number().int().positive().default(1),
        /**
         * The feature (an `includes` entry of a tariff or pack) that grants this meter's service:
         * the bill flags usage by a user whose tariff and packs do not include it. @default none (never flagged)
         */
        feature: z.string().optional(),
        /** Roles whose cost this meter's revenue pays for. */
        serves,
      }),
    )
    .default({}),
  /** Expected monthly usage per meter, by profile name; users pick one (default: defaultProfile). */
  profiles: z.record(dnsName, z.record(meterId, z.number().min(0, "must be 0 or more"))).default({}),
  /** Profile of users that name none. @default normal */
  defaultProfile: dnsName.default("normal"),
});
export type TariffsConfig = z.infer<typeof tariffsSchema>;
