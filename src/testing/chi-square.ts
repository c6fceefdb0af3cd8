/**
 * Pearson's chi-square test of uniformity on equal-width bins of [0, 1), the histogram test
 * of simulation-based calibration (Talts et al. 2018, section 4.1).
 */
import { gammaincUpperF64 } from "../custom-vjp/special-incomplete-rules.js";

/** What `chiSquareUniformity` found. */
export interface ChiSquareResult {
  /** Counts per bin. */
  readonly counts: number[];
  /** Expected count per bin, n / bins. */
  readonly expected: number;
  /** Sum over bins of (count - expected)^2 / expected. */
  readonly statistic: number;
  /** Degrees of freedom, bins - 1. */
  readonly df: number;
  /** P(chi-square with df degrees of freedom >= statistic). */
  readonly pValue: number;
}

/**
 * Bin counts of values in [0, 1) on `bins` equal bins.
 *
 * @example
 * binCounts([0.1, 0.15, 0.7], 2); // [2, 1]
 */
export function binCounts(values: ArrayLike<number>, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(values[i] * bins)));
    counts[b]++;
  }
  return counts;
}

/**
 * The chi-square test that values in [0, 1) are uniform, on `bins` equal bins (each should
 * expect at least about 5 values for the chi-square approximation).
 *
 * @example
 * chiSquareUniformity([0.05, 0.3, 0.55, 0.8], 4).pValue; // 1
 */
export function chiSquareUniformity(values: ArrayLike<number>, bins: number): ChiSquareResult {
  const counts = binCounts(values, bins);
  const expected = values.length / bins;
  let statistic = 0;
  for (const c of counts) statistic += (c - expected) ** 2 / expected;
  const df = bins - 1;
  return { counts, expected, statistic, df, pValue: gammaincUpperF64(df / 2, statistic / 2) };
}

/**
 * The default number of bins for n values: at most 20, and at least 5 expected per bin.
 *
 * @example
 * defaultBins(100); // 20
 */
export function defaultBins(n: number): number {
  return Math.max(2, Math.min(20, Math.floor(n / 5)));
}
