/**
 * Rank normalization (Vehtari et al. 2021, section 4.1): replace every draw, pooled over all
 * chains, by its rank (ties get their average rank), map the rank r of S draws to the
 * probability (r - 3/8) / (S + 1/4) (Blom's fractional offset) and then to the standard normal
 * quantile of that probability.
 */
import erfinv from "@stdlib/math-base-special-erfinv";

/** Ranks 1..n of `values`, with tied values sharing the average of their ranks. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && values[order[end]] === values[order[start]]) end++;
    const rank = (start + 1 + end) / 2; // average of the 1-based ranks start+1 .. end
    for (let k = start; k < end; k++) ranks[order[k]] = rank;
    start = end;
  }
  return ranks;
}

/** The standard normal quantile function. */
export function normalQuantile(p: number): number {
  return Math.SQRT2 * erfinv(2 * p - 1);
}

/**
 * Rank-normalized z-scores of draws grouped by chain (ranks taken over all chains together).
 *
 * @example
 * rankNormalize([Float64Array.of(3, 1), Float64Array.of(2, 4)]); // z-scores in the same layout
 */
export function rankNormalize(chains: readonly Float64Array[]): Float64Array[] {
  const n = chains[0].length;
  const pooled = new Float64Array(chains.length * n);
  for (let c = 0; c < chains.length; c++) pooled.set(chains[c], c * n);
  const ranks = averageRanks(pooled);
  const total = pooled.length;
  return chains.map((_, c) => {
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) z[i] = normalQuantile((ranks[c * n + i] - 3 / 8) / (total + 1 / 4));
    return z;
  });
}
