/**
 * Environment for cdktf and Terraform in aiwc's scripts: no telemetry (CHECKPOINT_DISABLE),
 * and a Terraform CLI config that exists (terraform warns, and cdktf logs an error, when
 * TF_CLI_CONFIG_FILE names a missing file, as it does on a fresh machine of ours).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../config/package-root";

export const EMPTY_TERRAFORM_RC = join(PACKAGE_ROOT, "providers", "terraform.rc");

export function ensureTerraformEnv(env: NodeJS.ProcessEnv = process.env): void {
  env.CHECKPOINT_DISABLE ??= "1";
  const configured = env.TF_CLI_CONFIG_FILE;
  if (configured === undefined || configured === "" || !existsSync(configured)) env.TF_CLI_CONFIG_FILE = EMPTY_TERRAFORM_RC;
}
