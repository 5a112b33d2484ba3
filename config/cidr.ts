/** IPv4 CIDR arithmetic for network layout checks and address allocation. */
import ipaddr from "ipaddr.js";

export interface Cidr {
  readonly text: string;
  /** First address as an unsigned 32-bit number. */
  readonly start: number;
  /** Last address (inclusive). */
  readonly end: number;
  readonly prefix: number;
}

/** Parses `a.b.c.d/n`; returns an error message when it is not a canonical IPv4 CIDR. */
export function parseCidr(text: string): Cidr | string {
  // ipaddr.js also accepts shorthand such as "10.0.0/16"; insist on the canonical four parts.
  if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(text) || !ipaddr.IPv4.isValidCIDR(text)) return `"${text}" is not an IPv4 CIDR (write it as a.b.c.d/n, e.g. 10.0.0.0/16)`;
  const [address, prefix] = ipaddr.IPv4.parseCIDR(text);
  const value = toNumber(address.octets);
  const size = 2 ** (32 - prefix);
  const start = value - (value % size);
  if (start !== value) {
    return `"${text}" has host bits set; the network address is ${fromNumber(start)}/${prefix}`;
  }
  return { text, start, end: start + size - 1, prefix };
}

export function parseIp(text: string): number | undefined {
  if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
  return toNumber(ipaddr.IPv4.parse(text).octets);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.start <= b.end && b.start <= a.end;
}

export function contains(outer: Cidr, inner: Cidr | number): boolean {
  return typeof inner === "number"
    ? inner >= outer.start && inner <= outer.end
    : inner.start >= outer.start && inner.end <= outer.end;
}

const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((t) => parseCidr(t) as Cidr);

/** RFC 1918: the only ranges Hetzner (and any sane VPC) accepts for a private network. */
export function isPrivate(cidr: Cidr): boolean {
  return PRIVATE_RANGES.some((range) => contains(range, cidr));
}

/** The n-th address of a CIDR (0 = network address). */
export function hostAddress(cidr: Cidr, n: number): string {
  if (n < 0 || cidr.start + n > cidr.end) throw new RangeError(`address #${n} is outside ${cidr.text}`);
  return fromNumber(cidr.start + n);
}

function toNumber(octets: readonly number[]): number {
  return ((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!;
}

export function fromNumber(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}

/**
 * Splits a CIDR into the smallest power of two of equal parts that is at least `parts`, and
 * returns the first `parts` of them (AWS: one subnet per availability zone).
 */
export function splitCidr(cidr: Cidr, parts: number): Cidr[] {
  const bits = Math.ceil(Math.log2(Math.max(parts, 1)));
  const prefix = cidr.prefix + bits;
  if (prefix > 32) throw new RangeError(`${cidr.text} cannot be split into ${parts} parts`);
  const size = 2 ** (32 - prefix);
  return Array.from({ length: parts }, (_, i) => {
    const start = cidr.start + i * size;
    return { text: `${fromNumber(start)}/${prefix}`, start, end: start + size - 1, prefix };
  });
}
