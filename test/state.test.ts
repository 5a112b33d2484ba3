/** State backends: local by default, S3-compatible remote state with locking when configured. */
import { describe, expect, test } from "vitest";
import { fixtureConfig, synthesize } from "./helpers";
import { loadConfig } from "../model/load";
import { stackJson } from "../stacks/app";

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

  test("every users stack has its own state and lock, on the local backend and on S3 (lockfile and DynamoDB)", () => {
    for (const state of [
      { backend: "local", shards: 3 },
      { backend: "s3", bucket: "aiwc-state", region: "fsn1", endpoint: "https://fsn1.your-objectstorage.com", shards: 3 },
      { backend: "s3", bucket: "ops-state", region: "eu-central-1", locking: "dynamodb", dynamodbTable: "tf-locks", shards: 3 },
    ]) {
      const stacks = stackJson(loadConfig(fixtureConfig({ cluster: (d) => d.set("state", state) })), { outdir: "cdktf.out" });
      const backends = ["users-00", "users-01", "users-02"].map((name) => (stacks[name] as { terraform: { backend: Record<string, Record<string, unknown>> } }).terraform.backend);
      const where = backends.map((b) => (state.backend === "local" ? String(b.local!.path) : String(b.s3!.key)));
      expect(where.map((w) => w.replace(/^.*\//, "")), state.backend).toEqual(["users-00.tfstate", "users-01.tfstate", "users-02.tfstate"]);
      for (const b of backends) {
        if (state.locking === "dynamodb") expect(b.s3!.dynamodb_table).toBe("tf-locks");
        else if (state.backend === "s3") expect(b.s3!.use_lockfile).toBe(true);
      }
    }
  });
});
