/**
 * eight_schools-eight_schools_noncentered (posteriordb; Rubin 1981): the non-centred
 * hierarchical model of eight schools' treatment effects.
 *
 *   eta[j] ~ Normal(0, 1), mu ~ Normal(0, 5), tau ~ HalfCauchy(5),
 *   theta[j] = mu + tau * eta[j]  (derived; what the reference reports),
 *   y[j] ~ Normal(theta[j], sigma[j]).
 */
import { deterministic, HalfCauchy, Normal, plate, sample, tf } from "../../src/index.js";
import {
  type PosteriorDefinition,
  readPosteriorFile,
  scalarSite,
  vectorElements,
} from "../posteriordb.js";

/** The data of eight_schools: effects `y` and their known standard errors `sigma`. */
export interface EightSchoolsData {
  readonly J: number;
  readonly y: number[];
  readonly sigma: number[];
}

const POSTERIOR = "eight_schools-eight_schools_noncentered";

/** data.json of the posterior. */
export function loadData(): EightSchoolsData {
  return readPosteriorFile<EightSchoolsData>(POSTERIOR, "data.json");
}

/** The non-centred model; `theta` is a deterministic site. */
export function* model(data: EightSchoolsData) {
  const mu = yield* sample("mu", Normal(0, 5));
  const tau = yield* sample("tau", HalfCauchy(5));
  const theta = yield* plate("school", data.J, function* () {
    const eta = yield* sample("eta", Normal(0, 1));
    return yield* deterministic("theta", tf.add(mu, tf.mul(tau, eta)));
  });
  yield* plate("school", data.J, function* () {
    yield* sample("y", Normal(theta, data.sigma), { obs: data.y });
  });
}

/** The posterior as the validation runs it. */
export const eightSchoolsNoncentered: PosteriorDefinition<EightSchoolsData> = {
  posterior: POSTERIOR,
  model,
  loadData,
  scalars: { ...vectorElements("theta", 8), ...scalarSite("mu"), ...scalarSite("tau") },
};
