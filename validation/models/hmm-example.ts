/**
 * hmm_example-hmm_example (posteriordb; github.com/imadmali/bball-hmm): a 2-state Gaussian
 * hidden Markov model, the states summed out by the forward algorithm.
 *
 *   theta1, theta2: simplexes, the transition probabilities out of states 1 and 2, flat
 *   (no prior statement: uniform on the simplex);
 *   mu positive ordered (0 < mu[1] < mu[2]), mu[1] ~ Normal(3, 1), mu[2] ~ Normal(10, 1) on
 *   that region;
 *   g[1, k] = log Normal(y[1] | mu[k], 1) (no initial-distribution term),
 *   g[t, k] = logsumexp_j(g[t-1, j] + log P[j, k]) + log Normal(y[t] | mu[k], 1), P[j] = theta_j,
 *   log-likelihood = logsumexp_k g[N, k].
 */
import {
  constant,
  constraints,
  factor,
  ImproperUniform,
  Normal,
  sample,
  tf,
} from "../../src/index.js";
import { type PosteriorDefinition, readPosteriorFile, vectorElements } from "../posteriordb.js";

const POSTERIOR = "hmm_example-hmm_example";

/** The data: the observations as an [N, 1] column (states along the last axis). */
export interface HmmExampleData {
  readonly N: number;
  readonly y: tf.Tensor;
}

/** data.json of the posterior (K = 2 states). */
export function loadData(): HmmExampleData {
  const { N, y } = readPosteriorFile<{ N: number; y: number[] }>(POSTERIOR, "data.json");
  return { N, y: constant(y.map((v) => [v])) };
}

/** The marginal HMM. */
export function* model(data: HmmExampleData) {
  const theta1 = yield* sample("theta1", ImproperUniform(constraints.simplex, [], [2]));
  const theta2 = yield* sample("theta2", ImproperUniform(constraints.simplex, [], [2]));
  const mu = yield* sample("mu", ImproperUniform(constraints.positiveOrderedVector, [], [2]));
  yield* factor("mu_prior", tf.sum(Normal(constant([3, 10]), 1).logProb(mu)));
  const logTransition = tf.log(tf.stack([theta1, theta2])); // [from j, to k]
  const emission = tf.unstack(Normal(mu, 1).logProb(data.y)); // N tensors of [2]
  let g = emission[0];
  for (let t = 1; t < data.N; t++) {
    // g'[k] = logsumexp_j(g[j] + log P[j, k]) + emission[t, k]
    g = tf.add(tf.logSumExp(tf.add(tf.expandDims(g, 1), logTransition), 0), emission[t]);
  }
  yield* factor("y", tf.logSumExp(g));
}

/** The posterior as the validation runs it. */
export const hmmExample: PosteriorDefinition<HmmExampleData> = {
  posterior: POSTERIOR,
  model,
  loadData,
  scalars: {
    ...vectorElements("theta1", 2),
    ...vectorElements("theta2", 2),
    ...vectorElements("mu", 2),
  },
};
