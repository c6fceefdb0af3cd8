/**
 * Sample quantiles by linear interpolation between order statistics: R's default (type 7,
 * Hyndman & Fan 1996), the definition `posterior`, numpy and the reference files use.
 */

/**
 * The `prob` quantile of `values` (R type 7). `values` need not be sorted.
 *
 * @example
 * quantile([1, 2, 3, 4], 0.5); // 2.5
 */
export function quantile(values: ArrayLike<number>, prob: number): number {
  return quantileOfSorted(sortedCopy(values, "quantile"), prob);
}

/** The `prob` quantile of already sorted values (R type 7). */
export function quantileOfSorted(sorted: ArrayLike<number>, prob: number): number {
  if (!(prob >= 0 && prob <= 1)) {
    throw new RangeError(`quantile: prob must be in [0, 1], got ${prob}`);
  }
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const position = (n - 1) * prob;
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  const h = position - lo;
  if (h === 0 || sorted[hi] === sorted[lo]) return sorted[lo];
  return (1 - h) * sorted[lo] + h * sorted[hi];
}

/**
 * The median (the 0.5 quantile).
 *
 * @example
 * median([3, 1, 2]); // 2
 */
export function median(values: ArrayLike<number>): number {
  return quantile(values, 0.5);
}

/** A sorted Float64Array copy of `values`; throws when `values` is not array-like. */
export function sortedCopy(values: ArrayLike<number>, api: string): Float64Array {
  if (values == null || typeof values.length !== "number") {
    throw new TypeError(`${api}: values must be an array of numbers, got ${String(values)}`);
  }
  return Float64Array.from(values).sort();
}
