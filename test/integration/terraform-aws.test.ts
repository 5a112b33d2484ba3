/**
 * Real Terraform: a small AWS stack synthesized with cdktf (deep imports), then
 * `terraform init` (provider from the filesystem mirror), `validate`, `plan -refresh=false`
 * with fake credentials and `show -json`. The plan's price must equal the price of the
 * stack's own cdk.tf.json.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { App, TerraformStack } from "../../constructs/cdk";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { beforeAll, describe, expect, test } from "vitest";
import { loadConfig } from "../../model/load";
import { estimate } from "../../cost/engine";
import { fromConfiguration, fromPlan } from "../../cost/input";
import { toAmount } from "../../catalog/money";
import { PriceBook } from "../../catalog/prices";
import { DEFAULT_CONFIG, tempDir } from "../helpers";
import { mirrorCliConfig, terraform } from "../helpers-terraform";

const tags = (group: string) => ({ "aiwc/cluster": "itest", "aiwc/group": group });

function synthesizeSmallAwsStack(outdir: string): string {
  const app = new App({ outdir });
  const stack = new TerraformStack(app, "aws-small");
  new AwsProvider(stack, "aws", {
    region: "us-east-1",
    // Offline planning: no STS, no metadata service, no account lookup. Keys come from the environment.
    skipCredentialsValidation: true,
    skipRequestingAccountId: true,
    skipMetadataApiCheck: "true",
    skipRegionValidation: true,
  });
  const vpc = new Vpc(stack, "vpc", { cidrBlock: "10.20.0.0/16", tags: tags("shared") });
  const publicA = new Subnet(stack, "public-a", { vpcId: vpc.id, cidrBlock: "10.20.0.0/24", availabilityZone: "us-east-1a" });
  const publicB = new Subnet(stack, "public-b", { vpcId: vpc.id, cidrBlock: "10.20.1.0/24", availabilityZone: "us-east-1b" });
  const natIp = new Eip(stack, "nat-ip", { domain: "vpc", tags: tags("network") });
  new NatGateway(stack, "nat", { allocationId: natIp.id, subnetId: publicA.id, tags: tags("network") });
  new Instance(stack, "workers", {
    count: 2,
    ami: "ami-0a1b2c3d4e5f67890",
    instanceType: "m5.large",
    subnetId: publicA.id,
    rootBlockDevice: { volumeSize: 40, volumeType: "gp3" },
    tags: tags("service-nodes"),
  });
  new Instance(stack, "gpu", {
    ami: "ami-0a1b2c3d4e5f67890",
    instanceType: "g5.xlarge",
    subnetId: publicA.id,
    associatePublicIpAddress: true,
    rootBlockDevice: { volumeSize: 100, volumeType: "gp3", iops: 4000 },
    tags: tags("gpu-workers"),
  });
  new EbsVolume(stack, "data", { availabilityZone: "us-east-1a", size: 500, type: "gp3", tags: tags("ceph-storage") });
  new Lb(stack, "lb", { name: "itest", loadBalancerType: "application", subnets: [publicA.id, publicB.id], tags: tags("service-nodes") });
  new S3Bucket(stack, "backups", { bucket: "aiwc-itest-backups", tags: tags("bastion") });
  app.synth();
  return join(outdir, "stacks", "aws-small");
}

describe("real terraform on AWS (offline, fake credentials)", () => {
  let dir: string;
  let cliConfig: string;
  beforeAll(() => {
    cliConfig = mirrorCliConfig();
    dir = synthesizeSmallAwsStack(tempDir("aiwc-tf-"));
  });

  test("init, validate, plan and show -json succeed; the plan prices exactly like cdk.tf.json", () => {
    const init = terraform(dir, ["init", "-input=false", "-no-color"], cliConfig);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/Installing hashicorp\/aws v5\.100\.0/);
    const validate = terraform(dir, ["validate", "-no-color"], cliConfig);
    expect(validate.code, validate.stderr).toBe(0);
    const plan = terraform(dir, ["plan", "-refresh=false", "-input=false", "-lock=false", "-no-color", "-out=plan.bin"], cliConfig);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/Plan: 11 to add, 0 to change, 0 to destroy/);
    const show = terraform(dir, ["show", "-json", "plan.bin"], cliConfig);
    expect(show.code, show.stderr).toBe(0);
    writeFileSync(join(dir, "plan.json"), show.stdout);

    const config = loadConfig(DEFAULT_CONFIG);
    const book = new PriceBook(config.catalogs, config.fx, "2026-11-27");
    const fromJson = estimate(fromConfiguration(JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")), "aws-small"), book);
    const fromPlanned = estimate(fromPlan(JSON.parse(show.stdout), "aws-small"), book);

    const byAddress = (e: typeof fromJson) => Object.fromEntries(e.resources.map((r) => [r.address, `${r.status} ${toAmount(r.monthly, 6)}`]));
    expect(byAddress(fromPlanned)).toEqual(byAddress(fromJson));
    expect(toAmount(fromPlanned.totalMonthly, 6)).toBe(toAmount(fromJson.totalMonthly, 6));
    expect(fromPlanned.counts).toEqual({ priced: 8, free: 3, unsupported: 0 });
    expect(fromPlanned.resources.find((r) => r.address === "aws_instance.workers[1]")?.group).toBe("service-nodes");
    // No credential reaches the synthesized JSON or the plan.
    expect(readFileSync(join(dir, "cdk.tf.json"), "utf8")).not.toContain("AKIAIOSFODNN7EXAMPLE");
    expect(show.stdout).not.toContain("wJalrXUtnFEMI");
  });
});
