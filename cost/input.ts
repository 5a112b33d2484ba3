/**
 * What the engine prices: resource instances read from Terraform JSON configuration
 * (`cdk.tf.json`, any `*.tf.json`) or from a `terraform show -json` plan. Both become the same
 * list, so a stack's synthesized JSON and its plan price alike.
 */

import { UNKNOWN_REGION } from "../catalog/prices";
import { keepShape } from "../catalog/shapes";
import { dotPath } from "../config/problems";
import { plannedAction } from "./replacement";

export interface ResourceInstance {
  /** Terraform address: `aws_instance.web`, `aws_instance.web[0]`, `module.m.x.y["k"]`. */
  readonly address: string;
  readonly type: string;
  /** Stack (cdktf) or file the resource came from. */
  readonly stack?: string | undefined;
  /** cdktf construct path, where the JSON carries it. */
  readonly constructPath?: string | undefined;
  /** Attribute values (literal, or `${…}` interpolations in configuration JSON). */
  readonly values: Readonly<Record<string, unknown>>;
  /** Region or location of the resource's provider configuration (AWS region). */
  readonly providerRegion?: string | undefined;
  /** Plan action (`create`, `update`, `no-op`, `delete`, …); absent for configuration JSON. */
  readonly actions?: readonly string[];
  /** Configuration JSON whose `count`/`for_each` is an expression: one instance stands for an unknown number. */
  readonly unknownCount?: boolean;
}

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Regions of a Terraform JSON configuration's provider configurations, by key as resources
 * name them (`aws`, `aws.fra`), resolved as Terraform does: a literal, or `${var.NAME}` with
 * the variable's default. A configuration whose region cannot be known maps to null.
 */
function providerRegions(document: Json): Record<string, string | null | undefined> {
  const regions: Record<string, string | null | undefined> = {};
  const providers = document.provider;
  if (!isObject(providers)) return regions;
  const variables = isObject(document.variable) ? document.variable : {};
  const resolve = (value: unknown): string | null => {
    if (typeof value !== "string") return null;
    const ref = /^\$\{var\.([A-Za-z_][A-Za-z0-9_-]*)\}$/.exec(value);
    if (ref === null) return value.includes("${") ? null : value;
    const variable = variables[ref[1]!];
    return isObject(variable) && typeof variable.default === "string" ? variable.default : null;
  };
  for (const [name, config] of Object.entries(providers)) {
    for (const entry of Array.isArray(config) ? config : [config]) {
      if (!isObject(entry)) continue;
      const key = typeof entry.alias === "string" ? `${name}.${entry.alias}` : name;
      // Providers that take no region (hcloud: resources carry their location): undefined.
      regions[key] = "region" in entry ? resolve(entry.region) : undefined;
    }
  }
  return regions;
}

/**
 * The region a resource's provider configuration points at: `undefined` when the provider
 * has no region setting, `null` when it has one aiwc cannot know (fail closed: unsupported).
 */
function regionFor(regions: Readonly<Record<string, string | null | undefined>>, key: string): string | null | undefined {
  if (key in regions) return regions[key];
  // An alias that is not configured (or a provider block without a region): unknown.
  return key.includes(".") ? null : undefined;
}

function providerName(type: string): string {
  return type.split("_")[0]!;
}

/**
 * Upper bounds checked before any work, so a hostile or broken input is a clear error within
 * a second instead of an out-of-memory abort. A cluster of 100,000 users synthesizes to about
 * 300,000 resource instances.
 */
export const LIMITS = {
  /** Instances of one resource block (`count`, `for_each`). */
  instancesPerResource: 100_000,
  /** Resource instances in all documents of one run. */
  instances: 2_000_000,
} as const;

/** A JSON path as the config errors write theirs: `resource.aws_instance["a.b"].count`. */
const path = (...segments: (string | number)[]): string => dotPath(segments);

/** The cdktf construct path a resource's `//` metadata records. */
function constructPathOf(body: Readonly<Json>): string | undefined {
  const comment = body["//"];
  const metadata = isObject(comment) && isObject(comment.metadata) ? comment.metadata : undefined;
  return typeof metadata?.path === "string" ? metadata.path : undefined;
}

/**
 * A resource of a configuration without count or for_each, the common case (one object per
 * resource, so as few fields as can be): its address is built on first use, its construct
 * path read from the body when asked.
 */
class ConfiguredResource implements ResourceInstance {
  #address: string | undefined;
  constructor(
    /** What all resources of one type (and provider configuration) in a document share. */
    private readonly block: { readonly type: string; readonly stack: string | undefined; readonly providerRegion: string | undefined },
    /** The resource's name in the configuration (`resource.<type>.<name>`). */
    private readonly resourceName: string,
    readonly values: Json,
  ) {}
  get type(): string {
    return this.block.type;
  }
  get stack(): string | undefined {
    return this.block.stack;
  }
  get providerRegion(): string | undefined {
    return this.block.providerRegion;
  }
  get address(): string {
    return (this.#address ??= `${this.block.type}.${this.resourceName}`);
  }
  get constructPath(): string | undefined {
    return constructPathOf(this.values);
  }
}
// One per resource, all collected after a run: the class outlives them (catalog/shapes.ts).
keepShape(ConfiguredResource, new ConfiguredResource({ type: "", stack: undefined, providerRegion: undefined }, "", {}));

/**
 * Resource instances as one pass over them: `visit` is called with each in order. Pricing a
 * document as it is read touches each resource's attributes once, while they are still in the
 * CPU cache (a 100,000-resource document is far larger than the cache: a second pass over its
 * objects costs a cache miss per resource).
 */
export type InstanceSource = (visit: (instance: ResourceInstance) => void) => void;

/** A pass over lists of instances, one after the other. */
export function listSource(...lists: readonly (readonly ResourceInstance[])[]): InstanceSource {
  return (visit) => {
    for (const list of lists) for (const instance of list) visit(instance);
  };
}

/** A pass over Terraform JSON documents (plans or configurations), one per stack or file, in order. */
export function documentsSource(documents: readonly { readonly name: string; readonly json: unknown }[]): InstanceSource {
  return (visit) => {
    for (const d of documents) eachInstance(d.json, d.name, visit);
  };
}

/** fromTerraformJson as a pass: a plan's or a configuration's instances handed to `visit` in order. */
function eachInstance(document: unknown, stack: string | undefined, visit: (instance: ResourceInstance) => void): void {
  if (isPlan(document)) for (const instance of fromPlan(document, stack)) visit(instance);
  else eachConfigured(document, stack, visit);
}

/** Resources of a Terraform JSON configuration, with `count`/`for_each` literals expanded. */
export function fromConfiguration(document: unknown, stack?: string): ResourceInstance[] {
  const out: ResourceInstance[] = [];
  eachConfigured(document, stack, (instance) => {
    out.push(instance);
  });
  return out;
}

/** fromConfiguration as a pass: each instance handed to `visit` as it is read. */
function eachConfigured(document: unknown, stack: string | undefined, visit: (instance: ResourceInstance) => void): void {
  if (!isObject(document)) throw new InputError("(document): not a Terraform JSON configuration: expected an object at the top level");
  const resources = document.resource ?? {};
  if (!isObject(resources)) throw new InputError('resource: must be an object of resource types');
  const regions = providerRegions(document);
  // Instances so far, for the limit.
  let seen = 0;
  for (const [type, instances] of Object.entries(resources)) {
    if (!isObject(instances)) throw new InputError(`${path("resource", type)}: must be an object of resource names`);
    // The region of the type's default provider configuration, once per type.
    const typeRegion = withRegion(regionFor(regions, providerName(type)));
    const block = { type, stack, providerRegion: typeRegion };
    for (const name in instances) {
      const body = instances[name];
      if (!isObject(body)) throw new InputError(`${path("resource", type, name)}: must be an object`);
      if (body.provider !== undefined && typeof body.provider !== "string") throw new InputError(`${path("resource", type, name)}.provider: must be a provider reference such as "aws.fra"`);
      const region = typeof body.provider === "string" ? withRegion(regionFor(regions, body.provider)) : typeRegion;
      const count = body.count;
      const forEach = body.for_each;
      if (count === undefined && forEach === undefined) {
        // The common case: this loop runs once per resource.
        seen++;
        visit(new ConfiguredResource(region === typeRegion ? block : { type, stack, providerRegion: region }, name, body));
        continue;
      }
      const constructPath = constructPathOf(body);
      const base = { type, values: body, stack, constructPath, providerRegion: region };
      const where = path("resource", type, name);
      if (typeof count === "number") {
        if (!Number.isInteger(count) || count < 0) throw new InputError(`${where}.count: must be a whole number ≥ 0, got ${count}`);
        if (count > LIMITS.instancesPerResource) throw new InputError(`${where}.count: ${count} instances exceed aiwc's limit of ${LIMITS.instancesPerResource} per resource`);
        if (seen + count > LIMITS.instances) throw new InputError(`${where}.count: the configuration expands to more than ${LIMITS.instances} resource instances, aiwc's limit`);
        seen += count;
        for (let i = 0; i < count; i++) visit({ ...base, address: `${type}.${name}[${i}]` });
      } else if (count !== undefined && typeof count !== "string") {
        throw new InputError(`${where}.count: must be a number or an expression string, got ${JSON.stringify(count)}`);
      } else if (isObject(forEach) || Array.isArray(forEach)) {
        const keys = Array.isArray(forEach) ? forEach.map((k) => String(k)) : Object.keys(forEach);
        if (keys.length > LIMITS.instancesPerResource) throw new InputError(`${where}.for_each: ${keys.length} instances exceed aiwc's limit of ${LIMITS.instancesPerResource} per resource`);
        seen += keys.length;
        for (const key of keys) visit({ ...base, address: `${type}.${name}[${JSON.stringify(key)}]` });
      } else {
        // An expression count/for_each is only known at plan time: price one instance and say so.
        seen++;
        visit({ ...base, address: `${type}.${name}`, unknownCount: true });
      }
    }
  }
  // Module calls: their resources are not in this document. Reported, never silently skipped.
  const modules = document.module;
  if (isObject(modules)) {
    for (const [name, call] of Object.entries(modules)) {
      visit({ address: `module.${name}`, type: MODULE_CALL, values: isObject(call) ? call : {}, stack });
    }
  }
}

/** The pseudo-type of a module call in Terraform JSON configuration. */
export const MODULE_CALL = "module";

/**
 * Regions of a plan's provider configurations by `provider_config_key` (`aws`, `aws.fra`,
 * `module.m:aws`): a constant, or a reference to a root variable whose value the plan records.
 */
function planRegions(plan: Json): Record<string, string | null | undefined> {
  const regions: Record<string, string | null | undefined> = {};
  const config = isObject(plan.configuration) ? plan.configuration.provider_config : undefined;
  if (!isObject(config)) return regions;
  const variables = isObject(plan.variables) ? plan.variables : {};
  for (const [key, entry] of Object.entries(config)) {
    if (!isObject(entry)) continue;
    const region = isObject(entry.expressions) ? entry.expressions.region : undefined;
    if (!isObject(region)) {
      regions[key] = undefined;
      continue;
    }
    if (typeof region.constant_value === "string") {
      regions[key] = region.constant_value;
      continue;
    }
    const refs = Array.isArray(region.references) ? region.references : [];
    const variable = typeof refs[0] === "string" && /^var\.[A-Za-z_][A-Za-z0-9_-]*$/.test(refs[0]) && entry.module_address === undefined ? variables[refs[0].slice(4)] : undefined;
    regions[key] = isObject(variable) && typeof variable.value === "string" ? variable.value : null;
  }
  return regions;
}

/** Each configured resource's `provider_config_key`, by module path and `type.name`. */
function planProviderKeys(plan: Json): Map<string, string> {
  const keys = new Map<string, string>();
  const walk = (module: unknown, prefix: string, depth: number): void => {
    if (!isObject(module) || depth > 50) return;
    for (const r of Array.isArray(module.resources) ? module.resources : []) {
      if (isObject(r) && typeof r.address === "string" && typeof r.provider_config_key === "string") keys.set(`${prefix}|${r.address}`, r.provider_config_key);
    }
    if (isObject(module.module_calls)) {
      for (const [name, call] of Object.entries(module.module_calls)) {
        if (isObject(call)) walk(call.module, `${prefix}${prefix === "" ? "" : "."}module.${name}`, depth + 1);
      }
    }
  };
  if (isObject(plan.configuration)) walk(plan.configuration.root_module, "", 0);
  return keys;
}

/** `module.a["x"].module.b.aws_instance.web[0]` → module path and `type.name` in the configuration. */
function configurationAddress(address: string): string {
  const plain = address.replace(/\[[^\]]*\]/g, "");
  const parts = plain.split(".");
  return `${parts.slice(0, -2).join(".")}|${parts.slice(-2).join(".")}`;
}

/** The region for a plan resource: by its provider_config_key when the plan records one. */
function planRegionFor(regions: Readonly<Record<string, string | null | undefined>>, keys: ReadonlyMap<string, string>, address: string, type: string): string | null | undefined {
  const key = keys.get(configurationAddress(address)) ?? providerName(type);
  if (key in regions) return regions[key];
  // A key the plan does not configure: the implicit default configuration has no region;
  // anything else (an alias, a module's provider) cannot be resolved — fail closed.
  return key === providerName(type) ? undefined : null;
}

/** A known region, or the marker that makes the resource unsupported (its region is unknown). */
function withRegion(region: string | null | undefined): string | undefined {
  return region === null ? UNKNOWN_REGION : region;
}


/** Resources of a `terraform show -json` plan: the planned state, with each change's actions; deletions from `resource_changes`. */
export function fromPlan(plan: unknown, stack?: string): ResourceInstance[] {
  if (!isObject(plan) || !isObject(plan.planned_values)) {
    throw new InputError("planned_values: missing or not an object; expected the output of `terraform show -json <planfile>`");
  }
  const changes = plan.resource_changes ?? [];
  if (!Array.isArray(changes)) throw new InputError("resource_changes: must be a list");
  const actions = new Map<string, string[]>();
  const deleted: { address: string; type: string; values: Json }[] = [];
  changes.forEach((change, i) => {
    const at = path("resource_changes", i);
    if (!isObject(change)) throw new InputError(`${at}: must be an object`);
    if (typeof change.address !== "string") throw new InputError(`${at}.address: must be a string`);
    if (change.mode !== undefined && change.mode !== "managed") return;
    if (!isObject(change.change)) throw new InputError(`${at}.change: must be an object with actions`);
    const list = change.change.actions;
    if (!Array.isArray(list) || !list.every((a) => typeof a === "string")) throw new InputError(`${at}.change.actions: must be a list of action names`);
    actions.set(change.address, list as string[]);
    if (plannedAction(list as string[]) === "delete") {
      if (typeof change.type !== "string") throw new InputError(`${at}.type: must be a resource type`);
      const before = change.change.before;
      if (before !== null && before !== undefined && !isObject(before)) throw new InputError(`${at}.change.before: must be an object`);
      deleted.push({ address: change.address, type: change.type, values: (before as Json | null | undefined) ?? {} });
    }
  });
  const regions = planRegions(plan);
  const providerKeys = planProviderKeys(plan);
  const out: ResourceInstance[] = [];
  const walk = (module: unknown, at: string): void => {
    if (!isObject(module)) throw new InputError(`${at}: must be an object`);
    const resources = module.resources ?? [];
    if (!Array.isArray(resources)) throw new InputError(`${at}.resources: must be a list`);
    if (out.length + resources.length > LIMITS.instances) throw new InputError(`${at}.resources: the plan holds more than ${LIMITS.instances} resource instances, aiwc's limit`);
    resources.forEach((resource, i) => {
      const where = `${at}.resources[${i}]`;
      if (!isObject(resource)) throw new InputError(`${where}: must be an object`);
      if (resource.mode !== "managed") return;
      if (typeof resource.type !== "string" || resource.type === "") throw new InputError(`${where}.type: must be a resource type`);
      if (typeof resource.address !== "string") throw new InputError(`${where}.address: must be a string`);
      if (resource.values !== undefined && resource.values !== null && !isObject(resource.values)) throw new InputError(`${where}.values: must be an object`);
      const region = withRegion(planRegionFor(regions, providerKeys, resource.address, resource.type));
      const act = actions.get(resource.address);
      out.push({
        address: resource.address,
        type: resource.type,
        ...(stack !== undefined ? { stack } : {}),
        values: (resource.values as Json | undefined) ?? {},
        ...(region !== undefined ? { providerRegion: region } : {}),
        ...(act !== undefined ? { actions: act } : {}),
      });
    });
    const children = module.child_modules ?? [];
    if (!Array.isArray(children)) throw new InputError(`${at}.child_modules: must be a list`);
    children.forEach((child, i) => walk(child, `${at}.child_modules[${i}]`));
  };
  const root = plan.planned_values.root_module;
  // A plan that destroys everything has no root module in its planned values.
  if (root !== undefined) walk(root, "planned_values.root_module");
  for (const d of deleted) {
    const region = withRegion(planRegionFor(regions, providerKeys, d.address, d.type));
    out.push({ address: d.address, type: d.type, ...(stack !== undefined ? { stack } : {}), values: d.values, ...(region !== undefined ? { providerRegion: region } : {}), actions: ["delete"] });
  }
  return out;
}

/** A plan (`terraform show -json`), told from a configuration by its top-level keys. */
export function isPlan(document: unknown): boolean {
  return isObject(document) && ("planned_values" in document || "resource_changes" in document || ("format_version" in document && "terraform_version" in document));
}

/** A plan or a configuration, told apart by their top-level keys. */
export function fromTerraformJson(document: unknown, stack?: string): ResourceInstance[] {
  return isPlan(document) ? fromPlan(document, stack) : fromConfiguration(document, stack);
}
