/**
 * Environment variables that change the gate's verdict are input like the config: validated
 * with the same rules, reported as `environment: NAME: message` problems, and printed in every
 * report. Secrets (HCLOUD_TOKEN, AWS and OVH keys) are never read here.
 */
import { isCalendarDate } from "./dates";
import type { ProblemSink } from "./problems";
import { ADDRESS } from "./schema";

export const ENV = {
  override: "AIWC_COST_OVERRIDE",
  pricingDate: "AIWC_PRICING_DATE",
  allowDataLoss: "AIWC_ALLOW_DATA_LOSS",
} as const;

/** The "file" environment problems are reported in. */
export const ENVIRONMENT = "environment";

/** Addresses in AIWC_ALLOW_DATA_LOSS: separated by commas or white space. */
export function splitAddresses(text: string | undefined): string[] {
  return (text ?? "").split(/[\s,]+/).filter((a) => a !== "");
}

/** The override reason from the environment: unset or empty means none. */
export function environmentOverride(env: NodeJS.ProcessEnv): string | undefined {
  const value = env[ENV.override];
  return value === undefined || value === "" ? undefined : value.trim();
}

export function checkEnvironment(env: NodeJS.ProcessEnv, sink: ProblemSink): void {
  const override = environmentOverride(env);
  if (override !== undefined && override.length < 10) {
    sink.add(ENVIRONMENT, ENV.override, `say why in at least 10 characters (got ${override.length}), as policy.override.reason requires; or unset it`);
  }
  const date = env[ENV.pricingDate];
  if (date !== undefined && date !== "" && !isCalendarDate(date)) {
    sink.add(ENVIRONMENT, ENV.pricingDate, `"${date.slice(0, 40)}" is not a date YYYY-MM-DD; set a real date to price as of, or unset it for today`);
  }
  for (const address of splitAddresses(env[ENV.allowDataLoss])) {
    if (!ADDRESS.test(address)) {
      sink.add(ENVIRONMENT, ENV.allowDataLoss, `"${address.slice(0, 80)}" is not a Terraform resource address (e.g. hcloud_volume.x or users:aws_instance.user-ben); separate addresses with commas`);
    }
  }
}
