/**
 * Checks synthesized Terraform JSON against provider schemas in the format of
 * `terraform providers schema -json`: resource types exist, attribute names are known,
 * required attributes are present, read-only (computed) attributes are not set, values have the
 * declared types and nested blocks respect their nesting mode and item counts.
 *
 * Generic over providers: hcloud and ovh today, any snapshot tomorrow. Interpolations
 * (`${…}`) are accepted for any type, as Terraform only knows their type at plan time.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

type AttributeType = string | [string, AttributeType] | ["object", Record<string, AttributeType>] | ["tuple", AttributeType[]];

interface SchemaAttribute {
  readonly type?: AttributeType;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
}

interface SchemaBlock {
  readonly attributes?: Readonly<Record<string, SchemaAttribute>>;
  readonly block_types?: Readonly<Record<string, { nesting_mode: string; min_items?: number; max_items?: number; block: SchemaBlock }>>;
}

export interface ProviderSchemaFile {
  readonly format_version: string;
  readonly provider_schemas: Readonly<Record<string, { provider: { block: SchemaBlock }; resource_schemas?: Readonly<Record<string, { block: SchemaBlock }>>; data_source_schemas?: Readonly<Record<string, { block: SchemaBlock }>> }>>;
}

export interface SchemaProblem {
  /** Terraform address-like location, e.g. `hcloud_server.Foo.network[0].ip`. */
  readonly at: string;
  readonly message: string;
}

/** Keys Terraform itself handles on every resource (and cdktf's metadata comment). */
const META_ARGUMENTS = new Set(["count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection", "//"]);

/** Resource types built into Terraform; they belong to no provider schema. */
const BUILTIN_TYPES = new Set(["terraform_data", "null_resource"]);

export function loadProviderSchema(file: string): ProviderSchemaFile {
  return JSON.parse(readFileSync(file, "utf8")) as ProviderSchemaFile;
}

/** The snapshots shipped in providers/schemas/. */
export function loadShippedSchemas(root: string): ProviderSchemaFile[] {
  return ["hcloud.schema.json", "ovh.schema.json"].map((f) => loadProviderSchema(join(root, "providers", "schemas", f)));
}

function isInterpolation(value: unknown): boolean {
  return typeof value === "string" && value.includes("${");
}

function checkType(type: AttributeType | undefined, value: unknown, at: string, out: SchemaProblem[]): void {
  if (type === undefined || isInterpolation(value) || value === null) return;
  if (typeof type === "string") {
    const ok =
      type === "dynamic" ||
      (type === "string" && (typeof value === "string" || typeof value === "number" || typeof value === "boolean")) ||
      (type === "number" && (typeof value === "number" || (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))))) ||
      (type === "bool" && (typeof value === "boolean" || value === "true" || value === "false"));
    if (!ok) out.push({ at, message: `expected ${type}, got ${JSON.stringify(value)}` });
    return;
  }
  const [kind, inner] = type;
  if (kind === "list" || kind === "set") {
    if (!Array.isArray(value)) {
      out.push({ at, message: `expected a ${kind}, got ${typeof value}` });
      return;
    }
    value.forEach((item, i) => checkType(inner as AttributeType, item, `${at}[${i}]`, out));
  } else if (kind === "map") {
    if (typeof value !== "object" || Array.isArray(value)) {
      out.push({ at, message: `expected a map, got ${Array.isArray(value) ? "a list" : typeof value}` });
      return;
    }
    for (const [key, item] of Object.entries(value as object)) checkType(inner as AttributeType, item, `${at}.${key}`, out);
  } else if (kind === "object") {
    if (typeof value !== "object" || Array.isArray(value)) {
      out.push({ at, message: "expected an object" });
      return;
    }
    const fields = inner as Record<string, AttributeType>;
    for (const [key, item] of Object.entries(value as object)) {
      if (!(key in fields)) out.push({ at: `${at}.${key}`, message: "unknown object attribute" });
      else checkType(fields[key], item, `${at}.${key}`, out);
    }
  }
}

function checkBlock(block: SchemaBlock, value: Record<string, unknown>, at: string, out: SchemaProblem[], topLevel: boolean): void {
  const attributes = block.attributes ?? {};
  const blocks = block.block_types ?? {};
  for (const [key, item] of Object.entries(value)) {
    if (topLevel && META_ARGUMENTS.has(key)) continue;
    const attribute = attributes[key];
    if (attribute !== undefined) {
      if (attribute.computed === true && attribute.optional !== true && attribute.required !== true) {
        out.push({ at: `${at}.${key}`, message: "is read-only (computed by the provider) and cannot be set" });
      }
      checkType(attribute.type, item, `${at}.${key}`, out);
      continue;
    }
    const nested = blocks[key];
    if (nested === undefined) {
      out.push({ at: `${at}.${key}`, message: "is not an argument or block of this schema" });
      continue;
    }
    if (isInterpolation(item)) continue;
    const items: unknown[] = nested.nesting_mode === "single" || nested.nesting_mode === "group" ? [item] : Array.isArray(item) ? item : [item];
    if (nested.max_items !== undefined && nested.max_items > 0 && items.length > nested.max_items) {
      out.push({ at: `${at}.${key}`, message: `has ${items.length} blocks, at most ${nested.max_items} allowed` });
    }
    if (nested.min_items !== undefined && items.length < nested.min_items) {
      out.push({ at: `${at}.${key}`, message: `has ${items.length} blocks, at least ${nested.min_items} required` });
    }
    items.forEach((entry, i) => {
      if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
        out.push({ at: `${at}.${key}[${i}]`, message: "expected a block (an object)" });
        return;
      }
      checkBlock(nested.block, entry as Record<string, unknown>, `${at}.${key}[${i}]`, out, false);
    });
  }
  for (const [key, attribute] of Object.entries(attributes)) {
    if (attribute.required === true && !(key in value)) out.push({ at: `${at}.${key}`, message: "is required" });
  }
  for (const [key, nested] of Object.entries(blocks)) {
    if ((nested.min_items ?? 0) > 0 && !(key in value)) out.push({ at: `${at}.${key}`, message: `needs at least ${nested.min_items} block(s)` });
  }
}

/** Short provider name (`hcloud`) → its schema, from the source address's last segment. */
function schemasByName(schemas: readonly ProviderSchemaFile[]) {
  const byName = new Map<string, ProviderSchemaFile["provider_schemas"][string]>();
  for (const file of schemas) {
    for (const [source, schema] of Object.entries(file.provider_schemas)) byName.set(source.split("/").pop()!, schema);
  }
  return byName;
}

/**
 * Validates every resource, data source and provider block of one Terraform JSON document
 * whose provider has a schema here. Resources of providers without a schema are left alone
 * (AWS is checked by `terraform validate` with the real provider).
 */
export function validateTerraformJson(document: Record<string, unknown>, schemas: readonly ProviderSchemaFile[]): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  const byName = schemasByName(schemas);
  const providerOf = (type: string) => byName.get(type.split("_")[0]!);

  for (const [kind, schemaKey] of [
    ["resource", "resource_schemas"],
    ["data", "data_source_schemas"],
  ] as const) {
    const section = (document[kind] ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
    for (const [type, instances] of Object.entries(section)) {
      if (BUILTIN_TYPES.has(type) || type === "terraform_remote_state") continue;
      const provider = providerOf(type);
      if (provider === undefined) continue;
      const schema = provider[schemaKey]?.[type];
      if (schema === undefined) {
        out.push({ at: `${kind === "data" ? "data." : ""}${type}`, message: "unknown type for this provider's schema" });
        continue;
      }
      for (const [name, body] of Object.entries(instances)) {
        checkBlock(schema.block, body, `${kind === "data" ? "data." : ""}${type}.${name}`, out, true);
      }
    }
  }
  const providers = (document.provider ?? {}) as Record<string, Record<string, unknown>[]>;
  for (const [name, configs] of Object.entries(providers)) {
    const schema = byName.get(name);
    if (schema === undefined) continue;
    for (const [i, config] of configs.entries()) {
      const { alias: _alias, ...rest } = config;
      checkBlock(schema.provider.block, rest, `provider.${name}[${i}]`, out, false);
    }
  }
  return out;
}
