/**
 * One synthesis measured in a fresh process (so peak memory is this run's alone).
 * Usage: tsx bench/synth-once.ts <config-dir> <outdir>
 * Prints one JSON line: import, config load and synthesis (build + write) times, peak RSS,
 * resource count.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const started = performance.now();
const [configDir, outdir] = process.argv.slice(2) as [string, string];

async function main(): Promise<void> {
  const { loadConfig } = await import("../model/load");
  const { synthesize } = await import("../stacks/app");
  const imported = performance.now();
  const config = loadConfig(configDir);
  const loaded = performance.now();
  synthesize(config, { outdir });
  const synthesized = performance.now();
  let resources = 0;
  for (const stack of readdirSync(join(outdir, "stacks"))) {
    const json = JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8")) as { resource?: Record<string, object> };
    for (const instances of Object.values(json.resource ?? {})) resources += Object.keys(instances).length;
  }
  console.log(
    JSON.stringify({
      users: config.users.length,
      resources,
      importMs: Math.round(imported - started),
      loadMs: Math.round(loaded - imported),
      synthMs: Math.round(synthesized - loaded),
      totalMs: Math.round(synthesized - started),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
}

void main();
