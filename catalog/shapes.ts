/**
 * Object shapes kept alive for the life of the process, so that pricing code V8 has optimized
 * stays optimized from one pricing run to the next.
 *
 * V8 specialises optimized code to the hidden classes ("maps") of the objects it has seen and
 * throws the code away when such a class is garbage-collected ("weak objects"). An instance's
 * class hangs off its constructor only through weak transitions, one per field, so when
 * everything a pricing run made is collected — its line items, resource instances and price
 * book — their classes go too, and the next run in the same process (`aiwc cost diff` prices
 * base and head, `aiwc compare` each provider, a bench) prices in unoptimized code while V8
 * compiles it again. One instance of each, kept here, keeps its class and the code
 * specialised to it (bench/README.md, "Ninth step": 141 of these deoptimizations in 18 runs at
 * 10,000 resources before, 15 after).
 */
const exemplars = new Map<unknown, unknown>();

/**
 * Keeps `exemplar` (and so its hidden class) alive for good: the first one per `key` (a class,
 * a price model), so memory stays bounded by the number of keys, not of resources.
 */
export function keepShape(key: unknown, exemplar: unknown): void {
  if (!exemplars.has(key)) exemplars.set(key, exemplar);
}
