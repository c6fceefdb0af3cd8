import { describe, expect, it } from "vitest";
import { logDensity, Normal, pointLogProbs, sample } from "../../src/index.js";

// The PyMC developer guide's example: z ~ N(0, 5), x ~ N(z, 1) observed at 5.
function* zx() {
  const z = yield* sample("z", Normal(0, 5));
  yield* sample("x", Normal(z, 1), { obs: 5 });
}

// float32 evaluation: relative tolerance of a few float32 ulps of the summands.
const closeTo = (actual: number, expected: number) =>
  expect(Math.abs(actual - expected)).toBeLessThan(2e-6 * Math.max(1, Math.abs(expected)));

describe("densities at z = 2.5", () => {
  it("per-site log-probabilities match the closed forms", () => {
    const lp = pointLogProbs(zx, [], { z: 2.5 });
    closeTo(lp.z, -2.65337645);
    closeTo(lp.x, -4.0439386);
  });

  it("the model log density is their sum", () => {
    closeTo(logDensity(zx, [], { z: 2.5 }), -6.6973152);
  });

  it("agrees with the normal density formula at other points", () => {
    const logN = (x: number, m: number, s: number) =>
      -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);
    for (const z of [-3, 0, 1.7, 8])
      closeTo(logDensity(zx, [], { z }), logN(z, 0, 5) + logN(5, z, 1));
  });

  it("a missing latent value is an error naming the site", () => {
    expect(() => logDensity(zx, [], {})).toThrow(/logDensity: no value for the latent site "z"/);
  });
});
