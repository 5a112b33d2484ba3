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

/** Plain decimals the fast path of DecimalTotal takes: up to 15 whole digits and 12 places. */
const PLAIN = /^-?\d{1,15}(?:\.\d{1,12})?$/;
/** Past this the whole part moves to the BigInt (doubles are exact integers up to 2^53). */
const WHOLE_LIMIT = 2 ** 52;
/** Fraction units (10^-12) carried into the whole part beyond this, so adding one more stays exact. */
const FRACTION_LIMIT = 1e15;

/**
 * An exact running total of decimal strings, for sums over many rows. Plain decimals (up to
 * 15 whole digits, 12 places) are added as two integers in doubles — the whole part and the
 * fraction in units of 10^-12 — which stay exact below 2^53 (both are carried before they
 * could pass it); beyond that a BigInt scaled by 10^12 takes over; a string with more places
 * or in exponent form is added as a Decimal. A fifth of the cost of the BigInt alone, a
 * hundredth of a Decimal addition.
 */
export class DecimalTotal {
  private whole = 0;
  private fraction = 0;
  private scaled = 0n;
  private rest: Money | undefined;

  add(text: string): void {
    if (!PLAIN.test(text)) {
      this.rest = (this.rest ?? money(0)).plus(text);
      return;
    }
    const dot = text.indexOf(".");
    // "-0.5": the whole part is -0, the fraction is subtracted.
    this.whole += Number(dot < 0 ? text : text.slice(0, dot));
    if (dot >= 0) {
      const fraction = Number(text.slice(dot + 1).padEnd(12, "0"));
      this.fraction += text.charCodeAt(0) === 45 /* - */ ? -fraction : fraction;
      if (this.fraction >= FRACTION_LIMIT || this.fraction <= -FRACTION_LIMIT) {
        const carry = Math.trunc(this.fraction / 1e12);
        this.whole += carry;
        this.fraction -= carry * 1e12;
      }
    }
    if (this.whole >= WHOLE_LIMIT || this.whole <= -WHOLE_LIMIT) {
      this.scaled += BigInt(this.whole) * 1_000_000_000_000n;
      this.whole = 0;
    }
  }

  get value(): Money {
    const scaled = this.scaled + BigInt(this.whole) * 1_000_000_000_000n + BigInt(this.fraction);
    const total = money(scaled.toString()).dividedBy("1e12");
    return this.rest === undefined ? total : total.plus(this.rest);
  }
}
