/**
 * Real Terraform for tests: the machine's filesystem mirror holds hashicorp/aws 5.100.0, so AWS
 * stacks can be initialised, validated and planned offline, with fake credentials.
 */
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./helpers";

/** Where the machine image keeps the provider mirror; TF_PLUGIN_MIRROR overrides. */
export const MIRROR = process.env.TF_PLUGIN_MIRROR ?? "/opt/tf-plugins";

/** A Terraform CLI config that installs providers from the mirror only (no registry here). */
export function mirrorCliConfig(): string {
  if (!existsSync(join(MIRROR, "registry.terraform.io", "hashicorp", "aws"))) {
    throw new Error(`no Terraform provider mirror at ${MIRROR} (set TF_PLUGIN_MIRROR); the machine image ships hashicorp/aws there`);
  }
  const file = join(tempDir("aiwc-tfrc-"), "terraform.rc");
  writeFileSync(
    file,
    `provider_installation {\n  filesystem_mirror {\n    path    = "${MIRROR}"\n    include = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n`,
  );
  return file;
}

export interface TerraformRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs terraform in `dir` with the mirror config and fake AWS credentials, never the caller's. */
export function terraform(dir: string, args: string[], cliConfig: string): TerraformRun {
  const result = spawnSync("terraform", args, {
    cwd: dir,
    encoding: "utf8",
    maxBuffer: 64 << 20,
    timeout: 300_000,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TF_CLI_CONFIG_FILE: cliConfig,
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      CHECKPOINT_DISABLE: "1",
      AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
      AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      AWS_EC2_METADATA_DISABLED: "true",
    },
  });
  if (result.error !== undefined) throw new Error(`terraform could not run (is Terraform 1.11 installed?): ${result.error.message}`);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
