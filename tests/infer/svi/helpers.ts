/**
 * Small models with closed-form posteriors, and float64 helpers, shared by the SVI tests.
 */
import { HalfNormal, Normal, plate, sample, tf } from "../../../src/index.js";

export const LOG_2PI = Math.log(2 * Math.PI);
export const logNormal = (x: number, m: number, s: number): number =>
  -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * LOG_2PI;
export const logHalfNormal = (x: number, s: number): number => Math.LN2 + logNormal(x, 0, s);

/** mu ~ N(PRIOR_MEAN, PRIOR_SD); y_i ~ N(mu, NOISE_SD), as a plate. */
export const PRIOR_MEAN = 1;
export const PRIOR_SD = 2;
export const NOISE_SD = 1.5;
export const Y = [2.9, 4.1, 3.3, 1.8, 4.6, 3.9, 2.2, 3.5, 4.4, 2.7, 3.1, 3.8];

export function* conjugateNormal(y: number[]) {
  const mu = yield* sample("mu", Normal(PRIOR_MEAN, PRIOR_SD));
  yield* plate("data", y.length, function* () {
    yield* sample("y", Normal(mu, NOISE_SD), { obs: y });
  });
}

/** The exact posterior of `conjugateNormal`: mean and sd. */
export function conjugatePosterior(y: number[]): { mean: number; sd: number } {
  const precision = 1 / PRIOR_SD ** 2 + y.length / NOISE_SD ** 2;
  const sum = y.reduce((a, b) => a + b, 0);
  return {
    mean: (PRIOR_MEAN / PRIOR_SD ** 2 + sum / NOISE_SD ** 2) / precision,
    sd: 1 / Math.sqrt(precision),
  };
}

/** log p(y) of `conjugateNormal`: log p(y | mu) + log p(mu) - log p(mu | y) at any mu. */
export function conjugateLogEvidence(y: number[]): number {
  const { mean, sd } = conjugatePosterior(y);
  const mu = mean;
  const logLik = y.reduce((a, yi) => a + logNormal(yi, mu, NOISE_SD), 0);
  return logLik + logNormal(mu, PRIOR_MEAN, PRIOR_SD) - logNormal(mu, mean, sd);
}

/** sigma ~ HalfNormal(2); y_i ~ N(0, sigma): a positive latent site (exp transform). */
export const SCALE_DATA = [0.8, -1.9, 2.4, -0.3, 1.1, -2.2, 0.6];
export function* scaleModel(y: number[]) {
  const sigma = yield* sample("sigma", HalfNormal(2));
  yield* plate("data", y.length, function* () {
    yield* sample("y", Normal(0, sigma), { obs: y });
  });
}

export const mean = (d: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i];
  return s / d.length;
};
export const sd = (d: ArrayLike<number>): number => {
  const m = mean(d);
  let s = 0;
  for (let i = 0; i < d.length; i++) s += (d[i] - m) ** 2;
  return Math.sqrt(s / (d.length - 1));
};

export { tf };
