/**
 * Rank histograms for rank plots (Vehtari, Gelman, Simpson, Carpenter & Buerkner 2021,
 * "Rank-normalization, folding, and localization: an improved R-hat", section 4.2): the draws
 * of all chains are ranked together, and each chain's ranks are binned. Well-mixed chains give
 * nearly uniform histograms; a chain stuck high or low shows a slope.
 */

/**
 * Ranks 1..n of all draws pooled, ties given their average rank, returned per chain.
 *
 * @example
 * pooledRanks([Float64Array.of(0.3, 0.1), Float64Array.of(0.2, 0.3)]); // [[3.5, 1], [2, 3.5]]
 */
export function pooledRanks(chains: readonly Float64Array[]): Float64Array[] {
  const n = chains.reduce((s, c) => s + c.length, 0);
  const values = new Float64Array(n);
  let k = 0;
  for (const c of chains) {
    values.set(c, k);
    k += c.length;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    const average = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) ranks[order[t]] = average;
    i = j + 1;
  }
  const out: Float64Array[] = [];
  k = 0;
  for (const c of chains) {
    out.push(ranks.slice(k, k + c.length));
    k += c.length;
  }
  return out;
}

/**
 * Counts of each chain's pooled ranks in `numBins` equal bins over [1, n].
 *
 * @example
 * rankHistograms([Float64Array.of(1, 2), Float64Array.of(3, 4)], 2); // [[2, 0], [0, 2]]
 */
export function rankHistograms(chains: readonly Float64Array[], numBins: number): number[][] {
  const ranks = pooledRanks(chains);
  const n = chains.reduce((s, c) => s + c.length, 0);
  return ranks.map((r) => {
    const counts = new Array<number>(numBins).fill(0);
    for (const rank of r) {
      const bin = Math.min(numBins - 1, Math.floor(((rank - 1) / n) * numBins));
      counts[bin]++;
    }
    return counts;
  });
}
