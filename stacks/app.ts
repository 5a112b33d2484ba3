/**
 * Builds the cdktf App for a config: the `platform` stack and the `users` stack, each with
 * its own state, the users stack reading the platform's outputs the cdktf way (remote state).
 * Shared by `cdktf synth` (stacks/main.ts), `aiwc synth` and the tests.
 */
import { join, relative, resolve } from "node:path";
import { App, LocalBackend, S3Backend, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { Config } from "../config/load";
import { PROVIDERS_BY_ID } from "../constructs/providers";
import type { PlatformExports, ProviderStacks } from "../constructs/provider-stacks";
import { buildTopology, type Topology } from "../constructs/topology";

export const STACK_NAMES = ["platform", "users"] as const;
export type StackName = (typeof STACK_NAMES)[number];

export interface AppOptions {
  /** Where `cdk.tf.json` files go. @default CDKTF_OUTDIR or cdktf.out */
  readonly outdir?: string;
}

function backend(stack: TerraformStack, name: StackName, config: Config, outdir: string): void {
  const state = config.cluster.state;
  if (state.backend === "local") {
    // Terraform resolves the path from the stack's directory (<outdir>/stacks/<name>); a relative
    // path keeps the synthesized JSON free of machine-specific absolute paths.
    const stateDir = resolve(state.directory);
    new LocalBackend(stack, { path: join(relative(join(outdir, "stacks", name), stateDir), `${name}.tfstate`) });
    return;
  }
  const awsEndpoint = state.endpoint === undefined;
  new S3Backend(stack, {
    bucket: state.bucket,
    key: `${state.keyPrefix ?? `aiwc/${config.cluster.name}`}/${name}.tfstate`,
    region: state.region,
    encrypt: true,
    ...(state.locking === "dynamodb" && state.dynamodbTable !== undefined ? { dynamodbTable: state.dynamodbTable } : {}),
    ...(awsEndpoint
      ? {}
      : {
          endpoints: { s3: state.endpoint! },
          // S3-compatible stores (Hetzner, OVH) have no STS/IAM and no AWS region names.
          skipCredentialsValidation: true,
          skipRegionValidation: true,
          skipRequestingAccountId: true,
          skipMetadataApiCheck: true,
          skipS3Checksum: true,
        }),
  });
  if (state.locking === "lockfile") stack.addOverride("terraform.backend.s3.use_lockfile", true);
}

class AiwcStack extends TerraformStack {
  constructor(scope: Construct, readonly stackName: StackName, readonly topology: Topology) {
    super(scope, stackName);
  }
}

export interface BuiltApp {
  readonly app: App;
  readonly topology: Topology;
  readonly stacks: Readonly<Record<StackName, TerraformStack>>;
}

export async function buildApp(config: Config, options: AppOptions = {}): Promise<BuiltApp> {
  const outdir = resolve(options.outdir ?? process.env.CDKTF_OUTDIR ?? "cdktf.out");
  const app = new App({ outdir, skipValidation: false });
  const topology = buildTopology(config);
  const descriptor = PROVIDERS_BY_ID[config.cluster.provider]!;
  const builders: ProviderStacks = descriptor.stacks;

  const platform = new AiwcStack(app, "platform", topology);
  backend(platform, "platform", config, outdir);
  const exported: PlatformExports = builders.platform(platform, topology);

  const users = new AiwcStack(app, "users", topology);
  backend(users, "users", config, outdir);
  builders.users(users, topology, exported);
  return { app, topology, stacks: { platform, users } };
}
