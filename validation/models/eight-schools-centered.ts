/**
 * eight_schools-eight_schools_centered (posteriordb; Rubin 1981): the centred form, a funnel
 * as tau -> 0. Known hard: NUTS must report divergent transitions at default settings.
 *
 *   mu ~ Normal(0, 5), tau ~ HalfCauchy(5), theta[j] ~ Normal(mu, tau),
 *   y[j] ~ Normal(theta[j], sigma[j]).
 *
 * posteriordb's reference for it is the non-centred one (the same posterior).
 */
import { HalfCauchy, Normal, plate, sample } from "../../src/index.js";
import {
  type PosteriorDefinition,
  readPosteriorFile,
  scalarSite,
  vectorElements,
} from "../posteriordb.js";
import type { EightSchoolsData } from "./eight-schools-noncentered.js";

const POSTERIOR = "eight_schools-eight_schools_centered";

/** data.json of the posterior. */
export function loadData(): EightSchoolsData {
  return readPosteriorFile<EightSchoolsData>(POSTERIOR, "data.json");
}

/** The centred model: every theta[j] is sampled. */
export function* model(data: EightSchoolsData) {
  const mu = yield* sample("mu", Normal(0, 5));
  const tau = yield* sample("tau", HalfCauchy(5));
  yield* plate("school", data.J, function* () {
    const theta = yield* sample("theta", Normal(mu, tau));
    yield* sample("y", Normal(theta, data.sigma), { obs: data.y });
  });
}

/** The posterior as the validation runs it. */
export const eightSchoolsCentered: PosteriorDefinition<EightSchoolsData> = {
  posterior: POSTERIOR,
  model,
  loadData,
  scalars: { ...vectorElements("theta", 8), ...scalarSite("mu"), ...scalarSite("tau") },
};
