/**
 * `aiwc shards plan --from <single|N>`: the users that move when the config's `state.shards`
 * differs from the deployed layout, and the script that moves their state (stacks/shards.ts).
 */
import { dirname, join, resolve } from "node:path";
import { loadConfig } from "../../model/load";
import { planShards, writeMigration, type Layout, type ShardPlan } from "../../stacks/shards";
import { UsageError, type CommandResult } from "../result";
import { thousands } from "../../config/text";

export interface ShardsPlanOptions {
  readonly config?: string;
  /** The deployed layout: `single` (the one `users` stack before sharding) or the old `state.shards`. */
  readonly from: string;
  /** Where the migration goes. @default shards-migration */
  readonly out?: string;
  readonly format?: string;
}

/** Moves listed one per line before the rest is left to moves.json. */
const SHOWN = 200;

function parseLayout(text: string): Layout {
  if (text === "single") return "single";
  if (/^[1-9]\d{0,3}$/.test(text)) return Number(text);
  throw new UsageError(`--from ${text}: expected single (the one users stack before sharding) or the shard count deployed now (state.shards before the edit), e.g. --from 2`);
}

function summary(plan: ShardPlan): string[] {
  const from = plan.from === "single" ? "the single users stack" : `${plan.from} users ${plan.from === 1 ? "stack" : "stacks"}`;
  const lines = [`${thousands(plan.users)} users: ${from} → ${plan.to} users ${plan.to === 1 ? "stack" : "stacks"}; ${thousands(plan.moves.length)} move, ${thousands(plan.users - plan.moves.length)} stay`];
  const pairs = new Map<string, number>();
  for (const move of plan.moves) pairs.set(`${move.from} → ${move.to}`, (pairs.get(`${move.from} → ${move.to}`) ?? 0) + 1);
  for (const [pair, count] of pairs) lines.push(`  ${pair}: ${thousands(count)} ${count === 1 ? "user" : "users"}`);
  return lines;
}

export function shardsPlan(options: ShardsPlanOptions): CommandResult {
  const from = parseLayout(options.from);
  const format = options.format ?? "text";
  if (format !== "text" && format !== "json") throw new UsageError(`--format ${format}: expected text or json`);
  const config = loadConfig(options.config);
  const plan = planShards(config, from);
  if (plan.moves.length === 0) {
    return { stdout: format === "json" ? JSON.stringify({ from: plan.from, to: plan.to, moves: [] }, null, 2) : `${summary(plan)[0]}: nothing to move`, exitCode: 0 };
  }
  const script = writeMigration(config, plan, resolve(options.out ?? "shards-migration"));
  if (format === "json") return { stdout: JSON.stringify({ from: plan.from, to: plan.to, script, moves: plan.moves }, null, 2), exitCode: 0 };
  return {
    stdout: [
      ...summary(plan),
      "",
      ...plan.moves.slice(0, SHOWN).map((m) => `${m.user}: ${m.from} → ${m.to} (${m.addresses.join(", ")})`),
      ...(plan.moves.length > SHOWN ? [`… and ${thousands(plan.moves.length - SHOWN)} more users: every move is in ${join(dirname(script), "moves.json")}`] : []),
      "",
      `wrote ${script}: run it once (it pulls, moves and pushes the states of ${plan.stacks.length > 8 ? `${plan.stacks.length} stacks, ${plan.stacks.slice(0, 4).join(", ")}, …` : plan.stacks.join(", ")}),`,
      "then `aiwc synth` and `terraform plan` in every users stack — the moved users' machines show no change.",
    ].join("\n"),
    exitCode: 0,
  };
}
