/**
 * Monte Carlo standard errors, as the R package `posterior` (1.4.0) computes them.
 *
 * - Mean: sd / sqrt(ESS of the split chains) (Vehtari et al. 2021).
 * - Standard deviation: the variance of the variance estimate of Kenney & Keeping (1951,
 *   "Mathematics of Statistics", part two, p. 141), (m4 - m2^2) / ESS, with the ESS of the
 *   squared centred draws, carried to the sd by the first-order Taylor (delta) approximation
 *   var(sd) = var(var) / (4 m2). It does not assume normality.
 */
import { type Chains, mapDraws, mean, pool, sampleVariance, toChainArrays } from "./chains.js";
import { essMean } from "./ess.js";

/**
 * Monte Carlo standard error of the posterior mean estimate.
 *
 * @example
 * mcseMean([[0.1, -0.4, 0.3, 1.2], [0.5, -1.1, 0.2, 0.7]]);
 */
export function mcseMean(chains: Chains): number {
  const arrays = toChainArrays(chains, "mcseMean");
  return Math.sqrt(sampleVariance(pool(arrays)) / essMean(arrays));
}

/**
 * Monte Carlo standard error of the posterior standard deviation estimate.
 *
 * @example
 * mcseSd([[0.1, -0.4, 0.3, 1.2], [0.5, -1.1, 0.2, 0.7]]);
 */
export function mcseSd(chains: Chains): number {
  const arrays = toChainArrays(chains, "mcseSd");
  const center = mean(pool(arrays));
  const squared = mapDraws(arrays, (x) => (x - center) ** 2);
  const ess = essMean(squared);
  const pooledSquares = pool(squared);
  const secondMoment = mean(pooledSquares);
  const fourthMoment = mean(pooledSquares.map((s) => s * s));
  const varianceOfVariance = (fourthMoment - secondMoment ** 2) / ess;
  return Math.sqrt(varianceOfVariance / secondMoment / 4);
}
