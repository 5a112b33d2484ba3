/**
 * Upper bounds aiwc checks before any work, and the provider limits it lints, each with its
 * source. Exceeding one is a config or input error within a second — never minutes of work
 * or an out-of-memory abort.
 */

/** aiwc's own bounds (documented in the README's "Safety" section). */
export const AIWC_LIMITS = {
  /** Users in users.yaml: the users stack has been benchmarked with 10,000; 100,000 is the scale goal. */
  users: 100_000,
  /** Nodes in one node group (far above any provider's default project quota). */
  nodesPerGroup: 1_000,
  /** Nodes in all groups together. */
  nodes: 2_000,
  /** Size of one YAML file (cluster, users, tariffs, catalog): 100,000 users take about 20 MB. */
  yamlBytes: 64 * 1024 * 1024,
  /** Size of one JSON input (plan, *.tf.json, report, outputs). */
  jsonBytes: 512 * 1024 * 1024,
  /** Length of one SSH public key line (an RSA-16384 key is about 2,800 characters). */
  sshKeyChars: 8_192,
  /** CIDRs in access.adminCidrs (providers' own rule quotas are linted per provider). */
  adminCidrs: 1_000,
} as const;

export interface ProviderLimit {
  readonly value: number;
  readonly source: string;
}

/** Limits of the providers that a config can run into. */
export const PROVIDER_LIMITS = {
  hetznerUserDataBytes: { value: 32 * 1024, source: "Hetzner Cloud API, POST /servers: user_data is limited to 32 KiB" },
  awsUserDataBytes: { value: 16 * 1024, source: "Amazon EC2 User Guide, 'Run commands at launch': user data is limited to 16 KB in raw form, before base64 encoding" },
  awsRulesPerSecurityGroup: { value: 60, source: "Amazon VPC User Guide, 'Amazon VPC quotas': 60 inbound rules per security group (default quota)" },
  hetznerRulesPerFirewall: { value: 50, source: "Hetzner Cloud Docs, Firewalls overview: up to 50 rules per firewall" },
  hetznerServersPerPlacementGroup: { value: 10, source: "Hetzner Cloud Docs, Placement groups: a spread group holds at most 10 servers (aiwc splits groups at 10)" },
  hetznerRequestsPerHour: {
    value: 3_600,
    source: "Hetzner Cloud API reference, Rate Limiting (docs.hetzner.cloud/reference/cloud#rate-limiting): 3,600 requests per hour and project, refilled at one per second",
  },
  awsDescribeRefillPerSecond: {
    value: 20,
    source: "Amazon EC2 Developer Guide, 'Request throttling for the Amazon EC2 API' (docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html): non-mutating (Describe*) actions, bucket of 100 refilled at 20 per second, per account and Region",
  },
} as const satisfies Record<string, ProviderLimit>;
