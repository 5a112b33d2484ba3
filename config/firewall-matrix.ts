/**
 * Who may talk to whom: one matrix, rendered per provider (Hetzner: cloud firewalls for the
 * public side plus nftables on each host, because Hetzner Cloud Firewalls do not filter
 * private-network traffic; AWS: security groups; OVH: security groups).
 *
 * Sources are zones, not single hosts, so that scaling a group never changes another node's
 * rules (on Hetzner the rules live in cloud-init, whose change would replace the server).
 *
 * | to \ from    | internet (adminCidrs) | bastion | platform subnet          | vSwitch (dedicated) | users subnet |
 * |--------------|-----------------------|---------|--------------------------|---------------------|--------------|
 * | bastion      | 22/tcp                | —       | NAT egress (forward)     | —                   | NAT egress   |
 * | controller   | —                     | 22/tcp  | 6443/tcp, 2379-2380/tcp  | 6443/tcp            | —            |
 * | ceph         | —                     | 22/tcp  | 3300, 6789, 6800-7300/tcp| 3300, 6789, 6800-7300/tcp | —      |
 * | service      | —                     | 22/tcp, 2222/tcp | 443/tcp         | —                   | 443/tcp, 2222/tcp |
 * | gpu-worker   | —                     | 22/tcp  | 11435/tcp (gateway)      | —                   | 11435/tcp    |
 * | user-vm      | —                     | 22/tcp  | —                        | —                   | — (isolated) |
 * | ci-runner    | —                     | 22/tcp  | —                        | —                   | — (isolated) |
 *
 * A GPU worker's Ollama listens on 127.0.0.1 only; the metering gateway (aiwc meter gateway)
 * on 11435 is the way to it, for the service nodes (Open WebUI, forwarding the user) and for
 * users' VMs (with their own API key).
 *
 * 2222/tcp on the service nodes is GitLab's SSH for git (the container's sshd, published on the
 * node's private address only), for users' VMs and, through the bastion, for operators.
 *
 * CI runners run users' code, so they live where users' code lives: in the users subnet
 * (`homeZone`). From there they reach GitLab (443 on the service nodes, as users' VMs do) and
 * nothing of the platform's inside: Ceph, the control plane and the other nodes accept the
 * platform subnet, not the users'. Nothing but the bastion's SSH reaches a runner: GitLab Runner
 * polls GitLab for jobs, GitLab never connects to it.
 *
 * ICMP echo is allowed from the bastion to every node (diagnostics). Everything else inbound
 * is dropped. Outbound is open (through the bastion's NAT on Hetzner).
 */
import type { Role } from "./schema";

export type Zone = "internet" | "bastion" | "platform" | "vswitch" | "users";
export type Target = Role | "user-vm";

export interface PortRule {
  readonly from: Zone;
  readonly protocol: "tcp" | "udp";
  /** A port or an inclusive range "a-b". */
  readonly port: string;
  /** Why the port is open; rendered as a comment/description. */
  readonly why: string;
}

const SSH_FROM_BASTION: PortRule = { from: "bastion", protocol: "tcp", port: "22", why: "SSH, only through the bastion" };
const CEPH_PORTS = (from: Zone): PortRule[] => [
  { from, protocol: "tcp", port: "3300", why: "Ceph monitor (msgr2)" },
  { from, protocol: "tcp", port: "6789", why: "Ceph monitor (msgr1)" },
  { from, protocol: "tcp", port: "6800-7300", why: "Ceph OSD and manager daemons" },
];

export const FIREWALL_MATRIX: Readonly<Record<Target, readonly PortRule[]>> = {
  bastion: [{ from: "internet", protocol: "tcp", port: "22", why: "SSH from the operators' networks (access.adminCidrs)" }],
  controller: [
    SSH_FROM_BASTION,
    { from: "platform", protocol: "tcp", port: "6443", why: "control-plane API" },
    { from: "vswitch", protocol: "tcp", port: "6443", why: "control-plane API for dedicated GPU workers" },
    { from: "platform", protocol: "tcp", port: "2379-2380", why: "etcd peers and clients" },
  ],
  ceph: [SSH_FROM_BASTION, ...CEPH_PORTS("platform"), ...CEPH_PORTS("vswitch")],
  service: [
    SSH_FROM_BASTION,
    { from: "platform", protocol: "tcp", port: "443", why: "shared services (reverse proxy) for the platform" },
    { from: "users", protocol: "tcp", port: "443", why: "shared services (Open WebUI, SearXNG, Qdrant, …) for users' VMs" },
    { from: "users", protocol: "tcp", port: "2222", why: "git over SSH to GitLab for users' VMs" },
    { from: "bastion", protocol: "tcp", port: "2222", why: "git over SSH to GitLab for operators, through the bastion" },
  ],
  "gpu-worker": [
    SSH_FROM_BASTION,
    { from: "platform", protocol: "tcp", port: "11435", why: "metering gateway to Ollama for the service nodes" },
    { from: "users", protocol: "tcp", port: "11435", why: "metering gateway to Ollama for users' VMs (their API key)" },
  ],
  "user-vm": [SSH_FROM_BASTION],
  "ci-runner": [SSH_FROM_BASTION],
};

/** The subnet a node of this role takes its address in: users' code (their VMs, the CI runners running their jobs) in the users subnet, the platform in its own. */
export function homeZone(target: Target): "platform" | "users" {
  return target === "user-vm" || target === "ci-runner" ? "users" : "platform";
}

/** Whether `from` may open a TCP connection to `port` on a node of role `to` (the matrix as a predicate). */
export function allows(to: Target, from: Zone, port: number): boolean {
  return FIREWALL_MATRIX[to].some((rule) => {
    if (rule.from !== from || rule.protocol !== "tcp") return false;
    const [low, high] = rule.port.split("-").map(Number) as [number, number | undefined];
    return port >= low && port <= (high ?? low);
  });
}
