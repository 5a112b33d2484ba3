/**
 * Synthesis of the default config: golden files of both stacks, every hcloud resource checked
 * against the provider schema snapshot, no secrets in the output.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { loadShippedSchemas, validateTerraformJson } from "../providers/schema-validator";
import { ROOT, synthesize, stableJson, type Synthesized } from "./helpers";

const SECRET = "hcloud-token-that-must-never-be-synthesized-0123456789abcdef";

let synthesized: Synthesized;
beforeAll(async () => {
  // GIVEN credentials in the environment, as an operator running `cdktf deploy` has them
  process.env.HCLOUD_TOKEN = SECRET;
  try {
    synthesized = await synthesize();
  } finally {
    delete process.env.HCLOUD_TOKEN;
  }
});

describe("default config synthesis", () => {
  test("matches the golden platform stack", async () => {
    await expect(stableJson(synthesized.platform)).toMatchFileSnapshot(join("golden", "default", "platform.json"));
  });

  test("matches the golden users stack", async () => {
    await expect(stableJson(synthesized.users)).toMatchFileSnapshot(join("golden", "default", "users.json"));
  });

  test("every hcloud resource matches the provider schema snapshot", () => {
    const schemas = loadShippedSchemas(ROOT);
    expect(validateTerraformJson(synthesized.platform, schemas)).toEqual([]);
    expect(validateTerraformJson(synthesized.users, schemas)).toEqual([]);
  });

  test("no secret from the environment reaches the JSON, and the provider block has no token", () => {
    for (const stack of [synthesized.platform, synthesized.users]) {
      const text = JSON.stringify(stack);
      expect(text).not.toContain(SECRET);
      expect(stack.provider.hcloud).toEqual([{}]);
    }
  });

  test("both stacks keep separate state and the users stack reads the platform's outputs", () => {
    expect(synthesized.platform.terraform.backend.local.path).toMatch(/platform\.tfstate$/);
    expect(synthesized.users.terraform.backend.local.path).toMatch(/users-00\.tfstate$/);
    const remote = synthesized.users.data.terraform_remote_state["cross-stack-reference-input-platform"];
    expect(remote.config.path).toBe(synthesized.platform.terraform.backend.local.path);
    expect(Object.keys(synthesized.users.resource)).not.toContain("hcloud_network");
  });

  test("the providers are pinned to the snapshot versions", () => {
    expect(synthesized.platform.terraform.required_providers.hcloud).toEqual({
      source: "registry.terraform.io/hetznercloud/hcloud",
      version: "1.68.0",
    });
  });

  test("outputs list every node with its group and private IP", () => {
    const nodes = synthesized.platform.output.nodes.value as Record<string, Record<string, string>>;
    expect(Object.keys(nodes).sort()).toEqual([
      "aiwc-bastion-01",
      "aiwc-ceph-storage-01",
      "aiwc-ceph-storage-02",
      "aiwc-ceph-storage-03",
      "aiwc-ci-runners-01",
      "aiwc-controllers-01",
      "aiwc-controllers-02",
      "aiwc-controllers-03",
      "aiwc-gpu-workers-01",
      "aiwc-service-nodes-01",
      "aiwc-service-nodes-02",
    ]);
    expect(nodes["aiwc-bastion-01"]).toMatchObject({ group: "bastion", private_ip: "10.0.1.2", public_ip: expect.stringContaining("hcloud_primary_ip") });
    expect(nodes["aiwc-gpu-workers-01"]).toMatchObject({ group: "gpu-workers", kind: "dedicated", product: "GEX44-1", private_ip: "10.0.2.170" });
    expect(nodes["aiwc-controllers-01"]!.private_ip).toMatch(/^\$\{tolist\(hcloud_server\.Controllers_Server1_[0-9A-F]+\.network\)\.0\.ip\}$/);
    expect(nodes["aiwc-controllers-01"]).not.toHaveProperty("public_ip");
    const vms = synthesized.users.output.nodes.value as Record<string, Record<string, unknown>>;
    expect(Object.keys(vms)).toHaveLength(30);
    expect(vms["aiwc-u-vera"]).toMatchObject({ user: "vera", tariff: "basic", packs: ["devops", "pro", "storage-plus", "team"] });
  });
});

describe("schema validator", () => {
  const schemas = loadShippedSchemas(ROOT);

  test("reports unknown attributes, missing required ones, wrong types, read-only and unknown types", () => {
    const problems = validateTerraformJson(
      {
        resource: {
          hcloud_server: { s: { name: "x", server_type: ["cpx22"], colour: "red", ipv4_address: "1.2.3.4", public_net: [{ ipv4_enabled: "yes" }] } },
          hcloud_volume: { v: { name: "v" } },
          hcloud_nonexistent: { n: {} },
          aws_instance: { ignored: { anything: true } },
        },
      },
      schemas,
    );
    expect(problems).toEqual([
      { at: "hcloud_server.s.server_type", message: 'expected string, got ["cpx22"]' },
      { at: "hcloud_server.s.colour", message: "is not an argument or block of this schema" },
      { at: "hcloud_server.s.ipv4_address", message: "is read-only (computed by the provider) and cannot be set" },
      { at: "hcloud_server.s.public_net[0].ipv4_enabled", message: 'expected bool, got "yes"' },
      { at: "hcloud_volume.v.size", message: "is required" },
      { at: "hcloud_nonexistent", message: "unknown type for this provider's schema" },
    ]);
  });

  test("accepts interpolations for any type", () => {
    expect(
      validateTerraformJson({ resource: { hcloud_volume: { v: { name: "v", size: "${var.size}", delete_protection: "${true}" } } } }, schemas),
    ).toEqual([]);
  });

  test("ships the hcloud schema snapshot under its registry address", () => {
    const text = readFileSync(join(ROOT, "providers", "schemas", "hcloud.schema.json"), "utf8");
    expect(JSON.parse(text).provider_schemas["registry.terraform.io/hetznercloud/hcloud"]).toBeDefined();
  });
});
