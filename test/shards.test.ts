/**
 * Sharded users stacks: GIVEN a config with `state.shards`, WHEN users are added or removed,
 * THEN exactly one users stack's JSON changes and nobody moves (property test on all three
 * clouds); WHEN the shard count changes, THEN `aiwc shards plan` names exactly the users whose
 * stack changes and the addresses that go with them; `aiwc synth --stack` writes one stack.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseDocument } from "yaml";
import { loadConfig } from "../model/load";
import { shardOfStackName, shardStackName, userShard } from "../config/placement";
import { priceConfig, stackJson, stackNames } from "../stacks/app";
import { reportJson } from "../cost/report";
import { diffReports } from "../cost/diff";
import { diffJson, diffMarkdown, diffTable } from "../cost/diff-render";
import { planShards, stackOf } from "../stacks/shards";
import { PROVIDER_IDS } from "../clouds/sections";
import { aiwcCli, fixtureConfig, portableOn, prng, tempDir } from "./helpers";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBuiZ5GD2kh710VAvt4oM+BSUW3xZD+Fd0wH9X6Nbm8P";

function names(random: () => number, count: number, taken = new Set<string>()): string[] {
  const out: string[] = [];
  while (out.length < count) {
    let name = "u";
    for (let i = 0, length = 3 + Math.floor(random() * 8); i < length; i++) name += "abcdefghijklmnopqrstuvwxyz0123456789"[Math.floor(random() * 36)];
    if (!taken.has(name)) {
      taken.add(name);
      out.push(name);
    }
  }
  return out;
}

/** The portable example on `provider` with these users and `shards` users stacks. */
function configWith(provider: string, users: readonly string[], shards: number): string {
  const dir = portableOn(provider);
  const cluster = parseDocument(readFileSync(join(dir, "cluster.yaml"), "utf8"));
  cluster.setIn(["files", "users"], "users.yaml");
  cluster.setIn(["state", "shards"], shards);
  cluster.setIn(["policy", "override"], { reason: "shard property test: layouts, not budgets" });
  writeFileSync(join(dir, "cluster.yaml"), cluster.toString());
  writeFileSync(join(dir, "users.yaml"), `users:\n${users.map((u) => `  - { name: ${u}, tariff: basic, packs: [${u.charCodeAt(1) % 3 === 0 ? "storage-plus" : ""}], sshKey: "${KEY} ${u}" }`).join("\n")}\n`);
  return dir;
}

/** Each stack's JSON text, and which stack holds each user's resources. */
function layout(dir: string): { texts: Map<string, string>; holder: Map<string, string> } {
  const stacks = stackJson(loadConfig(dir));
  const texts = new Map(Object.entries(stacks).map(([name, json]) => [name, JSON.stringify(json)]));
  const holder = new Map<string, string>();
  for (const [name, json] of Object.entries(stacks)) {
    const nodes = (json.output as Record<string, { value: Record<string, { user?: string }> }> | undefined)?.nodes?.value ?? {};
    for (const vm of Object.values(nodes)) if (vm.user !== undefined && name !== "platform") holder.set(vm.user, name);
  }
  return { texts, holder };
}

describe("users are sharded by a stable hash of their name", () => {
  test("the shard depends on the name and count alone; growing moves users only into the new shards", () => {
    const all = names(prng(7), 2000);
    for (const shards of [1, 2, 5, 16]) {
      const counts = new Array<number>(shards).fill(0);
      for (const user of all) {
        const shard = userShard(user, shards);
        expect(shard).toBeGreaterThanOrEqual(0);
        expect(shard).toBeLessThan(shards);
        counts[shard]! += 1;
      }
      // Roughly even: no shard holds less than half or more than twice its share.
      for (const count of counts) expect(count / (all.length / shards)).toBeGreaterThan(0.5);
      for (const count of counts) expect(count / (all.length / shards)).toBeLessThan(2);
    }
    for (const [from, to] of [[1, 2], [4, 5], [5, 8], [16, 17]] as const) {
      const moved = all.filter((u) => userShard(u, from) !== userShard(u, to));
      // Every mover goes into a new shard; nobody moves between the old ones.
      for (const user of moved) expect(userShard(user, to)).toBeGreaterThanOrEqual(from);
      // About (to − from)/to of the users move.
      expect(moved.length / all.length).toBeGreaterThan(((to - from) / to) * 0.7);
      expect(moved.length / all.length).toBeLessThan(((to - from) / to) * 1.3);
    }
    expect(userShard("anna", 3)).toBe(userShard("anna", 3));
    expect(() => userShard("anna", 0)).toThrow(RangeError);
  });

  test("stack names: users-00 … users-99, users-100, never renamed by a count change", () => {
    expect(shardStackName(0)).toBe("users-00");
    expect(shardStackName(7)).toBe("users-07");
    expect(shardStackName(123)).toBe("users-123");
    expect(shardOfStackName("users-07")).toBe(7);
    expect(shardOfStackName("users-123")).toBe(123);
    for (const name of ["users", "users-7", "users-007", "platform", "users-0x"]) expect(shardOfStackName(name)).toBeUndefined();
    const config = loadConfig(configWith("hetzner", ["anna", "ben"], 3));
    expect(stackNames(config)).toEqual(["platform", "users-00", "users-01", "users-02"]);
  });

  test.each(PROVIDER_IDS)("%s: adding or removing a user changes exactly one users stack and moves nobody", (provider) => {
    const random = prng(0x5a4d + provider.length);
    for (let round = 0; round < 3; round++) {
      const taken = new Set<string>();
      const base = names(random, 8 + Math.floor(random() * 8), taken);
      const before = layout(configWith(provider, base, 4));
      const [added] = names(random, 1, taken);
      const removed = base[Math.floor(random() * base.length)]!;
      for (const [what, users] of [
        [`add ${added}`, [...base, added!]],
        [`remove ${removed}`, base.filter((u) => u !== removed)],
      ] as const) {
        const after = layout(configWith(provider, users, 4));
        const changed = [...after.texts.keys()].filter((stack) => after.texts.get(stack) !== before.texts.get(stack));
        const user = what.split(" ")[1]!;
        expect(changed, `round ${round}, ${what}`).toEqual([shardStackName(userShard(user, 4))]);
        for (const [name, stack] of after.holder) if (before.holder.has(name)) expect(stack, name).toBe(before.holder.get(name));
      }
      // Every users stack of the layout exists, also an empty one, and holds exactly its users.
      expect([...before.texts.keys()].sort()).toEqual(["platform", "users-00", "users-01", "users-02", "users-03"]);
      for (const [name, stack] of before.holder) expect(stack).toBe(shardStackName(userShard(name, 4)));
    }
  });
});

describe("state.usersPerStack", () => {
  test("more users than stacks × usersPerStack is a warning naming the count to move to", () => {
    const many = names(prng(13), 450);
    const loaded = loadConfig(configWith("hetzner", many, 2));
    const warning = loaded.warnings.find((w) => w.includes("state.shards"));
    const sizes = [0, 0];
    for (const user of many) sizes[userShard(user, 2)]! += 1;
    expect(warning).toMatch(new RegExp(`state\\.shards: 450 users in 2 users stacks are more than state\\.usersPerStack \\(200\\) per stack, the largest holds ${Math.max(...sizes)}: .*move to 3 stacks: set state\\.shards: 3 and run \`aiwc shards plan --from 2\`$`));
    expect(loadConfig(configWith("hetzner", many, 3)).warnings.filter((w) => w.includes("state.shards"))).toEqual([]);
  });
});

describe("aiwc shards plan", () => {
  const users = names(prng(11), 12);

  test("from the single users stack: every user moves, with every address of theirs", () => {
    const config = loadConfig(configWith("aws", users, 3));
    const plan = planShards(config, "single");
    expect(plan.moves.map((m) => m.user).sort()).toEqual([...users].sort());
    expect(plan.stacks).toEqual(["users", ...new Set(plan.moves.map((m) => m.to))].sort());
    const stacks = stackJson(config);
    for (const move of plan.moves) {
      expect(move.from).toBe("users");
      expect(move.to).toBe(stackOf(move.user, 3));
      // The addresses are exactly the resources of the user's stack that are theirs.
      const own = Object.entries(stacks[move.to]!.resource as Record<string, Record<string, { "//": { metadata: { path: string } } }>>).flatMap(([type, blocks]) =>
        Object.entries(blocks)
          .filter(([, body]) => /^users-\d+\/User-([a-z0-9-]+?)(-[A-Z][A-Za-z]*)?(\/|$)/.exec(body["//"].metadata.path)?.[1] === move.user)
          .map(([name]) => `${type}.${name}`),
      );
      expect([...move.addresses].sort()).toEqual(own.sort());
      expect(move.addresses.some((a) => a.startsWith("aws_instance."))).toBe(true);
    }
    // storage-plus users take their volume and its attachment along.
    const withVolume = plan.moves.filter((m) => m.user.charCodeAt(1) % 3 === 0);
    expect(withVolume.length).toBeGreaterThan(0);
    for (const move of withVolume) expect(move.addresses.filter((a) => /^aws_(ebs_volume|volume_attachment)\./.test(a))).toHaveLength(2);
  });

  test("3 → 4 stacks: only the users whose shard is new move, and the script moves exactly their addresses", () => {
    const many = names(prng(12), 40);
    const dir = configWith("hetzner", many, 4);
    const plan = planShards(loadConfig(dir), 3);
    const expected = many.filter((u) => userShard(u, 3) !== userShard(u, 4));
    expect(plan.moves.map((m) => m.user).sort()).toEqual(expected.sort());
    for (const move of plan.moves) expect(move.to).toBe("users-03");
    const out = tempDir("aiwc-shards-");
    const result = aiwcCli(["shards", "plan", "--from", "3", "-c", dir, "-o", out]);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toContain(`40 users: 3 users stacks → 4 users stacks; ${expected.length} move, ${40 - expected.length} stay`);
    const script = readFileSync(join(out, "migrate.sh"), "utf8");
    const mvLines = script.split("\n").filter((l) => l.startsWith("mv_state "));
    expect(mvLines).toEqual(plan.moves.flatMap((m) => m.addresses.map((a) => `mv_state ${m.from} users-03 ${a}`)));
    // One backend-only working directory per touched stack, each with its own state file.
    expect(readdirSync(join(out, "stacks")).sort()).toEqual(plan.stacks);
    for (const stack of plan.stacks) {
      const backend = JSON.parse(readFileSync(join(out, "stacks", stack, "main.tf.json"), "utf8")) as { terraform: { backend: { local: { path: string } } } };
      expect(backend.terraform.backend.local.path).toMatch(new RegExp(`terraform-state/${stack}\\.tfstate$`));
    }
  });

  test("nothing to move, a bad --from and an unknown stack are clear answers", () => {
    const dir = configWith("hetzner", users, 2);
    const same = aiwcCli(["shards", "plan", "--from", "2", "-c", dir, "-o", join(tempDir(), "m")]);
    expect(same.code).toBe(0);
    expect(same.out).toContain("nothing to move");
    const bad = aiwcCli(["shards", "plan", "--from", "two", "-c", dir]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("--from two: expected single");
    const unknown = aiwcCli(["synth", "-c", dir, "-o", join(tempDir(), "out"), "--stack", "users-05"]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('no stack "users-05" in this config (state.shards: 2); the stacks are platform, users-00, users-01');
  });
});

describe("aiwc synth --stack", () => {
  test("writes only the named users stack, byte-identical to a full synthesis, and leaves the gate record", () => {
    const dir = fixtureConfig({ cluster: (d) => d.setIn(["state", "shards"], 3) });
    const full = join(tempDir(), "full");
    expect(aiwcCli(["synth", "-c", dir, "-o", full]).code).toBe(0);
    const one = join(tempDir(), "one");
    const result = aiwcCli(["synth", "-c", dir, "-o", one, "--stack", "users-01"]);
    expect(result.code, result.err).toBe(0);
    expect(result.out.trim()).toMatch(/^synthesized users-01 → \S+\/stacks\/users-01\/cdk\.tf\.json$/);
    expect(result.err).toContain("without the cost gate");
    expect(readdirSync(join(one, "stacks"))).toEqual(["users-01"]);
    expect(readFileSync(join(one, "stacks", "users-01", "cdk.tf.json"), "utf8")).toBe(readFileSync(join(full, "stacks", "users-01", "cdk.tf.json"), "utf8"));
    expect(existsSync(join(one, "aiwc-gate.json"))).toBe(false);
    // The full synthesis (users stacks built and released one at a time) writes what the
    // in-memory App of every stack at once gives, byte for byte after cdktf's own formatting.
    const together = stackJson(loadConfig(dir), { outdir: full });
    for (const name of ["platform", "users-00", "users-01", "users-02"]) {
      expect(JSON.parse(readFileSync(join(full, "stacks", name, "cdk.tf.json"), "utf8")), name).toEqual(together[name]);
    }
    expect(Object.keys(JSON.parse(readFileSync(join(full, "manifest.json"), "utf8")).stacks).sort()).toEqual(["platform", "users-00", "users-01", "users-02"]);
    expect(readdirSync(full).filter((n) => n.startsWith(".staging"))).toEqual([]);
    // Fewer users stacks: the output keeps none of the old ones (a glob would deploy them).
    const fewer = fixtureConfig({ cluster: (d) => d.setIn(["state", "shards"], 2) });
    expect(aiwcCli(["synth", "-c", fewer, "-o", full]).code).toBe(0);
    expect(readdirSync(join(full, "stacks")).sort()).toEqual(["platform", "users-00", "users-01"]);
    expect(aiwcCli(["verify", full]).code).toBe(0);
    const platform = aiwcCli(["synth", "-c", dir, "-o", one, "--stack", "platform"]);
    expect(platform.code).toBe(1);
    expect(platform.err).toContain("--stack names users stacks only");
  });
});

describe("cost diff across users stacks", () => {
  const report = (dir: string) => reportJson(priceConfig(loadConfig(dir), { outdir: join(tempDir(), "out"), pricing: { date: "2026-11-27" } }));
  const many = names(prng(21), 24);

  test("onboarding one user touches exactly that user's stack; the diff and its comment name it", () => {
    const base = report(configWith("hetzner", many, 4));
    const [extra] = names(prng(22), 1, new Set(many));
    const head = report(configWith("hetzner", [...many, extra!], 4));
    const diff = diffReports(base, head);
    const stack = shardStackName(userShard(extra!, 4));
    expect(diff.stacks.touched).toEqual([stack]);
    expect(diff.stacks.unchanged).toBe(4);
    expect(diff.stacks.refreshRequests).toBe(head.apiBudget!.stacks.find((s) => s.stack === stack)!.refresh);
    expect(diffTable(diff, [])).toContain(`Stacks touched: ${stack} (1 of 5; a plan of them ≈ `);
    expect(diffMarkdown(diff, [])).toContain(`**Stacks touched:** ${stack} (1 of 5`);
    expect(diffJson(diff, []).stacks.touched).toEqual([stack]);
    // A base without stack digests (aiwc before them): every stack is touched, never none.
    const { stacks: _, ...old } = base;
    expect(diffReports(old, head).stacks).toMatchObject({ touched: ["platform", "users-00", "users-01", "users-02", "users-03"], unchanged: 0 });
    // Nothing changed: nothing touched.
    expect(diffReports(base, report(configWith("hetzner", many, 4))).stacks.touched).toEqual([]);
  });

  test("a shard count change moves users, which fails the gate until the state moves ran", () => {
    const base = report(configWith("aws", many, 1));
    const head = report(configWith("aws", many, 3));
    const diff = diffReports(base, head);
    const moved = diff.resources.filter((r) => r.change === "moved");
    const movers = many.filter((u) => userShard(u, 3) !== 0);
    expect(new Set(moved.flatMap((r) => (r.user !== undefined ? [r.user] : [])))).toEqual(new Set(movers));
    for (const r of moved.filter((m) => m.user !== undefined)) expect([r.from, r.stack]).toEqual(["users-00", shardStackName(userShard(r.user!, 3))]);
    // Nothing is destroyed, replaced or added: the same machines, elsewhere.
    expect(diff.resources.filter((r) => r.change !== "moved")).toEqual([]);
    expect(diff.gate.passed).toBe(false);
    expect(diff.gate.reasons.join("\n")).toMatch(new RegExp(`users move between stacks: ${movers.length} users' machines .* run \`aiwc shards plan --from <the shard count deployed now>\` and its script first, then pass --shards-migrated`));
    expect(diff.stacks.touched).toEqual(["users-00", "users-01", "users-02"]);
    expect(diff.stacks.added).toEqual(["users-01", "users-02"]);
    const migrated = diffReports(base, head, { shardsMigrated: true });
    expect(migrated.gate.reasons.filter((r) => r.startsWith("users move"))).toEqual([]);
    expect(migrated.gate.passed).toBe(head.gate.passed);
    expect(diffMarkdown(diff, [])).toContain(`🔀 Moved between users stacks (${moved.length})`);
  });
});
