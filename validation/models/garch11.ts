/**
 * garch-garch11 (posteriordb; stan-dev/stat_comp_benchmarks): GARCH(1, 1) with a flat prior
 * over its whole support, where beta1's upper bound depends on alpha1.
 *
 *   flat density on {mu in R, alpha0 > 0, 0 < alpha1 < 1, 0 < beta1 < 1 - alpha1},
 *   sigma[1] = sigma1 (data),
 *   sigma[t]^2 = alpha0 + alpha1 (y[t-1] - mu)^2 + beta1 sigma[t-1]^2 for t = 2..T,
 *   y[t] ~ Normal(mu, sigma[t]) for t = 1..T.
 *
 * beta1 is an ImproperUniform on the interval (0, 1 - alpha1): density 0 there, and the
 * potential adds the Jacobian of the transform onto that interval, built at each point. A
 * Uniform(0, 1 - alpha1) would add -log(1 - alpha1), a different posterior (model.md).
 */
import { constant, constraints, ImproperUniform, Normal, sample, tf } from "../../src/index.js";
import { type PosteriorDefinition, readPosteriorFile, scalarSite } from "../posteriordb.js";

const POSTERIOR = "garch-garch11";

/** The data: the series and the fixed volatility at t = 1. */
export interface GarchData {
  readonly y: tf.Tensor;
  /** y[t-1] for t = 2..T. */
  readonly previous: tf.Tensor;
  readonly sigma1: number;
}

/** data.json of the posterior. */
export function loadData(): GarchData {
  const { y, sigma1 } = readPosteriorFile<{ y: number[]; sigma1: number }>(POSTERIOR, "data.json");
  return { y: constant(y), previous: constant(y.slice(0, -1)), sigma1 };
}

/** The GARCH(1, 1) likelihood: the variance recursion is a loop, the rest vectorized. */
export function* model(data: GarchData) {
  const mu = yield* sample("mu", ImproperUniform(constraints.real));
  const alpha0 = yield* sample("alpha0", ImproperUniform(constraints.positive));
  const alpha1 = yield* sample("alpha1", ImproperUniform(constraints.unitInterval));
  const beta1 = yield* sample(
    "beta1",
    ImproperUniform(constraints.interval(0, tf.sub(constant(1), alpha1))),
  );
  // sigma[t]^2 = shock[t] + beta1 sigma[t-1]^2, shock[t] = alpha0 + alpha1 (y[t-1] - mu)^2.
  const shocks = tf.unstack(tf.add(alpha0, tf.mul(alpha1, tf.square(tf.sub(data.previous, mu)))));
  const variances: tf.Tensor[] = [constant(data.sigma1 * data.sigma1)];
  for (const shock of shocks) {
    variances.push(tf.add(shock, tf.mul(beta1, variances[variances.length - 1])));
  }
  yield* sample("y", Normal(mu, tf.sqrt(tf.stack(variances))), { obs: data.y });
}

/** The posterior as the validation runs it. */
export const garch11: PosteriorDefinition<GarchData> = {
  posterior: POSTERIOR,
  model,
  loadData,
  scalars: {
    ...scalarSite("mu"),
    ...scalarSite("alpha0"),
    ...scalarSite("alpha1"),
    ...scalarSite("beta1"),
  },
};
