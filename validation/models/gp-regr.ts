/**
 * gp_pois_regr-gp_regr (posteriordb; stan-dev/stat_comp_benchmarks): Gaussian-process
 * regression with the latent function marginalised out.
 *
 *   rho ~ Gamma(25, 4) (shape, rate), alpha ~ HalfNormal(2), sigma ~ HalfNormal(1),
 *   y ~ MultivariateNormal(0, C), C[i, j] = alpha^2 exp(-(x[i] - x[j])^2 / (2 rho^2))
 *     + delta_ij sigma.
 *
 * The diagonal gets sigma itself, not sigma^2, as posteriordb's model does (model.md).
 */
import { constant, Gamma, HalfNormal, MultivariateNormal, sample, tf } from "../../src/index.js";
import { type PosteriorDefinition, readPosteriorFile, scalarSite } from "../posteriordb.js";
import { identity, squaredDistances, squaredExponential } from "./gp-kernel.js";

const POSTERIOR = "gp_pois_regr-gp_regr";

/** The data: responses, and the squared distances and identity of the inputs. */
export interface GpRegrData {
  readonly y: number[];
  readonly squaredDistances: tf.Tensor;
  readonly identity: tf.Tensor;
  /** The prior mean, 0. */
  readonly zeros: tf.Tensor;
}

/** data.json (the counts `k` are not used by this posterior). */
export function loadData(): GpRegrData {
  const { x, y } = readPosteriorFile<{ x: number[]; y: number[] }>(POSTERIOR, "data.json");
  return {
    y,
    squaredDistances: squaredDistances(x),
    identity: identity(x.length),
    zeros: constant(x.map(() => 0)),
  };
}

/** The marginal GP likelihood. */
export function* model(data: GpRegrData) {
  const rho = yield* sample("rho", Gamma(25, 4));
  const alpha = yield* sample("alpha", HalfNormal(2));
  const sigma = yield* sample("sigma", HalfNormal(1));
  const covariance = tf.add(
    squaredExponential(data.squaredDistances, alpha, rho),
    tf.mul(sigma, data.identity),
  );
  yield* sample("y", MultivariateNormal(data.zeros, { covarianceMatrix: covariance }), {
    obs: data.y,
  });
}

/** The posterior as the validation runs it. */
export const gpRegr: PosteriorDefinition<GpRegrData> = {
  posterior: POSTERIOR,
  model,
  loadData,
  scalars: { ...scalarSite("rho"), ...scalarSite("alpha"), ...scalarSite("sigma") },
};
