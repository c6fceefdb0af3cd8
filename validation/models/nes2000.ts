/**
 * nes2000-nes (posteriordb; National Election Study 2000, Gelman & Hill, ARM ch. 4): party
 * identification on ideology, race, age category dummies, education, gender and income.
 *
 *   beta ~ flat on R^9, sigma ~ flat on (0, inf) (no prior statements; flat in sigma itself),
 *   partyid7[n] ~ Normal(beta[1] + beta[2] real_ideo + beta[3] race_adj + beta[4] a2
 *     + beta[5] a3 + beta[6] a4 + beta[7] educ1 + beta[8] gender + beta[9] income, sigma),
 *   with a_k = 1{age_discrete == k}.
 */
import { constraints, ImproperUniform, Normal, sample, type tf } from "../../src/index.js";
import {
  type PosteriorDefinition,
  readPosteriorFile,
  scalarSite,
  vectorElements,
} from "../posteriordb.js";
import { designMatrix, linearPredictor } from "./linear-predictor.js";

const POSTERIOR = "nes2000-nes";

/** The data: the response and the 9-column design matrix. */
export interface NesData {
  readonly partyid7: number[];
  readonly x: tf.Tensor;
}

interface RawNes {
  partyid7: number[];
  real_ideo: number[];
  race_adj: number[];
  age_discrete: number[];
  educ1: number[];
  gender: number[];
  income: number[];
}

/** data.json with the age dummies derived (`year` is not used). */
export function loadData(): NesData {
  const raw = readPosteriorFile<RawNes>(POSTERIOR, "data.json");
  const ageIs = (k: number) => raw.age_discrete.map((a) => (a === k ? 1 : 0));
  const x = designMatrix([
    raw.partyid7.map(() => 1),
    raw.real_ideo,
    raw.race_adj,
    ageIs(2),
    ageIs(3),
    ageIs(4),
    raw.educ1,
    raw.gender,
    raw.income,
  ]);
  return { partyid7: raw.partyid7, x };
}

/** The regression with flat priors. */
export function* model(data: NesData) {
  const beta = yield* sample("beta", ImproperUniform(constraints.real, [9]));
  const sigma = yield* sample("sigma", ImproperUniform(constraints.positive));
  yield* sample("partyid7", Normal(linearPredictor(data.x, beta), sigma), { obs: data.partyid7 });
}

/** The posterior as the validation runs it. */
export const nes2000: PosteriorDefinition<NesData> = {
  posterior: POSTERIOR,
  model,
  loadData,
  scalars: { ...vectorElements("beta", 9), ...scalarSite("sigma") },
};
