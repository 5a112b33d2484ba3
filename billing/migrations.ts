/**
 * The ledger's schema, as numbered migrations applied in order (billing/ledger.ts records them
 * in `aiwc_migrations`). A released migration never changes; a change is a new one.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "usage events",
    sql: [
      `create table usage_events (
        source text not null,
        id text not null,
        time timestamptz not null,
        user_name text not null,
        meter text not null,
        quantity numeric not null,
        corrects text,
        imported_at timestamptz not null default now(),
        primary key (source, id)
      )`,
      "create index usage_events_user_time on usage_events (user_name, time)",
      "create index usage_events_time on usage_events (time)",
    ],
  },
  {
    version: 2,
    name: "issued invoices",
    sql: [
      `create table invoices (
        number text primary key,
        year integer not null,
        seq integer not null,
        kind text not null check (kind in ('invoice', 'credit')),
        month text not null,
        user_name text not null,
        credits text references invoices (number),
        issue_date date not null,
        issued_at timestamptz not null default now(),
        net numeric not null,
        vat numeric not null,
        gross numeric not null,
        document text not null,
        unique (year, seq)
      )`,
      "create unique index invoices_one_credit on invoices (credits) where credits is not null",
      "create table billed_months (month text primary key, issued_at timestamptz not null default now())",
      `create table billed_events (
        source text not null,
        id text not null,
        number text not null references invoices (number),
        primary key (source, id)
      )`,
    ],
  },
  {
    version: 3,
    name: "payment handovers",
    sql: [
      `create table handovers (
        number text not null references invoices (number),
        provider text not null,
        external_id text,
        status text not null,
        updated_at timestamptz not null default now(),
        primary key (number, provider)
      )`,
    ],
  },
  {
    version: 4,
    name: "usage detail and API keys",
    sql: [
      "alter table usage_events add column detail text",
      `create table api_keys (
        hash text primary key,
        user_name text not null,
        created_at timestamptz not null default now(),
        revoked_at timestamptz
      )`,
    ],
  },
  {
    version: 5,
    name: "recorded deployments",
    sql: [
      `create table deployments (
        id bigserial primary key,
        recorded_at timestamptz not null,
        cluster text not null,
        config_digest text not null,
        git_commit text,
        pricing_date text not null,
        total_monthly numeric not null,
        setup_one_time numeric not null,
        passed boolean not null,
        override_reason text,
        reasons jsonb not null,
        groups jsonb not null,
        resources jsonb not null
      )`,
      "create index deployments_recorded_at on deployments (recorded_at)",
    ],
  },
  {
    version: 6,
    name: "payment status",
    sql: ["alter table handovers add column payment_status text", "alter table handovers add column payment_checked_at timestamptz"],
  },
  {
    version: 7,
    name: "usage totals",
    sql: [
      // Corrections are few: the bill and the report find them (and the events they correct)
      // through this small partial index instead of scanning every event of the ledger.
      "create index usage_events_corrections on usage_events (source, corrects) where corrects is not null",
      // Running totals of the events that are not corrections, kept by the import in the same
      // statement that inserts the events: per user, meter and UTC month (the bill) and per
      // meter and UTC day (the report's daily usage). Reading a month then reads tens of
      // thousands of totals instead of every event of the month.
      `create table usage_month_totals (
        user_name text not null,
        meter text not null,
        month text not null,
        quantity numeric not null,
        primary key (month, user_name, meter)
      )`,
      `create table usage_day_totals (
        meter text not null,
        day date not null,
        quantity numeric not null,
        primary key (day, meter)
      )`,
      `insert into usage_month_totals (user_name, meter, month, quantity)
       select user_name, meter, to_char(time at time zone 'UTC', 'YYYY-MM'), sum(quantity) from usage_events where corrects is null group by 1, 2, 3`,
      `insert into usage_day_totals (meter, day, quantity)
       select meter, (time at time zone 'UTC')::date, sum(quantity) from usage_events where corrects is null group by 1, 2`,
    ],
  },
];
