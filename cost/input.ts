/**
 * What the engine prices: resource instances read from Terraform JSON configuration
 * (`cdk.tf.json`, any `*.tf.json`) or from a `terraform show -json` plan. Both become the same
 * list, so a stack's synthesized JSON and its plan price alike.
 */

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

function providerRegions(providers: unknown): Record<string, string> {
  // Terraform JSON: provider.<name> is an object or a list of objects (cdktf writes lists).
  const regions: Record<string, string> = {};
  if (!isObject(providers)) return regions;
  for (const [name, config] of Object.entries(providers)) {
    const first = Array.isArray(config) ? config.find((c) => isObject(c) && c.alias === undefined) ?? config[0] : config;
    if (isObject(first) && typeof first.region === "string") regions[name] = first.region;
  }
  return regions;
}

function providerName(type: string): string {
  return type.split("_")[0]!;
}

/** Resources of a Terraform JSON configuration, with `count`/`for_each` literals expanded. */
export function fromConfiguration(document: unknown, stack?: string): ResourceInstance[] {
  if (!isObject(document)) throw new InputError("not a Terraform JSON configuration: expected an object at the top level");
  const resources = document.resource ?? {};
  if (!isObject(resources)) throw new InputError('"resource" must be an object of resource types');
  const regions = providerRegions(document.provider);
  const out: ResourceInstance[] = [];
  for (const [type, instances] of Object.entries(resources)) {
    if (!isObject(instances)) throw new InputError(`resource.${type} must be an object of resource names`);
    const region = regions[providerName(type)];
    for (const [name, body] of Object.entries(instances)) {
      if (!isObject(body)) throw new InputError(`resource.${type}.${name} must be an object`);
      const comment = body["//"];
      const metadata = isObject(comment) && isObject(comment.metadata) ? comment.metadata : undefined;
      const constructPath = typeof metadata?.path === "string" ? metadata.path : undefined;
      const count = body.count;
      const forEach = body.for_each;
      if (count === undefined && forEach === undefined) {
        // The common case, built as one object: this loop runs once per resource.
        out.push({ address: `${type}.${name}`, type, values: body, stack, constructPath, providerRegion: region });
        continue;
      }
      const base = { type, values: body, stack, constructPath, providerRegion: region };
      if (typeof count === "number") {
        for (let i = 0; i < count; i++) out.push({ ...base, address: `${type}.${name}[${i}]` });
      } else if (isObject(forEach)) {
        for (const key of Object.keys(forEach)) out.push({ ...base, address: `${type}.${name}[${JSON.stringify(key)}]` });
      } else if (Array.isArray(forEach)) {
        for (const key of forEach) out.push({ ...base, address: `${type}.${name}[${JSON.stringify(String(key))}]` });
      } else {
        // An expression count/for_each is only known at plan time: price one instance and say so.
        out.push({ ...base, address: `${type}.${name}`, ...(count !== undefined || forEach !== undefined ? { values: { ...body, "aiwc:unknown_count": true } } : {}) });
      }
    }
  }
  return out;
}

interface PlanModule {
  resources?: { address: string; mode: string; type: string; values?: Json }[];
  child_modules?: PlanModule[];
}

function planRegions(plan: Json): Record<string, string> {
  const regions: Record<string, string> = {};
  const config = isObject(plan.configuration) ? (plan.configuration.provider_config as Json | undefined) : undefined;
  if (!isObject(config)) return regions;
  for (const entry of Object.values(config)) {
    if (!isObject(entry) || typeof entry.name !== "string" || entry.alias !== undefined) continue;
    const region = isObject(entry.expressions) && isObject(entry.expressions.region) ? entry.expressions.region.constant_value : undefined;
    if (typeof region === "string") regions[entry.name] = region;
  }
  return regions;
}

/** Resources of a `terraform show -json` plan: the planned state, with each change's actions. */
export function fromPlan(plan: unknown, stack?: string): ResourceInstance[] {
  if (!isObject(plan) || !isObject(plan.planned_values)) {
    throw new InputError("not a Terraform plan: expected `planned_values` (the output of `terraform show -json <planfile>`)");
  }
  const actions = new Map<string, string[]>();
  for (const change of Array.isArray(plan.resource_changes) ? plan.resource_changes : []) {
    if (isObject(change) && typeof change.address === "string" && isObject(change.change) && Array.isArray(change.change.actions)) {
      actions.set(change.address, change.change.actions as string[]);
    }
  }
  const regions = planRegions(plan);
  const out: ResourceInstance[] = [];
  const walk = (module: PlanModule | undefined): void => {
    if (module === undefined) return;
    for (const resource of module.resources ?? []) {
      if (resource.mode !== "managed") continue;
      const region = regions[providerName(resource.type)];
      const act = actions.get(resource.address);
      out.push({
        address: resource.address,
        type: resource.type,
        ...(stack !== undefined ? { stack } : {}),
        values: resource.values ?? {},
        ...(region !== undefined ? { providerRegion: region } : {}),
        ...(act !== undefined ? { actions: act } : {}),
      });
    }
    for (const child of module.child_modules ?? []) walk(child);
  };
  walk((plan.planned_values as Json).root_module as PlanModule);
  return out;
}

/** A plan or a configuration, told apart by their top-level keys. */
export function fromTerraformJson(document: unknown, stack?: string): ResourceInstance[] {
  if (isObject(document) && ("planned_values" in document || "resource_changes" in document || "format_version" in document && "terraform_version" in document)) {
    return fromPlan(document, stack);
  }
  return fromConfiguration(document, stack);
}
