/**
 * The host firewalls proven with packets. GIVEN the nftables rulesets synthesized for the
 * default config's bastion, a service node, a Ceph node, a GPU worker (a dedicated server: the
 * ruleset `aiwc inventory` hands Ansible), a CI runner and two users' VMs, each loaded into
 * its own network namespace wired like the private network (one segment, 10.0.0.0/16) plus an
 * "internet" namespace in front of the bastion's public address, and every port of interest
 * listening everywhere, WHEN real TCP connections are tried, THEN exactly the firewall
 * matrix's paths open: SSH to the bastion only from an admin CIDR, nothing else from the
 * internet, users never reach each other, users reach the services' 443 and the GPU workers'
 * metering gateway (never Ollama itself) and nothing on Ceph, CI runners reach what users reach
 * and nothing reaches them but the bastion, and the bastion reaches every node's 22.
 *
 * Needs root, iproute2 and nftables (.ci/run installs them). Only addresses inside the
 * namespaces this test creates are ever contacted.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { loadConfig } from "../../model/load";
import { stackJson } from "../../stacks/app";
import { nftablesRuleset } from "../../model/cloud-init";
import { inventory } from "../../cli/commands/inventory";
import { buildTopology, networkZones } from "../../model/topology";
import { DEFAULT_CONFIG, ROOT, tempDir } from "../helpers";

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"] }).toString();

const PORTS = [22, 80, 443, 2222, 2379, 3300, 6443, 6789, 6800, 7300, 8080, 11434, 11435];
const tag = `${process.pid % 10000}`;
const ns = (name: string) => `aiwcfw${name}${tag}`;

interface Node {
  readonly name: string;
  readonly address: string;
  /** The ruleset: from the synthesized server's user data, or (dedicated hosts) the inventory's. */
  readonly ruleset: (users: Record<string, any>, platform: Record<string, any>) => string;
}

/** The ruleset exactly as synthesized into a server's user data. */
const fromUserData = (server: Record<string, any>): string =>
  (parse(server.user_data as string) as { write_files: { path: string; content: string }[] }).write_files.find((f) => f.path === "/etc/nftables.conf")!.content;

const byName = (stack: Record<string, any>, name: string) => Object.values(stack.resource.hcloud_server as Record<string, Record<string, any>>).find((s) => s.name === name)!;

const config = loadConfig(DEFAULT_CONFIG);
const NODES: readonly Node[] = [
  { name: "bastion", address: "10.0.1.2", ruleset: (_u, p) => fromUserData(byName(p, "aiwc-bastion-01")) },
  { name: "service", address: "10.0.1.10", ruleset: (_u, p) => fromUserData(byName(p, "aiwc-service-nodes-01")) },
  { name: "ceph", address: "10.0.1.20", ruleset: (_u, p) => fromUserData(byName(p, "aiwc-ceph-storage-01")) },
  { name: "anna", address: "10.0.16.5", ruleset: (u) => fromUserData(byName(u, "aiwc-u-anna")) },
  { name: "ben", address: "10.0.16.6", ruleset: (u) => fromUserData(byName(u, "aiwc-u-ben")) },
  // A CI runner runs users' jobs: it lives in the users subnet (the platform stack puts it there).
  { name: "runner", address: "10.0.16.50", ruleset: (_u, p) => fromUserData(byName(p, "aiwc-ci-runners-01")) },
  // The default config's GPU workers are dedicated servers: their ruleset is the one
  // `aiwc inventory` hands the common role.
  { name: "gpu", address: "10.0.2.10", ruleset: () => nftablesRuleset("gpu-worker", networkZones(buildTopology(config)), "reload") },
];
const ADMIN = "198.51.100.10";
const STRANGER = "192.0.2.10";
const PUBLIC = "203.0.113.1";

// A listener must outlive every probe: the probe resets each connection as soon as it is
// established, so a socket error is expected and must not take the process (and every other
// port of the node) down; a port that cannot be bound ends the process loudly instead.
const LISTEN = `
const net = require("node:net");
for (const port of process.argv.slice(2).map(Number)) {
  net.createServer((s) => { s.on("error", () => {}); s.end("ok"); })
    .on("error", (e) => { console.error(port, e.message); process.exit(3); })
    .listen(port, "0.0.0.0");
}
`;
// Each check ends "open" (connected), "dropped" (no answer: the firewalls' policy) or the
// error's code. The timeout is long enough that a connection on a busy machine is never
// mistaken for a drop (the checks run in parallel, so it is paid once per probe).
const PROBE = `
const net = require("node:net");
const checks = JSON.parse(process.argv[2]);
Promise.all(checks.map((c) => new Promise((resolve) => {
  const socket = net.connect({ host: c.host, port: c.port, ...(c.from ? { localAddress: c.from } : {}) });
  const done = (outcome) => { socket.destroy(); resolve({ ...c, outcome }); };
  socket.setTimeout(2500, () => done("dropped"));
  socket.on("connect", () => done("open"));
  socket.on("error", (e) => done(e.code ?? e.message));
}))).then((r) => process.stdout.write(JSON.stringify(r)));
`;

/** Waits until every port of PORTS listens in the namespace (at most 30 s). */
async function listening(namespace: string): Promise<void> {
  const until = Date.now() + 30_000;
  for (;;) {
    const out = run("ip", ["netns", "exec", namespace, "ss", "-ltnH"]);
    if (PORTS.every((p) => out.includes(`:${p} `))) return;
    if (Date.now() > until) throw new Error(`listeners in ${namespace} did not come up: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let dir: string;
const listeners: ChildProcess[] = [];

function cleanup(): void {
  for (const l of listeners.splice(0)) l.kill("SIGTERM");
  for (const name of ["sw", "net", ...NODES.map((n) => n.name)]) {
    try {
      run("ip", ["netns", "del", ns(name)]);
    } catch {
      // not created
    }
  }
}

beforeAll(async () => {
  dir = tempDir("aiwc-fw-");
  writeFileSync(join(dir, "listen.cjs"), LISTEN);
  writeFileSync(join(dir, "probe.cjs"), PROBE);
  const stacks = stackJson(config, { outdir: join(dir, "out") }) as Record<string, Record<string, any>>;
  try {
    run("ip", ["netns", "add", ns("sw")]);
    run("ip", ["-n", ns("sw"), "link", "add", "br0", "type", "bridge"]);
    run("ip", ["-n", ns("sw"), "link", "set", "br0", "up"]);
    NODES.forEach((node, i) => {
      const n = ns(node.name);
      run("ip", ["netns", "add", n]);
      run("ip", ["-n", n, "link", "set", "lo", "up"]);
      run("ip", ["-n", n, "link", "add", "priv0", "type", "veth", "peer", "name", `p${i}`, "netns", ns("sw")]);
      run("ip", ["-n", ns("sw"), "link", "set", `p${i}`, "master", "br0", "up"]);
      run("ip", ["-n", n, "addr", "add", `${node.address}/16`, "dev", "priv0"]);
      run("ip", ["-n", n, "link", "set", "priv0", "up"]);
      const ruleset = node.ruleset(stacks["users-00"]!, stacks.platform!);
      writeFileSync(join(dir, `${node.name}.nft`), ruleset);
      run("ip", ["netns", "exec", n, "nft", "-f", join(dir, `${node.name}.nft`)]);
      listeners.push(spawn("ip", ["netns", "exec", n, process.execPath, join(dir, "listen.cjs"), ...PORTS.map(String)], { stdio: "ignore" }));
    });
    // The internet in front of the bastion's public address: an admin and a stranger.
    run("ip", ["netns", "add", ns("net")]);
    run("ip", ["-n", ns("net"), "link", "set", "lo", "up"]);
    run("ip", ["-n", ns("net"), "link", "add", "wan0", "type", "veth", "peer", "name", "pub0", "netns", ns("bastion")]);
    run("ip", ["-n", ns("net"), "addr", "add", "203.0.113.2/24", "dev", "wan0"]);
    for (const a of [ADMIN, STRANGER]) run("ip", ["-n", ns("net"), "addr", "add", `${a}/32`, "dev", "wan0"]);
    run("ip", ["-n", ns("net"), "link", "set", "wan0", "up"]);
    run("ip", ["-n", ns("net"), "route", "add", "10.0.0.0/16", "via", PUBLIC]);
    run("ip", ["-n", ns("bastion"), "addr", "add", `${PUBLIC}/24`, "dev", "pub0"]);
    run("ip", ["-n", ns("bastion"), "link", "set", "pub0", "up"]);
    run("ip", ["-n", ns("bastion"), "route", "add", "default", "via", "203.0.113.2"]);
    run("ip", ["netns", "exec", ns("bastion"), "sysctl", "-qw", "net.ipv4.ip_forward=1"]);
    // Private nodes route the internet through the bastion (the Hetzner network route).
    for (const node of NODES.filter((n) => n.name !== "bastion")) run("ip", ["-n", ns(node.name), "route", "add", "default", "via", "10.0.1.2"]);
    // Every listener up before any probe: a port not yet bound would be refused.
    for (const node of NODES) await listening(ns(node.name));
  } catch (error) {
    cleanup();
    throw error;
  }
}, 120_000);

afterAll(cleanup);

interface Probe {
  readonly host: string;
  readonly port: number;
  readonly from?: string;
}

/**
 * Tries the checks from `source` in parallel. The rulesets drop what they do not allow and
 * every port listens on every node, so a check can only connect or be dropped: anything else
 * (a refusal, an unreachable host) means the test's own network is broken, and fails loudly
 * rather than passing for "closed".
 */
function probe(source: string, checks: readonly Probe[]): Map<string, boolean> {
  const out = JSON.parse(run("ip", ["netns", "exec", ns(source), process.execPath, join(dir, "probe.cjs"), JSON.stringify(checks)])) as (Probe & { outcome: string })[];
  const key = (r: Probe) => `${r.from ?? source}→${r.host}:${r.port}`;
  const broken = out.filter((r) => r.outcome !== "open" && r.outcome !== "dropped").map((r) => `${key(r)}: ${r.outcome}`);
  const dead = NODES.flatMap((n, i) => (listeners[i]!.exitCode === null ? [] : [`${n.name}'s listener exited (${listeners[i]!.exitCode})`]));
  if (broken.length > 0 || dead.length > 0) throw new Error(`the test network is broken, not the firewall: ${[...dead, ...broken].join("; ")}`);
  return new Map(out.map((r) => [key(r), r.outcome === "open"]));
}

const all = (host: string, from?: string): Probe[] => PORTS.map((port) => ({ host, port, ...(from !== undefined ? { from } : {}) }));
const open = (results: Map<string, boolean>) => [...results.entries()].filter(([, o]) => o).map(([k]) => k).sort();

const address = (name: string) => NODES.find((n) => n.name === name)!.address;

describe("host firewalls, with packets", () => {
  test("SSH to the bastion only from an admin CIDR; nothing else from the internet, also not through the bastion", () => {
    const results = probe("net", [...all(PUBLIC, ADMIN), ...all(PUBLIC, STRANGER), ...all(address("service"), ADMIN), ...all(address("anna"), ADMIN), ...all(address("ceph"), STRANGER)]);
    expect(open(results)).toEqual([`${ADMIN}→${PUBLIC}:22`]);
  });

  test("users' VMs never reach each other, on any port tried", () => {
    expect(open(probe("anna", all(address("ben"))))).toEqual([]);
    expect(open(probe("ben", all(address("anna"))))).toEqual([]);
  });

  test("a user's VM reaches its own services on its private address (the users-subnet drop is for other VMs)", () => {
    // A user's app that listens on the VM's private address and calls itself there: the
    // packet leaves through loopback with a users-subnet destination.
    expect(open(probe("anna", all(address("anna"))))).toEqual(all(address("anna")).map((p) => `anna→${p.host}:${p.port}`).sort());
    expect(open(probe("runner", all(address("runner"))))).toEqual(all(address("runner")).map((p) => `runner→${p.host}:${p.port}`).sort());
  });

  test("users reach the services' 443, GitLab's git SSH and the GPU workers' metering gateway, nothing on Ceph, the bastion, Ollama itself or other ports", () => {
    const results = probe("anna", [...all(address("service")), ...all(address("ceph")), ...all(address("bastion")), ...all(address("gpu"))]);
    expect(open(results)).toEqual([`anna→${address("service")}:2222`, `anna→${address("service")}:443`, `anna→${address("gpu")}:11435`]);
  });

  test("a CI runner reaches GitLab (443, git's 2222) and what users' VMs reach, never Ceph, the bastion, users' VMs or Ollama itself", () => {
    const results = probe("runner", [...all(address("service")), ...all(address("ceph")), ...all(address("bastion")), ...all(address("gpu")), ...all(address("anna"))]);
    expect(open(results)).toEqual([`runner→${address("service")}:2222`, `runner→${address("service")}:443`, `runner→${address("gpu")}:11435`]);
  });

  test("nothing reaches a CI runner but the bastion's SSH: not users' VMs, not the platform", () => {
    const fromUsers = probe("anna", all(address("runner")));
    const fromPlatform = probe("service", all(address("runner")));
    const fromCeph = probe("ceph", all(address("runner")));
    expect([...open(fromUsers), ...open(fromPlatform), ...open(fromCeph)]).toEqual([]);
    expect(open(probe("bastion", all(address("runner"))))).toEqual([`bastion→${address("runner")}:22`]);
  });

  test("the service nodes reach the GPU workers' metering gateway, not Ollama's own port", () => {
    expect(open(probe("service", all(address("gpu"))))).toEqual([`service→${address("gpu")}:11435`]);
  });

  test("the bastion reaches every node's SSH", () => {
    const results = probe("bastion", ["service", "ceph", "anna", "ben", "gpu", "runner"].map((n) => ({ host: address(n), port: 22 })));
    expect([...results.values()]).toEqual([true, true, true, true, true, true]);
  });

  test("the platform reaches Ceph's monitor and OSD ports and the services, not the users' VMs", () => {
    const results = probe("service", [...all(address("ceph")), ...all(address("anna"))]);
    expect(open(results)).toEqual([3300, 6789, 6800, 7300].map((p) => `service→${address("ceph")}:${p}`).sort());
  });
});

/**
 * GIVEN a node whose Docker has its own tables (NAT for its containers), WHEN the common role
 * installs the inventory's ruleset and its handler loads it — once, then again after a change —
 * THEN aiwc's tables hold the new rules once each and Docker's tables are still there. The
 * boot ruleset (user data) flushes everything, which is right at first boot only.
 */
describe("reloading a node's firewall, as the common role's handler does", () => {
  const DOCKER = `table ip nat {
  chain POSTROUTING {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr 172.17.0.0/16 oifname != "docker0" masquerade
  }
}
table ip filter {
  chain DOCKER-USER {
    return
  }
}
`;
  const reloadNs = ns("reload");
  const nft = (...args: string[]) => run("ip", ["netns", "exec", reloadNs, "nft", ...args]);
  const load = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    nft("-f", join(dir, name));
  };
  /** The ruleset `aiwc inventory` hands the common role for an inventory group. */
  const handed = (group: string): string => {
    const { stdout } = inventory({ outputs: [join(ROOT, "test", "fixtures", "outputs", "hetzner.cdktf-outputs.json")] });
    return String((parse(stdout) as { all: { children: Record<string, { vars: Record<string, unknown> }> } }).all.children[group]!.vars.aiwc_firewall_ruleset);
  };

  beforeAll(() => run("ip", ["netns", "add", reloadNs]));
  afterAll(() => run("ip", ["netns", "del", reloadNs]));

  test("the inventory's ruleset replaces aiwc's tables and leaves Docker's NAT in place", () => {
    const ruleset = handed("service_nodes");
    expect(ruleset).not.toMatch(/^flush ruleset$/m);
    nft("flush", "ruleset");
    load("docker.nft", DOCKER);
    load("aiwc-1.nft", ruleset);
    // A change to the matrix, loaded over the running rules: a port opened for the bastion.
    load("aiwc-2.nft", ruleset.replace("  chain input {\n", "  chain input {\n    ip saddr 10.0.1.2 tcp dport 9999 accept\n"));
    expect(nft("list", "tables").trim().split("\n").sort()).toEqual(["table inet aiwc", "table ip filter", "table ip nat"]);
    expect(nft("list", "table", "ip", "nat")).toContain("masquerade");
    const aiwc = nft("list", "table", "inet", "aiwc");
    expect(aiwc.match(/tcp dport 9999 accept/g)).toHaveLength(1);
    expect(aiwc.match(/policy drop/g)).toHaveLength(1);
    expect(aiwc.match(/iif "lo" accept/g)).toHaveLength(1);
  });

  test("the bastion's, with its NAT table too, loaded twice: each of aiwc's tables once, Docker's kept", () => {
    nft("flush", "ruleset");
    load("docker.nft", DOCKER);
    load("bastion-1.nft", handed("bastion"));
    load("bastion-2.nft", handed("bastion"));
    expect(nft("list", "tables").trim().split("\n").sort()).toEqual(["table inet aiwc", "table ip aiwc_nat", "table ip filter", "table ip nat"]);
    expect(nft("list", "table", "ip", "aiwc_nat").match(/masquerade/g)).toHaveLength(1);
    expect(nft("list", "table", "inet", "aiwc").match(/NAT egress for private nodes/g)).toHaveLength(1);
  });

  test("the boot ruleset (user data) starts from an empty ruleset", () => {
    load("docker.nft", DOCKER);
    load("boot.nft", nftablesRuleset("service", networkZones(buildTopology(config))));
    expect(nft("list", "tables").trim().split("\n")).toEqual(["table inet aiwc"]);
  });
});
