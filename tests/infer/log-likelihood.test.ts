/**
 * logLikelihood on a linear regression: at each draw, each observation's value equals the
 * Normal log density computed here independently in float64 (the library's values are float32
 * arithmetic, so the tolerance is 2e-6 relative).
 */
import { describe, expect, it } from "vitest";
import { constant, factor, HalfNormal, mask, Normal, plate, sample, tf } from "../../src/index.js";
import { logLikelihood } from "../../src/infer/index.js";

const x = [-1.5, -0.7, 0, 0.4, 1.1, 2.3];
const y = [-2.1, -0.4, 0.8, 1.2, 3.1, 5.6];

function* regression(x: number[], y?: number[]) {
  const alpha = yield* sample("alpha", Normal(0, 10));
  const beta = yield* sample("beta", Normal(0, 10));
  const sigma = yield* sample("sigma", HalfNormal(5));
  const mu = tf.add(alpha, tf.mul(beta, constant(x)));
  yield* plate("data", x.length, function* () {
    yield* sample("obs", Normal(mu, sigma), { obs: y });
  });
}

// Posterior-like draws: any values will do, the check is pointwise.
const numDraws = 25;
const draw = (f: (i: number) => number) => ({
  shape: [numDraws],
  data: Float64Array.from({ length: numDraws }, (_, i) => f(i)),
});
const samples = {
  alpha: draw((i) => 0.8 + 0.3 * Math.sin(i)),
  beta: draw((i) => 1.9 + 0.2 * Math.cos(3 * i)),
  sigma: draw((i) => 0.5 + 0.04 * i),
};

function normalLogDensity(value: number, loc: number, scale: number): number {
  const z = (value - loc) / scale;
  return -0.5 * Math.log(2 * Math.PI) - Math.log(scale) - 0.5 * z * z;
}

describe("logLikelihood", () => {
  it("equals the per-point Normal log density at each draw", () => {
    const ll = logLikelihood(regression, samples, x, y);
    expect(Object.keys(ll)).toEqual(["obs"]);
    expect(ll.obs.shape).toEqual([numDraws, x.length]);
    for (let s = 0; s < numDraws; s++) {
      for (let i = 0; i < x.length; i++) {
        const loc = samples.alpha.data[s] + samples.beta.data[s] * x[i];
        const expected = normalLogDensity(y[i], loc, samples.sigma.data[s]);
        const actual = ll.obs.data[s * x.length + i];
        expect(Math.abs(actual - expected)).toBeLessThan(2e-6 * Math.abs(expected) + 1e-6);
      }
    }
  });

  it("includes factors, applies masks and keeps vector sites' shapes", () => {
    function* observed() {
      const mu = yield* sample("mu", Normal(0, 1));
      yield* sample("a", Normal(mu, 1), { obs: [0.5, -0.5, 1.5] });
    }
    function* penalized() {
      const mu = yield* sample("mu", Normal(0, 1));
      yield* factor("penalty", tf.mul(-2, tf.square(mu)));
    }
    const mu = { shape: [2], data: Float64Array.of(0.3, -1.2) };
    const ll = logLikelihood(mask(observed, [true, false, true]), { mu });
    const lf = logLikelihood(penalized, { mu });
    expect(ll.a.shape).toEqual([2, 3]);
    expect(lf.penalty.shape).toEqual([2]);
    for (let s = 0; s < 2; s++) {
      const m = mu.data[s];
      expect(ll.a.data[s * 3]).toBeCloseTo(normalLogDensity(0.5, m, 1), 5);
      expect(ll.a.data[s * 3 + 1]).toBe(0);
      expect(ll.a.data[s * 3 + 2]).toBeCloseTo(normalLogDensity(1.5, m, 1), 5);
      expect(lf.penalty.data[s]).toBeCloseTo(-2 * m * m, 5);
    }
  });

  it("names a latent site that has no draws", () => {
    const { sigma: _, ...partial } = samples;
    expect(() => logLikelihood(regression, partial, x, y)).toThrow(
      /latent site "sigma" has no draws/,
    );
  });
});
