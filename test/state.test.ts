/** State backends: local by default, S3-compatible remote state with locking when configured. */
import { describe, expect, test } from "vitest";
import { fixtureConfig, synthesize } from "./helpers";

describe("state backend", () => {
  test("Hetzner Object Storage: S3 backend with endpoint, native lockfile, one key per stack", async () => {
    const dir = fixtureConfig({
      cluster: (d) =>
        d.set("state", { backend: "s3", bucket: "aiwc-state", region: "fsn1", endpoint: "https://fsn1.your-objectstorage.com" }),
    });
    const s = await synthesize(dir);
    expect(s.platform.terraform.backend.s3).toEqual({
      bucket: "aiwc-state",
      key: "aiwc/aiwc/platform.tfstate",
      region: "fsn1",
      encrypt: true,
      endpoints: { s3: "https://fsn1.your-objectstorage.com" },
      skip_credentials_validation: true,
      skip_region_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
      skip_s3_checksum: true,
      use_lockfile: true,
    });
    expect(s.users.terraform.backend.s3.key).toBe("aiwc/aiwc/users-00.tfstate");
    const remote = s.users.data.terraform_remote_state["cross-stack-reference-input-platform"];
    expect(remote.backend).toBe("s3");
    expect(remote.config).toMatchObject({ bucket: "aiwc-state", key: "aiwc/aiwc/platform.tfstate" });
    // Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY at run time, never from config.
    expect(JSON.stringify(s.platform.terraform.backend)).not.toMatch(/access_key|secret_key/);
  });

  test("AWS S3 with DynamoDB locking and a key prefix", async () => {
    const dir = fixtureConfig({
      cluster: (d) =>
        d.set("state", { backend: "s3", bucket: "ops-state", region: "eu-central-1", keyPrefix: "prod/aiwc", locking: "dynamodb", dynamodbTable: "tf-locks" }),
    });
    const s = await synthesize(dir);
    expect(s.platform.terraform.backend.s3).toEqual({
      bucket: "ops-state",
      key: "prod/aiwc/platform.tfstate",
      region: "eu-central-1",
      encrypt: true,
      dynamodb_table: "tf-locks",
    });
  });
});
