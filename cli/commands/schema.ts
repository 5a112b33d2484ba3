/**
 * `aiwc schema <name>`: the JSON Schema of a config file (what an operator writes, defaults
 * optional; for editors, e.g. `# yaml-language-server: $schema=cluster.schema.json`) or of the
 * report and diff JSON (what `aiwc cost` and `aiwc cost diff` print with `--format json`), generated from the same zod schemas
 * that validate and type them.
 */
import { z } from "zod";
import { clusterSchema, tariffsSchema, usersSchema } from "../../config/schema";
import { diffSchema } from "../../cost/diff-schema";
import { reportSchema } from "../../cost/report-schema";
import { monthlySchema } from "../../reporting/monthly-schema";
import { UsageError, type CommandResult } from "../result";

const SCHEMAS = {
  cluster: { schema: clusterSchema, io: "input", title: "aiwc cluster.yaml" },
  users: { schema: usersSchema, io: "input", title: "aiwc users.yaml" },
  tariffs: { schema: tariffsSchema, io: "input", title: "aiwc tariffs.yaml" },
  report: { schema: reportSchema, io: "output", title: "aiwc cost report (aiwc cost --format json), version 1" },
  diff: { schema: diffSchema, io: "output", title: "aiwc cost diff (aiwc cost diff --format json), version 1" },
  monthly: { schema: monthlySchema, io: "output", title: "aiwc monthly report (aiwc report --format json), version 1" },
} as const;

export const SCHEMA_NAMES = Object.keys(SCHEMAS) as (keyof typeof SCHEMAS)[];

export function schema(name: string): CommandResult {
  const entry = SCHEMAS[name as keyof typeof SCHEMAS];
  if (entry === undefined) throw new UsageError(`unknown schema "${name}"; use one of ${SCHEMA_NAMES.join(", ")}`);
  const json = z.toJSONSchema(entry.schema, { io: entry.io, unrepresentable: "any" });
  return { stdout: JSON.stringify({ ...json, title: entry.title }, null, 2), exitCode: 0 };
}
