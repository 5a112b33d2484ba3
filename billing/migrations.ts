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
];
