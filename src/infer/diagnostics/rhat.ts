/**
 * Potential scale reduction factor R-hat. `rhatBasic` is the split R-hat of Gelman et al. (2013,
 * BDA3 section 11.4); `rhat` is the rank-normalized split R-hat of Vehtari et al. (2021),
 * "Rank-normalization, folding, and localization: an improved R-hat for assessing convergence
 * of MCMC", Bayesian Analysis 16(2): the larger of the split R-hat of the rank-normalized draws
 * (bulk) and of the rank-normalized draws folded around the median (tails), as `posterior` does.
 */
import {
  type Chains,
  isDegenerate,
  mean,
  pool,
  sampleVariance,
  splitChains,
  toChainArrays,
} from "./chains.js";
import { median } from "./quantile.js";
import { rankNormalize } from "./rank-normalize.js";

/** R-hat of chains used as they are: sqrt((B/W + n - 1) / n) with B = n var(chain means). */
export function rhatOfChains(chains: readonly Float64Array[]): number {
  if (isDegenerate(chains)) return Number.NaN;
  const n = chains[0].length;
  const betweenChain = n * sampleVariance(chains.map((chain) => mean(chain)));
  const withinChain = mean(chains.map((chain) => sampleVariance(chain)));
  return Math.sqrt((betweenChain / withinChain + n - 1) / n);
}

/**
 * Split R-hat of the raw draws (`posterior`'s `rhat_basic`).
 *
 * @example
 * rhatBasic([[0.1, -0.4, 0.3, 1.2], [0.5, -1.1, 0.2, 0.7]]);
 */
export function rhatBasic(chains: Chains): number {
  return rhatOfChains(splitChains(toChainArrays(chains, "rhatBasic")));
}

/**
 * Rank-normalized split R-hat: max(bulk R-hat, folded tail R-hat). Values above 1.01 signal
 * chains that have not mixed.
 *
 * @example
 * rhat([[0.1, -0.4, 0.3, 1.2], [0.5, -1.1, 0.2, 0.7]]); // near 1 for mixed chains
 */
export function rhat(chains: Chains): number {
  const arrays = toChainArrays(chains, "rhat");
  if (isDegenerate(arrays)) return Number.NaN;
  const bulk = rhatOfChains(rankNormalize(splitChains(arrays)));
  const center = median(pool(arrays));
  const folded = arrays.map((chain) => chain.map((x) => Math.abs(x - center)));
  const tail = rhatOfChains(rankNormalize(splitChains(folded)));
  return Math.max(bulk, tail);
}
