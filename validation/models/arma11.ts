/**
 * arma-arma11 (posteriordb; stan-dev/stat_comp_benchmarks): ARMA(1, 1) through its recursive
 * one-step-ahead errors.
 *
 *   mu ~ Normal(0, 10), phi ~ Normal(0, 2), theta ~ Normal(0, 2), sigma ~ HalfCauchy(2.5),
 *   err[1] = y[1] - (mu + phi mu),
 *   err[t] = y[t] - (mu + phi y[t-1] + theta err[t-1]) for t = 2..T,
 *   err[t] ~ Normal(0, sigma) for all t = 1..T.
 */
import { constant, factor, HalfCauchy, Normal, sample, tf } from "../../src/index.js";
import { type PosteriorDefinition, readPosteriorFile, scalarSite } from "../posteriordb.js";

const POSTERIOR = "arma-arma11";

/** The data: the series and its first lag. */
export interface ArmaData {
  readonly T: number;
  readonly y: tf.Tensor;
  /** y[t-1] for t = 2..T. */
  readonly previous: tf.Tensor;
  /** y[t] for t = 2..T. */
  readonly current: tf.Tensor;
}

/** data.json of the posterior. */
export function loadData(): ArmaData {
  const { T, y } = readPosteriorFile<{ T: number; y: number[] }>(POSTERIOR, "data.json");
  return { T, y: constant(y), previous: constant(y.slice(0, -1)), current: constant(y.slice(1)) };
}

/** The ARMA(1, 1) likelihood: a loop over time for the MA part, everything else vectorized. */
export function* model(data: ArmaData) {
  const mu = yield* sample("mu", Normal(0, 10));
  const phi = yield* sample("phi", Normal(0, 2));
  const theta = yield* sample("theta", Normal(0, 2));
  const sigma = yield* sample("sigma", HalfCauchy(2.5));
  // err[t] = (y[t] - mu - phi y[t-1]) - theta err[t-1]: the first term needs no recursion.
  const innovations = tf.unstack(tf.sub(tf.sub(data.current, mu), tf.mul(phi, data.previous)));
  const first = tf.sub(tf.reshape(tf.slice(data.y, [0], [1]), []), tf.add(mu, tf.mul(phi, mu)));
  const errors: tf.Tensor[] = [first];
  for (const innovation of innovations) {
    errors.push(tf.sub(innovation, tf.mul(theta, errors[errors.length - 1])));
  }
  yield* factor("err", tf.sum(Normal(0, sigma).logProb(tf.stack(errors))));
}

/** The posterior as the validation runs it. */
export const arma11: PosteriorDefinition<ArmaData> = {
  posterior: POSTERIOR,
  model,
  loadData,
  scalars: {
    ...scalarSite("mu"),
    ...scalarSite("phi"),
    ...scalarSite("theta"),
    ...scalarSite("sigma"),
  },
};
