import { loadConfig, displayPath } from "../../model/load";
import { capacityShortfalls } from "../../config/capacity";
import { environmentOverride } from "../../config/environment";
import { ConfigError } from "../../config/problems";
import { buildTopology } from "../../model/topology";
import { TYPE_LOCK_FILE } from "../../config/type-lock";
import type { CommandResult } from "../result";

export interface ValidateOptions {
  readonly config?: string;
  readonly format?: string;
}

/** `aiwc validate`: every problem of every config file at once; exit 1 when there is any. */
export function validate(options: ValidateOptions): CommandResult {
  const json = options.format === "json";
  try {
    const config = loadConfig(options.config);
    const groups = Object.values(config.cluster.nodeGroups);
    const nodes = groups.reduce((sum, g) => sum + g.count, 0);
    const { choices } = buildTopology(config);
    // Users beyond what the nodes serve (capacity: rules) fail the gate: say so here already.
    const overridden = config.cluster.policy.override !== undefined || environmentOverride(process.env) !== undefined;
    const capacity = capacityShortfalls(config.cluster, config.users).map((s) => ({ file: displayPath(config.files.cluster), path: `capacity[${s.rule}]`, message: s.message }));
    if (capacity.length > 0 && !overridden) {
      if (json) return { stdout: JSON.stringify({ valid: false, problems: capacity, warnings: config.warnings, choices }, null, 2), exitCode: 1 };
      return { stdout: "", stderr: [...config.warnings.map((w) => `warning: ${w}`), ...capacity.map((c) => `${c.file}: ${c.path}: ${c.message} (a cost-gate reason)`)].join("\n"), exitCode: 1 };
    }
    const summary = [
      `${displayPath(config.files.cluster)}: valid — ${config.cluster.provider}, ${groups.length} node groups, ${nodes} nodes, ${config.users.length} users`,
      ...choices.map((c) =>
        c.lock === "locked"
          ? `  nodeGroups.${c.group}: ${c.serverType}, locked in ${TYPE_LOCK_FILE} for ${c.requirements}${c.current !== undefined ? ` (the cheapest today is ${c.current}: aiwc types lock --upgrade)` : ""}`
          : `  nodeGroups.${c.group}: ${c.serverType}, the cheapest type in ${c.location} with ${c.requirements}${c.lock === "stale" ? ` (${TYPE_LOCK_FILE} holds a choice for other requirements: aiwc types lock)` : ""}`,
      ),
      ...(choices.some((c) => c.lock !== "locked") ? [`  types chosen by requirements are not all locked: \`aiwc types lock\` keeps them when the price catalog changes`] : []),
    ].join("\n");
    if (json) {
      return { stdout: JSON.stringify({ valid: true, problems: [], warnings: config.warnings, choices }, null, 2), exitCode: 0 };
    }
    return { stdout: summary, stderr: config.warnings.map((w) => `warning: ${w}`).join("\n"), exitCode: 0 };
  } catch (error) {
    if (error instanceof ConfigError && json) {
      return {
        stdout: JSON.stringify({ valid: false, problems: error.problems, warnings: error.warnings }, null, 2),
        exitCode: 1,
      };
    }
    throw error;
  }
}


