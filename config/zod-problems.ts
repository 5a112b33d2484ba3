/**
 * Turns zod issues into operator-facing problems: a dot path and a message that says what to
 * write instead ("is required", "unknown key — did you mean …?"), never zod's internals.
 */
import type { z } from "zod";
import { closest, dotPath, type PathSegment } from "./problems";

interface Located {
  readonly path: string;
  readonly message: string;
}

export function zodProblems(schema: z.ZodType, issues: readonly z.core.$ZodIssue[]): Located[] {
  const out: Located[] = [];
  for (const issue of issues) {
    const path = issue.path as PathSegment[];
    if (issue.code === "unrecognized_keys") {
      const known = knownKeys(schema, path);
      for (const key of issue.keys) {
        const suggestion = closest(key, known);
        const hint = suggestion !== undefined ? `did you mean "${suggestion}"?` : known.length > 0 ? `allowed keys: ${known.join(", ")}` : "remove it";
        out.push({ path: dotPath([...path, key]), message: `unknown key; ${hint}` });
      }
      continue;
    }
    out.push({ path: dotPath(path), message: describe(issue) });
  }
  return out;
}

/** zod's own wording starts like this; anything else is a message written in our schemas. */
const ZOD_DEFAULT = /^Invalid (input|option)/;

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_key") {
    // A record key that fails its schema: the key's own message says what a key must be.
    return issue.issues[0] !== undefined ? describe(issue.issues[0]) : issue.message;
  }
  if (issue.code === "invalid_type") {
    const input = (issue as { input?: unknown }).input;
    if (input === undefined) return `is required (${article(issue.expected)})`;
    if (!ZOD_DEFAULT.test(issue.message)) return `${issue.message}, got ${show(input)}`;
    return `must be ${article(issue.expected)}, got ${show(input)}`;
  }
  if (issue.code === "invalid_value" && issue.message.startsWith("Invalid option")) {
    const input = (issue as { input?: unknown }).input;
    const values = issue.values.map(String);
    const suggestion = typeof input === "string" ? closest(input, values) : undefined;
    return `must be one of ${values.join(", ")}, got ${show(input)}${suggestion !== undefined ? ` (did you mean "${suggestion}"?)` : ""}`;
  }
  if (issue.code === "invalid_union" && issue.message === "Invalid input") {
    return "does not match any allowed form";
  }
  if (issue.code === "invalid_union") {
    let input = (issue as { input?: unknown }).input;
    // A discriminated union reports the whole object; show the discriminator the operator wrote.
    const key = issue.path[issue.path.length - 1];
    if (input !== null && typeof input === "object" && typeof key === "string" && key in input) input = (input as Record<string, unknown>)[key];
    return input === undefined ? issue.message : `${issue.message}, got ${show(input)}`;
  }
  return issue.message.replace(/^Invalid input: /, "");
}

function article(expected: string): string {
  if (expected === "array") return "a list";
  if (expected === "object" || expected === "record") return "a mapping";
  if (expected === "int") return "a whole number";
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function show(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  // JSON quoting: a newline or control character in the value never breaks the problem line.
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}…` : value);
  return String(value);
}

/** Keys the schema allows at `path` (best effort; [] when the path leads somewhere untyped). */
function knownKeys(schema: z.ZodType, path: readonly PathSegment[]): string[] {
  let node: unknown = schema;
  for (const segment of path) {
    node = unwrap(node);
    const def = defOf(node);
    if (def === undefined) return [];
    if (def.type === "object") node = (def.shape as Record<string, unknown>)[String(segment)];
    else if (def.type === "record") node = def.valueType;
    else if (def.type === "array") node = def.element;
    else return [];
  }
  const def = defOf(unwrap(node));
  if (def?.type === "object") return Object.keys(def.shape as Record<string, unknown>);
  if (def?.type === "union") {
    // Discriminated unions: the keys of every variant.
    const keys = new Set<string>();
    for (const option of def.options as unknown[]) {
      const optionDef = defOf(unwrap(option));
      if (optionDef?.type === "object") for (const key of Object.keys(optionDef.shape as object)) keys.add(key);
    }
    return [...keys];
  }
  return [];
}

type Def = { type: string; [key: string]: unknown };

function defOf(node: unknown): Def | undefined {
  return (node as { _zod?: { def?: Def } } | undefined)?._zod?.def;
}

function unwrap(node: unknown): unknown {
  let current = node;
  for (;;) {
    const def = defOf(current);
    if (def !== undefined && ["optional", "default", "prefault", "nullable", "readonly", "pipe"].includes(def.type)) {
      current = def.type === "pipe" ? def.in : def.innerType;
    } else return current;
  }
}
