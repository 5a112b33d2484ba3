/**
 * Moving users between users stacks when the shard count changes (`aiwc shards plan`): which
 * users move, which Terraform addresses go with each, and a script that moves them from one
 * state to the other with Terraform's own `state mv` — no resource is destroyed or created.
 *
 * The script works on every backend the same way: for each stack a move touches, a directory
 * holding only that stack's backend (so `terraform init` needs no provider), `state pull` into a
 * local file, `state mv -state=… -state-out=…` per address, `state push` back. Terraform refuses
 * the push if anyone changed the state meanwhile (lineage and serial are checked), and each
 * state is backed up beside the pulled copy first.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { App, TerraformStack } from "../constructs/cdk";
import type { Config } from "../model/load";
import { shardStackName, userShard } from "../config/placement";
import { backend, eachUsersStack, type StackName } from "./app";
import { byText } from "../config/text";

/** The users stack layout a deployment had before: `single` (one `users` stack, before sharding) or a shard count. */
export type Layout = "single" | number;

/** The stack holding `user` in `layout`. */
export function stackOf(user: string, layout: Layout): StackName {
  return layout === "single" ? "users" : shardStackName(userShard(user, layout));
}

export interface UserMove {
  readonly user: string;
  readonly from: StackName;
  readonly to: StackName;
  /** Terraform addresses of the user's resources (VM, volumes, attachments), sorted. */
  readonly addresses: readonly string[];
}

export interface ShardPlan {
  readonly from: Layout;
  readonly to: number;
  readonly users: number;
  readonly moves: readonly UserMove[];
  /** Stacks a move reads from or writes to, sorted. */
  readonly stacks: readonly StackName[];
}

/**
 * The user a resource belongs to, from its construct path `<stack>/User-<user>[…]`: the
 * per-user constructs are `User-<user>` and `User-<user>-<Part>` (parts are PascalCase, user
 * names lowercase, so `User-anna-b` is never anna's).
 */
function ownerOf(path: string, users: ReadonlySet<string>): string | undefined {
  const segment = path.split("/")[1];
  if (segment === undefined || !segment.startsWith("User-")) return undefined;
  const rest = segment.slice("User-".length);
  if (users.has(rest)) return rest;
  const part = /-[A-Z][A-Za-z0-9]*$/.exec(rest);
  return part !== null && users.has(rest.slice(0, part.index)) ? rest.slice(0, part.index) : undefined;
}

/** Each user's Terraform addresses in the stacks of `config` (its own shard count). */
function addressesByUser(config: Config): Map<string, string[]> {
  const names = new Set(config.users.map((u) => u.name));
  const result = new Map<string, string[]>();
  // One users stack at a time: a migration of 100,000 users never holds them all as constructs.
  eachUsersStack(config, {}, "reading", ({ stackName: stack }, json) => {
    for (const [type, blocks] of Object.entries((json.resource ?? {}) as Record<string, Record<string, { "//"?: { metadata?: { path?: string } } }>>)) {
      for (const [name, body] of Object.entries(blocks)) {
        const owner = ownerOf(body["//"]?.metadata?.path ?? "", names);
        if (owner === undefined) throw new Error(`BUG: ${stack} holds ${type}.${name}, which belongs to no user`);
        let list = result.get(owner);
        if (list === undefined) result.set(owner, (list = []));
        list.push(`${type}.${name}`);
      }
    }
  });
  return result;
}

/** The moves from `from` to the config's `state.shards`. */
export function planShards(config: Config, from: Layout): ShardPlan {
  const to = config.cluster.state.shards;
  const moving = config.users.map((u) => ({ user: u.name, from: stackOf(u.name, from), to: shardStackName(userShard(u.name, to)) })).filter((m) => m.from !== m.to);
  const addresses = moving.length > 0 ? addressesByUser(config) : new Map<string, string[]>();
  const moves = moving
    .map((m) => ({ ...m, addresses: [...(addresses.get(m.user) ?? [])].sort(byText) }))
    .sort((a, b) => byText(a.from, b.from) || byText(a.to, b.to) || byText(a.user, b.user));
  const stacks = [...new Set(moves.flatMap((m) => [m.from, m.to]))].sort(byText);
  return { from, to, users: config.users.length, moves, stacks };
}

/** A POSIX shell word. */
function quote(word: string): string {
  return /^[A-Za-z0-9_./=:-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Writes the migration into `dir`: `backends/<stack>/main.tf.json` (the stack's backend alone),
 * `migrate.sh` and `moves.json`. Returns the script's path.
 */
export function writeMigration(config: Config, plan: ShardPlan, dir: string): string {
  mkdirSync(join(dir, "states"), { recursive: true });
  const app = new App({ outdir: dir, skipValidation: true });
  for (const name of plan.stacks) {
    const stack = new TerraformStack(app, name);
    // The backend as the stack's own synthesis declares it, for a working directory at <dir>/stacks/<name>.
    backend(stack, name, config, dir);
    const terraform = (stack.toTerraform() as { terraform: Record<string, unknown> }).terraform;
    mkdirSync(join(dir, "stacks", name), { recursive: true });
    writeFileSync(join(dir, "stacks", name, "main.tf.json"), `${JSON.stringify({ terraform: { backend: terraform.backend } }, null, 2)}\n`);
  }
  const moved = plan.moves.reduce((sum, m) => sum + m.addresses.length, 0);
  const from = plan.from === "single" ? "the single users stack" : `${plan.from} users stacks`;
  const lines = [
    "#!/usr/bin/env bash",
    `# Written by \`aiwc shards plan\`: moves ${plan.moves.length} of ${plan.users} users (${moved} Terraform addresses)`,
    `# from ${from} to ${plan.to} users stacks, state to state, with \`terraform state mv\`. Nothing is`,
    "# destroyed or created: afterwards `terraform plan` of every users stack shows no replacement.",
    "# Run it once, with nobody deploying meanwhile (Terraform refuses a push over a changed state).",
    "set -euo pipefail",
    'cd "$(dirname "$0")"',
    "export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0",
    `stacks=(${plan.stacks.map(quote).join(" ")})`,
    'for stack in "${stacks[@]}"; do',
    '  terraform -chdir="stacks/$stack" init -input=false -no-color >/dev/null',
    '  terraform -chdir="stacks/$stack" state pull > "states/$stack.tfstate"',
    '  # A stack that has no state yet: state mv starts a new one.',
    '  if [ -s "states/$stack.tfstate" ]; then cp "states/$stack.tfstate" "states/$stack.tfstate.before"; else rm -f "states/$stack.tfstate"; fi',
    "done",
    "mv_state() { terraform state mv -lock=false -state=\"states/$1.tfstate\" -state-out=\"states/$2.tfstate\" -backup=- -backup-out=- \"$3\" \"$3\" >/dev/null; }",
  ];
  for (const move of plan.moves) {
    lines.push(`# ${move.user}: ${move.from} → ${move.to}`);
    for (const address of move.addresses) lines.push(`mv_state ${quote(move.from)} ${quote(move.to)} ${quote(address)}`);
  }
  lines.push(
    'for stack in "${stacks[@]}"; do',
    '  if [ -f "states/$stack.tfstate" ]; then terraform -chdir="stacks/$stack" state push -no-color "../../states/$stack.tfstate"; fi',
    "done",
    `echo "moved ${plan.moves.length} users (${moved} addresses); now run terraform plan in each users stack: it must show no changes to them"`,
  );
  const script = join(dir, "migrate.sh");
  writeFileSync(script, `${lines.join("\n")}\n`, { mode: 0o755 });
  writeFileSync(join(dir, "moves.json"), `${JSON.stringify({ from: plan.from, to: plan.to, moves: plan.moves }, null, 2)}\n`);
  return relative(process.cwd(), script) || script;
}
