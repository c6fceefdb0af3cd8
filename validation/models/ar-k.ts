/**
 * arK-arK (posteriordb; stan-dev/stat_comp_benchmarks): an autoregressive model of order K = 5,
 * conditional on the first K observations.
 *
 *   alpha ~ Normal(0, 10), beta[k] ~ Normal(0, 10), sigma ~ HalfCauchy(2.5),
 *   y[t] ~ Normal(alpha + sum_k beta[k] y[t-k], sigma) for t = K+1..T.
 */
import { constant, HalfCauchy, Normal, sample, tf } from "../../src/index.js";
import {
  type PosteriorDefinition,
  readPosteriorFile,
  scalarSite,
  vectorElements,
} from "../posteriordb.js";
import { linearPredictor } from "./linear-predictor.js";

const POSTERIOR = "arK-arK";

/** The data: the order K, y[K+1..T], and the lags: lags[t][k] = y[t-k] (1-based k). */
export interface ArKData {
  readonly K: number;
  readonly response: number[];
  readonly lags: tf.Tensor;
}

/** data.json with the (T - K) x K matrix of lagged observations derived. */
export function loadData(): ArKData {
  const { K, T, y } = readPosteriorFile<{ K: number; T: number; y: number[] }>(
    POSTERIOR,
    "data.json",
  );
  const rows: number[][] = [];
  // 0-based t = K..T-1 is the 1-based t = K+1..T; its lag k (1-based) is y[t - k].
  for (let t = K; t < T; t++) rows.push(Array.from({ length: K }, (_, k) => y[t - k - 1]));
  return { K, response: y.slice(K), lags: constant(rows) };
}

/** The AR(K) likelihood over t = K+1..T. */
export function* model(data: ArKData) {
  const alpha = yield* sample("alpha", Normal(0, 10));
  const beta = yield* sample("beta", Normal(0, 10).expand([data.K]));
  const sigma = yield* sample("sigma", HalfCauchy(2.5));
  const mean = tf.add(alpha, linearPredictor(data.lags, beta));
  yield* sample("y", Normal(mean, sigma), { obs: data.response });
}

/** The posterior as the validation runs it. */
export const arK: PosteriorDefinition<ArKData> = {
  posterior: POSTERIOR,
  model,
  loadData,
  scalars: { ...scalarSite("alpha"), ...vectorElements("beta", 5), ...scalarSite("sigma") },
};
