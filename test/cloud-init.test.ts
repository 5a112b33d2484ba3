/**
 * The user data aiwc writes is checked with the real tools: every role's nftables ruleset with
 * `nft -c` (check only, nothing is applied), the egress script with `sh -n`, the document
 * as YAML with the modules cloud-init runs.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { cloudInit, isPlainAccount, nftablesRuleset, renderAccount, renderAccountWithYaml } from "../model/cloud-init";
import { FIREWALL_MATRIX, type Target } from "../config/firewall-matrix";
import { tempDir, ZONES } from "./helpers";

const ROLES = Object.keys(FIREWALL_MATRIX) as Target[];

function nftCheck(ruleset: string): { code: number | null; output: string } {
  const file = join(tempDir(), "rules.nft");
  writeFileSync(file, ruleset);
  const result = spawnSync("nft", ["-c", "-f", file], { encoding: "utf8" });
  if (result.error !== undefined) {
    throw new Error(`nft is needed for this test: apt-get install nftables (.ci/run installs it): ${result.error.message}`);
  }
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("nftables rulesets", () => {
  test.each(ROLES)("the %s ruleset passes nft -c", (role) => {
    const { code, output } = nftCheck(nftablesRuleset(role, ZONES));
    expect(output).toBe("");
    expect(code).toBe(0);
  });

  test("nft -c rejects a broken ruleset (the check can fail)", () => {
    const broken = nftablesRuleset("service", ZONES).replace("tcp dport 443 accept", "tcp dport 443 acept");
    expect(nftCheck(broken).code).not.toBe(0);
  });

  test("a CI runner's jobs, on the host or in containers, never send to the users subnet (but loopback stays)", () => {
    const rules = nftablesRuleset("ci-runner", ZONES);
    for (const hook of ["output", "forward"]) {
      const chain = new RegExp(`chain ${hook} \\{[^}]*\\}`).exec(rules)?.[0] ?? "";
      expect(chain, hook).toContain(`type filter hook ${hook} priority 0; policy accept;`);
      expect(chain, hook).toMatch(new RegExp(`ip daddr ${ZONES.users.text.replace(/\./g, "\\.").replace("/", "\\/")} drop`));
    }
    expect(rules).toMatch(/oif lo accept\n\s+ip daddr 10\.0\.16\.0\/20 drop/);
    // Only the bastion's SSH comes in.
    expect(rules.match(/dport \S+ accept/g)).toEqual(["dport 22 accept"]);
  });

  test("without a vSwitch the rules for it are left out, not rendered empty", () => {
    const { vswitch: _vswitch, ...withoutVswitch } = ZONES;
    const rules = nftablesRuleset("ceph", withoutVswitch);
    expect(rules).not.toContain("10.0.2.0/24");
    expect(nftCheck(rules).code).toBe(0);
  });
});

describe("cloud-config documents", () => {
  test.each(ROLES)("the %s document is YAML with the expected modules and a valid egress script", (role) => {
    const account = role === "user-vm" ? { name: "anna", sshKey: "ssh-ed25519 AAAA anna", sudo: false } : undefined;
    const text = cloudInit({ role, zones: ZONES, ...(account !== undefined ? { account } : {}) });
    expect(text.startsWith("#cloud-config\n")).toBe(true);
    const doc = parse(text);
    expect(doc).toMatchObject({ disable_root: false, ssh_pwauth: false, packages: ["nftables"] });
    expect(doc.write_files.map((f: { path: string }) => f.path)).toContain("/etc/nftables.conf");
    if (role === "bastion") {
      expect(doc.bootcmd).toBeUndefined();
      expect(doc.write_files.map((f: { path: string }) => f.path)).toContain("/etc/sysctl.d/90-aiwc-nat.conf");
    } else {
      const [[shell, flag, script]] = doc.bootcmd as [[string, string, string]];
      expect([shell, flag]).toEqual(["sh", "-c"]);
      expect(script).toContain("ip route replace default via 10.0.0.1");
      const syntax = spawnSync("sh", ["-n", "-c", script], { encoding: "utf8" });
      expect(syntax.stderr).toBe("");
      expect(syntax.status).toBe(0);
    }
    expect(doc.users === undefined).toBe(role !== "user-vm");
  });
});

describe("the user's account part", () => {
  // The direct rendering must give exactly the YAML library's bytes (a changed byte in user data
  // would show every user VM as changed), and hand anything unusual to the library.
  const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
  const names = ["anna", "ben-2", "u", "null", "true", "false", "yes", "no", "on", "off", "y", "n", "nan", "inf", "e1", "x-", "Anna", "1abc", "a_b", "ann.a"];
  const keys = [
    KEY,
    `${KEY} anna@laptop`,
    `${KEY} anna+work@host-1.example`,
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7== ops",
    "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY= x",
    "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29t y",
    `${KEY} anna: #1`,
    `${KEY} 'quoted'`,
    `${KEY} "double"`,
    `${KEY} a b c`,
    `${KEY} trailing `,
    `${KEY} *star`,
    `${KEY} &anchor`,
    `${KEY} ünïcode`,
  ];
  test("is the YAML library's rendering for every name, key and sudo", () => {
    for (const name of names) {
      for (const sshKey of keys) {
        for (const sudo of [false, true]) {
          const account = { name, sshKey, sudo };
          const text = renderAccount(account);
          expect(text, JSON.stringify(account)).toBe(renderAccountWithYaml(account));
          expect(parse(text)).toEqual({ users: [{ name, shell: "/bin/bash", lock_passwd: true, ssh_authorized_keys: [sshKey], ...(sudo ? { sudo: "ALL=(ALL) NOPASSWD:ALL" } : {}) }] });
        }
      }
    }
    // The common shapes take the direct way; the unusual ones the library's.
    for (const sshKey of keys.slice(0, 6)) expect(isPlainAccount({ name: "anna", sshKey, sudo: false }), sshKey).toBe(true);
    for (const sshKey of keys.slice(6)) expect(isPlainAccount({ name: "anna", sshKey, sudo: false }), sshKey).toBe(false);
    for (const name of ["null", "true", "yes", "Anna", "1abc", "a_b"]) expect(isPlainAccount({ name, sshKey: KEY, sudo: false }), name).toBe(false);
  });
});
