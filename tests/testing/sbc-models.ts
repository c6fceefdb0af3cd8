/**
 * Small models with known-correct inference, for simulation-based calibration in the tests
 * and in validation/sbc.ts: a normal mean, a normal scale (a positive parameter through the
 * exp transform), and a binomial probability (a unit-interval parameter, discrete data).
 */

import { defineOp } from "../../src/compile/index.js";
import { Beta, Binomial, HalfNormal, Normal, plate, sample } from "../../src/index.js";

/** mu ~ Normal(0, 1); y_i ~ Normal(mu, 1). */
export function* normalMean(y: number[]) {
  const mu = yield* sample("mu", Normal(0, 1));
  yield* plate("data", y.length, function* () {
    yield* sample("y", Normal(mu, 1), { obs: y });
  });
}

/** sigma ~ HalfNormal(1); y_i ~ Normal(0, sigma). */
export function* normalScale(y: number[]) {
  const sigma = yield* sample("sigma", HalfNormal(1));
  yield* plate("data", y.length, function* () {
    yield* sample("y", Normal(0, sigma), { obs: y });
  });
}

/** p ~ Beta(2, 2); k_i ~ Binomial(10, p). */
export function* binomialRate(k: number[]) {
  const p = yield* sample("p", Beta(2, 2));
  yield* plate("trials", k.length, function* () {
    yield* sample("k", Binomial(10, { probs: p }), { obs: k });
  });
}

/** The three models with data slots of the right shape (resampled by sbc). */
export const smallModels = [
  { name: "normalMean", model: normalMean, args: [[0.1, -0.4, 1.2, 0.8, 0.3]] },
  { name: "normalScale", model: normalScale, args: [[0.5, -1.1, 0.3, 2.0, -0.7, 0.2, 1.4, -0.9]] },
  { name: "binomialRate", model: binomialRate, args: [[3, 5, 4, 6]] },
] as const;

/** x^3 + x as a custom op (defined here, outside the library: workers must import this module). */
export const cubicPlusLinear = defineOp({
  name: "test.cubicPlusLinear",
  inputs: ["x"],
  forward: ([x]) => x.map((v) => v * v * v + v),
  vjp: ([x], _shapes, _y, dy) => [x.map((v, i) => (3 * v * v + 1) * dy[i])],
});

/** mu ~ Normal(0, 1); y_i ~ Normal(mu^3 + mu, 1), through the custom op. */
export function* customOpMean(y: number[]) {
  const mu = yield* sample("mu", Normal(0, 1));
  yield* plate("data", y.length, function* () {
    yield* sample("y", Normal(cubicPlusLinear(mu), 1), { obs: y });
  });
}
