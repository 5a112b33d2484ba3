/**
 * Money is decimal, never float: every amount is a decimal.js Decimal, serialized as a string.
 * One module so the library can change without touching the engine.
 */
import Decimal from "decimal.js";

// 34 significant digits (IEEE decimal128) is far beyond any bill; rounding is only for display.
const Money = Decimal.clone({ precision: 34, rounding: Decimal.ROUND_HALF_UP });
export type Money = Decimal;

export function money(value: Decimal.Value): Money {
  return new Money(value);
}

export const ZERO: Money = money(0);

/**
 * The exact sum. Line items of identical resources share one amount object, so amounts are
 * counted first and each distinct one multiplied by its count (exact: 34 digits hold any bill).
 */
export function sum(values: Iterable<Money>): Money {
  const counts = new Map<Money, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return sumCounted(counts);
}

/** The exact sum of amounts given with how often each occurs. */
export function sumCounted(counts: ReadonlyMap<Money, number>): Money {
  let total = ZERO;
  for (const [value, count] of counts) total = total.plus(count === 1 ? value : value.times(count));
  return total;
}

/** Cents, half-up, as the string JSON reports carry ("918.13"). */
export function toAmount(value: Money, places = 2): string {
  return value.toDecimalPlaces(places, Decimal.ROUND_HALF_UP).toFixed(places);
}

/** Unit prices keep their precision (0.0572 €/GB), trailing zeros trimmed but at least cents. */
export function toUnitPrice(value: Money): string {
  const text = value.toDecimalPlaces(6, Decimal.ROUND_HALF_UP).toFixed();
  const [whole, fraction = ""] = text.split(".");
  return `${whole}.${fraction.padEnd(2, "0")}`;
}

/** "1,234.50 €" for people. */
export function formatEur(value: Money): string {
  const [whole, fraction] = toAmount(value).split(".") as [string, string];
  const negative = whole.startsWith("-");
  const digits = negative ? whole.slice(1) : whole;
  return `${negative ? "-" : ""}${digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${fraction} €`;
}

/**
 * An exact running total of decimal strings, for sums over many rows: integers scaled by
 * 10^12 in a BigInt (a hundredth of the cost of a Decimal addition); a string with more
 * places than that, or in exponent form, is added as a Decimal.
 */
export class DecimalTotal {
  private scaled = 0n;
  private rest: Money | undefined;

  add(text: string): void {
    const match = /^(-?)(\d+)(?:\.(\d{1,12}))?$/.exec(text);
    if (match === null) {
      this.rest = (this.rest ?? money(0)).plus(text);
      return;
    }
    const value = BigInt(match[2]! + (match[3] ?? "").padEnd(12, "0"));
    this.scaled += match[1] === "-" ? -value : value;
  }

  get value(): Money {
    const total = money(this.scaled.toString()).dividedBy("1e12");
    return this.rest === undefined ? total : total.plus(this.rest);
  }
}
