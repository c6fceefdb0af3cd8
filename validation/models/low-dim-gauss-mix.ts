/**
 * low_dim_gauss_mix-low_dim_gauss_mix (posteriordb; stan-dev/stat_comp_benchmarks): a
 * two-component normal mixture with ordered means.
 *
 *   mu ordered (mu[1] < mu[2]), mu[k] ~ Normal(0, 2) on the ordered region,
 *   sigma[k] ~ HalfNormal(2), theta ~ Beta(5, 5),
 *   y[n] ~ theta Normal(mu[1], sigma[1]) + (1 - theta) Normal(mu[2], sigma[2]).
 */
import {
  Beta,
  constant,
  constraints,
  factor,
  HalfNormal,
  ImproperUniform,
  Normal,
  sample,
  tf,
} from "../../src/index.js";
import {
  type PosteriorDefinition,
  readPosteriorFile,
  scalarSite,
  vectorElements,
} from "../posteriordb.js";

const POSTERIOR = "low_dim_gauss_mix-low_dim_gauss_mix";

/** The data: the observations as an [N, 1] column (components along the last axis). */
export interface GaussMixData {
  readonly y: tf.Tensor;
}

/** data.json of the posterior. */
export function loadData(): GaussMixData {
  const { y } = readPosteriorFile<{ y: number[] }>(POSTERIOR, "data.json");
  return { y: constant(y.map((v) => [v])) };
}

/** The mixture, its likelihood summed out with log-sum-exp over the two components. */
export function* model(data: GaussMixData) {
  // The ordered constraint carries the support; the Normal(0, 2) densities are a factor.
  const mu = yield* sample("mu", ImproperUniform(constraints.orderedVector, [], [2]));
  yield* factor("mu_prior", tf.sum(Normal(0, 2).logProb(mu)));
  const sigma = yield* sample("sigma", HalfNormal(2).expand([2]));
  const theta = yield* sample("theta", Beta(5, 5));
  const logWeights = tf.stack([tf.log(theta), tf.log1p(tf.neg(theta))]); // [2]
  const perComponent = tf.add(logWeights, Normal(mu, sigma).logProb(data.y)); // [N, 2]
  yield* factor("y", tf.sum(tf.logSumExp(perComponent, -1)));
}

/** The posterior as the validation runs it. */
export const lowDimGaussMix: PosteriorDefinition<GaussMixData> = {
  posterior: POSTERIOR,
  model,
  loadData,
  scalars: { ...vectorElements("mu", 2), ...vectorElements("sigma", 2), ...scalarSite("theta") },
};
