/**
 * Eight schools for simulation-based calibration (examples/property-testing.test.ts and
 * validation/sbc.ts): the coaching effects of Rubin (1981) in units of 100 SAT points, so
 * that the standard errors sigma are below 1 and sigma^2 is smaller still, with priors
 * scaled alike (mu ~ N(0, 0.05), tau ~ HalfCauchy(0.05): the usual N(0, 5), HalfCauchy(5) in
 * points). `eightSchoolsWithVariance` has the bug of passing the variance sigma^2 where
 * Normal takes a standard deviation.
 */
import {
  deterministic,
  HalfCauchy,
  Normal,
  plate,
  sample,
  type tf as TF,
  tf,
} from "../src/index.js";

/** Standard errors of the eight effects, in units of 100 points. */
export const sigma = [0.15, 0.1, 0.16, 0.11, 0.09, 0.11, 0.1, 0.18];
/** The estimated effects, in units of 100 points: the data slot of SBC. */
export const y = [0.28, 0.08, -0.03, 0.07, -0.01, 0.01, 0.18, 0.12];

function schoolEffects(mu: TF.Tensor, tau: TF.Tensor, n: number) {
  return plate("school", n, function* () {
    const eta = yield* sample("eta", Normal(0, 1));
    return yield* deterministic("theta", tf.add(mu, tf.mul(tau, eta)));
  });
}

/** Non-centred eight schools. */
export function* eightSchools(sigma: number[], y?: number[]) {
  const mu = yield* sample("mu", Normal(0, 0.05));
  const tau = yield* sample("tau", HalfCauchy(0.05));
  const theta = yield* schoolEffects(mu, tau, sigma.length);
  yield* plate("school", sigma.length, function* () {
    yield* sample("y", Normal(theta, sigma), { obs: y });
  });
}

/** The same model with a bug: the variance sigma^2 where Normal takes a standard deviation. */
export function* eightSchoolsWithVariance(sigma: number[], y?: number[]) {
  const mu = yield* sample("mu", Normal(0, 0.05));
  const tau = yield* sample("tau", HalfCauchy(0.05));
  const theta = yield* schoolEffects(mu, tau, sigma.length);
  yield* plate("school", sigma.length, function* () {
    yield* sample("y", Normal(theta, tf.square(sigma)), { obs: y });
  });
}
