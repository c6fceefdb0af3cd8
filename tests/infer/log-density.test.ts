import { describe, expect, it } from "vitest";
import { deterministic, logDensity, ModelError, Normal, sample, tf } from "../../src/index.js";
import { pointLogProbs } from "../../src/infer/index.js";

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

// Issue 12, item 5: bad values and misspelled names are errors naming the API, site and value.
describe("values that are not numbers, and names that are not latent sites", () => {
  function* observed(y: unknown) {
    const z = yield* sample("z", Normal(0, 5));
    yield* sample("x", Normal(z, 1), { obs: y as number });
  }

  it.each([
    ["3", /sample: the value of site "x" must be numbers .*got the string "3"$/],
    [null, /sample: the value of site "x" must be numbers .*got null$/],
    [
      [1, "a"],
      /sample: the value of site "x" must be numbers .*got the string "a" at index \[1\]$/,
    ],
    [
      [[1, 2], [3]],
      /site "x" .*ragged nested array: expected an array of length 2 at index \[1\], got length 1$/,
    ],
  ])("an observation %j names sample, the site and the value", (y, message) => {
    let error: unknown;
    try {
      logDensity(observed, [y], { z: 0 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).site).toBe("x");
    expect((error as Error).message).toMatch(message);
  });

  it("a latent value that is not numbers names logDensity, the site and the value", () => {
    expect(() => logDensity(zx, [], { z: [1, "a"] as never })).toThrow(
      /logDensity: the value of site "z" must be numbers .*got the string "a" at index \[1\]/,
    );
  });

  it("a misspelled or extra name is an error, in logDensity and in pointLogProbs", () => {
    expect(() => logDensity(zx, [], { z: 1, zz: 2 })).toThrow(
      /logDensity: "zz" is not a latent site of the model; params take the latent sites \(z\)/,
    );
    expect(() => pointLogProbs(zx, [], { z: 1, sigma: 2 })).toThrow(
      /pointLogProbs: "sigma" is not a latent site/,
    );
    expect(() => logDensity(zx, [], { z: 1, x: 4 })).toThrow(/"x" is an observed site/);
    expect(() => logDensity(zx, [], { z: 1, constructor: 4 } as never)).toThrow(
      /"constructor" is not a latent site/,
    );
  });

  it("deterministic sites may be given (a draw from getSamples) and are recomputed", () => {
    function* withTheta() {
      const z = yield* sample("z", Normal(0, 5));
      const theta = yield* deterministic("theta", tf.mul(z, 2));
      yield* sample("x", Normal(theta, 1), { obs: 5 });
    }
    const logN = (x: number, m: number, s: number) =>
      -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);
    closeTo(logDensity(withTheta, [], { z: 1, theta: 99 }), logN(1, 0, 5) + logN(5, 2, 1));
  });
});
