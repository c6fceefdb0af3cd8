/**
 * The two models ADVI is compared with NUTS on, and their references: eight schools
 * (non-centred; posteriordb's reference posterior) and Bayesian logistic regression on
 * tests/oracles/data/logistic_5000x20.json (Stan's NUTS summary in tests/oracles/stan).
 */
import {
  Bernoulli,
  constant,
  deterministic,
  HalfCauchy,
  Normal,
  plate,
  sample,
  tf,
} from "../../../src/index.js";
import { readOracle } from "../../oracles/paths.js";

/** Eight schools, non-centred: theta = mu + tau * eta. */
export function* eightSchools(sigma: number[], y: number[]) {
  const mu = yield* sample("mu", Normal(0, 5));
  const tau = yield* sample("tau", HalfCauchy(5));
  yield* plate("school", sigma.length, function* () {
    const eta = yield* sample("eta", Normal(0, 1));
    const theta = yield* deterministic("theta", tf.add(mu, tf.mul(tau, eta)));
    yield* sample("y", Normal(theta, sigma), { obs: y });
  });
}

export const eightSchoolsData: { J: number; y: number[]; sigma: number[] } = readOracle(
  "posteriordb/eight_schools-eight_schools_noncentered/data.json",
);

/** posteriordb's reference: mean and sd of mu, tau and theta[1..8]. */
export const eightSchoolsReference: Record<string, { mean: number; sd: number }> = readOracle(
  "posteriordb/eight_schools-eight_schools_noncentered/reference.json",
).parameters;

/**
 * Logistic regression with N(0, 1) priors. `XT` is the transposed design matrix [D, N]. The
 * coefficient vector is [D] alone or [P, 1, D] under particle batching (its batch dim -1 is
 * the data plate's), so X beta fills the data plate's dim.
 */
export function* logisticRegression(XT: tf.Tensor, y: tf.Tensor) {
  const [D, N] = XT.shape;
  const alpha = yield* sample("alpha", Normal(0, 1));
  const beta = yield* sample("beta", Normal(0, 1).expand([D]).toEvent(1));
  const lead = beta.shape.slice(0, -2);
  const xBeta = tf.reshape(tf.matMul(tf.reshape(beta, [-1, D]), XT), [...lead, N]);
  yield* plate("data", N, function* () {
    yield* sample("y", Bernoulli({ logits: tf.add(alpha, xBeta) }), { obs: y });
  });
}

/** The data as tensors: XT [20, 5000] and y [5000]. */
export function logisticData(): { XT: tf.Tensor; y: tf.Tensor } {
  const data = readOracle("data/logistic_5000x20.json");
  return { XT: tf.transpose(constant(data.X)), y: constant(data.y) };
}

/** Stan's NUTS summary (4 x 1000 draws): mean and sd by variable ("alpha", "beta[1]", ...). */
export function logisticReference(): Record<string, { mean: number; sd: number }> {
  const out: Record<string, { mean: number; sd: number }> = {};
  for (const row of readOracle("stan/logistic_regression.json").summary) {
    out[row.variable] = { mean: row.mean, sd: row.sd };
  }
  return out;
}
