/**
 * sblrc-blr (posteriordb): Bayesian linear regression with vague priors on simulated,
 * correlated predictors in the hundreds, no intercept.
 *
 *   beta[d] ~ Normal(0, 10), sigma ~ HalfNormal(10), y ~ Normal(X beta, sigma).
 */
import { constant, HalfNormal, Normal, sample, type tf } from "../../src/index.js";
import {
  type PosteriorDefinition,
  readPosteriorFile,
  scalarSite,
  vectorElements,
} from "../posteriordb.js";
import { linearPredictor } from "./linear-predictor.js";

const POSTERIOR = "sblrc-blr";

/** The data: responses and the N x D predictor matrix. */
export interface BlrData {
  readonly D: number;
  readonly y: number[];
  readonly x: tf.Tensor;
}

/** data.json (X is stored as N rows of length D). */
export function loadData(): BlrData {
  const raw = readPosteriorFile<{ D: number; y: number[]; X: number[][] }>(POSTERIOR, "data.json");
  return { D: raw.D, y: raw.y, x: constant(raw.X) };
}

/** The regression. */
export function* model(data: BlrData) {
  const beta = yield* sample("beta", Normal(0, 10).expand([data.D]));
  const sigma = yield* sample("sigma", HalfNormal(10));
  yield* sample("y", Normal(linearPredictor(data.x, beta), sigma), { obs: data.y });
}

/** The posterior as the validation runs it. */
export const sblrcBlr: PosteriorDefinition<BlrData> = {
  posterior: POSTERIOR,
  model,
  loadData,
  scalars: { ...vectorElements("beta", 5), ...scalarSite("sigma") },
};
