/**
 * kidiq-kidscore_interaction (posteriordb; Gelman & Hill, ARM ch. 3): children's test scores
 * on mother's high school, mother's IQ and their interaction, predictors not centred.
 *
 *   beta ~ flat on R^4 (no prior statement), sigma ~ HalfCauchy(2.5),
 *   kid_score[n] ~ Normal(beta[1] + beta[2] hs[n] + beta[3] iq[n] + beta[4] hs[n] iq[n], sigma).
 */
import {
  constraints,
  HalfCauchy,
  ImproperUniform,
  Normal,
  sample,
  type tf,
} from "../../src/index.js";
import {
  type PosteriorDefinition,
  readPosteriorFile,
  scalarSite,
  vectorElements,
} from "../posteriordb.js";
import { designMatrix, linearPredictor } from "./linear-predictor.js";

const POSTERIOR = "kidiq-kidscore_interaction";

/** The data: scores and the design matrix [1, mom_hs, mom_iq, mom_hs * mom_iq]. */
export interface KidiqData {
  readonly kidScore: number[];
  readonly x: tf.Tensor;
}

/** data.json with the interaction column derived. */
export function loadData(): KidiqData {
  const raw = readPosteriorFile<{ kid_score: number[]; mom_hs: number[]; mom_iq: number[] }>(
    POSTERIOR,
    "data.json",
  );
  const inter = raw.mom_hs.map((hs, n) => hs * raw.mom_iq[n]);
  const ones = raw.kid_score.map(() => 1);
  return { kidScore: raw.kid_score, x: designMatrix([ones, raw.mom_hs, raw.mom_iq, inter]) };
}

/** The regression with a flat prior on beta. */
export function* model(data: KidiqData) {
  const beta = yield* sample("beta", ImproperUniform(constraints.real, [4]));
  const sigma = yield* sample("sigma", HalfCauchy(2.5));
  yield* sample("kid_score", Normal(linearPredictor(data.x, beta), sigma), { obs: data.kidScore });
}

/** The posterior as the validation runs it. */
export const kidiqInteraction: PosteriorDefinition<KidiqData> = {
  posterior: POSTERIOR,
  model,
  loadData,
  scalars: { ...vectorElements("beta", 4), ...scalarSite("sigma") },
};
