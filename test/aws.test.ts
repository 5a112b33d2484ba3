/**
 * The same cluster on AWS (config/examples/aws-seed): golden synthesis, the firewall policy as
 * security groups, and real Terraform — init from the filesystem mirror, validate, and
 * plan -refresh=false with fake credentials for both stacks — whose plans price exactly like
 * the synthesized JSON.
 */
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { parseDocument } from "yaml";
import { estimate } from "../cost/engine";
import { fromConfiguration, fromPlan } from "../cost/input";
import { toAmount } from "../catalog/money";
import { PriceBook } from "../catalog/prices";
import { resources, ROOT, stableJson, synthesize, tempDir, type Synthesized } from "./helpers";
import { mirrorCliConfig, terraform } from "./helpers-terraform";

const EXAMPLE = join(ROOT, "config", "examples", "aws-seed");

/** The aws-seed example with its state kept in a temp dir (terraform writes lock and state there). */
function exampleWithStateIn(stateDir: string): string {
  const dir = tempDir("aiwc-aws-seed-");
  const doc = parseDocument(readFileSync(join(EXAMPLE, "cluster.yaml"), "utf8"));
  doc.set("state", { backend: "local", directory: stateDir });
  doc.setIn(["files", "users"], join(ROOT, "config", "users.yaml"));
  doc.setIn(["files", "tariffs"], join(ROOT, "config", "tariffs.yaml"));
  writeFileSync(join(dir, "cluster.yaml"), doc.toString());
  cpSync(join(EXAMPLE, "types.lock.yaml"), join(dir, "types.lock.yaml"));
  return dir;
}

let s: Synthesized;
let stateDir: string;
beforeAll(async () => {
  stateDir = tempDir("aiwc-state-");
  s = await synthesize(exampleWithStateIn(stateDir));
});

describe("aws-seed synthesis", () => {
  test("matches the golden stacks", async () => {
    await expect(stableJson(s.platform)).toMatchFileSnapshot(join("golden", "aws-seed", "platform.json"));
    await expect(stableJson(s.users)).toMatchFileSnapshot(join("golden", "aws-seed", "users.json"));
  });

  test("instances per group with gp3 roots, Ceph on protected EBS, bastion with an Elastic IP, backups in a private bucket", () => {
    const instances = resources(s.platform, "aws_instance").map(([, b]) => b);
    const byGroup = (g: string) => instances.filter((i) => i.tags["aiwc/group"] === g);
    expect(byGroup("controllers").map((i) => i.instance_type)).toEqual(["t3.large", "t3.large", "t3.large"]);
    expect(byGroup("gpu-workers")).toHaveLength(4);
    expect(byGroup("service-nodes")).toHaveLength(6);
    for (const i of instances) {
      expect(i.root_block_device).toMatchObject({ volume_type: "gp3", volume_size: 30, encrypted: true });
      expect(i.metadata_options).toMatchObject({ http_tokens: "required" });
      expect(i.associate_public_ip_address).toBe(false);
    }
    const volumes = resources(s.platform, "aws_ebs_volume").map(([, b]) => b);
    expect(volumes).toHaveLength(3);
    for (const v of volumes) expect(v).toMatchObject({ size: 2048, type: "gp3", encrypted: true, lifecycle: { prevent_destroy: true } });
    const eips = resources(s.platform, "aws_eip").map(([, b]) => b);
    expect(eips.filter((e) => e.instance !== undefined)).toHaveLength(1);
    expect(resources(s.platform, "aws_s3_bucket_public_access_block")[0]![1]).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    expect(resources(s.platform, "aws_s3_bucket_versioning")[0]![1].versioning_configuration).toEqual({ status: "Enabled" });
    // Only the bastion gets an instance role, and it reaches only the backup bucket.
    const withProfile = instances.filter((i) => i.iam_instance_profile !== undefined);
    expect(withProfile.map((i) => i.tags["aiwc/role"])).toEqual(["bastion"]);
    const [[profileId]] = resources(s.platform, "aws_iam_instance_profile") as [[string, unknown]];
    expect(withProfile[0]!.iam_instance_profile).toBe(`\${aws_iam_instance_profile.${profileId}.name}`);
    const policy = JSON.parse(resources(s.platform, "aws_iam_role_policy")[0]![1].policy);
    expect(policy.Statement.map((st: { Resource: string }) => st.Resource)).toEqual(["arn:aws:s3:::seed-aiwc-backups", "arn:aws:s3:::seed-aiwc-backups/*"]);
    expect(resources(s.users, "aws_instance")).toHaveLength(30);
    expect(resources(s.users, "aws_ebs_volume")).toHaveLength(4);
  });

  test("no credentials or secrets in the JSON; the provider takes them from the environment", () => {
    expect(s.platform.provider.aws).toEqual([{ region: "eu-central-1", default_tags: [{ tags: { "aiwc/cluster": "seed", "managed-by": "aiwc" } }] }]);
  });
});

describe("egress: NAT gateway or the bastion as NAT instance", () => {
  test("the NAT instance removes the gateway, its IP and its per-GB charge; the bastion forwards", async () => {
    const dir = exampleWithStateIn(tempDir("aiwc-state-"));
    const cluster = join(dir, "cluster.yaml");
    const doc = parseDocument(readFileSync(cluster, "utf8"));
    doc.setIn(["aws", "egress"], "nat-instance");
    writeFileSync(cluster, doc.toString());
    const nat = await synthesize(dir);
    expect(resources(nat.platform, "aws_nat_gateway")).toHaveLength(0);
    const bastion = resources(nat.platform, "aws_instance").find(([, b]) => b.tags["aiwc/role"] === "bastion")![1];
    expect(bastion.source_dest_check).toBe(false);
    const route = resources(nat.platform, "aws_route").map(([, b]) => b).find((r) => r.destination_cidr_block === "0.0.0.0/0" && r.network_interface_id !== undefined);
    expect(route?.network_interface_id).toMatch(/primary_network_interface_id/);

    const book = new PriceBook(s.config.catalogs, s.config.fx, "2026-11-27");
    const gateway = estimate(fromConfiguration(s.platform, "platform"), book);
    const instance = estimate(fromConfiguration(nat.platform, "platform"), book);
    // NAT gateway 0.052 $/h + its Elastic IP 0.005 $/h, 730 h, at 1.1133 $/€.
    expect(toAmount(gateway.totalMonthly.minus(instance.totalMonthly))).toBe("37.38");
    expect(gateway.resources.some((r) => r.components.some((c) => c.usageKey === "monthly_gb_processed"))).toBe(true);
    expect(instance.resources.some((r) => r.components.some((c) => c.usageKey === "monthly_gb_processed"))).toBe(false);
  });
});

describe("security groups carry the firewall matrix", () => {
  const rules = () => resources(s.platform, "aws_vpc_security_group_ingress_rule").map(([, b]) => b);
  const groupOf = (ref: string) => {
    const id = /aws_security_group\.([^.]+)\.id/.exec(ref)![1]!;
    return s.platform.resource.aws_security_group[id].tags["aiwc/role"] as string;
  };

  test("from outside the VPC only the bastion's SSH port is open", () => {
    const outside = rules().filter((r) => r.cidr_ipv4 !== undefined && !r.cidr_ipv4.startsWith("10.0."));
    expect(outside.map((r) => [groupOf(r.security_group_id), r.ip_protocol, r.from_port, r.to_port, r.cidr_ipv4])).toEqual([["bastion", "tcp", 22, 22, "198.51.100.0/24"]]);
  });

  test("users' VMs accept SSH and ping from the bastion's group only, nothing from other users", () => {
    const userVm = rules().filter((r) => groupOf(r.security_group_id) === "user-vm");
    expect(userVm).toHaveLength(2);
    for (const r of userVm) {
      expect(r.cidr_ipv4).toBeUndefined();
      expect(groupOf(r.referenced_security_group_id)).toBe("bastion");
    }
  });

  test("SSH to every other role comes only from the bastion's group", () => {
    const ssh = rules().filter((r) => r.from_port === 22);
    for (const r of ssh) {
      if (groupOf(r.security_group_id) === "bastion") continue;
      expect(r.cidr_ipv4).toBeUndefined();
      expect(groupOf(r.referenced_security_group_id)).toBe("bastion");
    }
  });

  test("nothing gets a public IP by accident: private subnets, no public IP on launch", () => {
    for (const [, subnet] of resources(s.platform, "aws_subnet")) expect(subnet.map_public_ip_on_launch).toBe(false);
    for (const [, instance] of [...resources(s.platform, "aws_instance"), ...resources(s.users, "aws_instance")]) {
      expect(instance.associate_public_ip_address).toBe(false);
    }
  });
});

describe("real terraform on the aws-seed stacks (offline, fake credentials)", () => {
  test("init, validate and plan both stacks; the plans price exactly like the JSON", () => {
    const cliConfig = mirrorCliConfig();
    const config = s.config;
    const book = new PriceBook(config.catalogs, config.fx, "2026-11-27");
    // Offline planning: no STS call, no account lookup, no metadata service. An override file
    // (merged by terraform) keeps these flags out of the synthesized stacks.
    const offline = { provider: { aws: { skip_credentials_validation: true, skip_requesting_account_id: true, skip_metadata_api_check: "true" } } };

    // The users stack reads the platform's outputs from its state: give it a state with them.
    const outputs = Object.fromEntries(
      Object.entries(s.platform.output as Record<string, { value: unknown }>)
        .filter(([name]) => name.startsWith("cross-stack-output-"))
        .map(([name], i) => [name, { value: name.includes("subnet") ? `subnet-0000000000000000${i}` : `sg-000000000000000${i}`, type: "string", sensitive: true }]),
    );
    writeFileSync(
      join(stateDir, "platform.tfstate"),
      JSON.stringify({ version: 4, terraform_version: "1.11.4", serial: 1, lineage: "00000000-0000-4000-8000-000000000000", outputs, resources: [] }),
    );

    for (const stack of ["platform", "users-00"] as const) {
      const dir = join(s.outdir, "stacks", stack);
      writeFileSync(join(dir, "offline_override.tf.json"), JSON.stringify(offline));
      const init = terraform(dir, ["init", "-input=false", "-no-color"], cliConfig);
      expect(init.code, init.stderr).toBe(0);
      const validate = terraform(dir, ["validate", "-no-color"], cliConfig);
      expect(validate.code, validate.stderr).toBe(0);
      const plan = terraform(dir, ["plan", "-refresh=false", "-input=false", "-lock=false", "-no-color", "-out=plan.bin"], cliConfig);
      expect(plan.code, plan.stderr).toBe(0);
      const show = terraform(dir, ["show", "-json", "plan.bin"], cliConfig);
      expect(show.code, show.stderr).toBe(0);
      const planned = estimate(fromPlan(JSON.parse(show.stdout), stack), book);
      const synthesized = estimate(fromConfiguration(stack === "platform" ? s.platform : s.users, stack), book);
      const byAddress = (e: typeof planned) => Object.fromEntries(e.resources.map((r) => [r.address, `${r.status} ${toAmount(r.monthly, 6)}`]));
      expect(byAddress(planned)).toEqual(byAddress(synthesized));
      expect(planned.counts.unsupported).toBe(0);
      expect(toAmount(planned.totalMonthly)).toBe(toAmount(synthesized.totalMonthly));
    }
  });
});
