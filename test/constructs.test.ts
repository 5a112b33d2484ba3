/**
 * Construct behaviour on Hetzner: the firewall matrix (public and host side), placement-group
 * split, protection of stored data, dedicated GPU hosts, per-user VMs.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { cloudInit, nftablesRuleset } from "../model/cloud-init";
import { allows, FIREWALL_MATRIX, type Target, type Zone } from "../config/firewall-matrix";
import { beyondBudget, fixtureConfig, resources, synthesize, ZONES, type Synthesized } from "./helpers";


let defaults: Synthesized;
beforeAll(async () => {
  defaults = await synthesize();
});

describe("firewall matrix", () => {
  const targets = Object.keys(FIREWALL_MATRIX) as Target[];
  const zones: Zone[] = ["internet", "bastion", "platform", "vswitch", "users"];

  test("the bastion is the only SSH entry from the internet", () => {
    for (const target of targets) expect(allows(target, "internet", 22)).toBe(target === "bastion");
  });

  test("every node but the bastion accepts SSH only from the bastion", () => {
    for (const target of targets.filter((t) => t !== "bastion")) {
      for (const zone of zones) expect(allows(target, zone, 22), `${zone} → ${target}:22`).toBe(zone === "bastion");
    }
  });

  test("users' VMs never reach each other on any port, and nothing but SSH from the bastion reaches them", () => {
    for (const port of [22, 80, 443, 3300, 6443, 11434]) {
      expect(allows("user-vm", "users", port)).toBe(false);
      for (const zone of zones) expect(allows("user-vm", zone, port)).toBe(zone === "bastion" && port === 22);
    }
  });

  test("users reach the shared services, not the control plane, storage or GPUs", () => {
    expect(allows("service", "users", 443)).toBe(true);
    for (const [target, port] of [["controller", 6443], ["ceph", 6789], ["gpu-worker", 11434]] as const) {
      expect(allows(target, "users", port)).toBe(false);
    }
  });

  test("Ceph ports open to the platform and the dedicated GPU hosts only", () => {
    expect(allows("ceph", "platform", 6800)).toBe(true);
    expect(allows("ceph", "vswitch", 7300)).toBe(true);
    expect(allows("ceph", "platform", 7301)).toBe(false);
    expect(allows("ceph", "internet", 6789)).toBe(false);
  });
});

describe("Hetzner firewalls (public side)", () => {
  test("the bastion firewall allows SSH and ping only from the admin CIDRs; the private firewall has no inbound rule", () => {
    const firewalls = Object.fromEntries(resources(defaults.platform, "hcloud_firewall").map(([, body]) => [body.name, body]));
    expect(firewalls["aiwc-bastion"].rule).toEqual([
      { description: expect.any(String), direction: "in", port: "22", protocol: "tcp", source_ips: ["198.51.100.0/24"] },
      { description: expect.any(String), direction: "in", protocol: "icmp", source_ips: ["198.51.100.0/24"] },
    ]);
    expect(firewalls["aiwc-bastion"].apply_to).toEqual([{ label_selector: "aiwc/cluster=aiwc,aiwc/role=bastion" }]);
    expect(firewalls["aiwc-private"].rule).toBeUndefined();
    expect(firewalls["aiwc-private"].apply_to).toEqual([{ label_selector: "aiwc/cluster=aiwc,aiwc/role!=bastion" }]);
  });

  test("only the bastion has a public IPv4; every other server is private-only", () => {
    const servers = [...resources(defaults.platform, "hcloud_server"), ...resources(defaults.users, "hcloud_server")];
    expect(servers.length).toBe(10 + 30);
    for (const [, server] of servers) {
      const publicNet = server.public_net[0];
      if (server.labels["aiwc/role"] === "bastion") expect(publicNet).toMatchObject({ ipv4_enabled: true, ipv6_enabled: false });
      else expect(publicNet).toEqual({ ipv4_enabled: false, ipv6_enabled: false });
    }
  });

  test("CI runners run users' code: they take their address in the users subnet, every other platform node in the platform subnet", () => {
    const subnets = resources(defaults.platform, "hcloud_network_subnet") as [string, { ip_range: string }][];
    const subnetOf = (ref: string) => subnets.find(([name]) => ref === `\${hcloud_network_subnet.${name}.id}`)?.[1].ip_range;
    const placed = (resources(defaults.platform, "hcloud_server") as [string, { labels: Record<string, string>; network: { subnet_id: string }[] }][]).map(([, s]) => [s.labels["aiwc/role"], subnetOf(s.network[0]!.subnet_id)]);
    expect(placed.filter(([role]) => role === "ci-runner")).toEqual([["ci-runner", "10.0.16.0/20"]]);
    expect(placed.filter(([role]) => role !== "ci-runner").every(([, subnet]) => subnet === "10.0.1.0/24")).toBe(true);
  });

  test("the NAT route sends private traffic to the bastion's fixed address", () => {
    const [[, route]] = resources(defaults.platform, "hcloud_network_route") as [[string, Record<string, unknown>]];
    expect(route).toMatchObject({ destination: "0.0.0.0/0", gateway: "10.0.1.2" });
    const bastion = resources(defaults.platform, "hcloud_server").find(([, s]) => s.labels["aiwc/role"] === "bastion")![1];
    expect(bastion.network[0].ip).toBe("10.0.1.2");
  });
});

describe("host firewall (nftables from the matrix)", () => {
  test("a user VM drops everything but SSH from the bastion, and cannot reach other users' VMs", () => {
    const rules = nftablesRuleset("user-vm", ZONES);
    expect(rules).toContain("policy drop;");
    expect(rules.match(/dport/g)).toHaveLength(1);
    expect(rules).toContain('ip saddr { 10.0.1.2 } tcp dport 22 accept');
    expect(rules).toContain('ip daddr 10.0.16.0/20 drop');
    expect(rules).not.toContain("10.0.16.0/20 } tcp");
  });

  test("the bastion opens SSH to the admin CIDRs and masquerades the private network", () => {
    const rules = nftablesRuleset("bastion", ZONES);
    expect(rules).toContain("ip saddr { 198.51.100.0/24 } tcp dport 22 accept");
    expect(rules).toContain("ip saddr 10.0.0.0/16 ip daddr != 10.0.0.0/16 masquerade");
  });

  test("service nodes accept HTTPS from the users subnet", () => {
    expect(nftablesRuleset("service", ZONES)).toContain("ip saddr { 10.0.16.0/20 } tcp dport 443 accept");
  });

  test("user data creates the user's account with only the user's key, no password, sudo only when granted", () => {
    const data = parse(cloudInit({ role: "user-vm", zones: ZONES, account: { name: "anna", sshKey: "ssh-ed25519 AAAA anna", sudo: false } }).replace(/^#cloud-config\n/, ""));
    expect(data.ssh_pwauth).toBe(false);
    expect(data.users).toHaveLength(1);
    expect(data.users[0]).toEqual({ name: "anna", shell: "/bin/bash", lock_passwd: true, ssh_authorized_keys: ["ssh-ed25519 AAAA anna"] });
    const sudo = parse(cloudInit({ role: "user-vm", zones: ZONES, account: { name: "anna", sshKey: "ssh-ed25519 AAAA anna", sudo: true } }).replace(/^#cloud-config\n/, ""));
    expect(sudo.users[0].sudo).toBe("ALL=(ALL) NOPASSWD:ALL");
  });

  test("user data does not depend on node counts (scaling never replaces other nodes)", async () => {
    const scaled = await synthesize(fixtureConfig({ cluster: beyondBudget((d) => d.setIn(["nodeGroups", "service-nodes", "count"], 5)) }));
    const userData = (s: Synthesized) => new Set(resources(s.platform, "hcloud_server").map(([, b]) => b.user_data));
    expect(userData(scaled)).toEqual(userData(defaults));
  });
});

describe("placement groups", () => {
  test("a group of up to 10 servers shares one spread group", () => {
    const groups = resources(defaults.platform, "hcloud_placement_group").map(([, b]) => b.name).sort();
    expect(groups).toEqual(["aiwc-bastion-spread-1", "aiwc-ceph-storage-spread-1", "aiwc-ci-runners-spread-1", "aiwc-controllers-spread-1", "aiwc-service-nodes-spread-1"]);
  });

  test("11 servers split into spread groups of 10 and 1, filled in order", async () => {
    const s = await synthesize(fixtureConfig({ cluster: beyondBudget((d) => d.setIn(["nodeGroups", "service-nodes", "count"], 11)) }));
    const groups = resources(s.platform, "hcloud_placement_group").filter(([, b]) => b.name.startsWith("aiwc-service-nodes"));
    expect(groups.map(([, b]) => b)).toEqual([
      expect.objectContaining({ name: "aiwc-service-nodes-spread-1", type: "spread" }),
      expect.objectContaining({ name: "aiwc-service-nodes-spread-2", type: "spread" }),
    ]);
    const [first, second] = groups.map(([id]) => `\${hcloud_placement_group.${id}.id}`);
    const servers = resources(s.platform, "hcloud_server").filter(([, b]) => b.labels["aiwc/group"] === "service-nodes").map(([, b]) => b);
    const byName = Object.fromEntries(servers.map((b) => [b.name, b.placement_group_id]));
    expect(Object.values(byName).filter((id) => id === first)).toHaveLength(10);
    expect(byName["aiwc-service-nodes-11"]).toBe(second);
  });

  test("25 servers need three spread groups", async () => {
    const s = await synthesize(fixtureConfig({ cluster: beyondBudget((d) => d.setIn(["nodeGroups", "service-nodes", "count"], 25)) }));
    expect(resources(s.platform, "hcloud_placement_group").filter(([, b]) => b.name.startsWith("aiwc-service-nodes"))).toHaveLength(3);
  });
});

describe("stored data is protected", () => {
  test("each Ceph node gets a raw data volume with delete protection and prevent_destroy, attached to it", () => {
    const volumes = resources(defaults.platform, "hcloud_volume");
    expect(volumes).toHaveLength(3);
    for (const [, volume] of volumes) {
      expect(volume).toMatchObject({ size: 400, location: "fsn1", delete_protection: true, automount: false, lifecycle: { prevent_destroy: true } });
      expect(volume).not.toHaveProperty("format");
    }
    const attachments = resources(defaults.platform, "hcloud_volume_attachment");
    expect(attachments.map(([, a]) => a.volume_id).sort()).toEqual(volumes.map(([id]) => `\${hcloud_volume.${id}.id}`).sort());
  });

  test("a Storage+ user gets a protected 20 GB volume on their VM; others get none", () => {
    const volumes = resources(defaults.users, "hcloud_volume").map(([, v]) => v);
    const storagePlusUsers = ["dana", "felix", "tina", "vera"];
    expect(volumes.map((v) => v.name).sort()).toEqual(storagePlusUsers.map((u) => `aiwc-u-${u}-storage`));
    for (const volume of volumes) expect(volume).toMatchObject({ size: 20, delete_protection: true, lifecycle: { prevent_destroy: true } });
  });
});

describe("dedicated GPU hosts", () => {
  test("are declared as terraform_data with product, price key, vSwitch address and labels", () => {
    const hosts = resources(defaults.platform, "terraform_data").map(([, b]) => b.input).filter((i) => i.aiwc_kind === "dedicated_server");
    expect(hosts).toEqual([
      {
        aiwc_kind: "dedicated_server",
        provider: "hetzner",
        name: "aiwc-gpu-workers-01",
        group: "gpu-workers",
        role: "gpu-worker",
        product: "GEX44-1",
        price_key: "hetzner.dedicated.GEX44-1",
        private_ip: "10.0.2.170",
        vswitch_id: 71234,
        labels: { "aiwc/cluster": "aiwc", "aiwc/group": "gpu-workers", "aiwc/role": "gpu-worker", "aiwc/product": "GEX44-1" },
      },
    ]);
  });

  test("join through a vSwitch subnet of the private network", () => {
    const subnets = resources(defaults.platform, "hcloud_network_subnet").map(([, b]) => b);
    expect(subnets).toContainEqual(expect.objectContaining({ type: "vswitch", ip_range: "10.0.2.0/24", vswitch_id: 71234, network_zone: "eu-central" }));
  });

  test("take the addresses given in the config", async () => {
    const s = await synthesize(
      fixtureConfig({ cluster: (d) => d.setIn(["nodeGroups", "gpu-workers", "dedicated", "hosts"], [{ name: "gex-a", address: "10.0.2.50", serverNumber: 2345678 }]) }),
    );
    const [[, host]] = resources(s.platform, "terraform_data") as [[string, Record<string, any>]];
    expect(host.input).toMatchObject({ name: "gex-a", private_ip: "10.0.2.50", server_number: 2345678 });
  });
});

describe("user VMs", () => {
  test("are sized by the tariff (smallest orderable type with 2 GB RAM) unless overridden, and labelled", async () => {
    const vms = Object.fromEntries(resources(defaults.users, "hcloud_server").map(([, b]) => [b.name, b]));
    expect(vms["aiwc-u-anna"]).toMatchObject({ server_type: "cpx12", labels: { "aiwc/user": "anna", "aiwc/tariff": "basic", "aiwc/packs": "" } });
    expect(vms["aiwc-u-vera"].labels["aiwc/packs"]).toBe("devops_pro_storage-plus_team");
    const s = await synthesize(fixtureConfig({ users: (d) => d.setIn(["users", 0, "serverType"], "cpx22") }));
    expect(resources(s.users, "hcloud_server").find(([, b]) => b.name === "aiwc-u-anna")![1].server_type).toBe("cpx22");
  });

  test("live in the users subnet, read once from the platform's state", () => {
    for (const [, vm] of resources(defaults.users, "hcloud_server")) {
      expect(vm.network[0]).toEqual({ network_id: "${local.platform_network_id}", subnet_id: "${local.platform_users_subnet_id}" });
    }
    expect(defaults.users.locals.platform_users_subnet_id).toMatch(
      /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-platform\.outputs\.cross-stack-output-hcloud_network_subnetNetwork_UsersSubnet_[0-9A-F]+id\}$/,
    );
  });
});
