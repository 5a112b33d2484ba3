/**
 * cloud-init user data for aiwc nodes: the host firewall from the matrix (nftables), the
 * default route through the NAT gateway for private nodes, and the NAT itself on the bastion.
 *
 * Output depends only on the role and on the network layout, never on node counts: user data
 * changes replace a server, so scaling one group must not rewrite another group's user data.
 */
import { stringify } from "yaml";
import type { Cidr } from "../config/cidr";
import { FIREWALL_MATRIX, type Target, type Zone } from "../config/firewall-matrix";

export interface NetworkZones {
  /** The whole private network. */
  readonly network: Cidr;
  readonly platform: Cidr;
  readonly users: Cidr;
  readonly vswitch?: Cidr;
  readonly bastionIp: string;
  /** The network gateway private nodes route through. */
  readonly gateway: string;
  /** CIDRs allowed to SSH to the bastion from the internet. */
  readonly adminCidrs: readonly string[];
}

export interface CloudInitProps {
  readonly role: Target;
  readonly zones: NetworkZones;
  /** Account created on a user VM. */
  readonly account?: { readonly name: string; readonly sshKey: string; readonly sudo: boolean };
  /** Resolvers reachable through the NAT (Hetzner's recursive resolvers by default). */
  readonly dns?: readonly string[];
  /**
   * Private nodes set their own default route to the network gateway (Hetzner). Off where
   * the cloud routes private subnets itself (AWS route tables). @default true
   */
  readonly egressRoute?: boolean;
  /** Operators' public keys for the default user and root (where the cloud installs only one). @default none */
  readonly operatorKeys?: readonly string[];
}

/** Hetzner's public recursive resolvers, reachable from private nodes through the NAT. */
export const HETZNER_RESOLVERS = ["185.12.64.1", "185.12.64.2"];

function sources(zone: Zone, zones: NetworkZones): string[] {
  switch (zone) {
    case "internet":
      return [...zones.adminCidrs];
    case "bastion":
      return [zones.bastionIp];
    case "platform":
      return [zones.platform.text];
    case "users":
      return [zones.users.text];
    case "vswitch":
      return zones.vswitch !== undefined ? [zones.vswitch.text] : [];
  }
}

/**
 * The nftables ruleset for a role, rendered from FIREWALL_MATRIX. `boot` (user data) starts
 * with `flush ruleset` — right at first boot, when nothing else has rules yet. `reload` is what
 * Ansible installs on a running machine (`aiwc_firewall_ruleset`): it replaces only aiwc's own
 * tables, so loading it again (the common role's handler, `systemctl reload nftables`) leaves
 * other tables in place — Docker's NAT and filter chains on the service nodes, CI runners and
 * users' own VMs, which a flush would cut off until Docker restarts. One `nft -f` is one
 * transaction: each table is declared (made if it is not there), deleted and defined anew.
 */
export function nftablesRuleset(role: Target, zones: NetworkZones, form: "boot" | "reload" = "boot"): string {
  // The bastion NATs the private nodes: its own table.
  const nat = role === "bastion";
  const tables = ["inet aiwc", ...(nat ? ["ip aiwc_nat"] : [])];
  const lines = [
    "#!/usr/sbin/nft -f",
    // Frozen text: it is in every deployed node's user data, and new bytes there would show
    // every node's boot configuration as changed in the next cost diff. (The matrix now lives
    // in config/firewall-matrix.ts.)
    `# aiwc host firewall for role ${role}; generated from constructs/firewall-matrix.ts`,
    ...(form === "boot" ? ["flush ruleset"] : tables.flatMap((t) => [`table ${t}`, `delete table ${t}`])),
    "table inet aiwc {",
    "  chain input {",
    "    type filter hook input priority 0; policy drop;",
    "    iif lo accept",
    "    ct state established,related accept",
    "    ct state invalid drop",
    `    ip saddr ${zones.bastionIp} icmp type echo-request accept`,
    "    ip6 nexthdr icmpv6 accept",
  ];
  for (const rule of FIREWALL_MATRIX[role]) {
    const from = sources(rule.from, zones);
    if (from.length === 0) continue;
    lines.push(`    ip saddr { ${from.join(", ")} } ${rule.protocol} dport ${rule.port} accept comment "${rule.why.replace(/"/g, "'")}"`);
  }
  lines.push("  }");
  if (role === "bastion") {
    lines.push(
      "  chain forward {",
      "    type filter hook forward priority 0; policy drop;",
      "    ct state established,related accept",
      // By address, not interface name: eth0 on Hetzner, ens5 on AWS Nitro.
      `    ip saddr ${zones.network.text} ip daddr != ${zones.network.text} accept comment "NAT egress for private nodes"`,
      "  }",
    );
  }
  if (role === "user-vm") {
    // Defence in depth: the receiving VM already drops traffic from the users subnet. A VM's
    // traffic to its own private address leaves through loopback and stays allowed.
    lines.push(
      "  chain output {",
      "    type filter hook output priority 0; policy accept;",
      "    ct state established,related accept",
      "    oif lo accept",
      `    ip daddr ${zones.users.text} drop comment "users' VMs never reach each other"`,
      "  }",
    );
  }
  if (role === "ci-runner") {
    // Jobs are users' code in containers (Docker's forward path) or on the host (output): neither
    // reaches a user's VM. The VMs drop it anyway; this is defence in depth.
    for (const [chain, hook] of [["output", "output"], ["forward", "forward"]] as const) {
      lines.push(
        `  chain ${chain} {`,
        `    type filter hook ${hook} priority 0; policy accept;`,
        "    ct state established,related accept",
        "    oif lo accept",
        `    ip daddr ${zones.users.text} drop comment "CI jobs never reach users' VMs or other runners"`,
        "  }",
      );
    }
  }
  lines.push("}");
  if (nat) {
    lines.push(
      "table ip aiwc_nat {",
      "  chain postrouting {",
      "    type nat hook postrouting priority srcnat; policy accept;",
      `    ip saddr ${zones.network.text} ip daddr != ${zones.network.text} masquerade`,
      "  }",
      "}",
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Egress for private-only nodes, run as `bootcmd` (every boot, before cloud-init installs
 * packages): the default route through the network gateway (which routes to the bastion's
 * NAT) and resolvers reachable through it. Waits for the private interface, at most 2 minutes.
 */
function egressScript(zones: NetworkZones, dns: readonly string[]): string {
  return [
    "for attempt in $(seq 1 60); do",
    // Hetzner's DHCP installs a route for the whole network on the private interface.
    `  dev=$(ip -o -4 route show ${zones.network.text} | awk '{for (i = 1; i < NF; i++) if ($i == "dev") {print $(i + 1); exit}}')`,
    '  if [ -n "$dev" ]; then break; fi',
    "  sleep 2",
    "done",
    'if [ -z "$dev" ]; then echo "aiwc: no private interface found" >&2; exit 1; fi',
    `ip route replace default via ${zones.gateway} dev "$dev" onlink`,
    "mkdir -p /etc/systemd/resolved.conf.d",
    `printf '[Resolve]\\nDNS=${dns.join(" ")}\\n' > /etc/systemd/resolved.conf.d/aiwc.conf`,
    "systemctl restart systemd-resolved || true",
  ].join("\n");
}

/**
 * The role's part of the user data (everything but the account), rendered once per role and
 * network layout: thousands of user VMs share it, and rendering YAML per VM showed up in the
 * synthesis benchmark.
 */
const rendered = new Map<string, string>();

function roleDocument(props: CloudInitProps): string {
  const key = JSON.stringify([props.role, props.zones, props.dns ?? null, props.egressRoute ?? true, props.operatorKeys ?? []]);
  const cached = rendered.get(key);
  if (cached !== undefined) return cached;
  const { role, zones } = props;
  const isBastion = role === "bastion";
  const files: Record<string, unknown>[] = [
    { path: "/etc/nftables.conf", permissions: "0644", content: nftablesRuleset(role, zones) },
    {
      path: "/etc/ssh/sshd_config.d/10-aiwc.conf",
      permissions: "0644",
      content: "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n",
    },
  ];
  const commands: string[][] = [];
  const document: Record<string, unknown> = {
    // Operators log in as root with the keys the provider installs; users get their own account.
    disable_root: false,
    ssh_pwauth: false,
  };
  if (isBastion) {
    files.push({ path: "/etc/sysctl.d/90-aiwc-nat.conf", permissions: "0644", content: "net.ipv4.ip_forward = 1\n" });
    commands.push(["sysctl", "--system"]);
  } else if (props.egressRoute ?? true) {
    document.bootcmd = [["sh", "-c", egressScript(zones, props.dns ?? HETZNER_RESOLVERS)]];
  }
  if (props.operatorKeys !== undefined && props.operatorKeys.length > 0) document.ssh_authorized_keys = [...props.operatorKeys];
  commands.push(["systemctl", "enable", "--now", "nftables.service"], ["nft", "-f", "/etc/nftables.conf"], ["systemctl", "reload", "ssh"]);
  Object.assign(document, { package_update: true, packages: ["nftables"], write_files: files, runcmd: commands });
  const text = `#cloud-config\n${stringify(document, { lineWidth: 0 })}`;
  rendered.set(key, text);
  return text;
}

export function cloudInit(props: CloudInitProps): string {
  const base = roleDocument(props);
  if (props.account === undefined) return base;
  // Appending a top-level key keeps the document valid YAML; cloud-init does not care about key order.
  return `${base}${userAccountYaml(props.account)}`;
}

/**
 * Account parts already rendered: the user-data size rule (model/rules.ts) measures each one
 * and the user's VM then carries the same text — one YAML rendering per user, not two.
 */
const accounts = new Map<string, string>();

/** The `users:` part of a user VM's cloud-init: the account, its key and sudo. */
export function userAccountYaml(account: NonNullable<CloudInitProps["account"]>): string {
  const key = JSON.stringify([account.name, account.sshKey, account.sudo]);
  let text = accounts.get(key);
  if (text === undefined) {
    text = renderAccount(account);
    accounts.set(key, text);
  }
  return text;
}

/** Names and keys that YAML writes as plain scalars, so the text can be put together directly. */
const PLAIN_NAME = /^[a-z][a-z0-9-]*$/;
const YAML_WORDS = new Set(["null", "true", "false", "yes", "no", "on", "off", "y", "n"]);
const PLAIN_KEY = /^(?:ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}(?: [A-Za-z0-9@._+-]+)?$/;

/**
 * The account part as `yaml` renders it. The common case (a DNS-style name, a key whose comment
 * has no YAML syntax in it) is put together directly — the YAML library took a third of a
 * second at 10,000 users; anything else goes through the library. test/cloud-init.test.ts
 * holds the two to the same bytes.
 */
export function renderAccount(account: NonNullable<CloudInitProps["account"]>): string {
  if (isPlainAccount(account)) {
    const sudo = account.sudo ? "    sudo: ALL=(ALL) NOPASSWD:ALL\n" : "";
    return `users:\n  - name: ${account.name}\n    shell: /bin/bash\n    lock_passwd: true\n    ssh_authorized_keys:\n      - ${account.sshKey}\n${sudo}`;
  }
  return renderAccountWithYaml(account);
}

/** Whether renderAccount puts the account part together without the YAML library. */
export function isPlainAccount(account: NonNullable<CloudInitProps["account"]>): boolean {
  return PLAIN_NAME.test(account.name) && !YAML_WORDS.has(account.name) && PLAIN_KEY.test(account.sshKey);
}

export function renderAccountWithYaml(account: NonNullable<CloudInitProps["account"]>): string {
  const entry = {
    name: account.name,
    shell: "/bin/bash",
    lock_passwd: true,
    ssh_authorized_keys: [account.sshKey],
    ...(account.sudo ? { sudo: "ALL=(ALL) NOPASSWD:ALL" } : {}),
  };
  return stringify({ users: [entry] }, { lineWidth: 0 });
}
