/**
 * Builds the cdktf App for a config: the `platform` stack and the users stacks (`users-00`, …,
 * one per shard of `state.shards`), each with its own state and lock, the users stacks reading
 * the platform's outputs the cdktf way (remote state).
 * Shared by `cdktf synth` (stacks/main.ts), `aiwc synth` and the tests.
 */
import { declareObjectStorage } from "../constructs/object-storage";
import { join, relative, resolve } from "node:path";
import {
  App,
  DefaultTokenResolver,
  LocalBackend,
  S3Backend,
  StringConcat,
  TerraformDataSource,
  TerraformElement,
  TerraformLocal,
  TerraformOutput,
  TerraformResource,
  TerraformStack,
  TerraformVariable,
  Tokenization,
} from "../constructs/cdk";
import type { Construct } from "../constructs/cdk";
import type { Config } from "../model/load";
import { providerStacks } from "../clouds/stacks";
import type { PlatformExports, ProviderStacks } from "../constructs/provider-stacks";
import { buildTopology, type Topology } from "../model/topology";
import { reportFor, reportForDocuments, stackDigest, type CostReport, type PricingOptions, type StackDigest } from "../cost/report";
import { fromTerraformJson, listSource, type ResourceInstance } from "../cost/input";
import { GateFailure } from "./gate-failure";
import { writeGateRecord } from "./gate-record";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { InputError } from "../cost/input";
import { thousands } from "../config/text";
import { shardStackName, userShard } from "../config/placement";
import { usersByShard } from "../model/topology";

/** Where the stacks are written: `options.outdir`, else CDKTF_OUTDIR, else cdktf.out. */
function outdirOf(options: AppOptions): string {
  return resolve(options.outdir ?? process.env.CDKTF_OUTDIR ?? "cdktf.out");
}

/** The output directory, created with its parents; a file in its place is an input error. */
function ensureOutdir(outdir: string): void {
  if (existsSync(outdir) && !statSync(outdir).isDirectory()) throw new InputError(`${outdir}: exists and is not a directory; choose another output directory`);
  mkdirSync(outdir, { recursive: true });
}

/** A stack's name: `platform` or a users stack `users-NN`. */
export type StackName = string;

/** Every stack of a config, in deploy order: the platform first, then the users stacks by shard. */
export function stackNames(config: Config): StackName[] {
  return ["platform", ...Array.from({ length: config.cluster.state.shards }, (_, shard) => shardStackName(shard))];
}

/** The named stacks checked against the config: unknown names are an input error naming the stacks there are. */
export function selectStacks(config: Config, names: readonly string[]): StackName[] {
  const all = stackNames(config);
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length > 0) {
    const shown = all.length > 6 ? `${all.slice(0, 4).join(", ")}, …, ${all[all.length - 1]}` : all.join(", ");
    throw new InputError(`no stack ${unknown.map((n) => `"${n}"`).join(", ")} in this config (state.shards: ${config.cluster.state.shards}); the stacks are ${shown}`);
  }
  return all.filter((n) => names.includes(n));
}

export interface AppOptions {
  /** Where `cdk.tf.json` files go. @default CDKTF_OUTDIR or cdktf.out */
  readonly outdir?: string;
  /** Pricing date, usage and environment for the cost gate. */
  readonly pricing?: PricingOptions;
  /** Called as each step of a long run begins (cli/progress.ts prints it). */
  readonly onStep?: (message: string) => void;
  /**
   * Only these users stacks (the platform is always built: they read it). Such an app is for
   * looking at and planning single stacks; it has no cost gate (the gate judges whole apps).
   */
  readonly stacks?: readonly StackName[];
}

/** Declares the state backend of stack `name` (its own state file or S3 key, and lock) for a working directory at `<outdir>/stacks/<name>`. */
export function backend(stack: TerraformStack, name: StackName, config: Config, outdir: string): void {
  const state = config.cluster.state;
  if (state.backend === "local") {
    // Terraform resolves the path from the stack's directory (<outdir>/stacks/<name>); a relative
    // path keeps the synthesized JSON free of machine-specific absolute paths.
    const stateDir = resolve(state.directory);
    new LocalBackend(stack, { path: join(relative(join(outdir, "stacks", name), stateDir), `${name}.tfstate`) });
    return;
  }
  const awsEndpoint = state.endpoint === undefined;
  new S3Backend(stack, {
    bucket: state.bucket,
    key: `${state.keyPrefix ?? `aiwc/${config.cluster.name}`}/${name}.tfstate`,
    region: state.region,
    encrypt: true,
    ...(state.locking === "dynamodb" && state.dynamodbTable !== undefined ? { dynamodbTable: state.dynamodbTable } : {}),
    ...(awsEndpoint
      ? {}
      : {
          endpoints: { s3: state.endpoint! },
          // S3-compatible stores (Hetzner, OVH) have no STS/IAM and no AWS region names.
          skipCredentialsValidation: true,
          skipRegionValidation: true,
          skipRequestingAccountId: true,
          skipMetadataApiCheck: true,
          skipS3Checksum: true,
        }),
  });
  if (state.locking === "lockfile") stack.addOverride("terraform.backend.s3.use_lockfile", true);
}

/** How another stack can name an element of this one in an expression: `hcloud_network.x`, `data.t.x`, `local.x`, `var.x`. */
function referenceableAddresses(stack: TerraformStack): Set<string> {
  const addresses = new Set<string>();
  for (const element of stack.node.findAll()) {
    if (TerraformDataSource.isTerraformDataSource(element)) addresses.add(`data.${element.terraformResourceType}.${element.friendlyUniqueId}`);
    else if (TerraformResource.isTerraformResource(element)) addresses.add(`${element.terraformResourceType}.${element.friendlyUniqueId}`);
    else if (element instanceof TerraformLocal) addresses.add(`local.${element.friendlyUniqueId}`);
    else if (element instanceof TerraformVariable) addresses.add(`var.${element.friendlyUniqueId}`);
  }
  return addresses;
}

/** The first expression in `json` naming one of `addresses` (followed by `.`, `[`, `}`, `,`, `)` or a space), if any. */
export function firstReferenceTo(json: unknown, addresses: ReadonlySet<string>): string | undefined {
  if (addresses.size === 0) return undefined;
  const escaped = [...addresses].map((a) => a.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const pattern = new RegExp(`(?<![\\w.-])(?:${escaped.join("|")})(?=[.\\[},)\\s]|$)`);
  const visit = (value: unknown): string | undefined => {
    if (typeof value === "string") return value.includes("${") && pattern.test(value) ? value : undefined;
    if (Array.isArray(value)) {
      for (const item of value) {
        const found = visit(item);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    if (value !== null && typeof value === "object") {
      for (const item of Object.values(value)) {
        const found = visit(item);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  return visit(json);
}

const TOKEN_RESOLVER = new DefaultTokenResolver(new StringConcat());

/** The stack's Terraform elements in construct order, not descending into nested stacks (as cdktf walks them). */
function stackElements(stack: TerraformStack): TerraformElement[] {
  const found: TerraformElement[] = [];
  const visit = (node: Construct): void => {
    if (TerraformElement.isTerraformElement(node)) found.push(node);
    for (const child of node.node.children) if (!TerraformStack.isStack(child)) visit(child);
  };
  visit(stack);
  return found;
}

/**
 * cdktf's merge of Terraform fragments (its util.deepMerge, not exported): objects merge
 * key by key, arrays concatenate onto arrays, undefined deletes, a token object is taken whole.
 */
function deepMerge(target: Record<string, unknown>, source: unknown): void {
  for (const [key, value] of Object.entries(source as Record<string, unknown>)) {
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      if (typeof target[key] !== "object") target[key] = {};
      if (Tokenization.isResolvable(value)) {
        target[key] = value;
        continue;
      }
      deepMerge(target[key] as Record<string, unknown>, value);
    } else if (Array.isArray(value)) {
      const current = target[key];
      target[key] = Array.isArray(current) ? [...(current as unknown[]), ...value] : value;
    } else if (value === undefined) delete target[key];
    else target[key] = value;
  }
}

export class AiwcStack extends TerraformStack {
  private frozen?: Record<string, unknown>;

  /**
   * @param reads the stack whose values this one reads through its locals (the users stack
   *   reads the platform's network, subnet and keys; the provider stacks put them in locals).
   */
  constructor(
    scope: Construct,
    readonly stackName: StackName,
    readonly topology: Topology,
    private readonly reads?: TerraformStack,
  ) {
    super(scope, stackName);
  }

  /**
   * cdktf's preparing resolve walks every element of a stack to find the references to other
   * stacks — a whole extra resolution of the users stack (about 2 s of 10 at 10,000 users), to
   * find the three locals that read the platform. So a stack that `reads` another prepares its
   * locals only, is then resolved once, and is checked: if any expression in it still names an
   * element of the other stack directly (a reference that bypassed the locals), the stack is
   * prepared in full the cdktf way and resolved again — the result is always what cdktf's own
   * preparation gives. Every stack is prepared before any stack is frozen (cdktf's App.synth and
   * priceConfig both do), and this stack is the last, so the outputs this adds to the stack it
   * reads are there when that one is resolved.
   */
  override prepareStack(): void {
    if (this.reads === undefined) return super.prepareStack();
    this.ensureBackendExists();
    for (const local of this.node.findAll()) {
      if (local instanceof TerraformLocal) Tokenization.resolve(local.toTerraform(), { scope: this, preparing: true, resolver: TOKEN_RESOLVER });
    }
    const own = referenceableAddresses(this);
    const theirs = new Set([...referenceableAddresses(this.reads)].filter((address) => !own.has(address)));
    const bypass = firstReferenceTo(this.freeze(), theirs);
    if (bypass === undefined) return;
    if (process.env.AIWC_DEBUG) process.stderr.write(`aiwc: ${this.stackName} stack names another stack's element directly (${bypass}); preparing it in full\n`);
    this.frozen = undefined;
    super.prepareStack();
  }

  /**
   * The stack's Terraform JSON, resolved once: the cost gate prices it during validation and
   * the synthesizer then writes the same object instead of resolving every token again.
   */
  freeze(): Record<string, unknown> {
    this.frozen ??= this.resolveOnce();
    return this.frozen;
  }

  private resolve(value: unknown): unknown {
    return Tokenization.resolve(value, { scope: this, preparing: false, resolver: TOKEN_RESOLVER });
  }

  /**
   * What cdktf's TerraformStack.toTerraform returns, with each element resolved once. cdktf
   * resolves every element's fragment, merges them, and then resolves the merged document
   * again — a second pass over values that no longer hold a token (1.3 s of a 10,000-user
   * synthesis). Resolving is idempotent on resolved values (it only replaces tokens and drops
   * undefined), so only what enters unresolved is resolved here: the stack metadata and the
   * stack-level overrides, merged the way cdktf merges them. test/cross-stack.test.ts holds the
   * result to cdktf's own for every example config.
   */
  private resolveOnce(): Record<string, unknown> {
    const internals = this as unknown as { readonly rawOverrides: Record<string, unknown>; readonly cdktfVersion: unknown };
    const elements = stackElements(this);
    const metadata: Record<string, unknown> = {
      version: internals.cdktfVersion,
      stackName: this.node.id,
      backend: "local",
      cloud: undefined,
      ...(Object.keys(internals.rawOverrides).length > 0 ? { overrides: { stack: Object.keys(internals.rawOverrides) } } : {}),
    };
    for (const element of elements) deepMerge(metadata, this.resolve(element.toMetadata()));
    const outputs: Record<string, unknown> = {};
    for (const element of elements) {
      if (!(element instanceof TerraformOutput)) continue;
      const path = element.node.path.split("/").reduceRight<Record<string, unknown>>((inner, part) => (Object.keys(inner).length === 0 ? { [part]: element.friendlyUniqueId } : { [part]: inner }), {});
      deepMerge(outputs, path);
    }
    const tf: Record<string, unknown> = { "//": this.resolve({ metadata, outputs }) };
    for (const element of elements) deepMerge(tf, this.resolve(element.toTerraform()));
    deepMerge(tf, internals.rawOverrides);
    for (const key of Object.keys(internals.rawOverrides)) tf[key] = this.resolve(tf[key]);
    return tf;
  }

  override toTerraform(): any {
    return this.frozen ?? super.toTerraform();
  }
}

export interface BuiltApp {
  readonly app: App;
  readonly topology: Topology;
  readonly stacks: Readonly<Record<StackName, TerraformStack>>;
  /** The cost report of this synthesis (set once the gate has run). */
  readonly cost: () => CostReport | undefined;
}

/**
 * cdktf records a full creation stack for every token (tens of thousands per synthesis), and
 * with source maps enabled (tsx) formatting each one dominates synthesis time: 10,000 users
 * took 23 s instead of 12 s. Like aws-cdk outside `--debug`, we skip those stacks unless
 * AIWC_DEBUG is set. Only cdktf's plain capture objects get an empty stack: a real Error
 * created meanwhile is formatted as usual, and one thrown out of `work` is formatted after
 * the hook is restored, with source maps.
 */
function withoutCreationStacks<T>(work: () => T): T {
  if (process.env.AIWC_DEBUG) return work();
  const previous = Error.prepareStackTrace;
  const capture = Error.captureStackTrace;
  Error.prepareStackTrace = (target: Error, frames: NodeJS.CallSite[]) => {
    if (!(target instanceof Error)) return "";
    if (previous !== undefined) return previous(target, frames);
    return [`${target.name}: ${target.message}`, ...frames.map((frame) => `    at ${frame.toString()}`)].join("\n");
  };
  // cdktf captures into plain `{ stack: "" }` objects with an unlimited frame count: collecting
  // the frames alone cost 0.6 s at 10,000 users even with formatting skipped. Errors still capture.
  Error.captureStackTrace = (target: object, constructorOpt?: Function) => {
    if (target instanceof Error) capture(target, constructorOpt);
  };
  try {
    return work();
  } finally {
    Error.prepareStackTrace = previous;
    Error.captureStackTrace = capture;
  }
}

/**
 * Builds the App and writes `cdk.tf.json` for every stack — unless the cost gate fails, which
 * throws GateFailure before anything is written. The users stacks are built, resolved and
 * staged one at a time (see streamApp); they move into the output only once the gate has
 * passed. With `options.stacks`, writes those users stacks only, without a gate: the gate
 * record stays as the last full synthesis left it, so `aiwc verify` refuses any stack whose JSON
 * that changed.
 */
export function synthesize(config: Config, options: AppOptions = {}): BuiltApp {
  return withoutCreationStacks(() => {
    const outdir = outdirOf(options);
    ensureOutdir(outdir);
    if (options.stacks !== undefined) {
      const built = buildApp(config, options);
      options.onStep?.("resolving and writing the stacks");
      writeSelected(built, options.stacks);
      return built;
    }
    // Staged beside the output, so nothing in it changes unless the gate passes.
    const staging = mkdtempSync(join(outdir, ".staging-"));
    try {
      mkdirSync(join(staging, "stacks"));
      let session: { outdir: string; skipValidation: boolean; manifest: unknown } | undefined;
      const streamed = streamApp(config, options, (stack, app) => {
        session ??= { outdir: staging, skipValidation: false, manifest: app.manifest };
        stack.synthesizer.synthesize(session as never);
      });
      const { app, platform, report } = streamed;
      if (!report.gate.passed) throw new GateFailure(report);
      options.onStep?.("writing the stacks");
      platform.synthesizer.synthesize({ outdir: app.outdir, skipValidation: false, manifest: app.manifest } as never);
      for (const name of readdirSync(join(staging, "stacks"))) {
        rmSync(join(outdir, "stacks", name), { recursive: true, force: true });
        renameSync(join(staging, "stacks", name), join(outdir, "stacks", name));
      }
      // Stacks an earlier synthesis wrote that this config no longer has (a lower shard count,
      // the single `users` stack before sharding) would be deployed by a glob and fail
      // `aiwc verify`: the output holds this synthesis only.
      const names = stackNames(config);
      const current = new Set(names);
      for (const name of readdirSync(join(outdir, "stacks"))) {
        if (!current.has(name) && existsSync(join(outdir, "stacks", name, "cdk.tf.json"))) rmSync(join(outdir, "stacks", name), { recursive: true, force: true });
      }
      app.manifest.writeToFile();
      // The verdict goes with the stacks it judged (aiwc verify checks them before apply).
      writeGateRecord(app.outdir, names, config, report);
      return { app, topology: streamed.topology, stacks: { platform }, cost: () => report };
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  });
}

/**
 * Writes the selected users stacks the way App.synth writes every stack (same bytes), and
 * neither the platform nor the manifest: those stay as the last full synthesis left them.
 */
function writeSelected(built: BuiltApp, names: readonly StackName[]): void {
  const { app } = built;
  for (const stack of Object.values(built.stacks)) stack.prepareStack();
  const session = { outdir: app.outdir, skipValidation: false, manifest: app.manifest };
  for (const name of names) {
    if (name === "platform") continue;
    built.stacks[name]!.synthesizer.synthesize(session);
  }
}

/** Prices the stacks of a config in memory (no files), through the same gate as synthesis. */
export function priceConfig(config: Config, options: AppOptions = {}): CostReport {
  return withoutCreationStacks(() => streamApp(config, options).report);
}

interface Streamed {
  readonly app: App;
  readonly topology: Topology;
  readonly platform: AiwcStack;
  readonly report: CostReport;
}

/**
 * cdktf keeps every token it ever created in one process-wide map, and each token holds on to
 * its construct: a users stack built and dropped would stay in memory for good. The entries a
 * stack added are removed once it is frozen (plain JSON from then on). Only entries added after
 * `mark` go, so tokens of the platform — and the platform's cross-stack outputs, which the first
 * users stack creates and which are therefore never released — stay.
 */
type TokenMaps = { readonly stringTokenMap: Map<unknown, unknown>; readonly numberTokenMap: Map<unknown, unknown> };

/** cdktf's process-wide token maps (undefined before the first token). */
function cdktfTokenMaps(): TokenMaps | undefined {
  return (globalThis as { __cdktfTokenMap?: TokenMaps }).__cdktfTokenMap;
}

function tokenMark(): { readonly strings: number; readonly numbers: number } | undefined {
  const map = cdktfTokenMaps();
  return map === undefined ? undefined : { strings: map.stringTokenMap.size, numbers: map.numberTokenMap.size };
}

function releaseTokens(mark: { readonly strings: number; readonly numbers: number }): void {
  const map = cdktfTokenMaps();
  if (map === undefined) return;
  for (const [tokens, keep] of [[map.stringTokenMap, mark.strings], [map.numberTokenMap, mark.numbers]] as const) {
    let index = 0;
    for (const key of tokens.keys()) if (index++ >= keep) tokens.delete(key);
  }
}

/**
 * The platform, then each users stack in turn: built, prepared, frozen, handed to `visit`
 * (which writes it, if synthesizing), turned into priced instances, and dropped — so memory
 * holds one users stack's constructs at a time, not 100,000 users' (about 1.2 GB). The platform
 * is frozen last, when every users stack has registered the outputs it reads. Then the whole
 * app is priced and gated once, exactly as before: instances in stack order, platform first.
 */
function streamApp(config: Config, options: AppOptions, visit?: (stack: AiwcStack, app: App) => void): Streamed {
  const instances: ResourceInstance[][] = [];
  const digests: StackDigest[] = [];
  const { app, topology, platform } = streamUsersStacks(config, options, "building, resolving and pricing", (stack, json) => {
    visit?.(stack, stack.node.root as App);
    instances.push(fromTerraformJson(json, stack.stackName));
    digests.push({ name: stack.stackName, sha256: stackDigest(json) });
  });
  const platformJson = platform.freeze();
  options.onStep?.("pricing");
  const report = reportFor(config, listSource(fromTerraformJson(platformJson, "platform"), ...instances), "config", { ...options.pricing, topology });
  return { app, topology, platform, report: { ...report, stacks: [{ name: "platform", sha256: stackDigest(platformJson) }, ...digests] } };
}

/**
 * Builds the platform, then each users stack in turn — built, prepared, frozen, handed to
 * `visit` with its JSON, and released (see releaseTokens) — so memory holds one users stack's
 * constructs at a time. The platform is prepared, not frozen: it is complete only when every
 * users stack has registered the outputs it reads.
 */
export function eachUsersStack(config: Config, options: AppOptions, doing: string, visit: (stack: AiwcStack, json: Record<string, unknown>) => void): { app: App; topology: Topology; platform: AiwcStack } {
  return withoutCreationStacks(() => streamUsersStacks(config, options, doing, visit));
}

function streamUsersStacks(config: Config, options: AppOptions, doing: string, visit: (stack: AiwcStack, json: Record<string, unknown>) => void): { app: App; topology: Topology; platform: AiwcStack } {
  const topology = buildTopology(config);
  const base = buildPlatform(config, options, topology);
  const { app, platform } = base;
  platform.prepareStack();
  const shards = usersByShard(topology);
  options.onStep?.(`${doing} the users stacks (${thousands(config.users.length)} users in ${thousands(shards.length)} ${shards.length === 1 ? "stack" : "stacks"})`);
  shards.forEach((users, shard) => {
    const name = shardStackName(shard);
    // The first users stack creates the platform's cross-stack outputs: its tokens stay.
    const mark = shard === 0 ? undefined : tokenMark();
    const stack = buildUsersStack(base, config, topology, name, users);
    stack.prepareStack();
    visit(stack, stack.freeze());
    if (mark !== undefined) {
      app.node.tryRemoveChild(name);
      releaseTokens(mark);
    }
  });
  return { app, topology, platform };
}

/** The stacks' Terraform JSON in memory (no files, no gate): for tests and comparisons. */
export function stackJson(config: Config, options: AppOptions = {}): Record<StackName, Record<string, unknown>> {
  return withoutCreationStacks(() => {
    const built = buildApp(config, options);
    const stacks = Object.values(built.stacks) as AiwcStack[];
    for (const stack of stacks) stack.prepareStack();
    return Object.fromEntries(stacks.map((s) => [s.stackName, s.freeze()])) as Record<StackName, Record<string, unknown>>;
  });
}

/** The App and its platform stack: what every users stack reads. */
interface PlatformBuild {
  readonly app: App;
  readonly outdir: string;
  readonly platform: AiwcStack;
  readonly exported: PlatformExports;
  readonly builders: ProviderStacks;
}

function buildPlatform(config: Config, options: AppOptions, topology: Topology): PlatformBuild {
  const outdir = outdirOf(options);
  const app = new App({ outdir, skipValidation: false });
  const builders: ProviderStacks = providerStacks(config.cluster.provider);
  options.onStep?.("building the platform stack");
  const platform = new AiwcStack(app, "platform", topology);
  backend(platform, "platform", config, outdir);
  const exported: PlatformExports = builders.platform(platform, topology);
  declareObjectStorage(platform, config);
  return { app, outdir, platform, exported, builders };
}

/** A users stack holding `users`; everything else of the topology is shared. */
function buildUsersStack(base: PlatformBuild, config: Config, topology: Topology, name: StackName, users: Topology["users"]): AiwcStack {
  const part: Topology = { ...topology, users };
  const stack = new AiwcStack(base.app, name, part, base.platform);
  backend(stack, name, config, base.outdir);
  base.builders.users(stack, part, base.exported);
  return stack;
}

export function buildApp(config: Config, options: AppOptions = {}): BuiltApp {
  const only = options.stacks === undefined ? undefined : new Set(selectStacks(config, options.stacks));
  const shardCount = config.cluster.state.shards;
  // Selected stacks: only their users' VMs are described.
  const topology = buildTopology(config, only === undefined ? undefined : (name) => only.has(shardStackName(userShard(name, shardCount))));
  const base = buildPlatform(config, options, topology);
  const { app, platform } = base;

  const built: Record<StackName, AiwcStack> = { platform };
  const shards = usersByShard(topology);
  options.onStep?.(`building the users stacks (${thousands(config.users.length)} users in ${thousands(shards.length)} ${shards.length === 1 ? "stack" : "stacks"})`);
  shards.forEach((users, shard) => {
    const name = shardStackName(shard);
    if (only !== undefined && !only.has(name)) return;
    built[name] = buildUsersStack(base, config, topology, name, users);
  });

  // The cost gate: a validation on every stack, so `cdktf synth/diff/deploy` cannot pass it
  // by accident. The price is for the whole app (every stack), computed once. An app of
  // selected stacks has no gate: it cannot judge the platform's profitability.
  let report: CostReport | undefined;
  const stacks = Object.values(built);
  const cost = (): CostReport => {
    report ??= reportForDocuments(config, stacks.map((s) => ({ name: s.stackName, json: s.freeze() })), "config", { ...options.pricing, topology });
    return report;
  };
  if (only === undefined) {
    for (const stack of stacks) {
      stack.node.addValidation({
        validate: () => {
          const result = cost();
          return result.gate.passed ? [] : result.gate.reasons.map((reason) => `cost gate: ${reason}`);
        },
      });
    }
  }
  return { app, topology, stacks: built, cost: () => report };
}
