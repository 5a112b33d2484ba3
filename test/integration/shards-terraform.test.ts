/**
 * The first shard migration for real: GIVEN the aws-seed stacks deployed the way aiwc deployed
 * them before sharding — every user VM in one `users` state (hand-made from Terraform's own plan
 * of those resources) — WHEN the config is split into three users stacks and the script of
 * `aiwc shards plan --from single` runs, THEN Terraform's local states hold every user's
 * resources in their new stack, the old state holds none, and `terraform plan` of every users
 * stack creates, destroys and replaces nothing. Offline: the AWS provider comes from the
 * machine's mirror, the plans do not refresh.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseDocument } from "yaml";
import { aiwcCli, ROOT, synthesize, tempDir } from "../helpers";
import { mirrorCliConfig, terraform } from "../helpers-terraform";

const EXAMPLE = join(ROOT, "config", "examples", "aws-seed");
const OFFLINE = { provider: { aws: { skip_credentials_validation: true, skip_requesting_account_id: true, skip_metadata_api_check: "true" } } };

function awsSeed(stateDir: string, shards: number, dir = tempDir("aiwc-aws-shards-")): string {
  const doc = parseDocument(readFileSync(join(EXAMPLE, "cluster.yaml"), "utf8"));
  doc.set("state", { backend: "local", directory: stateDir, shards });
  doc.setIn(["files", "users"], join(ROOT, "config", "users.yaml"));
  doc.setIn(["files", "tariffs"], join(ROOT, "config", "tariffs.yaml"));
  writeFileSync(join(dir, "cluster.yaml"), doc.toString());
  cpSync(join(EXAMPLE, "types.lock.yaml"), join(dir, "types.lock.yaml"));
  return dir;
}

interface PlannedResource {
  readonly address: string;
  readonly mode: string;
  readonly type: string;
  readonly name: string;
  readonly provider_name: string;
  readonly schema_version: number;
  readonly values: Record<string, unknown>;
}

/** `terraform plan` of a synthesized stack, offline; returns the plan as `show -json` gives it. */
function plan(stackDir: string, cliConfig: string): { resource_changes?: { address: string; change: { actions: string[] } }[]; planned_values: { root_module: { resources?: PlannedResource[] } } } {
  writeFileSync(join(stackDir, "offline_override.tf.json"), JSON.stringify(OFFLINE));
  if (!existsSync(join(stackDir, ".terraform"))) {
    const init = terraform(stackDir, ["init", "-input=false", "-no-color"], cliConfig);
    expect(init.code, init.stderr).toBe(0);
  }
  const planned = terraform(stackDir, ["plan", "-refresh=false", "-input=false", "-lock=false", "-no-color", "-out=plan.bin"], cliConfig);
  expect(planned.code, planned.stderr).toBe(0);
  const show = terraform(stackDir, ["show", "-json", "plan.bin"], cliConfig);
  expect(show.code, show.stderr).toBe(0);
  return JSON.parse(show.stdout);
}

/** Computed attributes that force a replacement when null: what AWS reports for a VM in a VPC. */
const OBSERVED: Record<string, Record<string, unknown>> = { aws_instance: { security_groups: [], ipv6_addresses: [] } };

/**
 * A state holding `resources` as Terraform would after creating them: ids made up from the
 * address, and every attribute the configuration sets to another resource's id (`${x.y.id}`,
 * e.g. a volume attachment's instance) set to that id.
 */
function stateOf(resources: readonly PlannedResource[], config: Record<string, any>): string {
  const idOf = (address: string) => `id-${address}`;
  return JSON.stringify({
    version: 4,
    terraform_version: "1.11.4",
    serial: 3,
    lineage: "7b4c1e52-0000-4000-8000-000000000001",
    outputs: {},
    resources: resources.map((r) => {
      const references = Object.fromEntries(
        Object.entries((config.resource?.[r.type]?.[r.name] ?? {}) as Record<string, unknown>).flatMap(([key, value]) => {
          const match = typeof value === "string" ? /^\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)\.id\}$/.exec(value) : null;
          return match !== null ? [[key, idOf(match[1]!)]] : [];
        }),
      );
      return {
        mode: r.mode,
        type: r.type,
        name: r.name,
        provider: `provider["${r.provider_name}"]`,
        instances: [{ schema_version: r.schema_version, attributes: { ...OBSERVED[r.type], ...r.values, ...references, id: idOf(r.address) }, sensitive_attributes: [] }],
      };
    }),
  });
}

function stateList(stateFile: string, cliConfig: string): string[] {
  const listed = terraform(tempDir(), ["state", "list", `-state=${stateFile}`], cliConfig);
  expect(listed.code, listed.stderr).toBe(0);
  return listed.stdout.split("\n").filter((l) => l !== "").sort();
}

describe("aiwc shards plan --from single, for real (Terraform local state, AWS stacks, offline)", () => {
  test("the script moves every user's resources into its users stack; no plan destroys or creates anything", async () => {
    const cliConfig = mirrorCliConfig();
    const stateDir = tempDir("aiwc-state-");
    const config = awsSeed(stateDir, 1);

    // The platform's outputs, which every users stack reads through remote state.
    const s = await synthesize(config);
    {
      const outputs = Object.fromEntries(
        Object.entries(s.platform.output as Record<string, { value: unknown }>)
          .filter(([name]) => name.startsWith("cross-stack-output-"))
          .map(([name], i) => [name, { value: name.includes("subnet") ? `subnet-0000000000000000${i}` : `sg-000000000000000${i}`, type: "string", sensitive: true }]),
      );
      writeFileSync(join(stateDir, "platform.tfstate"), JSON.stringify({ version: 4, terraform_version: "1.11.4", serial: 1, lineage: "00000000-0000-4000-8000-000000000000", outputs, resources: [] }));

      // The pre-sharding deployment: the users' resources, as Terraform plans them, in `users.tfstate`.
      const created = plan(join(s.outdir, "stacks", "users-00"), cliConfig).planned_values.root_module.resources ?? [];
      const managed = created.filter((r) => r.mode === "managed");
      expect(managed.length).toBeGreaterThan(30);
      writeFileSync(join(stateDir, "users.tfstate"), stateOf(managed, s.users));
      // That state is what the configuration describes: planned against it, nothing is created or destroyed.
      cpSync(join(stateDir, "users.tfstate"), join(stateDir, "users-00.tfstate"));
      const unmoved = plan(join(s.outdir, "stacks", "users-00"), cliConfig);
      const actionsBefore = new Set((unmoved.resource_changes ?? []).flatMap((c) => c.change.actions));
      expect([...actionsBefore].filter((a) => a === "create" || a === "delete")).toEqual([]);
      unlinkSync(join(stateDir, "users-00.tfstate"));

      // Split into three users stacks: plan the move, run the script.
      awsSeed(stateDir, 3, config);
      const migration = join(tempDir("aiwc-migration-"), "shards-migration");
      const planned = aiwcCli(["shards", "plan", "--from", "single", "-c", config, "-o", migration]);
      expect(planned.code, planned.err).toBe(0);
      expect(planned.out).toMatch(/^30 users: the single users stack → 3 users stacks; 30 move, 0 stay$/m);
      const run = spawnSync("bash", [join(migration, "migrate.sh")], {
        encoding: "utf8",
        env: { PATH: process.env.PATH, HOME: process.env.HOME, TF_CLI_CONFIG_FILE: cliConfig, CHECKPOINT_DISABLE: "1" },
        timeout: 600_000,
      });
      expect(run.status, run.stderr + run.stdout).toBe(0);
      expect(run.stdout).toContain(`moved 30 users (${managed.length} addresses)`);

      // The old state is empty; every resource is in exactly one new state, the one its user hashes to.
      expect(stateList(join(stateDir, "users.tfstate"), cliConfig)).toEqual([]);
      const moves = JSON.parse(readFileSync(join(migration, "moves.json"), "utf8")) as { moves: { to: string; addresses: string[] }[] };
      let total = 0;
      const after = await synthesize(config);
      {
        for (const stack of ["users-00", "users-01", "users-02"]) {
          const expected = moves.moves.filter((m) => m.to === stack).flatMap((m) => m.addresses).sort();
          const listed = stateList(join(stateDir, `${stack}.tfstate`), cliConfig);
          expect(listed, stack).toEqual(expected);
          total += listed.length;
          // Planned against the moved state, the stack changes nothing that exists: no create, no destroy.
          const shardPlan = plan(join(after.outdir, "stacks", stack), cliConfig);
          const actions = (shardPlan.resource_changes ?? []).map((c) => `${c.address}: ${c.change.actions.join("+")}`);
          expect(actions.filter((a) => /create|delete/.test(a)), stack).toEqual([]);
        }
        expect(total).toBe(managed.length);
      }
    }
  });
});
