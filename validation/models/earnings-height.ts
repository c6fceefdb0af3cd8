/**
 * earnings-earn_height (posteriordb; Gelman & Hill, ARM ch. 4): yearly earnings in dollars on
 * height in inches, raw scales (posterior sds about 9 700, 144 and 386).
 *
 *   beta ~ flat on R^2, sigma ~ flat on (0, inf) (no prior statements; flat in sigma itself,
 *   so the log transform's Jacobian is part of the density, as Tyche adds for every site),
 *   earn[n] ~ Normal(beta[1] + beta[2] height[n], sigma).
 */
import { constraints, ImproperUniform, Normal, sample, type tf } from "../../src/index.js";
import {
  type PosteriorDefinition,
  readPosteriorFile,
  scalarSite,
  vectorElements,
} from "../posteriordb.js";
import { designMatrix, linearPredictor } from "./linear-predictor.js";

const POSTERIOR = "earnings-earn_height";

/** The data: earnings and the design matrix [1, height]. */
export interface EarningsData {
  readonly earn: number[];
  readonly x: tf.Tensor;
}

/** data.json (`male` is not used by this posterior). */
export function loadData(): EarningsData {
  const raw = readPosteriorFile<{ earn: number[]; height: number[] }>(POSTERIOR, "data.json");
  return { earn: raw.earn, x: designMatrix([raw.earn.map(() => 1), raw.height]) };
}

/** The regression with flat priors on beta and sigma. */
export function* model(data: EarningsData) {
  const beta = yield* sample("beta", ImproperUniform(constraints.real, [2]));
  const sigma = yield* sample("sigma", ImproperUniform(constraints.positive));
  yield* sample("earn", Normal(linearPredictor(data.x, beta), sigma), { obs: data.earn });
}

/** The posterior as the validation runs it. */
export const earningsHeight: PosteriorDefinition<EarningsData> = {
  posterior: POSTERIOR,
  model,
  loadData,
  scalars: { ...vectorElements("beta", 2), ...scalarSite("sigma") },
};
