/**
 * The provider API requests a plan (refresh) and a first apply (create) of each stack need,
 * against the provider's documented rate limit and project quota (clouds/<p>/model.ts `api`).
 * Requests per resource are estimates of what the Terraform provider calls; the rates are
 * the providers' documented ones, cited in every warning.
 */
import type { ApiModel } from "../clouds/provider-model";
import type { ClusterConfig } from "../config/schema";
import { thousands } from "../config/text";

export interface StackRequests {
  readonly stack: string;
  readonly resources: number;
  /** Resources that count against the project's server limit. */
  readonly servers: number;
  /** Requests of a plan that refreshes every resource. */
  readonly refresh: number;
  /** Requests of creating every resource (a first apply). */
  readonly create: number;
}

export interface ApiBudget {
  readonly provider: string;
  readonly rate?: { readonly perSecond: number; readonly burst: number; readonly scope: string; readonly source: string };
  readonly noRate?: string;
  readonly stacks: readonly StackRequests[];
  readonly total: StackRequests;
  readonly serverLimit?: number;
  readonly warnings: readonly string[];
}

/** Seconds spent waiting for the budget when `requests` are made at once against a token bucket. */
export function waitSeconds(requests: number, rate: { readonly perSecond: number; readonly burst: number }): number {
  return Math.max(0, requests - rate.burst) / rate.perSecond;
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 5400) return `${Math.ceil(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** Requests by stack for resources `{ type, stack }` (one per resource instance). */
export function apiBudget(provider: string, model: ApiModel, cluster: ClusterConfig, resources: Iterable<{ readonly type: string; readonly stack?: string | undefined }>): ApiBudget {
  const byStack = new Map<string, { resources: number; servers: number; refresh: number; create: number }>();
  const serverTypes = new Set(model.servers?.types ?? []);
  const outside = model.outside ?? [];
  for (const r of resources) {
    if (outside.some((prefix) => r.type.startsWith(prefix))) continue;
    const stack = r.stack ?? "";
    let s = byStack.get(stack);
    if (s === undefined) byStack.set(stack, (s = { resources: 0, servers: 0, refresh: 0, create: 0 }));
    const requests = model.requests[r.type] ?? model.otherResource;
    s.resources += 1;
    s.refresh += requests.refresh;
    s.create += requests.create;
    if (serverTypes.has(r.type)) s.servers += 1;
  }
  const stacks = [...byStack.entries()].map(([stack, s]) => ({ stack, ...s })).sort((a, b) => (a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0));
  const total = stacks.reduce((t, s) => ({ stack: "all", resources: t.resources + s.resources, servers: t.servers + s.servers, refresh: t.refresh + s.refresh, create: t.create + s.create }), { stack: "all", resources: 0, servers: 0, refresh: 0, create: 0 });
  const serverLimit = model.servers?.limit(cluster);
  const warnings: string[] = [];
  const rate = model.rate;
  if (rate !== undefined) {
    const budget = `${thousands(rate.burst)} requests at once and ${rate.perSecond} per second per ${rate.scope}`;
    for (const s of stacks) {
      const wait = waitSeconds(s.refresh, rate);
      if (wait > rate.warnAfterSeconds) {
        warnings.push(`API budget: a plan of stack ${s.stack} refreshes ${thousands(s.resources)} resources, about ${thousands(s.refresh)} ${provider} API requests, more than ${budget} allow without waiting (~${duration(wait)}; ${rate.source}); split users into more stacks (state.shards, aiwc shards plan)`);
      }
    }
    const all = waitSeconds(total.refresh, rate);
    if (stacks.length > 1 && all > rate.warnAfterSeconds) {
      warnings.push(`API budget: a plan of all ${stacks.length} stacks needs about ${thousands(total.refresh)} ${provider} API requests (~${duration(all)} of waiting for the ${rate.scope}'s budget); deploy only the stacks a change touches (aiwc cost diff names them; the CI templates deploy those)`);
    }
    const first = waitSeconds(total.create, rate);
    if (first > rate.warnAfterSeconds) {
      warnings.push(`API budget: creating every stack from scratch needs about ${thousands(total.create)} ${provider} API requests (~${duration(first)} of waiting for the ${rate.scope}'s budget); a first deploy of this size runs for hours: deploy the users stacks a few at a time`);
    }
  }
  if (serverLimit !== undefined && total.servers > serverLimit) {
    warnings.push(`API budget: the stacks hold ${thousands(total.servers)} servers, more than the project's limit of ${thousands(serverLimit)} (${model.servers!.where}); the deploy fails at the limit: ask ${provider} to raise it first`);
  }
  return {
    provider,
    ...(rate !== undefined ? { rate: { perSecond: rate.perSecond, burst: rate.burst, scope: rate.scope, source: rate.source } } : {}),
    ...(model.noRate !== undefined ? { noRate: model.noRate } : {}),
    stacks,
    total,
    ...(serverLimit !== undefined ? { serverLimit } : {}),
    warnings,
  };
}
