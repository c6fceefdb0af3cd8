/**
 * Rank histograms of simulation-based calibration, as data for plotting and as text: a
 * one-line sparkline per parameter, and a bar chart with the band in which each bin's count
 * falls with probability 99% under uniformity (Talts et al. 2018, figure 1's grey band).
 */
import { binCounts } from "./chi-square.js";

/** A rank histogram with its expected count and pointwise 99% band per bin. */
export interface RankHistogram {
  /** Bin edges on the fractional-rank scale [0, 1]: bins + 1 values. */
  readonly edges: number[];
  readonly counts: number[];
  /** n / bins. */
  readonly expected: number;
  /** The 0.5% and 99.5% quantiles of Binomial(n, 1 / bins): each bin's pointwise 99% band. */
  readonly lower: number;
  readonly upper: number;
}

/** The q quantile of Binomial(n, p). */
function binomialQuantile(n: number, p: number, q: number): number {
  let logPmf = n * Math.log1p(-p);
  let total = Math.exp(logPmf);
  let k = 0;
  while (total < q && k < n) {
    logPmf += Math.log((n - k) / (k + 1)) + Math.log(p) - Math.log1p(-p);
    total += Math.exp(logPmf);
    k++;
  }
  return k;
}

/**
 * The histogram of fractional ranks in [0, 1) on `bins` equal bins.
 *
 * @example
 * rankHistogram(fractionalRanks, 10).counts; // 10 bins of ranks in [0, 1]
 */
export function rankHistogram(fractionalRanks: ArrayLike<number>, bins: number): RankHistogram {
  const n = fractionalRanks.length;
  return {
    edges: Array.from({ length: bins + 1 }, (_, i) => i / bins),
    counts: binCounts(fractionalRanks, bins),
    expected: n / bins,
    lower: binomialQuantile(n, 1 / bins, 0.005),
    upper: binomialQuantile(n, 1 / bins, 0.995),
  };
}

const BLOCKS = " ▁▂▃▄▅▆▇█";

/**
 * The histogram as one line of block characters, scaled so that the expected count is a
 * half-height block: "▄▅▃▄▆▄▃▅▄▄" for uniform ranks, "█▂▁▁▁▁▁▁▂█" for a posterior too narrow.
 *
 * @example
 * sparkline(rankHistogram(ranks, 10)); // "▄▅▃▄▆▄▃▅▄▄"
 */
export function sparkline(h: RankHistogram): string {
  const top = Math.max(2 * h.expected, ...h.counts);
  return h.counts.map((c) => BLOCKS[Math.min(8, Math.round((8 * c) / top))]).join("");
}

/**
 * The histogram as a bar chart, one line per bin, marking bins outside their 99% band.
 *
 * @example
 * console.log(histogramChart(rankHistogram(ranks, 10)));
 */
export function histogramChart(h: RankHistogram, width = 40): string {
  const top = Math.max(h.upper, ...h.counts);
  const lines = [
    `  rank bin      count  (expected ${h.expected.toFixed(1)}, 99% of bins in ${h.lower}..${h.upper})`,
  ];
  h.counts.forEach((c, i) => {
    const bar = "#".repeat(Math.round((width * c) / top));
    const flag = c < h.lower || c > h.upper ? "  <- outside" : "";
    const range = `${h.edges[i].toFixed(2)}-${h.edges[i + 1].toFixed(2)}`;
    lines.push(`  ${range}  ${String(c).padStart(5)}  ${bar}${flag}`);
  });
  return lines.join("\n");
}
