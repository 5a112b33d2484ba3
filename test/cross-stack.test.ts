/**
 * The users stack prepares only its locals for cross-stack references (stacks/app.ts AiwcStack):
 * whatever reads the other stack, the Terraform JSON must be exactly what cdktf's own full
 * preparation gives — also when an expression bypasses the locals.
 */
import { afterAll, describe, expect, test } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, TerraformLocal, TerraformStack, Token } from "../constructs/cdk";
import { Network } from "../.gen/providers/hcloud/network";
import { Server } from "../.gen/providers/hcloud/server";
import { AiwcStack, buildApp, firstReferenceTo } from "../stacks/app";
import { buildTopology } from "../model/topology";
import { loadConfig } from "../model/load";

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

type Wiring = "locals" | "bypass" | "none";

/** Builds platform + users stacks, users reading the platform network as `wiring` says. */
function build(kind: "cdktf" | "aiwc", wiring: Wiring): { platform: Record<string, unknown>; users: Record<string, unknown> } {
  const outdir = mkdtempSync(join(tmpdir(), "aiwc-xstack-"));
  outdirs.push(outdir);
  const app = new App({ outdir });
  const topology = buildTopology(loadConfig());
  const platform = kind === "aiwc" ? new AiwcStack(app, "platform", topology) : new TerraformStack(app, "platform");
  const network = new Network(platform, "Network", { name: "net", ipRange: "10.0.0.0/16" });
  const users = kind === "aiwc" ? new AiwcStack(app, "users", topology, platform) : new TerraformStack(app, "users");
  const networkId = wiring === "locals" ? new TerraformLocal(users, "platform_network_id", network.id).asNumber : wiring === "bypass" ? Token.asNumber(network.id) : 1;
  for (const name of ["ann", "ben"]) {
    new Server(users, `vm-${name}`, { name, serverType: "cx23", image: "debian-13", network: [{ networkId }], labels: { note: "${literal} stays" } });
  }
  const stacks = [platform, users];
  for (const stack of stacks) stack.prepareStack();
  const json = (stack: TerraformStack) => JSON.parse(JSON.stringify(stack instanceof AiwcStack ? stack.freeze() : stack.toTerraform())) as Record<string, unknown>;
  return { platform: json(platform), users: json(users) };
}

describe("cross-stack references, prepared through the locals", () => {
  for (const wiring of ["locals", "bypass", "none"] as const) {
    test(`users reading the platform ${wiring === "none" ? "not at all" : `through ${wiring}`}: the same JSON as cdktf's full preparation`, () => {
      const ours = build("aiwc", wiring);
      const theirs = build("cdktf", wiring);
      expect(ours).toEqual(theirs);
      const remote = (ours.users.data as Record<string, unknown> | undefined)?.terraform_remote_state;
      expect(remote !== undefined).toBe(wiring !== "none");
      expect(JSON.stringify(ours.users)).not.toContain("hcloud_network.Network");
    });
  }
});

describe("each element resolved once (AiwcStack.freeze)", () => {
  // The same JSON as cdktf's own TerraformStack.toTerraform, which resolves everything twice.
  for (const example of ["default", "aws-seed", "hetzner-dedicated", "ovh", "seed-18"]) {
    test(`${example}: both stacks as cdktf writes them`, () => {
      const outdir = mkdtempSync(join(tmpdir(), "aiwc-once-"));
      outdirs.push(outdir);
      const config = loadConfig(example === "default" ? undefined : join(__dirname, "..", "config", "examples", example));
      const built = buildApp(config, { outdir });
      const stacks = Object.values(built.stacks) as AiwcStack[];
      for (const stack of stacks) stack.prepareStack();
      for (const stack of stacks) {
        const cdktf = TerraformStack.prototype.toTerraform.call(stack) as Record<string, unknown>;
        expect(stack.freeze(), `${example}/${stack.stackName}`).toStrictEqual(cdktf);
      }
    });
  }

  test("stack-level overrides, tokens in them included, are merged and resolved as cdktf does", () => {
    const build = (kind: "cdktf" | "aiwc") => {
      const outdir = mkdtempSync(join(tmpdir(), "aiwc-once-"));
      outdirs.push(outdir);
      const app = new App({ outdir });
      const stack = kind === "aiwc" ? new AiwcStack(app, "platform", buildTopology(loadConfig())) : new TerraformStack(app, "platform");
      const network = new Network(stack, "Network", { name: "net", ipRange: "10.0.0.0/16" });
      stack.addOverride("terraform.backend.s3.use_lockfile", true);
      stack.addOverride("resource.hcloud_network.extra.name", network.name);
      stack.addOverride("output.id.value", network.id);
      stack.prepareStack();
      return JSON.parse(JSON.stringify(stack instanceof AiwcStack ? stack.freeze() : stack.toTerraform())) as unknown;
    };
    expect(build("aiwc")).toEqual(build("cdktf"));
    expect(JSON.stringify(build("aiwc"))).toContain('"name":"${hcloud_network.Network.name}"');
  });
});

describe("firstReferenceTo", () => {
  const platform = new Set(["hcloud_network.net", "local.platform_x"]);
  test("finds an expression naming an element of the other stack", () => {
    expect(firstReferenceTo({ a: [{ b: "${hcloud_network.net.id}" }] }, platform)).toBe("${hcloud_network.net.id}");
    expect(firstReferenceTo({ a: "${element(hcloud_network.net[*].id, 0)}" }, platform)).toBe("${element(hcloud_network.net[*].id, 0)}");
    expect(firstReferenceTo(["x", "${local.platform_x}"], platform)).toBe("${local.platform_x}");
  });
  test("ignores longer names, other stacks' look-alikes and plain text", () => {
    expect(firstReferenceTo({ a: "${hcloud_network.net2.id}", b: "${data.hcloud_network.net.id}", c: "${xhcloud_network.net.id}" }, platform)).toBeUndefined();
    expect(firstReferenceTo({ a: "hcloud_network.net.id without interpolation", n: 3, z: null }, platform)).toBeUndefined();
    expect(firstReferenceTo({ a: "${local.platform_xy}" }, platform)).toBeUndefined();
  });
});
