/**
 * Generates typed cdktf bindings for the providers that have no prebuilt package
 * (hcloud, ovh) from the schema snapshots in providers/schemas/.
 *
 * Runs offline during `npm ci` / `npm install` (postinstall). The output lands in
 * `.gen/providers/<name>/` and is ignored by git: the snapshot is the source of truth,
 * the bindings are derived from it, so a refreshed snapshot can never drift from
 * hand-edited code.
 *
 * A stamp file records the hash of the snapshot and of the generator version; when
 * both match, generation is skipped (a warm `npm install` stays fast).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { PROVIDER_SNAPSHOTS, type ProviderSnapshot } from "./snapshots";
import { ensureTerraformEnv } from "./tf-env";

// cdktf's error reporting phones home unless told not to; we are offline by design.
ensureTerraformEnv();

const ROOT = resolve(__dirname, "..");
const OUT_ROOT = join(ROOT, ".gen", "providers");

function generatorVersion(): string {
  const pkg = JSON.parse(
    readFileSync(join(ROOT, "node_modules", "@cdktf", "provider-generator", "package.json"), "utf8"),
  ) as { version: string };
  return pkg.version;
}

async function generate(snapshot: ProviderSnapshot, version: string): Promise<"generated" | "up-to-date"> {
  const schemaText = readFileSync(join(ROOT, "providers", "schemas", snapshot.file), "utf8");
  const stamp = createHash("sha256").update(schemaText).update(version).update(snapshot.version).digest("hex");
  const outDir = join(OUT_ROOT, snapshot.name);
  const stampFile = join(outDir, ".stamp");
  if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp) return "up-to-date";

  // Deep import: the package root pulls in jsii/jsii-pacmak, which we do not need.
  const { TerraformProviderGenerator } = await import(
    "@cdktf/provider-generator/lib/get/generator/provider-generator"
  );
  const { CodeMaker } = await import("codemaker");
  const schema = JSON.parse(schemaText) as Record<string, unknown>;
  // cdktf extension: carries the version into `required_providers` of every synthesized stack.
  schema.provider_versions = { [snapshot.source]: snapshot.version };

  const code = new CodeMaker();
  const generator = new TerraformProviderGenerator(code, schema as never);
  generator.generateAll();
  rmSync(outDir, { recursive: true, force: true });
  const tmp = join(OUT_ROOT, `.tmp-${snapshot.name}`);
  rmSync(tmp, { recursive: true, force: true });
  await generator.save(tmp);
  // The generator writes providers/<name>/…; flatten it to .gen/providers/<name>/.
  const { renameSync } = await import("node:fs");
  renameSync(join(tmp, "providers", snapshot.name), outDir);
  rmSync(tmp, { recursive: true, force: true });
  writeFileSync(stampFile, stamp);
  return "generated";
}

async function main(): Promise<void> {
  mkdirSync(OUT_ROOT, { recursive: true });
  const version = generatorVersion();
  for (const snapshot of PROVIDER_SNAPSHOTS) {
    const started = Date.now();
    const result = await generate(snapshot, version);
    console.log(
      `aiwc: ${snapshot.name} bindings (${snapshot.source} ${snapshot.version}) ${result}` +
        (result === "generated" ? ` in ${Date.now() - started} ms` : ""),
    );
  }
}

main().catch((error: unknown) => {
  console.error("aiwc: generating provider bindings failed:", error);
  process.exit(1);
});
