/**
 * Text helpers without ICU: the first `localeCompare` or `toLocaleString` of a process loads
 * ICU's collation or number data (10–20 ms each, measured), which `aiwc cost` paid on every
 * run. Everything aiwc sorts or counts this way is ASCII (DNS-style names, ISO dates, ids),
 * where code-point order is the order `localeCompare` gives.
 */

/** Code-point order, for `Array.prototype.sort`. */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** An integer with thousands separators: 10000 → "10,000". */
export function thousands(value: number): string {
  const text = String(Math.trunc(Math.abs(value)));
  return `${value < 0 ? "-" : ""}${text.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}`;
}
