/**
 * The default config (or the aws-seed example) at scale: generated users, the users subnet
 * widened for them, and a policy override (thousands of users exceed the default budget; the
 * gate still prices everything). Used by the benchmarks and the tests of long runs.
 */
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseDocument, stringify } from "yaml";

const ROOT = resolve(__dirname, "..");

/** The default config (or the aws-seed example) with `users` generated users (0 = the default users.yaml). */
export function configWithUsers(users: number, dir: string, provider: "hetzner" | "aws", shards?: number): void {
  for (const file of ["cluster.yaml", "users.yaml", "tariffs.yaml"]) cpSync(join(ROOT, "config", file), join(dir, file));
  if (provider === "aws") {
    const aws = parseDocument(readFileSync(join(ROOT, "config", "examples", "aws-seed", "cluster.yaml"), "utf8"));
    aws.delete("files");
    aws.delete("references");
    writeFileSync(join(dir, "cluster.yaml"), aws.toString());
  }
  if (users === 0) return;
  const cluster = parseDocument(readFileSync(join(dir, "cluster.yaml"), "utf8"));
  // 10,000 VMs need more than the default /20; 100,000 more than the default /16 network.
  if (users > 16_000) {
    cluster.setIn(["network", "cidr"], "10.0.0.0/8");
    cluster.setIn(["network", "usersSubnet"], "10.64.0.0/12");
  } else cluster.setIn(["network", "usersSubnet"], "10.0.64.0/18");
  // Thousands of users exceed the default budget; the gate still prices everything.
  cluster.setIn(["policy", "override"], { reason: "benchmark: synthesis at scale" });
  if (shards !== undefined) cluster.setIn(["state", "shards"], shards);
  writeFileSync(join(dir, "cluster.yaml"), cluster.toString());
  const template = (parseDocument(readFileSync(join(ROOT, "config", "users.yaml"), "utf8")).toJS() as { users: Record<string, unknown>[] }).users;
  const generated = Array.from({ length: users }, (_, i) => {
    const name = `user${String(i).padStart(5, "0")}`;
    const user: Record<string, unknown> = { ...template[i % template.length], name };
    // E-mails are each user's own (validation refuses one address for two users).
    return user.email !== undefined ? { ...user, email: `${name}@example.org` } : user;
  });
  writeFileSync(join(dir, "users.yaml"), stringify({ users: generated }, { aliasDuplicateObjects: false }));
}


/**
 * `events` usage events of November 2026 as JSON Lines, spread over every user, meter, day and
 * hour of the config (the billing and report benches' load).
 */
export function syntheticUsage(config: { tariffs: { payg: Record<string, unknown> }; users: readonly { name: string }[] }, events: number): string {
  const meters = Object.keys(config.tariffs.payg);
  const names = config.users.map((u) => u.name);
  const lines: string[] = [];
  for (let i = 0; i < events; i++) {
    const day = 1 + (i % 30);
    const meter = meters[i % meters.length]!;
    lines.push(JSON.stringify({ id: `e${i}`, source: "bench", time: `2026-11-${String(day).padStart(2, "0")}T${String(i % 24).padStart(2, "0")}:00:00Z`, user: names[i % names.length], meter, quantity: meter === "storage_gb" ? String(1 + (i % 9)) : `${i % 50}.${i % 10}` }));
  }
  return lines.join("\n");
}
