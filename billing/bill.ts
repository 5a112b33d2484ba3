/**
 * The monthly bill: one invoice per user — base tariff, each pack, each PAYG meter — from the
 * config and the usage in the ledger.
 *
 * - Base and packs are prorated by the user's active days in the month (users.yaml `since`,
 *   `until`), rounded half-up to cents.
 * - PAYG meters bill usage − allowance (tariff allowances plus the packs'; GPU tokens count
 *   against `gpuTokenMeter`: tokens × gpuTokenSeconds / 3600 hours), × price / per, rounded
 *   half-up to cents. Allowances are monthly and not prorated.
 * - Meters are counters (the month's events summed; a correction counts in the month of the
 *   event it corrects) except `storage_gb`, a gauge: its events are samples of the stored GB,
 *   billed as the average over the user's active days, each day at its last sample (a day
 *   without a sample keeps the last one before it, also from earlier months; before the first
 *   sample, 0; of samples at the same instant, the one imported last, then the greatest
 *   source and id; a correction of a sample adds to that sample).
 * - Usage of a meter whose `feature` the user's tariff and packs do not include is billed at the
 *   PAYG price and flagged.
 * - VAT at `billing.vatRate` on the invoice's net total, rounded half-up; 0 % with the reverse
 *   charge note when the user has a VAT ID and an EU country other than the seller's.
 * Totals are sums of rounded lines. Money is decimal throughout.
 */
import { money, toAmount, toUnitPrice, ZERO, type Money } from "../catalog/money";
import type { Config } from "../model/load";
import type { UserConfig } from "../config/schema";
import type { Queryable } from "./ledger";
import { daysBetween } from "../config/dates";

/** The gauge meter: samples of stored GB, averaged over the active days. */
export const GAUGE_METERS: ReadonlySet<string> = new Set(["storage_gb"]);

/** EU member states (ISO 3166 codes; Greece's VAT prefix is EL, its country code GR). */
const EU = new Set(["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"]);

export const REVERSE_CHARGE_NOTE = "Steuerschuldnerschaft des Leistungsempfängers (reverse charge, Art. 196 MwStSystRL)";

export interface BillLine {
  /** `base`, `pack:<id>`, `payg:<meter>`. */
  readonly item: string;
  readonly description: string;
  readonly quantity: string;
  readonly unit: string;
  readonly unitPrice: string;
  readonly amount: string;
  /** Why the line deserves a look (usage of a meter nothing includes). */
  readonly note?: string;
}

export interface Invoice {
  readonly user: string;
  /** Set when the invoice is issued. */
  readonly number: string | null;
  readonly period: { readonly from: string; readonly to: string };
  readonly activeDays: number;
  readonly customer?: UserConfig["billing"];
  readonly lines: readonly BillLine[];
  readonly net: string;
  readonly vatRate: string;
  readonly vat: string;
  readonly gross: string;
  readonly reverseCharge: boolean;
  readonly notes: readonly string[];
  /** Per meter: the usage of the month and what was included (late usage is billed against them). */
  readonly metered: Readonly<Record<string, { readonly used: string; readonly included: string }>>;
  /** Set on issued documents. */
  readonly issueDate?: string;
  /** `credit` for a credit note, which names the invoice it credits. */
  readonly kind?: "invoice" | "credit";
  readonly credits?: string;
  readonly seller?: NonNullable<Config["cluster"]["billing"]["seller"]>;
}

export interface Bill {
  readonly version: 1;
  readonly month: string;
  readonly currency: "EUR";
  readonly invoices: readonly Invoice[];
  readonly totals: { readonly invoices: number; readonly net: string; readonly vat: string; readonly gross: string };
  /** Issued (numbers assigned, in the ledger, immutable) or a draft. */
  readonly issued: boolean;
  /** Usage the bill could not place (users no longer in users.yaml). */
  readonly warnings: readonly string[];
}

export class BillError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BillError";
  }
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** First day, first day of the next month, and the number of days of `YYYY-MM`. */
export function monthBounds(month: string): { from: string; next: string; days: number } {
  const match = MONTH.exec(month);
  if (match === null) throw new BillError(`--month must be a month YYYY-MM, got "${month}"`);
  const year = Number(match[1]);
  const index = Number(match[2]) - 1;
  const from = new Date(Date.UTC(year, index, 1));
  const next = new Date(Date.UTC(year, index + 1, 1));
  return { from: from.toISOString().slice(0, 10), next: next.toISOString().slice(0, 10), days: Math.round((next.getTime() - from.getTime()) / 86_400_000) };
}

const dayAfter = new Map<string, string>();

function addDays(date: string, days: number): string {
  // The billing loops step a day at a time over the same month for every user: remembered.
  if (days === 1) {
    let next = dayAfter.get(date);
    if (next === undefined) dayAfter.set(date, (next = new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)));
    return next;
  }
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The user's active days within the month: [first, last] inclusive, or none. */
export function activeRange(user: UserConfig, from: string, next: string): { first: string; last: string; days: number } | undefined {
  const first = user.since !== undefined && user.since > from ? user.since : from;
  const lastOfMonth = addDays(next, -1);
  const last = user.until !== undefined && user.until < lastOfMonth ? user.until : lastOfMonth;
  if (last < first) return undefined;
  return { first, last, days: daysBetween(first, last) + 1 };
}

const cents = (value: Money): Money => money(toAmount(value));
/** A quantity as text: at most `places` decimals, no trailing zeros. */
const trim = (value: Money, places: number): string => value.toDecimalPlaces(places).toFixed();

/** user → meter → summed counter quantity in the month. */
type Counters = Map<string, Map<string, Money>>;
/** user → day (YYYY-MM-DD) → last sample of that day; plus the last sample before the month as day "". */
export type GaugeSamples = Map<string, Map<string, Money>>;

/**
 * The month's counter usage per user and meter: the import's month totals of the events that
 * are not corrections, then the few corrections by the time of the event each corrects (a
 * correction of an event not in the ledger counts as itself).
 *
 * Only months not issued are drafted, and none of their events is ever on an invoice: issuing a
 * month bills its own events and late ones of months issued before it (`issueBill`), so no
 * `billed_events` check is needed here.
 */
async function monthCounters(ledger: Queryable, month: string): Promise<Counters> {
  const { from, next } = monthBounds(month);
  const counters: Counters = new Map();
  const range = [`${from}T00:00:00Z`, `${next}T00:00:00Z`, [...GAUGE_METERS]];
  const eventRows = await ledger.query<{ user_name: string; meter: string; total: string }>(
    "select user_name, meter, quantity::text as total from usage_month_totals where month = $1 and not (meter = any($2::text[]))",
    [month, [...GAUGE_METERS]],
  );
  const correctionRows = await ledger.query<{ user_name: string; meter: string; total: string }>(
    `select e.user_name, e.meter, sum(e.quantity)::text as total
       from usage_events e left join usage_events c on c.source = e.source and c.id = e.corrects
      where e.corrects is not null and coalesce(c.time, e.time) >= $1::timestamptz and coalesce(c.time, e.time) < $2::timestamptz
        and not (e.meter = any($3::text[]))
      group by e.user_name, e.meter`,
    range,
  );
  for (const row of [...eventRows, ...correctionRows]) {
    let byMeter = counters.get(row.user_name);
    if (byMeter === undefined) counters.set(row.user_name, (byMeter = new Map()));
    byMeter.set(row.meter, (byMeter.get(row.meter) ?? ZERO).plus(row.total));
  }
  return counters;
}

/** The gauge samples of the month `YYYY-MM`: each day's last (corrections applied), and the last before the month. */
export async function gaugeSamples(ledger: Queryable, month: string): Promise<GaugeSamples> {
  const { from, next } = monthBounds(month);
  const gauges: GaugeSamples = new Map();
  const rows = await ledger.query<{ user_name: string; day: string; value: string }>(
    `with corrections as (
       select source, corrects, sum(quantity) as delta from usage_events
        where corrects is not null and meter = any($3::text[]) group by source, corrects
     )
     select distinct on (user_name, day) user_name, day, quantity::text as value from (
       select e.user_name, e.time, e.quantity + coalesce(c.delta, 0) as quantity, e.imported_at, e.source, e.id,
              case when e.time < $1::timestamptz then '' else to_char(e.time at time zone 'UTC', 'YYYY-MM-DD') end as day
         from usage_events e left join corrections c on c.source = e.source and c.corrects = e.id
        where e.meter = any($3::text[]) and e.corrects is null and e.time < $2::timestamptz
     ) s
     order by user_name, day, time desc, imported_at desc, source desc, id desc`,
    [`${from}T00:00:00Z`, `${next}T00:00:00Z`, [...GAUGE_METERS]],
  );
  for (const row of rows) {
    let byDay = gauges.get(row.user_name);
    if (byDay === undefined) gauges.set(row.user_name, (byDay = new Map()));
    byDay.set(row.day, money(row.value));
  }
  return gauges;
}

/** A user's last sample in the month itself (not the one carried in from before it). */
export function lastSampleInMonth(samples: ReadonlyMap<string, Money> | undefined): Money | undefined {
  let day = "";
  for (const d of samples?.keys() ?? []) if (d > day) day = d;
  return day === "" ? undefined : samples!.get(day);
}

/** Average stored GB over the active days, each day at its last sample. */
function gaugeAverage(samples: Map<string, Money> | undefined, first: string, last: string): Money {
  if (samples === undefined) return ZERO;
  let current = samples.get("") ?? ZERO;
  // Samples in the month before the active range also carry forward.
  for (const [, value] of [...samples.entries()].filter(([d]) => d !== "" && d < first).sort(([a], [b]) => (a < b ? -1 : 1))) current = value;
  // Each value times the days it held (one Decimal step per sample, not per day).
  let total = ZERO;
  let days = 0;
  let held = 0;
  for (let day = first; day <= last; day = addDays(day, 1)) {
    const sample = samples.get(day);
    if (sample !== undefined && held > 0) {
      total = total.plus(current.times(held));
      held = 0;
    }
    if (sample !== undefined) current = sample;
    held++;
    days++;
  }
  if (held > 0) total = total.plus(current.times(held));
  return days === 0 ? ZERO : total.dividedBy(days);
}

function isReverseCharge(config: Config, user: UserConfig): boolean {
  const seller = config.cluster.billing.seller;
  const customer = user.billing;
  return customer?.vatId !== undefined && seller !== undefined && customer.country !== seller.country && EU.has(customer.country) && EU.has(seller.country);
}

/** Months already issued (billed_months). */
export async function issuedMonths(ledger: Queryable): Promise<Map<string, string>> {
  const rows = await ledger.query<{ month: string; issued_at: string }>(`select month, to_char(issued_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as issued_at from billed_months`);
  return new Map(rows.map((r) => [r.month, r.issued_at]));
}

interface LateUsage {
  readonly user: string;
  readonly meter: string;
  /** The issued month the usage belongs to. */
  readonly month: string;
  /** Counters: the late quantity; gauges: the month's average with every sample now known. */
  readonly quantity: Money;
  readonly gauge: boolean;
}

/**
 * Usage that arrived after its month was issued: counter events of an issued month not billed
 * on any invoice, and gauge samples imported after the month's issue (the month's average is
 * computed again with them). Billed in a later month as "late usage from <month>"; issued
 * invoices never change.
 */
async function lateUsage(config: Config, ledger: Queryable, before: string, issued: ReadonlyMap<string, string>): Promise<LateUsage[]> {
  if (issued.size === 0) return [];
  const gaugeList = [...GAUGE_METERS];
  const rows = await ledger.query<{ user_name: string; meter: string; month: string; total: string }>(
    `select e.user_name, e.meter, to_char(coalesce(c.time, e.time) at time zone 'UTC', 'YYYY-MM') as month, sum(e.quantity)::text as total
       from usage_events e left join usage_events c on e.corrects is not null and c.source = e.source and c.id = e.corrects
       join billed_months m on m.month = to_char(coalesce(c.time, e.time) at time zone 'UTC', 'YYYY-MM')
      where coalesce(c.time, e.time) < $1::timestamptz
        and not (e.meter = any($2::text[]))
        and not exists (select 1 from billed_events b where b.source = e.source and b.id = e.id)
      group by 1, 2, 3`,
    [`${before}T00:00:00Z`, gaugeList],
  );
  const late: LateUsage[] = rows.map((r) => ({ user: r.user_name, meter: r.meter, month: r.month, quantity: money(r.total), gauge: false }));
  const gaugeRows = await ledger.query<{ user_name: string; meter: string; month: string }>(
    `select distinct e.user_name, e.meter, m.month
       from usage_events e join billed_months m on m.month = to_char(e.time at time zone 'UTC', 'YYYY-MM')
      where e.meter = any($2::text[]) and e.time < $1::timestamptz and e.imported_at > m.issued_at
        and not exists (select 1 from billed_events b where b.source = e.source and b.id = e.id)`,
    [`${before}T00:00:00Z`, gaugeList],
  );
  const users = new Map(config.users.map((u) => [u.name, u]));
  // One query of each issued month's samples, whichever users have late ones.
  const samplesOf = new Map<string, Promise<GaugeSamples>>();
  for (const row of gaugeRows) {
    const user = users.get(row.user_name);
    if (user === undefined) continue;
    const bounds = monthBounds(row.month);
    const range = activeRange(user, bounds.from, bounds.next);
    if (range === undefined) continue;
    if (!samplesOf.has(row.month)) samplesOf.set(row.month, gaugeSamples(ledger, row.month));
    const gauges = await samplesOf.get(row.month)!;
    late.push({ user: row.user_name, meter: row.meter, month: row.month, quantity: gaugeAverage(gauges.get(row.user_name), range.first, range.last), gauge: true });
  }
  return late.sort((a, b) => (a.user + a.month + a.meter < b.user + b.month + b.meter ? -1 : 1));
}

/** The invoices and credit notes issued for `month`, as issued. */
export async function issuedBill(ledger: Queryable, month: string): Promise<Bill> {
  const rows = await ledger.query<{ document: string }>("select document from invoices where month = $1 order by year, seq", [month]);
  const invoices = rows.map((r) => JSON.parse(r.document) as Invoice);
  return { version: 1, month, currency: "EUR", issued: true, invoices, totals: totalsOf(invoices), warnings: [] };
}

/** The bill's totals: sums of the invoices' (rounded) amounts. */
function totalsOf(invoices: readonly Invoice[]): Bill["totals"] {
  const sum = (pick: (i: Invoice) => string) => toAmount(invoices.reduce((total, invoice) => total.plus(pick(invoice)), ZERO));
  return { invoices: invoices.length, net: sum((i) => i.net), vat: sum((i) => i.vat), gross: sum((i) => i.gross) };
}

/**
 * The bill of `month` (`YYYY-MM`): the issued invoices when the month is issued, else the
 * draft — nothing is written. `samples`: the month's gauge samples when the caller has them
 * already (the report), else read here.
 */
export async function draftBill(config: Config, ledger: Queryable, month: string, samples?: GaugeSamples): Promise<Bill> {
  const { from, next, days } = monthBounds(month);
  const issued = await issuedMonths(ledger);
  if (issued.has(month)) return issuedBill(ledger, month);
  const counters = await monthCounters(ledger, month);
  const gauges = samples ?? (await gaugeSamples(ledger, month));
  const late = await lateUsage(config, ledger, from, issued);
  const billedBefore = await billedUsage(ledger, [...new Set(late.map((l) => l.month))]);
  const tariffs = config.tariffs;
  const vatRate = money(config.cluster.billing.vatRate);
  const invoices: Invoice[] = [];
  const known = new Set(config.users.map((u) => u.name));
  const warnings = [...new Set([...counters.keys(), ...gauges.keys()])].filter((u) => !known.has(u)).sort().map((u) => `usage of "${u}", who is not in users.yaml, is not billed`);

  const lateByUser = new Map<string, LateUsage[]>();
  for (const item of late) lateByUser.set(item.user, [...(lateByUser.get(item.user) ?? []), item]);
  // What depends only on the tariff and packs (allowances, features) and the PAYG unit prices:
  // worked out once per combination, not per user.
  const unitPrices = new Map(Object.entries(tariffs.payg).map(([meter, spec]) => [meter, money(spec.price).dividedBy(spec.per)]));
  const entitlements = new Map<string, { allowance: Map<string, Money>; features: Set<string> }>();
  const entitlementOf = (user: UserConfig) => {
    const key = `${user.tariff}\u0000${user.packs.join("\u0000")}`;
    let found = entitlements.get(key);
    if (found !== undefined) return found;
    // Allowances: the tariff's plus the packs', GPU tokens as hours of the GPU meter.
    const tariff = tariffs.tariffs[user.tariff]!;
    const allowance = new Map<string, Money>();
    const allow = (meter: string, quantity: Money) => allowance.set(meter, (allowance.get(meter) ?? ZERO).plus(quantity));
    for (const [meter, quantity] of Object.entries(tariff.allowances)) allow(meter, money(quantity));
    for (const id of user.packs) {
      const pack = tariffs.packs[id]!;
      for (const [meter, quantity] of Object.entries(pack.allowances)) allow(meter, money(quantity));
      if (pack.gpuTokens !== undefined && pack.gpuTokens > 0) allow(tariffs.gpuTokenMeter, money(pack.gpuTokens).times(tariffs.gpuTokenSeconds).dividedBy(3600));
    }
    found = { allowance, features: new Set([...tariff.includes, ...user.packs.flatMap((id) => tariffs.packs[id]!.includes)]) };
    entitlements.set(key, found);
    return found;
  };

  for (const user of config.users) {
    const range = activeRange(user, from, next);
    const usage = counters.get(user.name);
    const lateOfUser = lateByUser.get(user.name) ?? [];
    if (range === undefined && usage === undefined && lateOfUser.length === 0) continue;
    const lines: BillLine[] = [];
    const share = range === undefined ? ZERO : money(range.days).dividedBy(days);
    const prorated = range !== undefined && range.days < days;
    const tariff = tariffs.tariffs[user.tariff]!;
    const period = range === undefined ? { from, to: addDays(next, -1) } : { from: range.first, to: range.last };
    if (range !== undefined) {
      lines.push({
        item: "base",
        description: `Tariff ${user.tariff}${prorated ? ` (${range.days} of ${days} days)` : ""}`,
        quantity: trim(share, 4),
        unit: "month",
        unitPrice: tariff.monthly,
        amount: toAmount(cents(money(tariff.monthly).times(share))),
      });
      for (const id of user.packs) {
        const pack = tariffs.packs[id]!;
        lines.push({
          item: `pack:${id}`,
          description: `Pack ${id}${prorated ? ` (${range.days} of ${days} days)` : ""}`,
          quantity: trim(share, 4),
          unit: "month",
          unitPrice: pack.monthly,
          amount: toAmount(cents(money(pack.monthly).times(share))),
        });
      }
    }
    const { allowance, features } = entitlementOf(user);
    const metered: Record<string, { used: string; included: string }> = {};
    for (const [meter, spec] of Object.entries(tariffs.payg)) {
      const used = GAUGE_METERS.has(meter) ? (range === undefined ? ZERO : gaugeAverage(gauges.get(user.name), range.first, range.last)) : usage?.get(meter) ?? ZERO;
      if (used.isZero()) continue;
      const included = allowance.get(meter) ?? ZERO;
      metered[meter] = { used: trim(used, 6), included: trim(included, 6) };
      const billable = used.minus(included);
      const quantity = billable.isNegative() ? ZERO : billable;
      const unitPrice = unitPrices.get(meter)!;
      const gauge = GAUGE_METERS.has(meter);
      lines.push({
        item: `payg:${meter}`,
        description: `${spec.unit}: ${trim(used, 4)} ${gauge ? "average" : "used"}, ${trim(included, 4)} included`,
        quantity: trim(quantity, 4),
        unit: spec.unit,
        unitPrice: toUnitPrice(unitPrice),
        amount: toAmount(cents(quantity.times(unitPrice))),
        ...(spec.feature !== undefined && !features.has(spec.feature) ? { note: `${spec.feature} is not in the user's tariff or packs: billed at the PAYG price` } : {}),
      });
    }
    // Late usage of issued months, priced against what that month billed and included.
    for (const item of lateOfUser) {
      const spec = tariffs.payg[item.meter];
      if (spec === undefined) continue;
      const before = billedBefore.get(`${user.name}\u0000${item.month}`)?.[item.meter];
      const used = before === undefined ? ZERO : money(before.used);
      const included = before === undefined ? allowance.get(item.meter) ?? ZERO : money(before.included);
      const total = item.gauge ? item.quantity : used.plus(item.quantity);
      const added = item.gauge ? total.minus(used) : item.quantity;
      if (!added.isPositive()) continue;
      const beyond = (value: Money) => (value.greaterThan(included) ? value.minus(included) : ZERO);
      const quantity = beyond(total).minus(beyond(used));
      const unitPrice = unitPrices.get(item.meter)!;
      lines.push({
        item: `late:${item.meter}:${item.month}`,
        description: `late usage from ${item.month}: ${spec.unit}: ${trim(added, 4)} ${item.gauge ? "more on average" : "more"} (${trim(used, 4)} billed, ${trim(included, 4)} included)`,
        quantity: trim(quantity, 4),
        unit: spec.unit,
        unitPrice: toUnitPrice(unitPrice),
        amount: toAmount(cents(quantity.times(unitPrice))),
      });
    }
    const net = lines.reduce((total, line) => total.plus(line.amount), ZERO);
    const reverseCharge = isReverseCharge(config, user);
    const rate = reverseCharge ? ZERO : vatRate;
    const vat = cents(net.times(rate).dividedBy(100));
    invoices.push({
      user: user.name,
      number: null,
      period,
      activeDays: range?.days ?? 0,
      ...(user.billing !== undefined ? { customer: user.billing } : {}),
      lines,
      net: toAmount(net),
      vatRate: trim(rate, 2),
      vat: toAmount(vat),
      gross: toAmount(net.plus(vat)),
      reverseCharge,
      notes: reverseCharge ? [REVERSE_CHARGE_NOTE] : [],
      metered,
    });
  }
  return {
    version: 1,
    month,
    currency: "EUR",
    issued: false,
    invoices,
    totals: totalsOf(invoices),
    warnings,
  };
}

/** What the issued invoices of `months` billed per user and meter (`user\0month` → meter → used, included). */
async function billedUsage(ledger: Queryable, months: readonly string[]): Promise<Map<string, Invoice["metered"]>> {
  const out = new Map<string, Invoice["metered"]>();
  if (months.length === 0) return out;
  const rows = await ledger.query<{ month: string; user_name: string; document: string }>("select month, user_name, document from invoices where kind = 'invoice' and month = any($1::text[])", [months]);
  for (const row of rows) out.set(`${row.user_name}\u0000${row.month}`, (JSON.parse(row.document) as Invoice).metered);
  return out;
}
