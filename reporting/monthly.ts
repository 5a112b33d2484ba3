/**
 * The monthly report (`aiwc report --month YYYY-MM`): what the platform cost (incurred, from the
 * recorded deployments), what it earned (the issued invoices, or the draft bill when none are
 * issued), the real gross margin, each against the forecast of the tariff model; PAYG usage per
 * meter against the profiles, with the calibration it implies; the GPU workers' utilisation;
 * and per user revenue, usage, invoice lines, storage against quota and usage the tariff does
 * not include. Read-only: nothing in the ledger changes.
 */
import type { Config } from "../model/load";
import type { Queryable } from "../billing/ledger";
import { draftBill, gaugeSamples, issuedBill, issuedMonths, lastSampleInMonth, GAUGE_METERS } from "../billing/bill";
import { userRevenue } from "../cost/tariff";
import { DecimalTotal, money, toAmount, type Money } from "../catalog/money";
import { deploymentsUntil, incurredCost, machineHours, monthBounds, type Deployment } from "./deployments";
import type { MonthlyJson } from "./monthly-schema";

export const MONTHLY_VERSION = 1;
const ZERO = money(0);

const quantity = (m: Money, places = 6): string => m.toDecimalPlaces(places, 4 /* ROUND_HALF_UP */).toFixed();
const percentOf = (part: Money, whole: Money): string | null => (whole.isZero() ? null : part.dividedBy(whole).times(100).toFixed(1));

/** The months from `month` back, `count` of them, oldest first. */
function monthsBack(month: string, count: number): string[] {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return Array.from({ length: count }, (_, i) => new Date(Date.UTC(y, m - 1 - (count - 1 - i), 1)).toISOString().slice(0, 7));
}

/** The state in force at `at` (the last recorded before it). */
function inForce(deployments: readonly Deployment[], at: number): Deployment | undefined {
  let found: Deployment | undefined;
  for (const d of deployments) if (Date.parse(d.recordedAt) < at) found = d;
  return found;
}

export async function monthlyReport(config: Config, ledger: Queryable, month: string, now: Date = new Date()): Promise<MonthlyJson> {
  const { start, end } = monthBounds(month); // a month YYYY-MM, or the bill's clear error
  const deployments = await deploymentsUntil(ledger, end);
  const incurred = incurredCost(deployments, month, now);
  const until = Math.min(end.getTime(), Math.max(now.getTime(), start.getTime() + 1));
  const last = inForce(deployments, until);
  const issued = await issuedMonths(ledger);
  // The month's gauge samples serve the draft bill and the storage column alike: read once.
  const samples = await gaugeSamples(ledger, month);
  const bill = issued.has(month) ? await issuedBill(ledger, month) : await draftBill(config, ledger, month, samples);
  const tariffs = config.tariffs;
  const warnings: string[] = [...bill.warnings];
  if (incurred.coveredFrom === null) warnings.push(`no deployment is recorded before ${month} ended: the cost incurred is unknown (run \`aiwc record\` after each deploy)`);
  else if (Date.parse(incurred.coveredFrom) > start.getTime()) warnings.push(`the first recorded deployment is from ${incurred.coveredFrom}: the cost before it is not counted`);
  if (!bill.issued) warnings.push(`${month} is not issued: the revenue is the draft bill`);

  // Revenue against the tariff model's forecast for the same users.
  const users = new Map(config.users.map((u) => [u.name, u]));
  const forecasts = config.users.map((u) => userRevenue(tariffs, u, ZERO));
  const revenueForecast = forecasts.reduce((sum, u) => sum.plus(u.total), ZERO);
  const net = money(bill.totals.net);
  const costForecast = last !== undefined ? money(last.totalMonthly) : null;

  // PAYG: the bill's metered usage per user, against each profile's quantities.
  const profileOf = (name: string) => users.get(name)?.profile ?? tariffs.defaultProfile;
  const invoices = bill.invoices.filter((i) => i.kind !== "credit");
  const members = new Map<string, string[]>();
  for (const u of config.users) members.set(profileOf(u.name), [...(members.get(profileOf(u.name)) ?? []), u.name]);
  // One pass over the invoices: per meter the usage per profile and the PAYG revenue.
  const perMeter = new Map<string, { revenue: DecimalTotal; byProfile: Map<string, DecimalTotal> }>();
  const meterTotals = (meter: string) => {
    let t = perMeter.get(meter);
    if (t === undefined) perMeter.set(meter, (t = { revenue: new DecimalTotal(), byProfile: new Map() }));
    return t;
  };
  for (const invoice of invoices) {
    const profile = profileOf(invoice.user);
    for (const [meter, m] of Object.entries(invoice.metered)) {
      if (m.used === "0") continue;
      const byProfile = meterTotals(meter).byProfile;
      let total = byProfile.get(profile);
      if (total === undefined) byProfile.set(profile, (total = new DecimalTotal()));
      total.add(m.used);
    }
    for (const line of invoice.lines) if (line.item.startsWith("payg:")) meterTotals(line.item.slice(5)).revenue.add(line.amount);
  }
  const payg = Object.entries(tariffs.payg).map(([meter, rate]) => {
    const totals = perMeter.get(meter);
    const byProfile = new Map([...(totals?.byProfile ?? [])].map(([profile, total]) => [profile, total.value]));
    const actual = [...byProfile.values()].reduce((sum, v) => sum.plus(v), ZERO);
    const forecast = [...members].reduce((sum, [profile, names]) => sum.plus(money(tariffs.profiles[profile]?.[meter] ?? 0).times(names.length)), ZERO);
    const profiles = Object.keys(tariffs.profiles)
      .map((profile) => {
        const names = members.get(profile) ?? [];
        const total = byProfile.get(profile) ?? ZERO;
        return { profile, users: names.length, actualPerUser: quantity(names.length === 0 ? ZERO : total.dividedBy(names.length), 3), forecastPerUser: quantity(money(tariffs.profiles[profile]?.[meter] ?? 0), 3) };
      })
      .filter((p) => p.users > 0);
    const calibration = profiles
      .filter((p) => {
        const f = money(p.forecastPerUser);
        const a = money(p.actualPerUser);
        return f.isZero() ? !a.isZero() : a.minus(f).abs().dividedBy(f).greaterThan(0.2);
      })
      .map((p) => `${p.profile} users used ${money(p.actualPerUser).toDecimalPlaces(1).toFixed()} ${rate.unit} each, the profile says ${money(p.forecastPerUser).toFixed()}`);
    return { meter, unit: rate.unit, actual: quantity(actual), forecast: quantity(forecast), revenue: toAmount(totals?.revenue.value ?? ZERO), profiles, calibration };
  });

  // GPU workers: metered GPU time against the time the workers ran.
  const gpuMeter = tariffs.gpuTokenMeter;
  const worked = machineHours(deployments, month, "gpu-worker", now);
  const metered = money(payg.find((p) => p.meter === gpuMeter)?.actual ?? 0);
  const workerMonthly = last !== undefined && worked.machines > 0 ? last.resources.filter((r) => r.role === "gpu-worker").reduce((sum, r) => sum.plus(r.monthly), ZERO).dividedBy(worked.machines) : null;
  const gpuPack = Object.values(tariffs.packs).find((p) => p.requiresGpu);
  const breakEvenUsers = workerMonthly !== null && gpuPack !== undefined && money(gpuPack.monthly).greaterThan(0) ? Number(workerMonthly.dividedBy(gpuPack.monthly).ceil().toFixed()) : null;
  const utilisation = worked.hours.isZero() ? null : metered.dividedBy(worked.hours).times(100);
  const advice =
    utilisation === null
      ? "no GPU worker was recorded running this month"
      : utilisation.greaterThan(80)
        ? `the workers were busy ${utilisation.toFixed(1)} % of the time: add a worker before queues grow`
        : utilisation.lessThan(25) && worked.machines > 1
          ? `the workers were busy ${utilisation.toFixed(1)} % of the time: one worker fewer would carry this load`
          : `the workers were busy ${utilisation.toFixed(1)} % of the time: no change needed`;
  const gpu =
    tariffs.payg[gpuMeter] === undefined
      ? null
      : {
          meter: gpuMeter,
          workers: worked.machines,
          workerHours: quantity(worked.hours, 3),
          meteredHours: quantity(metered, 3),
          utilisation: utilisation === null ? null : utilisation.toFixed(1),
          workerMonthly: workerMonthly === null ? null : toAmount(workerMonthly),
          breakEvenUsers,
          advice: breakEvenUsers !== null ? `${advice}; a worker is paid for by ${breakEvenUsers} users with the ${Object.entries(tariffs.packs).find(([, p]) => p === gpuPack)![0]} pack` : advice,
        };

  // Storage: each user's last sample of the month (corrections applied) against the tariff's quota.
  const storageMeter = [...GAUGE_METERS].find((m) => tariffs.payg[m] !== undefined);
  const storage = new Map<string, string>();
  if (storageMeter !== undefined) {
    for (const [user, days] of samples) {
      const last = lastSampleInMonth(days);
      if (last !== undefined) storage.set(user, last.toFixed());
    }
  }
  // Payment states the providers gave (`aiwc bill status`), for issued invoices handed over.
  const numbers = invoices.flatMap((i) => (i.number !== null ? [i.number] : []));
  const payments = new Map(
    numbers.length === 0
      ? []
      : (await ledger.query<{ number: string; payment_status: string | null }>("select number, payment_status from handovers where number = any($1::text[]) and status = 'done'", [numbers])).map((r) => [r.number, r.payment_status]),
  );
  const userRows = invoices
    .map((invoice) => {
      const user = users.get(invoice.user);
      const quota = user !== undefined ? (tariffs.tariffs[user.tariff]?.storageQuotaGb ?? null) : null;
      const stored = storage.get(invoice.user);
      return {
        user: invoice.user,
        tariff: user?.tariff ?? "?",
        packs: user?.packs ?? [],
        profile: profileOf(invoice.user),
        revenue: invoice.net,
        invoice: invoice.number,
        usage: Object.fromEntries(Object.entries(invoice.metered).map(([meter, m]) => [meter, m.used])),
        included: Object.fromEntries(Object.entries(invoice.metered).map(([meter, m]) => [meter, m.included])),
        lines: invoice.lines.map((l) => ({ item: l.item, description: l.description, quantity: l.quantity, unit: l.unit, amount: l.amount, ...(l.note !== undefined ? { note: l.note } : {}) })),
        storageGb: stored === undefined ? null : money(stored).toFixed(),
        storageQuotaGb: quota,
        overQuota: stored !== undefined && quota !== null && money(stored).greaterThanOrEqualTo(quota),
        payment: invoice.number !== null ? (payments.get(invoice.number) ?? null) : null,
        unentitled: invoice.lines.filter((l) => l.note !== undefined && l.item.startsWith("payg:")).map((l) => l.item.slice(5)),
      };
    })
    // Net amounts have exactly two decimals: in cents they sort as integers, exactly.
    .map((row) => ({ row, cents: BigInt(row.revenue.replace(".", "")) }))
    .sort((a, b) => (b.cents > a.cents ? 1 : b.cents < a.cents ? -1 : a.row.user < b.row.user ? -1 : 1))
    .map(({ row }) => row);

  const unpaid = userRows.filter((u) => u.payment !== null && u.payment !== "paid");
  if (unpaid.length > 0) warnings.push(`${unpaid.length} invoice(s) not paid as the payment provider last said: ${unpaid.map((u) => `${u.invoice} (${u.user}, ${u.payment})`).slice(0, 20).join(", ")}${unpaid.length > 20 ? ", …" : ""}`);

  // The last twelve months: incurred cost and revenue where known.
  const history = [];
  for (const m of monthsBack(month, 12)) {
    if (m === month) {
      history.push({ month: m, cost: incurred.coveredFrom === null ? null : toAmount(incurred.total), revenue: toAmount(net), revenueSource: bill.issued ? ("issued" as const) : ("draft" as const) });
      continue;
    }
    const cost = incurredCost(deployments, m, now);
    const revenue = issued.has(m) ? (await issuedBill(ledger, m)).totals.net : null;
    if (cost.coveredFrom === null && revenue === null) continue;
    history.push({ month: m, cost: cost.coveredFrom === null ? null : toAmount(cost.total), revenue, revenueSource: revenue === null ? null : ("issued" as const) });
  }

  // Counters per day; a correction counts on the day of the event it corrects, or on its own
  // when that event is not in the ledger (as on the bill): the import's day totals of the
  // events, then the few corrections added to their days.
  const range = [start.toISOString(), end.toISOString(), [...GAUGE_METERS]];
  const days = await ledger.query<{ day: string; meter: string; quantity: string }>(
    `select to_char(day, 'YYYY-MM-DD') as day, meter, quantity::text as quantity from usage_day_totals
      where day >= ($1::timestamptz at time zone 'UTC')::date and day < ($2::timestamptz at time zone 'UTC')::date and not (meter = any($3::text[]))`,
    range,
  );
  const corrections = await ledger.query<{ day: string; meter: string; quantity: string }>(
    `select to_char(coalesce(c.time, e.time) at time zone 'UTC', 'YYYY-MM-DD') as day, e.meter, sum(e.quantity)::text as quantity
       from usage_events e left join usage_events c on c.source = e.source and c.id = e.corrects
      where e.corrects is not null and coalesce(c.time, e.time) >= $1::timestamptz and coalesce(c.time, e.time) < $2::timestamptz
        and not (e.meter = any($3::text[]))
      group by 1, 2`,
    range,
  );
  const perDay = new Map<string, { day: string; meter: string; quantity: Money }>();
  for (const row of [...days, ...corrections]) {
    const key = `${row.day} ${row.meter}`;
    const entry = perDay.get(key);
    perDay.set(key, { day: row.day, meter: row.meter, quantity: (entry?.quantity ?? ZERO).plus(row.quantity) });
  }
  const daily = [...perDay.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.meter < b.meter ? -1 : a.meter > b.meter ? 1 : 0));

  const lastGroups = new Map((last?.groups ?? []).map((g) => [g.name, g.monthly]));
  const actualMargin = net.minus(incurred.total);
  return {
    version: MONTHLY_VERSION,
    month,
    currency: "EUR",
    generatedAt: now.toISOString(),
    cost: {
      incurred: toAmount(incurred.total),
      running: toAmount(incurred.running),
      setup: toAmount(incurred.setup),
      forecast: costForecast === null ? null : toAmount(costForecast),
      deployments: incurred.deployments,
      coveredFrom: incurred.coveredFrom,
      coveredUntil: incurred.coveredUntil,
      groups: incurred.groups.map((g) => ({ group: g.group, incurred: toAmount(g.cost), setup: toAmount(g.setup), forecast: lastGroups.has(g.group) ? toAmount(money(lastGroups.get(g.group)!)) : null })),
    },
    revenue: { source: bill.issued ? "issued" : "draft", net: toAmount(net), invoices: invoices.length, forecast: toAmount(revenueForecast) },
    margin: { actual: toAmount(actualMargin), percent: percentOf(actualMargin, net), forecast: costForecast === null ? null : toAmount(revenueForecast.minus(costForecast)) },
    payg,
    gpu,
    users: userRows,
    history,
    daily: daily.map((d) => ({ day: d.day, meter: d.meter, quantity: quantity(d.quantity) })),
    warnings,
  };
}
