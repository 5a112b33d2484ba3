/** Calendar dates as the config and the gate use them: `YYYY-MM-DD`, UTC. */

/** Whether `text` is a real calendar date written YYYY-MM-DD (2026-13-45 and 2026-02-30 are not). */
export function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Today in UTC, YYYY-MM-DD (the machine's clock). */
export function today(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** Calendar days from `from` to `to` (both YYYY-MM-DD, UTC): 2026-11-28 → 2026-11-29 is 1. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
