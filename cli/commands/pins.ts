/**
 * `aiwc pins`: the migration from position-based placement. Reads the deployed state
 * (`terraform state pull`, a local `*.tfstate`, or `terraform show -json`) and pins what is
 * deployed — each AWS user VM's availability zone (users[].zone) and each dedicated host's
 * vSwitch address (nodeGroups.<g>.dedicated.hosts[].address) — so that the name-derived
 * placement never moves a machine that already exists. Prints the pins; `--write` edits
 * users.yaml and cluster.yaml in place, comments kept.
 */
import { writeFileSync } from "node:fs";
import { parseDocument, type Document } from "yaml";
import { displayPath, loadConfig } from "../../model/load";
import { AIWC_LIMITS } from "../../config/limits";
import { nodeName } from "../../config/placement";
import { readJsonFile, readText } from "../input-files";
import { UsageError, type CommandResult } from "../result";

export interface PinsOptions {
  readonly config?: string;
  /** State files of the platform and users stacks. */
  readonly state: readonly string[];
  readonly write?: boolean;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

interface Deployed {
  readonly type: string;
  readonly values: Json;
}

/** Resource instances of a state: format v4 (`resources[].instances[].attributes`) or `terraform show -json` (`values.root_module`). */
export function deployedResources(document: unknown, file: string): Deployed[] {
  if (!isObject(document)) throw new UsageError(`${file}: not a Terraform state (expected an object)`);
  const out: Deployed[] = [];
  if (Array.isArray(document.resources)) {
    document.resources.forEach((resource, i) => {
      if (!isObject(resource)) throw new UsageError(`${file}: resources[${i}]: must be an object`);
      if (resource.mode !== "managed" || typeof resource.type !== "string") return;
      for (const instance of Array.isArray(resource.instances) ? resource.instances : []) {
        if (isObject(instance) && isObject(instance.attributes)) out.push({ type: resource.type, values: instance.attributes });
      }
    });
    return out;
  }
  const walk = (module: unknown): void => {
    if (!isObject(module)) return;
    for (const r of Array.isArray(module.resources) ? module.resources : []) {
      if (isObject(r) && r.mode === "managed" && typeof r.type === "string" && isObject(r.values)) out.push({ type: r.type, values: r.values });
    }
    for (const child of Array.isArray(module.child_modules) ? module.child_modules : []) walk(child);
  };
  if (isObject(document.values)) {
    walk(document.values.root_module);
    return out;
  }
  throw new UsageError(`${file}: not a Terraform state: expected "resources" (state file, terraform state pull) or "values" (terraform show -json)`);
}

/** terraform_data keeps `input` as `{ value, type }` in state; plain in configuration. */
function inputOf(values: Json): Json | undefined {
  const input = values.input;
  if (!isObject(input)) return undefined;
  return isObject(input.value) ? input.value : input;
}

export interface Pins {
  readonly zones: Readonly<Record<string, string>>;
  readonly addresses: Readonly<Record<string, string>>;
}

export function pinsFromState(resources: readonly Deployed[]): Pins {
  const zones: Record<string, string> = {};
  const addresses: Record<string, string> = {};
  for (const r of resources) {
    if (r.type === "aws_instance") {
      const tags = isObject(r.values.tags) ? r.values.tags : {};
      const user = tags["aiwc/user"];
      if (typeof user === "string" && typeof r.values.availability_zone === "string") zones[user] = r.values.availability_zone;
    } else if (r.type === "terraform_data") {
      const input = inputOf(r.values);
      if (input?.aiwc_kind === "dedicated_server" && typeof input.name === "string" && typeof input.private_ip === "string") addresses[input.name] = input.private_ip;
    }
  }
  return { zones, addresses };
}

export function pins(options: PinsOptions): CommandResult {
  if (options.state.length === 0) throw new UsageError("--state: name at least one state file (terraform state pull > users.tfstate)");
  const config = loadConfig(options.config);
  const resources = options.state.flatMap((file) => deployedResources(readJsonFile(file, "a Terraform state"), displayPath(file)));
  const found = pinsFromState(resources);
  const lines: string[] = [];

  const usersDoc = parseDocument(readText(config.files.users, "users.yaml", AIWC_LIMITS.yamlBytes));
  let usersChanged = false;
  config.users.forEach((user, index) => {
    const zone = found.zones[user.name];
    if (zone === undefined || user.zone !== undefined) return;
    usersDoc.setIn(["users", index, "zone"], zone);
    usersChanged = true;
    lines.push(`${displayPath(config.files.users)}: users[${index}].zone: ${zone}   # ${user.name}`);
  });

  const clusterDoc = parseDocument(readText(config.files.cluster, "cluster.yaml", AIWC_LIMITS.yamlBytes));
  let clusterChanged = false;
  for (const [group, spec] of Object.entries(config.cluster.nodeGroups)) {
    if (spec.dedicated === undefined) continue;
    for (let index = 0; index < spec.count; index++) {
      const host = spec.dedicated.hosts?.[index];
      const name = host?.name ?? nodeName(config.cluster.name, group, index);
      const address = found.addresses[name];
      if (address === undefined || host?.address !== undefined) continue;
      if (spec.dedicated.hosts === undefined) setHosts(clusterDoc, group, spec.count);
      clusterDoc.setIn(["nodeGroups", group, "dedicated", "hosts", index, "address"], address);
      clusterChanged = true;
      lines.push(`${displayPath(config.files.cluster)}: nodeGroups.${group}.dedicated.hosts[${index}].address: ${address}   # ${name}`);
    }
  }

  if (lines.length === 0) return { stdout: "nothing to pin: every deployed placement is already pinned or derived the same way", exitCode: 0 };
  if (options.write === true) {
    if (usersChanged) writeFileSync(config.files.users, usersDoc.toString());
    if (clusterChanged) writeFileSync(config.files.cluster, clusterDoc.toString());
    return { stdout: [`pinned ${lines.length} placement(s) from the deployed state:`, ...lines.map((l) => `  ${l}`)].join("\n"), exitCode: 0 };
  }
  return { stdout: [`${lines.length} placement(s) to pin (run again with --write to edit the files):`, ...lines.map((l) => `  ${l}`)].join("\n"), exitCode: 0 };
}

/** `hosts:` with one empty entry per node, so each index can take an address. */
function setHosts(doc: Document, group: string, count: number): void {
  doc.setIn(["nodeGroups", group, "dedicated", "hosts"], doc.createNode(Array.from({ length: count }, () => ({}))));
}
