import Table from "cli-table3";
import { loadConfig } from "../../model/load";
import { formatProblem, ProblemSink } from "../../config/problems";
import { checkRules } from "../../model/rules";
import { PROVIDERS } from "../../config/schema";
import { comparisonTypes, onProvider } from "../../cost/compare";
import { formatEur, toAmount, ZERO } from "../../catalog/money";
import { reportJson, type CostReport } from "../../cost/report";
import { priceConfig } from "../../stacks/app";
import { UsageError, type CommandResult } from "../result";

export interface CompareOptions {
  readonly config?: string;
  /** Comma-separated providers. @default all */
  readonly providers?: string;
  readonly format?: string;
  readonly date?: string;
}

interface Column {
  readonly provider: string;
  readonly report?: CostReport;
  readonly types?: ReturnType<typeof comparisonTypes>;
  /** Why the topology cannot be built on this provider. */
  readonly problems?: readonly string[];
}

/** `aiwc compare`: the same topology priced on each provider, side by side. */
export function compare(options: CompareOptions): CommandResult {
  const format = options.format ?? "table";
  if (!["table", "json"].includes(format)) throw new UsageError(`--format must be table or json, got "${format}"`);
  const providers = (options.providers ?? PROVIDERS.join(",")).split(",").map((p) => p.trim()).filter((p) => p !== "");
  for (const p of providers) if (!(PROVIDERS as readonly string[]).includes(p)) throw new UsageError(`--providers: unknown provider "${p}"; use ${PROVIDERS.join(", ")}`);
  const config = loadConfig(options.config);
  const columns: Column[] = providers.map((provider) => {
    const moved = onProvider(config, provider);
    const sink = new ProblemSink();
    checkRules(moved, { cluster: `${provider}`, users: `${provider}`, tariffs: `${provider}` }, sink);
    if (sink.problems.length > 0) return { provider, problems: sink.problems.map((p) => formatProblem(p).replace(`${provider}: `, "")) };
    const report = priceConfig(moved, { pricing: options.date !== undefined ? { date: options.date } : {}, outdir: "cdktf.out" });
    return { provider, report, types: comparisonTypes(moved) };
  });

  if (format === "json") {
    return {
      stdout: JSON.stringify(
        {
          version: 1,
          currency: "EUR",
          providers: columns.map((c) =>
            c.report === undefined
              ? { provider: c.provider, comparable: false, problems: c.problems }
              : (() => {
                  const json = reportJson(c.report);
                  return {
                    provider: c.provider,
                    comparable: true,
                    totalMonthly: json.totalMonthly,
                    setupOneTime: json.setupOneTime,
                    groups: json.groups,
                    types: c.types,
                    perUserMonthly: c.report.tariff !== undefined && c.report.tariff.users > 0 ? toAmount(c.report.estimate.totalMonthly.dividedBy(c.report.tariff.users)) : null,
                    marginPercent: json.tariff?.marginPercent ?? null,
                    breakEvenUsers: json.tariff?.breakEvenUsers ?? null,
                  };
                })(),
          ),
        },
        null,
        2,
      ),
      exitCode: 0,
    };
  }

  const priced = columns.filter((c) => c.report !== undefined);
  const groups = [...new Set(priced.flatMap((c) => c.report!.estimate.resources.map((r) => r.group)))].sort();
  const table = new Table({ head: ["Node group", ...priced.map((c) => c.provider)], style: { head: [], border: [], compact: true }, colAligns: ["left", ...priced.map(() => "right" as const)] });
  for (const group of groups) {
    table.push([
      group,
      ...priced.map((c) => {
        const cost = c.report!.estimate.resources.filter((r) => r.group === group).reduce((sum, r) => sum.plus(r.monthly), ZERO);
        const type = c.types!.find((t) => t.group === group)?.type;
        return `${formatEur(cost)}${type !== undefined ? ` ${type}` : ""}`;
      }),
    ]);
  }
  table.push(["Total / month", ...priced.map((c) => formatEur(c.report!.estimate.totalMonthly))]);
  table.push(["Setup (once)", ...priced.map((c) => formatEur(c.report!.estimate.setupOneTime))]);
  table.push(["Per user / month", ...priced.map((c) => (c.report!.tariff !== undefined && c.report!.tariff.users > 0 ? formatEur(c.report!.estimate.totalMonthly.dividedBy(c.report!.tariff.users)) : "—"))]);
  table.push(["Margin", ...priced.map((c) => (c.report!.tariff?.marginPercent != null ? `${toAmount(c.report!.tariff.marginPercent, 1)} %` : "—"))]);
  table.push(["Break-even users", ...priced.map((c) => String(c.report!.tariff?.breakEvenUsers ?? "never"))]);
  const lines = [`The topology of ${config.cluster.name} on ${priced.map((c) => c.provider).join(", ")}, ${config.users.length} users:`, table.toString(), "", "Types chosen:"];
  for (const c of priced) for (const t of c.types!) lines.push(`  ${c.provider} ${t.group}: ${t.type} — ${t.why}`);
  for (const c of columns.filter((x) => x.problems !== undefined)) lines.push(`Not comparable on ${c.provider}:`, ...c.problems!.map((p) => `  ${p}`));
  return { stdout: lines.join("\n"), exitCode: 0 };
}
