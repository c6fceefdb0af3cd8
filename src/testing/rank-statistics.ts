/**
 * Rank statistics of simulation-based calibration (Talts, Betancourt, Simpson, Vehtari &
 * Gelman 2018, "Validating Bayesian inference algorithms with simulation-based
 * calibration", arXiv:1804.06788, Algorithm 2): the rank of a prior draw among L
 * (approximately independent) posterior draws is uniform on {0, ..., L} when the inference
 * is calibrated.
 *
 * Posterior draws from MCMC are autocorrelated, which makes ranks pile up at the ends even
 * for a correct sampler; the paper thins them to about their effective sample size. Here the
 * thinning step is ceil(S / min ESS) over the parameters, with the bulk ESS of Vehtari et
 * al. (2021) of the single chain.
 *
 * Simulations may keep different numbers of draws (the ESS varies), so each rank r among L
 * draws is also given as a fractional rank u = (r + v) / (L + 1), v uniform on [0, 1): u is
 * exactly Uniform(0, 1) under calibration whatever L is, and on a grid of multiples of
 * 1 / (L + 1) the empirical distribution of u is that of the ranks themselves.
 */
import { essBulk } from "../infer/diagnostics/ess.js";

/**
 * The rank of `truth` among `draws`: how many draws are smaller (ties count half, rounded
 * down, so that a constant draw set gives the middle rank).
 *
 * @example
 * rankOf(0.3, Float64Array.of(0.1, 0.5, 0.2, 0.9)); // 2
 */
export function rankOf(truth: number, draws: ArrayLike<number>): number {
  let below = 0;
  let ties = 0;
  for (let i = 0; i < draws.length; i++) {
    if (draws[i] < truth) below++;
    else if (draws[i] === truth) ties++;
  }
  return below + Math.floor(ties / 2);
}

/**
 * The thinning step that leaves about independent draws: ceil(S / ESS) with the smallest
 * bulk ESS over the columns (one column per scalar parameter, each of S draws). Columns
 * whose ESS is undefined (constant draws) are ignored; 1 when none has one.
 *
 * @example
 * const { mu, tau } = mcmc.getSamples();
 * thinningStep([mu.data, tau.data]); // e.g. 3 when the smaller ESS is S / 2.6
 */
export function thinningStep(columns: readonly Float64Array[]): number {
  let smallest = Number.POSITIVE_INFINITY;
  for (const column of columns) {
    if (column.length < 4) continue;
    const ess = essBulk([column]);
    if (Number.isFinite(ess) && ess > 0) smallest = Math.min(smallest, ess);
  }
  if (!Number.isFinite(smallest)) return 1;
  const length = columns[0]?.length ?? 1;
  return Math.max(1, Math.ceil(length / smallest));
}

/**
 * Every `step`-th value of `draws`, from the first.
 *
 * @example
 * thin(Float64Array.of(1, 2, 3, 4, 5), 2); // [1, 3, 5]
 */
export function thin(draws: Float64Array, step: number): Float64Array {
  const out = new Float64Array(Math.ceil(draws.length / step));
  for (let i = 0; i < out.length; i++) out[i] = draws[i * step];
  return out;
}

/**
 * The rank r among L draws as a fractional rank (r + v) / (L + 1), with v in [0, 1).
 *
 * @example
 * fractionalRank(3, 9, 0.5); // 0.35
 */
export function fractionalRank(rank: number, numDraws: number, v: number): number {
  return (rank + v) / (numDraws + 1);
}
