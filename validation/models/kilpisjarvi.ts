/**
 * kilpisjarvi_mod-kilpisjarvi (posteriordb; summer temperatures at Kilpisjärvi, FMI): a linear
 * trend on the year, not centred (x about 4 000), so corr(alpha, beta) = -0.99999. Known hard
 * for a diagonal metric (tree-depth saturation); a dense metric samples it well.
 *
 *   alpha ~ Normal(pmualpha, psalpha), beta ~ Normal(pmubeta, psbeta),
 *   sigma ~ flat on (0, inf) (no prior statement; flat in sigma itself),
 *   y[n] ~ Normal(alpha + beta x[n], sigma).
 */
import { constant, constraints, ImproperUniform, Normal, sample, tf } from "../../src/index.js";
import { type PosteriorDefinition, readPosteriorFile, scalarSite } from "../posteriordb.js";

const POSTERIOR = "kilpisjarvi_mod-kilpisjarvi";

/** data.json: years, temperatures and the prior hyper-parameters (`xpred` is not used). */
export interface KilpisjarviData {
  readonly N: number;
  readonly x: number[];
  readonly y: number[];
  readonly pmualpha: number;
  readonly psalpha: number;
  readonly pmubeta: number;
  readonly psbeta: number;
}

/** data.json of the posterior. */
export function loadData(): KilpisjarviData {
  return readPosteriorFile<KilpisjarviData>(POSTERIOR, "data.json");
}

/** The regression with the data's prior hyper-parameters and a flat prior on sigma. */
export function* model(data: KilpisjarviData) {
  const alpha = yield* sample("alpha", Normal(data.pmualpha, data.psalpha));
  const beta = yield* sample("beta", Normal(data.pmubeta, data.psbeta));
  const sigma = yield* sample("sigma", ImproperUniform(constraints.positive));
  const mean = tf.add(alpha, tf.mul(beta, constant(data.x)));
  yield* sample("y", Normal(mean, sigma), { obs: data.y });
}

/** The posterior as the validation runs it. */
export const kilpisjarvi: PosteriorDefinition<KilpisjarviData> = {
  posterior: POSTERIOR,
  model,
  loadData,
  scalars: { ...scalarSite("alpha"), ...scalarSite("beta"), ...scalarSite("sigma") },
};
