/**
 * Pareto smoothed importance sampling (PSIS): Vehtari, Simpson, Gelman, Yao and Gabry (2024),
 * "Pareto smoothed importance sampling", JMLR 25(72), as the R package `loo` 2.5 computes it.
 * The largest M = ceil(min(S / 5, 3 sqrt(S / r_eff))) of S importance ratios are replaced by
 * the expected order statistics of a generalized Pareto distribution fitted to them (Zhang and
 * Stephens 2009, "A new and efficient estimation method for the generalized Pareto
 * distribution", Technometrics 51(3), with loo's weakly informative prior on k), the smoothed
 * log-weights are truncated at the largest raw one, and the fitted shape k is the diagnostic:
 * above 0.7 the estimate is unreliable.
 */
import { logSumExp } from "../../util/log-sum-exp.js";

/** PSIS of one vector of log importance ratios. */
export interface PsisResult {
  /** Smoothed log-weights, normalized so that their exponentials sum to 1. */
  logWeights: Float64Array;
  /** Estimated shape of the fitted generalized Pareto tail (Infinity when the tail is too short). */
  paretoK: number;
  /** Effective sample size of the weights, times r_eff: `r_eff / sum(w^2)`. */
  nEff: number;
  /** Number of draws in the smoothed tail. */
  tailLength: number;
}

/**
 * Smooths the log importance ratios of one observation (for LOO, minus its log-likelihood at
 * each draw). `rEff` is the relative efficiency of the draws (ESS / S; 1 for independent draws).
 *
 * @example
 * const { paretoK, logWeights } = psis(Float64Array.from({ length: 400 }, (_, i) => Math.sin(i)));
 */
export function psis(logRatios: ArrayLike<number>, rEff = 1): PsisResult {
  const n = logRatios.length;
  const tailLength = Math.ceil(Math.min(0.2 * n, 3 * Math.sqrt(n / rEff)));
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) max = Math.max(max, logRatios[i]);
  const lw = new Float64Array(n);
  for (let i = 0; i < n; i++) lw[i] = logRatios[i] - max;
  let paretoK = Number.POSITIVE_INFINITY;
  if (tailLength >= 5) {
    // Stable ascending order, as R's sort.int(..., index.return = TRUE).
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => lw[a] - lw[b] || a - b);
    const tail = Float64Array.from(order.slice(n - tailLength), (i) => lw[i]);
    if (Math.abs(tail[tailLength - 1] - tail[0]) >= Number.EPSILON / 100) {
      const cutoff = lw[order[n - tailLength - 1]];
      const smoothed = smoothTail(tail, cutoff);
      paretoK = smoothed.k;
      for (let j = 0; j < tailLength; j++) lw[order[n - tailLength + j]] = smoothed.tail[j];
    }
  }
  for (let i = 0; i < n; i++) if (lw[i] > 0) lw[i] = 0;
  const norm = logSumExp(lw);
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    lw[i] -= norm;
    sumSquares += Math.exp(2 * lw[i]);
  }
  return { logWeights: lw, paretoK, nEff: rEff / sumSquares, tailLength };
}

/** Replaces the sorted tail `x` (log scale, above `cutoff`) by the fitted Pareto quantiles. */
function smoothTail(x: Float64Array, cutoff: number): { tail: Float64Array; k: number } {
  const len = x.length;
  const expCutoff = Math.exp(cutoff);
  const { k, sigma } = gpdFit(Float64Array.from(x, (v) => Math.exp(v) - expCutoff));
  if (!Number.isFinite(k)) return { tail: x, k };
  const tail = new Float64Array(len);
  for (let j = 0; j < len; j++) {
    const p = (j + 0.5) / len;
    tail[j] = Math.log(gpdQuantile(p, k, sigma) + expCutoff);
  }
  return { tail, k };
}

/**
 * Fits a generalized Pareto distribution (location 0) to sorted positive exceedances by Zhang
 * and Stephens' (2009) empirical Bayes estimate, with `loo`'s adjustment of k towards 0.5 by a
 * prior worth 10 observations.
 *
 * @example
 * gpdFit(Float64Array.of(0.1, 0.2, 0.4, 0.7, 1.1, 1.9, 3.5)); // { k, sigma }
 */
export function gpdFit(sorted: Float64Array): { k: number; sigma: number } {
  const n = sorted.length;
  const prior = 3;
  const m = 30 + Math.floor(Math.sqrt(n));
  const xStar = sorted[Math.floor(n / 4 + 0.5) - 1];
  const theta = new Float64Array(m);
  const logLik = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    theta[j] = 1 / sorted[n - 1] + (1 - Math.sqrt(m / (j + 1 - 0.5))) / prior / xStar;
    const a = -theta[j];
    let kj = 0;
    for (let i = 0; i < n; i++) kj += Math.log1p(a * sorted[i]);
    kj /= n;
    logLik[j] = n * (Math.log(a / kj) - kj - 1);
  }
  const norm = logSumExp(logLik);
  let thetaHat = 0;
  for (let j = 0; j < m; j++) thetaHat += theta[j] * Math.exp(logLik[j] - norm);
  let k = 0;
  for (let i = 0; i < n; i++) k += Math.log1p(-thetaHat * sorted[i]);
  k /= n;
  const sigma = -k / thetaHat;
  const a = 10;
  k = (k * n) / (n + a) + (a * 0.5) / (n + a);
  return { k: Number.isNaN(k) ? Number.POSITIVE_INFINITY : k, sigma };
}

/** Quantile function of the generalized Pareto distribution with location 0. */
function gpdQuantile(p: number, k: number, sigma: number): number {
  if (Number.isNaN(sigma) || sigma <= 0) return Number.NaN;
  return (sigma * Math.expm1(-k * Math.log1p(-p))) / k;
}
