/** `aiwc inventory`: golden inventories from stack outputs shaped like the real commands' JSON. */
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { placeServices } from "../ansible/inventory";
import { inventory } from "../cli/commands/inventory";
import { fixtureConfig, ROOT, tempDir } from "./helpers";

const OUT = join(ROOT, "test", "fixtures", "outputs");

describe("aiwc inventory", () => {
  test("Hetzner, from `cdktf output --outputs-file`: groups, ProxyJump, dedicated GPU host, user vars", async () => {
    const { stdout } = inventory({ outputs: [join(OUT, "hetzner.cdktf-outputs.json")] });
    await expect(`${stdout}\n`).toMatchFileSnapshot("golden/inventory/hetzner.yml");
    const inv = parse(stdout).all;
    expect(Object.keys(inv.children)).toEqual(["bastion", "ceph", "ci_runners", "controllers", "gpu_workers", "service_nodes", "user_vms"]);
    // CI runners run users' code: the same isolation as users' VMs, SSH from the bastion only.
    expect(inv.children.ci_runners.hosts["aiwc-ci-runners-01"]).toMatchObject({ ansible_host: "10.0.16.200" });
    expect(inv.children.ci_runners.vars.aiwc_firewall_ruleset).toContain("ip daddr 10.0.16.0/20 drop");
    // GitLab's accounts for every user, its groups for the packs that sell them (vera has both).
    const gitlab = inv.children.service_nodes.vars;
    expect(gitlab.services_gitlab_accounts).toHaveLength(30);
    expect(gitlab.services_gitlab_accounts.find((a: { username: string }) => a.username === "vera")).toMatchObject({ name: "vera", ssh_key: expect.stringMatching(/^ssh-ed25519 AAAA.* vera@example\.org$/), ssh_key_title: expect.stringMatching(/^aiwc [0-9a-f]{16}$/) });
    expect(gitlab.services_gitlab_team_members).toContain("vera");
    expect(gitlab.services_gitlab_ci_members).toContain("vera");
    expect(gitlab.services_gitlab_team_members).not.toContain("anna");
    expect(gitlab.services_gitlab_ci_members).not.toContain("anna");
    expect(inv.children.gpu_workers.hosts["aiwc-gpu-workers-01"]).toMatchObject({ ansible_host: "10.0.2.10", aiwc_provider: "hetzner-robot", aiwc_price_key: "hetzner.dedicated.GEX44-1", ansible_user: "root" });
    expect(inv.children.user_vms.vars.ansible_ssh_common_args).toBe("-o ProxyJump=root@203.0.113.10 -o StrictHostKeyChecking=yes");
    expect(inv.children.user_vms.hosts["aiwc-u-vera"]).toMatchObject({ aiwc_user: "vera", aiwc_tariff: "basic", aiwc_packs: ["devops", "pro", "storage-plus", "team"], user_vm_sudo: false, user_vm_ssh_key: expect.stringMatching(/^ssh-ed25519 AAAA.* vera@example\.org$/) });
    expect(inv.children.bastion.vars.ansible_ssh_common_args).toBeUndefined();
    expect(inv.children.bastion.vars.aiwc_firewall_ruleset).toContain("tcp dport 22 accept");
    expect(inv.children.user_vms.vars.aiwc_firewall_ruleset).toContain("ip daddr 10.0.16.0/20 drop");
    // What the roles need from the config: placement, models, replication, backups, quotas.
    expect(Object.keys(inv.vars.aiwc_service_placement)).toEqual(["open-webui", "searxng", "qdrant", "langfuse", "n8n", "flowise", "supabase", "gitlab"]);
    expect(new Set(Object.values(inv.vars.aiwc_service_placement))).toEqual(new Set(["aiwc-service-nodes-01", "aiwc-service-nodes-02"]));
    expect(inv.children.gpu_workers.vars.gpu_worker_ollama_models).toEqual(["llama3.1:8b", "qwen2.5:7b"]);
    expect(inv.children.ceph.vars.ceph_pool_size).toBe(3);
    expect(inv.children.bastion.vars).toMatchObject({ bastion_nat_enabled: true, bastion_backup_bucket: "aiwc-config-backups", bastion_backup_endpoint: "https://fsn1.your-objectstorage.com" });
    expect(inv.children.user_vms.hosts["aiwc-u-vera"].user_vm_storage_quota_gb).toBe(10);
  });

  test("services: only what the config enables; removing one moves no other", () => {
    const outputs = [join(OUT, "hetzner.cdktf-outputs.json")];
    const before = parse(inventory({ outputs }).stdout).all.vars.aiwc_service_placement;
    const config = fixtureConfig({
      cluster: (d) => d.setIn(["software", "services"], ["open-webui", "searxng", "qdrant", "langfuse", "flowise", "supabase", "gitlab"]),
      tariffs: (d) => {
        d.setIn(["packs", "devops", "includes"], ["gitlab-ci", "langfuse"]);
        // Nothing grants n8n any more: its meter names no feature.
        d.deleteIn(["payg", "n8n_runs", "feature"]);
      },
    });
    const after = parse(inventory({ config, outputs }).stdout).all.vars.aiwc_service_placement;
    const { n8n, ...rest } = before;
    expect(n8n).toBeDefined();
    expect(after).toEqual(rest);
  });

  test("placement: every service on exactly one node; a new node takes services only onto itself", () => {
    const services = ["open-webui", "searxng", "qdrant", "langfuse", "n8n", "flowise", "supabase"];
    const two = placeServices(services, ["s-02", "s-01"]);
    expect(placeServices(services, ["s-01", "s-02"])).toEqual(two);
    const three = placeServices(services, ["s-01", "s-02", "s-03"]);
    for (const service of services) expect([two[service], "s-03"]).toContain(three[service]);
    expect(placeServices(services, [])).toEqual({});
    // SearXNG follows Open WebUI (web search by container name), whatever the nodes.
    for (const nodes of [["a"], ["a", "b"], ["a", "b", "c"], ["x-1", "x-2", "x-3", "x-4", "x-5"]]) {
      const placed = placeServices(services, nodes);
      expect(placed.searxng).toBe(placed["open-webui"]);
    }
    expect(placeServices(["searxng"], ["a", "b", "c", "d"]).searxng).toBeDefined();
  });

  test("AWS: the bastion is no NAT behind a NAT gateway and backs up to the stack's bucket with its instance role", () => {
    const files = [join(OUT, "aws-platform.terraform-output.json"), join(OUT, "aws-users.terraform-output.json")];
    const inv = parse(inventory({ config: join(ROOT, "config", "examples", "aws-seed"), outputs: files }).stdout).all;
    expect(inv.children.bastion.vars).toMatchObject({ bastion_nat_enabled: false, bastion_backup_bucket: "seed-aiwc-backups", bastion_backup_endpoint: "https://s3.eu-central-1.amazonaws.com", bastion_backup_env_auth: true });
  });

  test("AWS, from `terraform output -json` of both stacks: the same output twice gives the same bytes", async () => {
    const files = [join(OUT, "aws-platform.terraform-output.json"), join(OUT, "aws-users.terraform-output.json")];
    const config = join(ROOT, "config", "examples", "aws-seed");
    const first = inventory({ config, outputs: files }).stdout;
    expect(inventory({ config, outputs: [...files].reverse() }).stdout).toBe(first);
    await expect(`${first}\n`).toMatchFileSnapshot("golden/inventory/aws-seed.yml");
    expect(parse(first).all.vars).toMatchObject({ aiwc_provider: "aws", ansible_user: "ubuntu", ansible_become: true });
  });

  test("OVH: addresses read from the instances' observed interfaces; users' VMs get the isolating firewall", async () => {
    const { stdout } = inventory({ config: join(ROOT, "config", "examples", "ovh"), outputs: [join(OUT, "ovh-after-apply.cdktf-outputs.json")] });
    await expect(`${stdout}\n`).toMatchFileSnapshot("golden/inventory/ovh.yml");
    const inv = parse(stdout).all;
    expect(inv.vars).toMatchObject({ aiwc_provider: "ovh", ansible_user: "ubuntu", ansible_become: true });
    // On OVH the host firewall is the only one: users' VMs drop everything from other users' VMs.
    expect(inv.children.user_vms.vars.aiwc_firewall_ruleset).toContain("ip daddr 10.0.16.0/20 drop");
    expect(inv.children.user_vms.vars.aiwc_firewall_ruleset).not.toMatch(/ip saddr \{ 10\.0\.16\.0\/20 \}/);
  });

  test("writes to --out", () => {
    const file = join(tempDir(), "inventory.yml");
    expect(inventory({ outputs: [join(OUT, "hetzner.cdktf-outputs.json")], out: file }).stdout).toMatch(/^wrote /);
  });

  test("nodes without an address, and files without nodes, are clear errors", () => {
    expect(() => inventory({ config: join(ROOT, "config", "examples", "ovh"), outputs: [join(OUT, "ovh.cdktf-outputs.json")] })).toThrow("node aiwc-ovh-controllers-01: the outputs carry no private IP for it");
    expect(() => inventory({ outputs: [join(ROOT, "package.json")] })).toThrow('package.json: no "nodes" output found; pass the outputs of the platform and users stacks');
    expect(() => inventory({ outputs: ["/nonexistent.json"] })).toThrow("/nonexistent.json: file not found");
  });
});
