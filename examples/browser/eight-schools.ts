/**
 * Eight schools, non-centred (Rubin 1981; the parametrization of posteriordb's
 * `eight_schools_noncentered`): the model the browser example samples.
 */
import { deterministic, HalfCauchy, Normal, plate, sample, tf } from "../../src/index.js";

/** Standard errors of the eight schools' estimated treatment effects. */
export const sigma = [15, 10, 16, 11, 9, 11, 10, 18];
/** Estimated treatment effects. */
export const y = [28, 8, -3, 7, -1, 1, 18, 12];

/**
 * theta = mu + tau * eta with eta ~ Normal(0, 1): the school effects are a deterministic site,
 * so the sampler explores (mu, tau, eta) without the funnel of the centred form.
 */
export function* eightSchools(sigma: number[], y?: number[]) {
  const mu = yield* sample("mu", Normal(0, 5));
  const tau = yield* sample("tau", HalfCauchy(5));
  const theta = yield* plate("school", sigma.length, function* () {
    const eta = yield* sample("eta", Normal(0, 1));
    return yield* deterministic("theta", tf.add(mu, tf.mul(tau, eta)));
  });
  yield* plate("school", sigma.length, function* () {
    yield* sample("y", Normal(theta, sigma), { obs: y });
  });
}
