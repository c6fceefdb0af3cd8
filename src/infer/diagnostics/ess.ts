/**
 * Effective sample size (ESS) as in Vehtari et al. (2021), "Rank-normalization, folding, and
 * localization: an improved R-hat for assessing convergence of MCMC", Bayesian Analysis 16(2),
 * section 3.2, and as the R package `posterior` (1.4.0) computes it:
 *
 * - autocorrelations combine within-chain autocovariances with the multi-chain variance
 *   estimate var+ (Gelman et al. 2013, BDA3 section 11.5);
 * - the sum of autocorrelations is truncated with Geyer's (1992) initial positive sequence over
 *   pairs of lags, made monotone (Geyer's initial monotone sequence), and the first pair after
 *   truncation adds its even term when positive (the improved estimate for antithetic chains);
 * - the ESS is capped at S log10(S) for S draws in all.
 *
 * Bulk ESS is the ESS of rank-normalized split chains; tail ESS is the smaller of the ESS of the
 * indicators 1{x <= q05} and 1{x <= q95}.
 */

import { autocovariance } from "./autocovariance.js";
import {
  type Chains,
  isDegenerate,
  mapDraws,
  mean,
  pool,
  sampleVariance,
  splitChains,
  toChainArrays,
} from "./chains.js";
import { quantile } from "./quantile.js";
import { rankNormalize } from "./rank-normalize.js";

/**
 * ESS of chains used as they are (no splitting, no ranks): `posterior`'s `.ess`. NaN when a draw
 * is not finite, all draws are equal, or chains are shorter than 3 draws.
 *
 * @example
 * essOfChains([Float64Array.of(0.1, -0.4, 0.3, 1.2), Float64Array.of(0.5, -1.1, 0.2, 0.7)]);
 */
export function essOfChains(chains: readonly Float64Array[]): number {
  const numChains = chains.length;
  const n = chains[0].length;
  if (n < 3 || isDegenerate(chains)) return Number.NaN;

  const meanAutocov = new Float64Array(n);
  for (const chain of chains) {
    const acov = autocovariance(chain);
    for (let t = 0; t < n; t++) meanAutocov[t] += acov[t] / numChains;
  }
  const meanVar = (meanAutocov[0] * n) / (n - 1);
  let varPlus = (meanVar * (n - 1)) / n;
  if (numChains > 1) varPlus += sampleVariance(chains.map((chain) => mean(chain)));
  const autocorrelation = (t: number) => 1 - (meanVar - meanAutocov[t]) / varPlus;

  // Geyer's initial positive sequence over pairs (rho_t, rho_{t+1}), t even.
  const rho = new Float64Array(n);
  let t = 0;
  let rhoEven = 1;
  let rhoOdd = autocorrelation(1);
  rho[0] = rhoEven;
  rho[1] = rhoOdd;
  while (t < n - 5 && !Number.isNaN(rhoEven + rhoOdd) && rhoEven + rhoOdd > 0) {
    t += 2;
    rhoEven = autocorrelation(t);
    rhoOdd = autocorrelation(t + 1);
    if (rhoEven + rhoOdd >= 0) {
      rho[t] = rhoEven;
      rho[t + 1] = rhoOdd;
    }
  }
  const maxLag = t;
  if (rhoEven > 0) rho[maxLag] = rhoEven;

  // Geyer's initial monotone sequence: pair sums may not increase.
  for (t = 2; t <= maxLag - 2; t += 2) {
    if (rho[t] + rho[t + 1] > rho[t - 2] + rho[t - 1]) {
      rho[t] = (rho[t - 2] + rho[t - 1]) / 2;
      rho[t + 1] = rho[t];
    }
  }

  const total = numChains * n;
  let sum = 0;
  for (let k = 0; k < maxLag; k++) sum += rho[k];
  const tau = Math.max(-1 + 2 * sum + rho[maxLag], 1 / Math.log10(total));
  return total / tau;
}

/**
 * ESS for the mean of the draws themselves (split chains, no ranks): `posterior`'s `ess_basic`
 * and `ess_mean`.
 *
 * @example
 * essMean([[0.1, -0.4, 0.3, 1.2], [0.5, -1.1, 0.2, 0.7]]);
 */
export function essMean(chains: Chains): number {
  return essOfChains(splitChains(toChainArrays(chains, "essMean")));
}

/**
 * Bulk ESS: the ESS of rank-normalized split chains.
 *
 * @example
 * const chains = [[0.1, -0.4, 0.3, 1.2, 0.8], [0.5, -1.1, 0.2, 0.7, -0.3]];
 * essBulk(chains); // at most 10 * log10(10) = 10, the cap for 10 draws
 */
export function essBulk(chains: Chains): number {
  const arrays = toChainArrays(chains, "essBulk");
  if (isDegenerate(arrays)) return Number.NaN;
  return essOfChains(rankNormalize(splitChains(arrays)));
}

/**
 * ESS of the `prob` quantile: the ESS of the split indicator chains 1{x <= q}, where q is the
 * pooled sample quantile (R type 7).
 *
 * @example
 * essQuantile([[0.1, -0.4, 0.3, 1.2], [0.5, -1.1, 0.2, 0.7]], 0.5);
 */
export function essQuantile(chains: Chains, prob: number): number {
  const arrays = toChainArrays(chains, "essQuantile");
  if (!(prob >= 0 && prob <= 1)) {
    throw new RangeError(`essQuantile: prob must be in [0, 1], got ${prob}`);
  }
  if (isDegenerate(arrays)) return Number.NaN;
  const pooled = pool(arrays);
  // posterior moves prob = 1 just inside the last draw so the indicator is not constant.
  const p = prob === 1 ? (pooled.length - 0.5) / pooled.length : prob;
  const q = quantile(pooled, p);
  return essOfChains(splitChains(mapDraws(arrays, (x) => (x <= q ? 1 : 0))));
}

/**
 * Tail ESS: the smaller of the ESS of the 5% and the 95% quantiles.
 *
 * @example
 * essTail([[0.1, -0.4, 0.3, 1.2], [0.5, -1.1, 0.2, 0.7]]);
 */
export function essTail(chains: Chains): number {
  toChainArrays(chains, "essTail");
  return Math.min(essQuantile(chains, 0.05), essQuantile(chains, 0.95));
}
