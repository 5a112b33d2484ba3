/**
 * The usage ledger and the monthly bill (billing/), the same tests on embedded PGlite and on a
 * real PostgreSQL server: migrations, idempotent and all-or-nothing imports, and the bill of
 * the default config's users with the sample usage file (golden), proration, allowances, the
 * storage gauge, corrections and VAT.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { openLedger, LedgerError, withoutCredentials, type Ledger, type Queryable } from "../billing/ledger";
import { importUsage, readUsage, UsageFileError } from "../billing/usage";
import { draftBill, REVERSE_CHARGE_NOTE } from "../billing/bill";
import { creditNote, issueBill } from "../billing/issue";
import { billCsv } from "../billing/render";
import { formatEur, money, toAmount } from "../catalog/money";
import { invoiceHtml, invoicePdf } from "../billing/documents";
import { handToStripe, stripePayments } from "../billing/stripe";
import { monthlyReport } from "../reporting/monthly";
import { startStripeStandIn } from "./stand-ins/stripe";
import { startPayPalStandIn } from "./stand-ins/paypal";
import { handToPayPal, paypalPayments } from "../billing/paypal";
import { loadConfig, type Config } from "../model/load";
import { DEFAULT_CONFIG, fixtureConfig, ROOT, tempDir } from "./helpers";
import { freshDatabase } from "./helpers-postgres";

const SAMPLE = join(ROOT, "examples", "usage", "2026-11.jsonl");
const NOW = new Date("2027-02-01T00:00:00Z");
const config = loadConfig(DEFAULT_CONFIG);

const event = (id: string, user: string, meter: string, quantity: string, time = "2026-11-10T12:00:00Z", extra: Record<string, string> = {}) =>
  JSON.stringify({ id, source: "test", time, user, meter, quantity, ...extra });

const backends: [string, () => Promise<{ dir?: string; url?: string }>][] = [
  ["PGlite", async () => ({ dir: join(tempDir("aiwc-ledger-"), "ledger") })],
  ["PostgreSQL", async () => ({ url: await freshDatabase() })],
];

describe.each(backends)("ledger on %s", (_name, where) => {
  let ledger: Ledger;
  let options: { dir?: string; url?: string };
  beforeAll(async () => {
    options = await where();
    ledger = await openLedger(options);
  });
  afterAll(async () => {
    await ledger?.close();
  });
  beforeEach(async () => {
    for (const table of ["api_keys", "handovers", "billed_events", "billed_months", "invoices", "usage_events", "usage_month_totals", "usage_day_totals"]) await ledger.query(`delete from ${table}`);
  });

  const load = async (text: string, cfg: Config = config, name = "usage.jsonl") => importUsage(ledger, readUsage(text, name, cfg, NOW), name);
  const count = async () => Number((await ledger.query<{ n: string | number }>("select count(*) as n from usage_events"))[0]!.n);

  test("migrations are applied once and recorded; a ledger from a newer aiwc is refused", async () => {
    const again = await openLedger(options);
    const rows = await again.query<{ version: number | string; name: string }>("select version, name from aiwc_migrations order by version");
    expect(rows.map((r) => [Number(r.version), r.name])).toEqual([[1, "usage events"], [2, "issued invoices"], [3, "payment handovers"], [4, "usage detail and API keys"], [5, "recorded deployments"], [6, "payment status"], [7, "usage totals"]]);
    await again.query("insert into aiwc_migrations (version, name) values (999, 'from the future')");
    await again.close();
    await expect(openLedger(options)).rejects.toThrow(/migrated by a newer aiwc \(schema version 999/);
    const cleanup = await openLedgerIgnoringVersion(options);
    await cleanup.query("delete from aiwc_migrations where version = 999");
    await cleanup.close();
  });

  test("importing the same file twice changes nothing the second time, and says so", async () => {
    const text = readFileSync(SAMPLE, "utf8");
    expect(await load(text)).toEqual({ events: 13, imported: 13, alreadyImported: 0 });
    expect(await load(text)).toEqual({ events: 13, imported: 0, alreadyImported: 13 });
    expect(await count()).toBe(13);
  });

  test("a bulk import (indexes rebuilt on the embedded ledger) imports the same and keeps every index, also when it fails", async () => {
    const indexes = async () => [
      ...(await ledger.query<{ definition: string }>("select indexdef as definition from pg_indexes where tablename = 'usage_events' order by indexname")).map((r) => r.definition),
      // The primary key (dropped and built again when none of the file's sources is in the ledger).
      ...(await ledger.query<{ definition: string }>("select conname || ' ' || pg_get_constraintdef(oid) as definition from pg_constraint where conrelid = 'usage_events'::regclass order by conname")).map((r) => r.definition),
    ];
    const before = await indexes();
    expect(before).toContain("usage_events_pkey PRIMARY KEY (source, id)");
    expect(before.length).toBeGreaterThanOrEqual(3);
    const text = readFileSync(SAMPLE, "utf8");
    const bulk = (t: string) => importUsage(ledger, readUsage(t, "usage.jsonl", config, NOW), "usage.jsonl", { bulkFrom: 1 });
    expect(await bulk(text)).toEqual({ events: 13, imported: 13, alreadyImported: 0 });
    expect(await indexes()).toEqual(before);
    // Already imported (the table is no smaller than the file: the bulk path is taken again).
    expect(await bulk(text)).toEqual({ events: 13, imported: 0, alreadyImported: 13 });
    const changed = text.split("\n").map((line, i) => (i === 0 ? line.replace(/"quantity": ?"[^"]*"/, '"quantity": "999"') : line)).join("\n");
    await expect(bulk(changed)).rejects.toThrow(/was imported before with different content/);
    expect(await indexes()).toEqual(before);
    expect(await count()).toBe(13);
    // The same sources, new ids: no key is there yet (one join says so), the fast path again.
    const renamed = (t: string, prefix: string) => t.replace(/"id": ?"([^"]*)"/g, `"id": "${prefix}$1"`).replace(/"corrects": ?"([^"]*)"/g, `"corrects": "${prefix}$1"`);
    expect(await bulk(renamed(text, "second-"))).toEqual({ events: 13, imported: 13, alreadyImported: 0 });
    expect(await indexes()).toEqual(before);
    // Some keys there already, some new: the checked path counts each right.
    const mixed = [...renamed(text, "third-").trimEnd().split("\n").slice(0, 5), ...text.trimEnd().split("\n").slice(0, 4)].join("\n");
    expect(await bulk(mixed)).toMatchObject({ imported: 5, alreadyImported: 4 });
    expect(await indexes()).toEqual(before);
    expect(await count()).toBe(31);
    // The month's bill reads the same events either way.
    expect((await draftBill(config, ledger, "2026-11")).totals.invoices).toBeGreaterThan(0);
  });

  test("an import that grows the events by more than autovacuum's threshold refreshes the planner's statistics; a small one does not", async () => {
    const tuples = async () => Number((await ledger.query<{ n: number | string }>("select reltuples as n from pg_class where oid = 'usage_events'::regclass"))[0]!.n);
    await ledger.query("analyze usage_events");
    expect(await tuples()).toBe(0);
    const lines = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => event(`stat-${from + i}`, "ben", "gpu_hours", "1")).join("\n");
    await load(lines(0, 60)); // 60 > 50 + 10 % of 0
    expect(await tuples()).toBe(60);
    await load(lines(60, 65)); // 5 ≤ 50 + 10 % of 60: left to the next large import
    expect(await tuples()).toBe(60);
    expect(await count()).toBe(65);
  });

  test("the month and day totals always equal the events they sum: re-imports, corrections, bulk and failed imports; the migration fills them from the events there", async () => {
    const totals = async (db: Queryable = ledger) => ({
      months: await db.query<{ user_name: string; month: string; meter: string; q: string }>("select user_name, meter, month, trim_scale(quantity)::text as q from usage_month_totals order by 1, 2, 3"),
      days: await db.query("select meter, to_char(day, 'YYYY-MM-DD') as day, trim_scale(quantity)::text as q from usage_day_totals order by 1, 2"),
    });
    const fromEvents = async () => ({
      months: await ledger.query(
        "select user_name, meter, to_char(time at time zone 'UTC', 'YYYY-MM') as month, trim_scale(sum(quantity))::text as q from usage_events where corrects is null group by 1, 2, 3 order by 1, 2, 3",
      ),
      days: await ledger.query("select meter, to_char((time at time zone 'UTC')::date, 'YYYY-MM-DD') as day, trim_scale(sum(quantity))::text as q from usage_events where corrects is null group by 1, 2 order by 1, 2"),
    });
    const text = readFileSync(SAMPLE, "utf8");
    await load(text);
    await load(text); // nothing new: nothing added twice
    await load(`${text.trimEnd()}\n${event("t-0", "david", "gpu_hours", "0.25", "2026-11-12T08:00:00Z")}`); // one new among known ones
    await load([event("t-1", "ben", "gpu_hours", "2.5", "2026-11-30T23:30:00Z"), event("t-2", "ben", "gpu_hours", "1", "2026-12-01T00:30:00Z"), event("t-3", "ben", "gpu_hours", "-1", "2026-12-02T00:00:00Z", { corrects: "t-2" })].join("\n"));
    await expect(load([event("t-4", "ben", "gpu_hours", "7"), event("t-1", "ben", "gpu_hours", "9", "2026-11-30T23:30:00Z")].join("\n"))).rejects.toThrow(/different content/);
    await importUsage(ledger, readUsage(event("t-5", "anna", "gpu_hours", "4", "2026-10-31T22:00:00Z"), "bulk.jsonl", config, NOW), "bulk.jsonl", { bulkFrom: 1 });
    const expected = await fromEvents();
    expect(expected.months.length).toBeGreaterThan(3);
    expect(await totals()).toEqual(expected);
    // ben's November gpu_hours: the sample's plus t-1 (2.5); December: t-2 alone (its correction is not a total's).
    const ben = (await totals()).months.filter((r) => r.user_name === "ben" && r.meter === "gpu_hours");
    expect(ben.find((r) => r.month === "2026-12")?.q).toBe("1");
    // A ledger from before the totals: the migration sums the events already there.
    for (const statement of ["drop table usage_month_totals", "drop table usage_day_totals", "drop index usage_events_corrections", "delete from aiwc_migrations where version = 7"]) await ledger.query(statement);
    await ledger.close();
    ledger = await openLedger(options);
    expect(await totals()).toEqual(expected);
  });

  test("a file with bad lines imports nothing and lists every bad line with its number", async () => {
    const text = [
      event("ok-1", "ben", "gpu_hours", "1"),
      event("bad-user", "nobody", "gpu_hours", "1"),
      event("bad-meter", "ben", "espresso", "1"),
      event("bad-time", "ben", "gpu_hours", "1", "yesterday"),
      event("future", "ben", "gpu_hours", "1", "2027-06-01T00:00:00Z"),
      event("negative", "ben", "gpu_hours", "-1"),
      event("not-decimal", "ben", "gpu_hours", "1e3"),
      JSON.stringify({ id: "number", source: "test", time: "2026-11-10T12:00:00Z", user: "ben", meter: "gpu_hours", quantity: 1.5 }),
      "{not json",
      event("february-30", "ben", "gpu_hours", "1", "2026-02-30T10:00:00Z"),
      event("hour-24", "ben", "gpu_hours", "1", "2026-11-01T24:00:00Z"),
    ].join("\n");
    let problems: readonly string[] = [];
    try {
      readUsage(text, "usage.jsonl", config, NOW);
    } catch (error) {
      expect(error).toBeInstanceOf(UsageFileError);
      problems = (error as UsageFileError).problems;
    }
    expect(problems).toEqual([
      'usage.jsonl:2: user: "nobody" is not in users.yaml',
      'usage.jsonl:3: meter: "espresso" is not a PAYG meter in tariffs.yaml (gpu_hours, qdrant_queries, langfuse_events, supabase_calls, n8n_runs, storage_gb, ci_minutes)',
      'usage.jsonl:4: time: must be an ISO 8601 time with its offset, e.g. 2026-11-03T10:15:00Z, got "yesterday"',
      "usage.jsonl:5: time: 2027-06-01T00:00:00Z is in the future",
      'usage.jsonl:6: quantity: -1 is negative; a correction is an event of its own with "corrects": "<id of the event it corrects>"',
      'usage.jsonl:7: quantity: "1e3" is not a decimal number',
      'usage.jsonl:8: quantity: must be a decimal string, e.g. "0.0125" (quote it: "1.5")',
      expect.stringMatching(/^usage\.jsonl:9: not valid JSON/),
      // JavaScript's Date would take both (as March 2 and the next day).
      'usage.jsonl:10: time: must be an ISO 8601 time with its offset, e.g. 2026-11-03T10:15:00Z, got "2026-02-30T10:00:00Z"',
      'usage.jsonl:11: time: must be an ISO 8601 time with its offset, e.g. 2026-11-03T10:15:00Z, got "2026-11-01T24:00:00Z"',
    ]);
    expect(await count()).toBe(0);
  });

  test("times are stored in UTC to the millisecond, whatever offset and precision the file gives", async () => {
    const text = [
      event("z", "ben", "gpu_hours", "1", "2026-11-10T12:00:00Z"),
      event("ms", "ben", "gpu_hours", "1", "2026-11-10T12:00:00.250Z"),
      event("offset", "ben", "gpu_hours", "1", "2026-11-10T14:00:00+02:00"),
      event("minutes", "ben", "gpu_hours", "1", "2026-11-10T12:00Z"),
      event("nanos", "ben", "gpu_hours", "1", "2026-11-10T12:00:00.123456789Z"),
    ].join("\n");
    expect(readUsage(text, "usage.jsonl", config, NOW).map((e) => [e.id, e.time])).toEqual([
      ["z", "2026-11-10T12:00:00.000Z"],
      ["ms", "2026-11-10T12:00:00.250Z"],
      ["offset", "2026-11-10T12:00:00.000Z"],
      ["minutes", "2026-11-10T12:00:00.000Z"],
      ["nanos", "2026-11-10T12:00:00.123Z"],
    ]);
  });

  test("an event imported before with other content, or a correction of nothing, fails the whole import", async () => {
    await load(event("e1", "ben", "gpu_hours", "1"));
    await expect(load([event("e2", "ben", "gpu_hours", "2"), event("e1", "ben", "gpu_hours", "5")].join("\n"))).rejects.toThrow(/event test\/e1 was imported before with different content \(ben gpu_hours 1 at 2026-11-10T12:00:00.000Z\)/);
    await expect(load(event("c1", "ben", "gpu_hours", "-1", "2026-11-11T00:00:00Z", { corrects: "nope" }))).rejects.toThrow(/corrects test\/nope, which is not in the ledger or the file/);
    await expect(load(event("c2", "anna", "gpu_hours", "-1", "2026-11-11T00:00:00Z", { corrects: "e1" }))).rejects.toThrow(/of another user or meter/);
    expect(await count()).toBe(1);
  });

  test("CSV with the same columns imports the same events as JSON Lines", async () => {
    const csv = ["id,source,time,user,meter,quantity,corrects", "e1,test,2026-11-10T12:00:00Z,ben,gpu_hours,1.50,", 'e2,test,2026-11-10T13:00:00+01:00,anna,qdrant_queries,"2000",'].join("\n");
    expect(await load(csv, config, "usage.csv")).toEqual({ events: 2, imported: 2, alreadyImported: 0 });
    // The same events as JSON Lines (quantity 1.50 normalized to 1.5): nothing new.
    expect(await load([event("e1", "ben", "gpu_hours", "1.5"), event("e2", "anna", "qdrant_queries", "2000", "2026-11-10T12:00:00Z")].join("\n"))).toEqual({ events: 2, imported: 0, alreadyImported: 2 });
  });

  test("the bill of the default config's users and the sample usage (golden)", async () => {
    await load(readFileSync(SAMPLE, "utf8"));
    const bill = await draftBill(config, ledger, "2026-11");
    await expect(`${JSON.stringify(bill, null, 2)}\n`).toMatchFileSnapshot(join("golden", "billing", "bill-2026-11.json"));
    await expect(`${billCsv(bill)}\n`).toMatchFileSnapshot(join("golden", "billing", "bill-2026-11.csv"));
    const ben = bill.invoices.find((i) => i.user === "ben")!;
    // 1.25 + 2.5 + 0.5 (a correction of 2.5) = 4.25 h; the Pro pack's 10,000 tokens are 2.7778 h.
    expect(ben.lines.find((l) => l.item === "payg:gpu_hours")).toMatchObject({ quantity: "1.4722", amount: "0.29" });
    // anna: 1.5 GB for 10 days, 4.5 for 10, 8 for 10 → 4.6667 average, 2 included.
    expect(bill.invoices.find((i) => i.user === "anna")!.lines.find((l) => l.item === "payg:storage_gb")).toMatchObject({ quantity: "2.6667", amount: "0.53" });
    // felix: October's 9 GB sample carries through November.
    expect(bill.invoices.find((i) => i.user === "felix")!.lines.find((l) => l.item === "payg:storage_gb")).toMatchObject({ quantity: "7", amount: "1.40" });
    // Totals are sums of the rounded lines.
    const sum = (values: string[]) => values.reduce((a, b) => a + Math.round(Number(b) * 100), 0);
    for (const invoice of bill.invoices) expect(sum(invoice.lines.map((l) => l.amount))).toBe(sum([invoice.net]));
    expect(sum(bill.invoices.map((i) => i.gross))).toBe(sum([bill.totals.gross]));
  });

  test("since/until prorate base and packs by active days; a reverse-charge customer pays no VAT", async () => {
    const cfg = loadConfig(
      fixtureConfig({
        users: (doc) => {
          doc.setIn(["users", 1, "since"], "2026-11-16");
          doc.setIn(["users", 2, "until"], "2026-11-10");
          doc.setIn(["users", 3, "until"], "2026-10-31");
          doc.setIn(["users", 4, "billing"], { name: "Eva GmbH", address: "Ring 1, 1010 Wien", country: "AT", vatId: "ATU12345678" });
        },
        cluster: (doc) => doc.setIn(["billing", "seller"], { name: "AI Cloud GmbH", address: "Weg 2, 10115 Berlin", country: "DE", vatId: "DE123456789" }),
      }),
    );
    await load(event("late", "david", "gpu_hours", "1"), cfg);
    const bill = await draftBill(cfg, ledger, "2026-11");
    const by = (user: string) => bill.invoices.find((i) => i.user === user)!;
    // ben from the 16th: 15 of 30 days of 20 € and of the 10 € Pro pack.
    expect(by("ben").lines.map((l) => [l.item, l.quantity, l.amount])).toEqual([["base", "0.5", "10.00"], ["pack:pro", "0.5", "5.00"]]);
    expect(by("ben").period).toEqual({ from: "2026-11-16", to: "2026-11-30" });
    // clara until the 10th: 10 of 30 days → 6.67 €.
    expect(by("clara").lines[0]).toMatchObject({ quantity: "0.3333", amount: "6.67", description: "Tariff basic (10 of 30 days)" });
    // david left in October: only November's usage is billed (1 h − 2.7778 h Pro allowance → 0).
    expect(by("david").lines.map((l) => l.item)).toEqual(["payg:gpu_hours"]);
    expect(by("david").activeDays).toBe(0);
    expect(by("eva")).toMatchObject({ reverseCharge: true, vatRate: "0", vat: "0.00", gross: "20.00", notes: [REVERSE_CHARGE_NOTE] });
    expect(by("anna")).toMatchObject({ vatRate: "19", vat: "3.80", gross: "23.80" });
  });

  test("issuing numbers the invoices without gaps, stores them as issued and refuses a second issue", async () => {
    await load(readFileSync(SAMPLE, "utf8"));
    const draft = await draftBill(config, ledger, "2026-11");
    await expect(issueBill(config, ledger, "2026-11", { date: "2026-11-30" })).rejects.toThrow("2026-11 is not over on 2026-11-30: issue it on 2026-12-01 or later");
    const issued = await issueBill(config, ledger, "2026-11", { date: "2026-12-01" });
    expect(issued.issued).toBe(true);
    expect(issued.invoices.map((i) => i.number)).toEqual(draft.invoices.map((_, n) => `AIWC-2026-${String(n + 1).padStart(5, "0")}`));
    // The issued invoices are the draft with numbers and dates.
    expect(issued.invoices.map(({ number, issueDate, kind, ...rest }) => rest)).toEqual(draft.invoices.map(({ number, ...rest }) => rest));
    expect(issued.invoices.every((i) => i.issueDate === "2026-12-01" && i.kind === "invoice")).toBe(true);
    // Asking for the month now shows what was issued, also after more usage arrived.
    await load(event("late-1", "ben", "gpu_hours", "2", "2026-11-20T00:00:00Z"));
    expect(await draftBill(config, ledger, "2026-11")).toEqual(issued);
    await expect(issueBill(config, ledger, "2026-11", { date: "2026-12-02" })).rejects.toThrow(/2026-11 was issued on \d{4}-\d{2}-\d{2}; issued invoices never change/);
  });

  test("usage arriving after its month was issued is billed once, the next month, as late usage", async () => {
    await load(readFileSync(SAMPLE, "utf8"));
    await issueBill(config, ledger, "2026-11", { date: "2026-12-01" });
    await load(
      [
        // ben was over his allowance in November (4.25 h of 2.7778): 2 h more are 2 h billed.
        event("late-ben", "ben", "gpu_hours", "2", "2026-11-20T00:00:00Z"),
        // david used 0.5 of 2.7778 h: 1 h more is still within the allowance.
        event("late-david", "david", "gpu_hours", "1", "2026-11-20T00:00:00Z"),
        // anna's storage: a sample of 10 GB on the 26th (8 GB before) raises November's average by (10 − 8) × 5/30.
        JSON.stringify({ id: "late-anna", source: "ceph", time: "2026-11-26T00:00:00Z", user: "anna", meter: "storage_gb", quantity: "10" }),
        event("dec-ben", "ben", "gpu_hours", "1", "2026-12-05T00:00:00Z"),
      ].join("\n"),
    );
    const december = await draftBill(config, ledger, "2026-12");
    const line = (user: string, item: string) => december.invoices.find((i) => i.user === user)!.lines.find((l) => l.item === item);
    expect(line("ben", "late:gpu_hours:2026-11")).toMatchObject({ quantity: "2", amount: "0.40", description: "late usage from 2026-11: GPU hour: 2 more (4.25 billed, 2.7778 included)" });
    expect(line("david", "late:gpu_hours:2026-11")).toMatchObject({ quantity: "0", amount: "0.00" });
    expect(line("anna", "late:storage_gb:2026-11")).toMatchObject({ quantity: "0.3333", amount: "0.07" });
    // December's own usage is December's (1 h within the Pro allowance).
    expect(line("ben", "payg:gpu_hours")).toMatchObject({ quantity: "0" });
    await issueBill(config, ledger, "2026-12", { date: "2027-01-02" });
    const january = await draftBill(config, ledger, "2027-01");
    expect(january.invoices.flatMap((i) => i.lines).filter((l) => l.item.startsWith("late:"))).toEqual([]);
    // A new year starts a new sequence.
    expect((await draftBill(config, ledger, "2026-12")).invoices[0]!.number).toBe("AIWC-2027-00001");
  });

  test("a credit note cancels an issued invoice in full, numbered in the same sequence; only once", async () => {
    await load(readFileSync(SAMPLE, "utf8"));
    const issued = await issueBill(config, ledger, "2026-11", { date: "2026-12-01" });
    const ben = issued.invoices.find((i) => i.user === "ben")!;
    const note = await creditNote(config, ledger, ben.number!, { date: "2026-12-03", reason: "GPU hours double-counted" });
    expect(note).toMatchObject({ kind: "credit", credits: ben.number, number: `AIWC-2026-${String(issued.invoices.length + 1).padStart(5, "0")}`, net: `-${ben.net}`, gross: `-${ben.gross}` });
    expect(note.lines.map((l) => l.amount)).toEqual(ben.lines.map((l) => (l.amount === "0.00" ? "0.00" : `-${l.amount}`)));
    expect(note.notes.at(-1)).toBe(`Credit note for invoice ${ben.number} of 2026-12-01: GPU hours double-counted`);
    await expect(creditNote(config, ledger, ben.number!)).rejects.toThrow(`${ben.number} was credited already by ${note.number}`);
    await expect(creditNote(config, ledger, note.number!)).rejects.toThrow(`${note.number} is a credit note; only invoices are credited`);
    await expect(creditNote(config, ledger, "AIWC-2026-99999")).rejects.toThrow("no issued invoice AIWC-2026-99999");
    const month = await draftBill(config, ledger, "2026-11");
    expect(month.invoices.at(-1)!.number).toBe(note.number);
    expect(month.totals.gross).toBe(toAmount(money(issued.totals.gross).minus(ben.gross)));
  });

  test("issued invoices as HTML and PDF carry what a German invoice must, the amounts included", async () => {
    const cfg = loadConfig(
      fixtureConfig({
        users: (doc) => doc.setIn(["users", 1, "billing"], { name: "Ben <Büro> Becker", address: "Hauptstraße 5\n80331 München", country: "DE", email: "ben@example.org" }),
        cluster: (doc) => doc.setIn(["billing", "seller"], { name: "AI Cloud GmbH", address: "Weg 2\n10115 Berlin", country: "DE", vatId: "DE123456789", taxNumber: "27/123/45678" }),
      }),
    );
    await load(readFileSync(SAMPLE, "utf8"), cfg);
    const issued = await issueBill(cfg, ledger, "2026-11", { date: "2026-12-01" });
    const ben = issued.invoices.find((i) => i.user === "ben")!;
    const html = invoiceHtml(ben);
    expect(html).toContain("Ben &lt;Büro&gt; Becker");
    // The page's text as a reader sees it.
    const htmlText = html.replace(/<[^>]+>/g, " ").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&").replace(/\s+/g, " ");
    const { PDFParse } = await import("pdf-parse");
    const text = (await new PDFParse({ data: await invoicePdf(ben) }).getText()).text;
    for (const fact of [
      `Rechnung / Invoice ${ben.number}`,
      "AI Cloud GmbH",
      "10115 Berlin",
      "USt-IdNr. / VAT ID DE123456789",
      "Steuernummer 27/123/45678",
      "Ben <Büro> Becker",
      "80331 München",
      "Datum / Date: 2026-12-01",
      "Leistungszeitraum / Service period: 2026-11-01 – 2026-11-30",
      ...ben.lines.map((l) => formatEur(money(l.amount))),
      `Netto / Net ${formatEur(money(ben.net))}`,
      `USt. / VAT 19 % ${formatEur(money(ben.vat))}`,
      `Brutto / Gross ${formatEur(money(ben.gross))}`,
    ]) {
      expect(text, fact).toContain(fact);
      expect(htmlText, fact).toContain(fact);
    }
    const note = await creditNote(cfg, ledger, ben.number!, { date: "2026-12-05" });
    const credit = (await new PDFParse({ data: await invoicePdf(note) }).getText()).text;
    expect(credit).toContain(`Gutschrift / Credit note ${note.number}`);
    expect(credit).toContain(`Zu Rechnung / For invoice: ${ben.number}`);
    expect(credit).toContain(`Brutto / Gross -${formatEur(money(ben.gross))}`);
  });

  test("Stripe: customers, invoices and items through the SDK; a re-run after a dropped connection completes with no duplicate", async () => {
    const stripe = await startStripeStandIn();
    try {
      await load(readFileSync(SAMPLE, "utf8"));
      const issued = await issueBill(config, ledger, "2026-11", { date: "2026-12-01" });
      const env = { STRIPE_SECRET_KEY: "sk_test_aiwc", AIWC_STRIPE_API: stripe.url };
      // Drop every attempt of the 40th request onward for a while: the SDK retries, then gives up.
      for (let n = 40; n < 44; n++) stripe.drop.add(n);
      await expect(handToStripe(config, ledger, issued.invoices, env)).rejects.toThrow(/Run the command again: it continues where it stopped and creates nothing twice/);
      stripe.drop.clear();
      const done = await handToStripe(config, ledger, issued.invoices, env);
      expect(done.length).toBe(30);
      // One customer per user, one Stripe invoice per aiwc invoice, one item per non-zero line (and VAT).
      expect(stripe.customers.size).toBe(30);
      expect([...stripe.invoices.values()].map((i) => (i.metadata as Record<string, string>).aiwc_invoice).sort()).toEqual(issued.invoices.map((i) => i.number).sort());
      const expectedItems = issued.invoices.reduce((n, i) => n + i.lines.filter((l) => l.amount !== "0.00").length + (i.vat !== "0.00" ? 1 : 0), 0);
      expect(stripe.items.size).toBe(expectedItems);
      for (const invoice of issued.invoices) {
        const remote = [...stripe.invoices.values()].find((i) => (i.metadata as Record<string, string>).aiwc_invoice === invoice.number)!;
        expect({ number: invoice.number, status: remote.status, due: remote.amount_due }).toEqual({ number: invoice.number, status: "open", due: Math.round(Number(invoice.gross) * 100) });
      }
      // Every creating request carried an idempotency key derived from the invoice and line.
      expect(stripe.calls.filter((c) => c.method === "POST").every((c) => /^aiwc-(customer-[a-z0-9-]+|AIWC-2026-\d{5}-(invoice|line-(\d+|vat)|finalize|send))$/.test(c.idempotencyKey ?? ""))).toBe(true);
      // A third run hands over nothing again.
      const calls = stripe.calls.length;
      expect((await handToStripe(config, ledger, issued.invoices, env)).every((d) => d.status === "already handed over")).toBe(true);
      expect(stripe.calls.length).toBe(calls);
      await expect(handToStripe(config, ledger, issued.invoices, { AIWC_STRIPE_API: stripe.url })).rejects.toThrow("STRIPE_SECRET_KEY is not set");

      // Paid or not, as Stripe says: two customers paid; the report flags the others.
      const paidOnes = issued.invoices.slice(0, 2).map((i) => i.number!);
      for (const remote of stripe.invoices.values()) if (paidOnes.includes((remote.metadata as Record<string, string>).aiwc_invoice!)) remote.status = "paid";
      const numbers = issued.invoices.map((i) => i.number!);
      const checked = await stripePayments(ledger, numbers, env);
      expect(checked.filter((c) => c.paid).map((c) => c.number)).toEqual(paidOnes);
      expect(new Set(checked.filter((c) => !c.paid).map((c) => c.status))).toEqual(new Set(["open"]));
      const report = await monthlyReport(config, ledger, "2026-11", NOW);
      expect(report.users.filter((u) => u.payment === "paid").map((u) => u.invoice).sort()).toEqual(paidOnes);
      expect(report.users.filter((u) => u.payment === "open")).toHaveLength(28);
      expect(report.warnings.some((w) => w.startsWith("28 invoice(s) not paid as the payment provider last said: "))).toBe(true);
    } finally {
      await stripe.close();
    }
  });

  test("PayPal: OAuth, Invoicing v2 create and send; a re-run after dropped connections invoices nobody twice", async () => {
    const paypal = await startPayPalStandIn();
    try {
      await load(readFileSync(SAMPLE, "utf8"));
      const issued = await issueBill(config, ledger, "2026-11", { date: "2026-12-01" });
      const env = { PAYPAL_CLIENT_ID: "aiwc-client", PAYPAL_CLIENT_SECRET: "aiwc-secret", PAYPAL_API: paypal.url };
      for (let n = 30; n < 34; n++) paypal.drop.add(n);
      await expect(handToPayPal(ledger, issued.invoices, env)).rejects.toThrow(/Run the command again/);
      paypal.drop.clear();
      const done = await handToPayPal(ledger, issued.invoices, env);
      expect(done.length).toBe(30);
      expect(paypal.invoices.size).toBe(30);
      for (const invoice of issued.invoices) {
        const remote = [...paypal.invoices.values()].find((i) => i.detail.invoice_number === invoice.number)!;
        expect({ number: invoice.number, status: remote.status, total: remote.amount.value }).toEqual({ number: invoice.number, status: "SENT", total: invoice.gross });
      }
      expect(paypal.calls.filter((c) => c.path.startsWith("/v2/invoicing/invoices")).every((c) => /^aiwc-AIWC-2026-\d{5}-(create|send)$/.test(c.requestId ?? ""))).toBe(true);
      expect((await handToPayPal(ledger, issued.invoices, env)).every((d) => d.status === "already handed over")).toBe(true);
      await expect(handToPayPal(ledger, issued.invoices, { ...env, PAYPAL_CLIENT_SECRET: "wrong" })).resolves.toHaveLength(30);
      await ledger.query("delete from handovers");
      await expect(handToPayPal(ledger, issued.invoices, { ...env, PAYPAL_CLIENT_SECRET: "wrong" })).rejects.toThrow("PayPal refused the client credentials (401 invalid_client)");
      // Handed over again, one invoice paid at PayPal: `bill status` says which.
      await handToPayPal(ledger, issued.invoices, env);
      const first = [...paypal.invoices.values()].find((i) => i.detail.invoice_number === issued.invoices[0]!.number)!;
      first.status = "PAID";
      const checked = await paypalPayments(ledger, issued.invoices.map((i) => i.number!), env);
      expect(checked.filter((c) => c.paid).map((c) => c.number)).toEqual([issued.invoices[0]!.number]);
      expect(checked.find((c) => !c.paid)!.status).toBe("SENT");
    } finally {
      await paypal.close();
    }
  });

  test("a storage sample's correction changes that sample; samples at the same instant: the one imported last", async () => {
    const sample = (id: string, quantity: string, time: string, extra: Record<string, string> = {}) => JSON.stringify({ id, source: "ceph", time, user: "anna", meter: "storage_gb", quantity, ...extra });
    await load([sample("s1", "12", "2026-11-01T00:00:00Z"), sample("s2", "4", "2026-11-16T00:00:00Z"), sample("s2b", "5", "2026-11-16T00:00:00Z")].join("\n"));
    // Imported later, at the same instant as s2/s2b: this one counts for the 16th on.
    await load(sample("s2c", "6", "2026-11-16T00:00:00Z"));
    // s1 was 2 GB too high: 10 GB for the first 15 days, 6 GB for the other 15 → 8 GB average.
    await load(sample("s1-fix", "-2", "2026-11-02T00:00:00Z", { corrects: "s1" }));
    const bill = await draftBill(config, ledger, "2026-11");
    expect(bill.invoices.find((i) => i.user === "anna")!.lines.find((l) => l.item === "payg:storage_gb")).toMatchObject({ description: "GB-month: 8 average, 2 included", quantity: "6", amount: "1.20" });
  });

  test("a correction counts in the month of the event it corrects", async () => {
    await load([event("o1", "ben", "gpu_hours", "10", "2026-10-20T00:00:00Z"), event("o2", "ben", "gpu_hours", "-4", "2026-11-02T00:00:00Z", { corrects: "o1" })].join("\n"));
    const october = await draftBill(config, ledger, "2026-10");
    const november = await draftBill(config, ledger, "2026-11");
    expect(october.invoices.find((i) => i.user === "ben")!.lines.find((l) => l.item === "payg:gpu_hours")).toMatchObject({ description: "GPU hour: 6 used, 2.7778 included" });
    expect(november.invoices.find((i) => i.user === "ben")!.lines.find((l) => l.item === "payg:gpu_hours")).toBeUndefined();
  });
});

describe("aiwc usage import and aiwc bill (the binary)", () => {
  const aiwc = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync(process.execPath, [join(ROOT, "bin", "aiwc.cjs"), ...args], { cwd: tempDir("aiwc-billing-cwd-"), encoding: "utf8", env: { ...process.env, AIWC_LEDGER: "", ...env } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  for (const [name, where] of backends) {
    test(`import, re-import and the month's bill as JSON, on ${name}`, async () => {
      const at = await where();
      const ledgerArgs = at.dir !== undefined ? ["--ledger", at.dir] : [];
      const env = at.url !== undefined ? { AIWC_LEDGER: at.url } : {};
      const first = aiwc(["usage", "import", SAMPLE, "--config", DEFAULT_CONFIG, ...ledgerArgs], env);
      expect(first.stderr).toBe("");
      expect(first.stdout).toMatch(/2026-11\.jsonl: 13 event\(s\): 13 imported — (pglite \S+|postgres 127\.0\.0\.1:\d+\/aiwc_test_\w+)\n$/);
      // The URL's credentials never appear; the description names host, port and database only.
      expect(aiwc(["usage", "import", SAMPLE, "--config", DEFAULT_CONFIG, ...ledgerArgs], env).stdout).toContain("13 event(s): 0 imported, 13 already in the ledger (unchanged)");
      const bill = aiwc(["bill", "--month", "2026-11", "--format", "json", "--config", DEFAULT_CONFIG, ...ledgerArgs], env);
      expect(bill.code).toBe(0);
      expect(bill.stdout).toBe(readFileSync(join(__dirname, "golden", "billing", "bill-2026-11.json"), "utf8"));
      // Not issued yet: nothing to export.
      const out = join(tempDir("aiwc-export-"), "invoices");
      expect(aiwc(["bill", "export", "--month", "2026-11", "--out", out, "--config", DEFAULT_CONFIG, ...ledgerArgs], env)).toMatchObject({ code: 1, stderr: expect.stringContaining("2026-11 is not issued yet") });
      const issue = aiwc(["bill", "issue", "--month", "2026-11", "--date", "2026-12-01", "--format", "csv", "--config", DEFAULT_CONFIG, ...ledgerArgs], env);
      expect(issue.code).toBe(0);
      expect(issue.stdout.split("\n")[1]).toMatch(/^2026-11,anna,AIWC-2026-00001,/);
      expect(aiwc(["bill", "issue", "--month", "2026-11", "--date", "2026-12-02", "--config", DEFAULT_CONFIG, ...ledgerArgs], env)).toMatchObject({ code: 1, stderr: expect.stringContaining("2026-11 was issued on") });
      const exported = aiwc(["bill", "export", "--month", "2026-11", "--out", out, "--config", DEFAULT_CONFIG, ...ledgerArgs], env);
      expect(exported.stdout).toContain("30 document(s) as HTML and PDF, and bill-2026-11.csv");
      expect(readdirSync(out).filter((f) => f.endsWith(".pdf")).length).toBe(30);
      expect(readFileSync(join(out, "AIWC-2026-00001.pdf")).subarray(0, 5).toString()).toBe("%PDF-");
      const credit = aiwc(["bill", "credit", "AIWC-2026-00002", "--date", "2026-12-03", "--reason", "test", "--config", DEFAULT_CONFIG, ...ledgerArgs], env);
      expect(credit.stdout).toMatch(/^credit note AIWC-2026-00031 for invoice AIWC-2026-00002 \(ben\): gross -\d+\.\d\d EUR/);
    });
  }

  test("a bad usage file: every problem on stderr, exit 1, no stack trace, nothing imported", async () => {
    const dir = tempDir("aiwc-billing-bad-");
    const file = join(dir, "bad.jsonl");
    writeFileSync(file, [event("a", "ben", "gpu_hours", "1"), event("b", "nobody", "gpu_hours", "1"), event("c", "ben", "gpu_hours", "x")].join("\n"));
    const ledger = join(dir, "ledger");
    const r = aiwc(["usage", "import", file, "--config", DEFAULT_CONFIG, "--ledger", ledger]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bad.jsonl:2: user: "nobody" is not in users.yaml');
    expect(r.stderr).toContain('bad.jsonl:3: quantity: "x" is not a decimal number');
    expect(r.stderr).toContain("2 problem(s); nothing was imported");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(aiwc(["bill", "--month", "2026-13", "--config", DEFAULT_CONFIG, "--ledger", ledger])).toMatchObject({ code: 1, stderr: 'aiwc: --month must be a month YYYY-MM, got "2026-13"\n' });
    expect(aiwc(["bill", "--month", "2026-11", "--config", DEFAULT_CONFIG], { AIWC_LEDGER: "mysql://x" })).toMatchObject({ code: 1, stderr: expect.stringContaining("AIWC_LEDGER must be a postgres:// URL") });
    const unreachable = aiwc(["bill", "--month", "2026-11", "--config", DEFAULT_CONFIG], { AIWC_LEDGER: "postgres://secret-user:secret-pass@127.0.0.1:1/x" });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain("cannot reach the ledger database (postgres 127.0.0.1:1/x)");
    expect(unreachable.stderr).not.toContain("secret");
    expect(withoutCredentials('password authentication failed for user "secret-user" (postgres://secret-user:p%40ss@h/x)', "postgres://secret-user:p%40ss@h/x")).toBe('password authentication failed for user "***" (AIWC_LEDGER)');
    expect(withoutCredentials("no password p@ss for secret-user", "postgres://secret-user:p%40ss@h/x")).toBe("no password *** for ***");
  });
});

/** Opens a ledger without the version check (to clean up after the newer-aiwc test). */
async function openLedgerIgnoringVersion(options: { dir?: string; url?: string }): Promise<Ledger> {
  try {
    return await openLedger(options);
  } catch (error) {
    if (!(error instanceof LedgerError)) throw error;
  }
  if (options.url !== undefined) {
    const { Client } = await import("pg");
    const client = new Client({ connectionString: options.url });
    await client.connect();
    return { description: "cleanup", exclusive: false, query: async (sql: string) => (await client.query(sql)).rows, transaction: async () => undefined as never, close: () => client.end() } as Ledger;
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const db = await PGlite.create(options.dir!);
  return { description: "cleanup", exclusive: true, query: async (sql: string) => (await db.query(sql)).rows, transaction: async () => undefined as never, close: () => db.close() } as unknown as Ledger;
}
