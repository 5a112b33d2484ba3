/**
 * The `aiwc` command line. A thin command table (changesets style): each command lives in
 * its own module, loaded only when run (with require(), so the compiled CLI stays synchronous
 * CommonJS and tests load the same way under tsx's hook), and *returns* its result so tests can
 * call it directly.
 * Expected failures (bad config, bad arguments) print a clear message and exit 1 without a
 * stack trace; only bugs show one.
 */
import { Command, CommanderError } from "commander";
// Expected errors are recognised by name (types only here): `aiwc --help` loads commander and
// nothing else of aiwc's dependencies.
import type { ConfigError } from "../config/problems";
import { ensureTerraformEnv } from "../providers/tf-env";
import { PACKAGE_VERSION } from "../config/package-root";
import type { GateFailure } from "../stacks/gate-failure";
import type { CommandResult, UsageError } from "./result";
import type { InputError } from "../cost/input";
import type { VerifyInputError } from "../stacks/gate-record";

const LEDGER_HELP = "embedded ledger directory (default .aiwc/ledger; AIWC_LEDGER=postgres://… uses PostgreSQL)";
const CONFIG_HELP = "cluster file, or a directory holding cluster.yaml (default: $AIWC_CONFIG, else config/)";

export function buildProgram(run: (load: () => Promise<CommandResult>) => Promise<void>): Command {
  const program = new Command("aiwc")
    .description("AI workspace cloud: YAML config → cdktf stacks for Hetzner, AWS or OVH, priced before every apply")
    .version(PACKAGE_VERSION)
    .showHelpAfterError("(run `aiwc --help` for usage)")
    .enablePositionalOptions()
    .exitOverride();

  program
    .command("schema")
    .argument("<name>", "cluster, users, tariffs, report or diff")
    .description("print the JSON Schema of a config file, of the cost report JSON or of the cost diff JSON")
    .action((name: string) => run(async () => (require("./commands/schema") as typeof import("./commands/schema")).schema(name)));

  program
    .command("validate")
    .description("check the config (cluster, users, tariffs, prices) and print every problem at once")
    .option("-c, --config <path>", CONFIG_HELP)
    .option("--format <format>", "text or json", "text")
    .action((options: { config?: string; format: string }) =>
      run(async () => (require("./commands/validate") as typeof import("./commands/validate")).validate(options)),
    );

  program
    .command("synth")
    .description("synthesize the platform and users stacks (users-00, …) to Terraform JSON (like `cdktf synth`, without its start-up cost)")
    .option("-c, --config <path>", CONFIG_HELP)
    .option("-o, --out <dir>", "output directory (default: $CDKTF_OUTDIR, else cdktf.out)")
    .option("-q, --quiet", "no progress lines on stderr (printed for runs of 1,000 users or more)")
    .option("-s, --stack <name...>", "only these users stacks (e.g. users-07), written without the cost gate: `aiwc verify` then accepts them only if unchanged since the last full synthesis")
    .action((options: { config?: string; out?: string; quiet?: boolean; stack?: string[] }) =>
      run(async () => (require("./commands/synth") as typeof import("./commands/synth")).synth(options)),
    );

  const costCommand = program
    .command("cost")
    .enablePositionalOptions()
    .description("price the stacks (or a plan) against the price catalog, the tariff model and the policy gate")
    .option("-c, --config <path>", CONFIG_HELP)
    .option("-p, --plan <file...>", "price `terraform show -json` plans or *.tf.json files (e.g. cdktf.out/stacks/*/cdk.tf.json) instead of the config's stacks")
    .option("-f, --format <format>", "table, json or markdown", "table")
    .option("--date <YYYY-MM-DD>", "price as of this date (default: today)")
    .option("--usage <file>", "usage estimates: { <address or type>: { <usage key>: number } }")
    .option("--reference <amount>", 'a monthly figure to show beside the estimate, e.g. "2680 USD"')
    .option("--reference-label <text>", "what the reference is", "reference")
    .option("--allow-data-loss <address...>", "let the gate pass a plan that destroys or replaces these resources holding data (printed in the report)")
    .option("-q, --quiet", "no progress lines on stderr (printed for runs of 1,000 users or more)")
    .addHelpText("after", "\nExit codes: 0 gate passed, 1 bad config or input, 2 gate failed (the report is printed).")
    .action((options: { config?: string; plan?: string[]; format: string; date?: string; usage?: string; reference?: string; referenceLabel?: string; allowDataLoss?: string[]; quiet?: boolean }) =>
      run(async () => (require("./commands/cost") as typeof import("./commands/cost")).cost(options)),
    );

  costCommand
    .command("diff")
    .description("the cost change between a base (git ref, config path or saved report) and the head (the working tree)")
    .option("-b, --base <ref|path|report.json>", "what to compare with: a git ref (checked out in a temporary worktree and priced by its own code), a config path, or a saved `aiwc cost --format json` report")
    .option("--base-dir <dir>", "the base as synthesized by its own code elsewhere (its cdktf.out), instead of --base")
    .option("--head <path|report.json>", "the head (default: the config in the working tree)")
    .option("-c, --config <path>", CONFIG_HELP)
    .option("-f, --format <format>", "table, json or markdown", "table")
    .option("--date <YYYY-MM-DD>", "price both sides as of this date (default: today)")
    .option("--fail-on <condition...>", "exit 2 when: monthly:<euros> (increase above), percent:<percent>, margin (below policy), gate (fails after the change, data at risk included), data-at-risk (not allowed)")
    .option("--allow-data-loss <address...>", "resources whose destruction or replacement is intended (printed in the diff)")
    .option("--json-out <file>", "also write the full diff as JSON to this file (the CI artifact beside a capped comment)")
    .option("--shards-migrated", "users that change users stacks (state.shards changed) have been moved in state by `aiwc shards plan`'s script: their moves are not data at risk")
    .addHelpText("after", "\nExit codes: 0 no --fail-on condition holds, 1 bad input or config (names the side), 2 a --fail-on condition holds.")
    .action((options: { base?: string; baseDir?: string; head?: string; config?: string; format: string; date?: string; failOn?: string[]; allowDataLoss?: string[]; jsonOut?: string; shardsMigrated?: boolean }) =>
      run(async () => (require("./commands/cost-diff") as typeof import("./commands/cost-diff")).costDiff(options)),
    );

  program
    .command("compare")
    .description("the same topology priced on each provider, side by side (groups mapped by their requirements, user VMs by tariff)")
    .option("-c, --config <path>", CONFIG_HELP)
    .option("--providers <list>", "comma-separated providers (default: all)")
    .option("-f, --format <format>", "table or json", "table")
    .option("--date <YYYY-MM-DD>", "price as of this date (default: today)")
    .action((options: { config?: string; providers?: string; format: string; date?: string }) =>
      run(async () => (require("./commands/compare") as typeof import("./commands/compare")).compare(options)),
    );

  program
    .command("whatif")
    .description("cost, revenue, margin and break-even at other user counts, with the capacity steps from the config")
    .requiredOption("-u, --users <counts>", "user counts: 50, 30,60,100 or a range 10..100:10")
    .option("-c, --config <path>", CONFIG_HELP)
    .option("-f, --format <format>", "table (with a chart), json or csv", "table")
    .option("--date <YYYY-MM-DD>", "price as of this date (default: today)")
    .action((options: { users: string; config?: string; format: string; date?: string }) =>
      run(async () => (require("./commands/whatif") as typeof import("./commands/whatif")).whatif(options)),
    );

  program
    .command("pins")
    .description("pin what is deployed (AWS users' zones, dedicated hosts' addresses) so placement never moves an existing machine")
    .requiredOption("-s, --state <file...>", "state of the stacks: terraform state pull, a local *.tfstate, or terraform show -json")
    .option("-c, --config <path>", CONFIG_HELP)
    .option("--write", "edit users.yaml and cluster.yaml in place (comments kept) instead of printing")
    .action((options: { state: string[]; config?: string; write?: boolean }) =>
      run(async () => (require("./commands/pins") as typeof import("./commands/pins")).pins(options)),
    );

  const types = program.command("types").description("the server types chosen by requirements and tariffs' VM sizes, locked in types.lock.yaml");
  types
    .command("lock")
    .description("write types.lock.yaml: keep every choice that still applies, choose the missing ones; a price refresh then never rescales running machines")
    .option("-c, --config <path>", CONFIG_HELP)
    .option("--upgrade", "move every entry to the catalog's current choice (the table says which machines rescale)")
    .option("--provider <providers>", "lock for these providers (comma-separated; a portable config's other clouds); default the config's provider")
    .option("-f, --format <format>", "table or json", "table")
    .action((options: { config?: string; upgrade?: boolean; provider?: string; format?: string }) =>
      run(async () => (require("./commands/types") as typeof import("./commands/types")).typesLock(options)),
    );

  const prices = program.command("prices").description("the price catalogs: how old each price is, and refreshes from the providers' own price lists");
  prices
    .command("check")
    .description("every catalog price with its age, sources and what the config uses it for; exit 2 when one in use is older than policy.maxCatalogAgeDays")
    .option("-c, --config <path>", CONFIG_HELP)
    .option("-f, --format <format>", "table or json", "table")
    .action((options: { config?: string; format?: string }) => run(async () => (require("./commands/prices") as typeof import("./commands/prices")).pricesCheck(options)));
  prices
    .command("refresh")
    .description("fetch a provider's price list and write it into its catalog: a new valid_from entry for each changed price, history kept")
    .argument("<provider>", "hetzner (Cloud API, HCLOUD_TOKEN), ovh (public order catalog) or aws (Price List API, AWS keys)")
    .option("-c, --config <path>", CONFIG_HELP)
    .option("--region <region>", "only this location or region")
    .option("--from <file>", "replay a saved response of the price list instead of fetching it")
    .option("--dry-run", "print the changes, write nothing")
    .option("-f, --format <format>", "table, json or markdown (a pull request's description)", "table")
    .action((provider: string, options: { config?: string; region?: string; from?: string; dryRun?: boolean; format?: string }) =>
      run(async () => (require("./commands/prices") as typeof import("./commands/prices")).pricesRefresh({ provider, ...options })),
    );

  const shards = program.command("shards").description("the users stacks (state.shards): users sharded by a stable hash of their name, each stack with its own state");
  shards
    .command("plan")
    .description("which users move when state.shards changes, and a script that moves their resources state to state with `terraform state mv` (never a replacement)")
    .requiredOption("--from <single|count>", "the layout deployed now: single (the one users stack of aiwc before sharding) or the shard count before the edit")
    .option("-c, --config <path>", CONFIG_HELP)
    .option("-o, --out <dir>", "where the migration goes", "shards-migration")
    .option("-f, --format <format>", "text or json", "text")
    .action((options: { from: string; config?: string; out?: string; format?: string }) =>
      run(async () => (require("./commands/shards") as typeof import("./commands/shards")).shardsPlan(options)),
    );

  program
    .command("verify")
    .description("check that the synthesized stacks are exactly what the cost gate judged (run in CI before terraform apply)")
    .argument("[dir]", "the synthesis output", "cdktf.out")
    .addHelpText("after", "\nExit codes: 0 every stack is what the gate passed, 1 no gate record or bad input, 2 a stack was changed, added or removed after the gate, or the gate failed.")
    .action((dir: string) => run(async () => (require("./commands/verify") as typeof import("./commands/verify")).verify({ dir })));

  program
    .command("inventory")
    .description("the Ansible inventory from the deployed stacks' outputs (cdktf output --outputs-file, or terraform output -json per stack)")
    .requiredOption("-o, --outputs <file...>", "output JSON files of the platform and users stacks")
    .option("-c, --config <path>", CONFIG_HELP)
    .option("--out <file>", "write the inventory to this file (default: stdout)")
    .action((options: { outputs: string[]; config?: string; out?: string }) =>
      run(async () => (require("./commands/inventory") as typeof import("./commands/inventory")).inventory(options)),
    );

  program
    .command("wait-ssh")
    .description("wait until every node of an inventory accepts SSH, through the bastion, host keys pinned")
    .requiredOption("-i, --inventory <file>", "the inventory written by `aiwc inventory`")
    .option("--identity <file>", "private key (default: $AIWC_SSH_KEY, else the SSH agent, else ~/.ssh/id_ed25519)")
    .option("--known-hosts <file>", "pinned host keys (default: known_hosts next to the inventory)")
    .option("--timeout <seconds>", "give up after this long", "300")
    .option("--concurrency <n>", "nodes tried at the same time", "8")
    .addHelpText("after", "\nExit codes: 0 every node answered, 1 a node did not (one line per failure) or a host key changed.")
    .action((options: { inventory: string; identity?: string; knownHosts?: string; timeout?: string; concurrency?: string }) =>
      run(async () => (require("./commands/wait-ssh") as typeof import("./commands/wait-ssh")).waitSsh(options)),
    );

  const usage = program.command("usage").description("metered usage per user: the ledger the monthly bill is made from");
  usage
    .command("import")
    .argument("<file>", "JSON Lines or CSV usage events (id, source, time, user, meter, quantity, corrects); - for stdin")
    .description("import usage events into the ledger: idempotent by (source, id); a file with any bad line imports nothing")
    .option("-c, --config <path>", CONFIG_HELP)
    .option("--ledger <dir>", LEDGER_HELP)
    .action((file: string, options: { config?: string; ledger?: string }) =>
      run(async () => (require("./commands/billing") as typeof import("./commands/billing")).usageImport(file, options)),
    );

  usage
    .command("collect")
    .description("ship the metering gateways' spooled events into the ledger (idempotent; past days' files move to shipped/)")
    .option("--spool <dir>", "the spool directory")
    .option("-c, --config <path>", CONFIG_HELP)
    .option("--ledger <dir>", LEDGER_HELP)
    .action((options: { config?: string; ledger?: string; spool?: string }) =>
      run(async () => (require("./commands/billing") as typeof import("./commands/billing")).usageCollect(options)),
    );
  const usageKey = usage.command("key").description("users' API keys for the metering gateway and the metered services");
  usageKey
    .command("create")
    .argument("<user>", "a user in users.yaml")
    .description("a new API key for the user, printed once (the ledger keeps its hash)")
    .option("-c, --config <path>", CONFIG_HELP)
    .option("--ledger <dir>", LEDGER_HELP)
    .action((user: string, options: { config?: string; ledger?: string }) =>
      run(async () => (require("./commands/billing") as typeof import("./commands/billing")).usageKeyCreate(user, options)),
    );
  usageKey
    .command("revoke")
    .argument("<user>", "the user whose keys stop working")
    .description("revokes every key of the user (in force until the key file is exported and deployed again)")
    .option("--ledger <dir>", LEDGER_HELP)
    .action((user: string, options: { ledger?: string }) =>
      run(async () => (require("./commands/billing") as typeof import("./commands/billing")).usageKeyRevoke(user, options)),
    );
  usage
    .command("keys")
    .description("the hashed key file the metering gateways and the services' key check read")
    .command("export")
    .argument("<file>", "where to write it")
    .option("--ledger <dir>", LEDGER_HELP)
    .action((file: string, options: { ledger?: string }) =>
      run(async () => (require("./commands/billing") as typeof import("./commands/billing")).usageKeysExport(file, options)),
    );

  const meter = program.command("meter").description("usage collectors: the metering gateway, the services' key check and access log, storage samples");
  meter
    .command("gateway")
    .description("the metering gateway in front of Ollama: attributes each request to a user and spools its GPU time (runs until SIGTERM)")
    .option("--listen <host:port>", "where to listen", "127.0.0.1:11435")
    .option("--upstream <url>", "Ollama", "http://127.0.0.1:11434")
    .option("--keys <file>", "the hashed key file (aiwc usage keys export)")
    .option("--spool <dir>", "where events are appended (aiwc usage collect ships them)")
    .option("--trust-forwarded-from <cidr...>", "addresses whose X-OpenWebUI-User-Name header is believed (the service nodes)")
    .option("--source <name>", "the events' source (default gateway:<host>:<port>)")
    .option("--checkpoint-seconds <n>", "how often requests in flight are journaled as running (a crash loses at most this much of a request)", "5")
    .option("-c, --config <path>", CONFIG_HELP)
    .action((options: { config?: string; listen?: string; upstream?: string; keys?: string; spool?: string; trustForwardedFrom?: string[]; source?: string; checkpointSeconds?: string }) =>
      run(async () => (require("./commands/billing") as typeof import("./commands/billing")).meterGateway(options)),
    );
  meter
    .command("storage")
    .description("one storage_gb sample per user from Ceph: each user's CephFS subvolume (run daily on a Ceph node; the ceph role's timer does)")
    .option("--spool <dir>", "where the samples are appended (aiwc usage collect ships them)")
    .option("--ceph <command>", "the ceph command, e.g. \"cephadm shell -- ceph\"", "ceph")
    .option("--volume <name>", "the CephFS volume", "aiwc")
    .option("--group <name>", "the subvolume group holding one subvolume per user", "users")
    .option("--source <name>", "the events' source (default storage:<host>)")
    .option("-c, --config <path>", CONFIG_HELP)
    .action((options: { config?: string; spool?: string; ceph?: string; volume?: string; group?: string; source?: string }) =>
      run(async () => (require("./commands/billing") as typeof import("./commands/billing")).meterStorage(options)),
    );

  meter
    .command("auth")
    .description("the services' key check Caddy's forward_auth asks: 200 with X-Aiwc-User for a user's aiwc key whose tariff sells the meter, else 401/403 (runs until SIGTERM)")
    .option("--listen <address>", "HOST:PORT, or unix:PATH for a socket", "unix:/run/aiwc-meter/auth.sock")
    .option("--keys <file>", "the hashed key file (aiwc usage keys export)")
    .option("-c, --config <path>", CONFIG_HELP)
    .action((options: { config?: string; listen?: string; keys?: string }) =>
      run(async () => (require("./commands/billing") as typeof import("./commands/billing")).meterAuth(options)),
    );
  meter
    .command("access-log")
    .description("calls to the metered services (Qdrant, Supabase) counted per user and hour from Caddy's JSON access log (run hourly on a service node; the services role's timer does)")
    .option("--log <file>", "Caddy's access log; its rotated siblings are read too")
    .option("--cursor <file>", "where the collector remembers what it read and the hours still open")
    .option("--spool <dir>", "where the events are appended (aiwc usage collect ships them)")
    .option("--source <name>", "the events' source (default caddy:<host>)")
    .option("--grace-seconds <n>", "how long after an hour its calls may still be logged", "60")
    .option("-c, --config <path>", CONFIG_HELP)
    .action((options: { config?: string; log?: string; cursor?: string; spool?: string; source?: string; graceSeconds?: string }) =>
      run(async () => (require("./commands/billing") as typeof import("./commands/billing")).meterAccessLog(options)),
    );

  meter
    .command("n8n")
    .description("n8n_runs: one event per production execution, attributed to the workflow's owner by e-mail (users.yaml email); N8N_API_KEY in the environment (run hourly; the services role's timer does)")
    .option("--url <url>", "n8n's base URL, e.g. https://n8n.aiwc.internal")
    .option("--cursor <file>", "where the collector remembers the executions it counted")
    .option("--spool <dir>", "where the events are appended (aiwc usage collect ships them)")
    .option("--source <name>", "the events' source (default n8n:<host>)")
    .option("-c, --config <path>", CONFIG_HELP)
    .action((options: { config?: string; url?: string; cursor?: string; spool?: string; source?: string }) =>
      run(async () => (require("./commands/billing") as typeof import("./commands/billing")).meterN8n(options)),
    );
  meter
    .command("gitlab-ci")
    .description("ci_minutes: the CI group's runners' finished jobs, rounded up to whole minutes per job, attributed to the GitLab account (= users.yaml name) that ran them; GITLAB_TOKEN (an administrator's read_api token) in the environment")
    .option("--url <url>", "GitLab's base URL, e.g. https://gitlab.aiwc.internal")
    .option("--group <path>", "the CI group whose group runners are the platform's ci-runner nodes", "ci")
    .option("--cursor <file>", "where the collector remembers each runner's last counted job")
    .option("--spool <dir>", "where the events are appended (aiwc usage collect ships them)")
    .option("--source <name>", "the events' source (default gitlab:<host>)")
    .option("-c, --config <path>", CONFIG_HELP)
    .action((options: { config?: string; url?: string; cursor?: string; spool?: string; source?: string; group?: string }) =>
      run(async () => (require("./commands/billing") as typeof import("./commands/billing")).meterGitlabCi(options)),
    );
  meter
    .command("langfuse")
    .description("langfuse_events: each user's Langfuse project's traces and observations per day (run daily; the services role's timer does)")
    .option("--url <url>", "Langfuse's base URL, e.g. https://langfuse.aiwc.internal")
    .option("--projects <file>", 'the users\' projects and their keys: {"projects": [{"user", "publicKey", "secretKey"}]}')
    .option("--cursor <file>", "where the collector remembers each user's last day")
    .option("--spool <dir>", "where the events are appended (aiwc usage collect ships them)")
    .option("--since <YYYY-MM-DD>", "the first day for a user not collected before (default: the first of the month)")
    .option("--source <name>", "the events' source (default langfuse:<host>)")
    .option("-c, --config <path>", CONFIG_HELP)
    .action((options: { config?: string; url?: string; projects?: string; cursor?: string; spool?: string; since?: string; source?: string }) =>
      run(async () => (require("./commands/billing") as typeof import("./commands/billing")).meterLangfuse(options)),
    );

  program
    .command("record")
    .description("store the deployed state in the ledger (run after each cdktf deploy): the priced report of the synthesis that was deployed, its gate verdict and git commit; the monthly report's incurred cost is made from these")
    .option("-o, --outdir <dir>", "the synthesis output that was deployed (default: $CDKTF_OUTDIR, else cdktf.out); without one, the config is priced now")
    .option("--commit <sha>", "the git commit deployed (default: CI_COMMIT_SHA, GITHUB_SHA, else git rev-parse HEAD)")
    .option("--at <time>", "when it was deployed, ISO 8601 (default: now)")
    .option("-c, --config <path>", CONFIG_HELP)
    .option("--ledger <dir>", LEDGER_HELP)
    .action((options: { config?: string; ledger?: string; outdir?: string; commit?: string; at?: string }) =>
      run(async () => (require("./commands/report") as typeof import("./commands/report")).record(options)),
    );

  program
    .command("report")
    .description("the month's real figures: cost incurred (from aiwc record), revenue (issued invoices or the draft bill), margin, PAYG per meter and profile, GPU utilisation, users — each beside the forecast")
    .option("--month <YYYY-MM>", "the month")
    .option("-f, --format <format>", "table, json or markdown", "table")
    .option("--html <file>", "also write the admin page: one self-contained HTML file")
    .option("-c, --config <path>", CONFIG_HELP)
    .option("--ledger <dir>", LEDGER_HELP)
    .action((options: { config?: string; ledger?: string; month?: string; format?: string; html?: string }) =>
      run(async () => (require("./commands/report") as typeof import("./commands/report")).monthReport(options)),
    );

  program
    .command("serve")
    .description("the admin page live from the ledger, read-only: every request needs AIWC_ADMIN_TOKEN (Bearer, or the basic-auth password); runs until SIGTERM")
    .option("--listen <address>", "HOST:PORT, or unix:PATH for a socket behind a proxy", "127.0.0.1:8080")
    .option("-c, --config <path>", CONFIG_HELP)
    .option("--ledger <dir>", LEDGER_HELP)
    .action((options: { config?: string; ledger?: string; listen?: string }) =>
      run(async () => (require("./commands/report") as typeof import("./commands/report")).serveCommand(options)),
    );

  const billCommand = program
    .command("bill")
    .enablePositionalOptions()
    .description("the month's bill: the draft (one invoice per user: base, packs, PAYG beyond the allowances, VAT), or the issued invoices")
    .option("--month <YYYY-MM>", "the month")
    .option("-c, --config <path>", CONFIG_HELP)
    .option("--ledger <dir>", LEDGER_HELP)
    .option("--format <format>", "table, json, csv or markdown", "table")
    .action((options: { config?: string; ledger?: string; month?: string; format: string }) =>
      run(async () => (require("./commands/billing") as typeof import("./commands/billing")).bill(options)),
    );
  billCommand
    .command("issue")
    .description("issue the month's invoices: numbers without gaps per year, stored in the ledger, never changed; a month is issued once")
    .option("--month <YYYY-MM>", "the month")
    .option("--date <YYYY-MM-DD>", "the invoice date (default today, UTC; after the month's end)")
    .option("-c, --config <path>", CONFIG_HELP)
    .option("--ledger <dir>", LEDGER_HELP)
    .option("--format <format>", "table, json, csv or markdown", "table")
    .action((options: { config?: string; ledger?: string; month?: string; format: string; date?: string }) =>
      run(async () => (require("./commands/billing") as typeof import("./commands/billing")).billIssue(options)),
    );
  billCommand
    .command("export")
    .description("an issued month's invoices and credit notes as HTML and PDF, and the month's CSV for accounting")
    .option("--month <YYYY-MM>", "the month")
    .option("-o, --out <dir>", "where the files go")
    .option("-c, --config <path>", CONFIG_HELP)
    .option("--ledger <dir>", LEDGER_HELP)
    .action((options: { config?: string; ledger?: string; month?: string; out?: string }) =>
      run(async () => (require("./commands/billing") as typeof import("./commands/billing")).billExport(options)),
    );
  billCommand
    .command("status")
    .description("ask the payment provider whether an issued month's handed-over invoices were paid, and keep the answer in the ledger (the monthly report shows unpaid ones)")
    .option("--month <YYYY-MM>", "the month")
    .option("--from <provider>", "stripe or paypal")
    .option("-c, --config <path>", CONFIG_HELP)
    .option("--ledger <dir>", LEDGER_HELP)
    .action((options: { config?: string; ledger?: string; month?: string; from?: string }) =>
      run(async () => (require("./commands/billing") as typeof import("./commands/billing")).billStatus(options)),
    );
  billCommand
    .command("send")
    .description("hand an issued month's invoices to the payment provider (Stripe: STRIPE_SECRET_KEY; PayPal: PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET); safe to run again after a failure")
    .option("--month <YYYY-MM>", "the month")
    .option("--to <provider>", "stripe or paypal")
    .option("-c, --config <path>", CONFIG_HELP)
    .option("--ledger <dir>", LEDGER_HELP)
    .action((options: { config?: string; ledger?: string; month?: string; to?: string }) =>
      run(async () => (require("./commands/billing") as typeof import("./commands/billing")).billSend(options)),
    );
  billCommand
    .command("credit")
    .argument("<number>", "the issued invoice to credit")
    .description("a credit note cancelling an issued invoice in full (the only correction of an issued invoice)")
    .option("--date <YYYY-MM-DD>", "the credit note's date (default today, UTC)")
    .option("--reason <text>", "why, printed on the credit note")
    .option("-c, --config <path>", CONFIG_HELP)
    .option("--ledger <dir>", LEDGER_HELP)
    .action((number: string, options: { config?: string; ledger?: string; date?: string; reason?: string }) =>
      run(async () => (require("./commands/billing") as typeof import("./commands/billing")).billCredit(number, options)),
    );

  return program;
}

/**
 * An expected error of this class, also when it comes from another instance of the same module
 * (commands are loaded lazily; a test runner or bundler may load a module twice).
 */
interface Expected {
  UsageError: UsageError;
  InputError: InputError;
  VerifyInputError: VerifyInputError;
  GateFailure: GateFailure;
  ConfigError: ConfigError;
}

function is<K extends keyof Expected>(error: unknown, name: K): error is Expected[K] {
  return error instanceof Error && error.name === name;
}

/** Runs a command and turns its result (or an expected error) into output and an exit code. */
async function execute(load: () => Promise<CommandResult>): Promise<void> {
  try {
    const result = await load();
    if (result.stdout !== "") process.stdout.write(result.stdout.endsWith("\n") ? result.stdout : `${result.stdout}\n`);
    if (result.stderr !== undefined && result.stderr !== "") process.stderr.write(result.stderr.endsWith("\n") ? result.stderr : `${result.stderr}\n`);
    process.exitCode = result.exitCode;
  } catch (error) {
    if (is(error, "UsageError") || is(error, "InputError") || is(error, "VerifyInputError")) {
      process.stderr.write(`aiwc: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    if (is(error, "GateFailure")) {
      process.stderr.write(`aiwc: ${error.message}\n`);
      if (error.report.gate.override !== undefined) process.stderr.write(`aiwc: override: ${error.report.gate.override.reason}\n`);
      process.exitCode = 1;
      return;
    }
    if (is(error, "ConfigError")) {
      const { formatProblem } = require("../config/problems") as typeof import("../config/problems");
      for (const warning of error.warnings) process.stderr.write(`warning: ${formatProblem(warning)}\n`);
      for (const problem of error.problems) process.stderr.write(`${formatProblem(problem)}\n`);
      process.stderr.write(`aiwc: the configuration has ${error.problems.length} problem(s)\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

/**
 * Runs a command in this process and returns what it printed and its exit code, as the
 * `aiwc` binary would (tests and the fuzzer). A bug escapes as a thrown error.
 */
export async function runInProcess(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const previous = process.exitCode;
  process.exitCode = 0;
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  try {
    await main(argv);
    return { code: Number(process.exitCode ?? 0), stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.exitCode = previous;
  }
}

export async function main(argv: readonly string[]): Promise<void> {
  ensureTerraformEnv();
  const program = buildProgram(execute);
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors were already printed.
      process.exitCode = error.exitCode;
      return;
    }
    throw error;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2));
}
