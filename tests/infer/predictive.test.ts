import { describe, expect, it } from "vitest";
import {
  condition,
  type Draws,
  deterministic,
  HalfNormal,
  Normal,
  PRNGKey,
  Predictive,
  plate,
  sample,
  tf,
} from "../../src/index.js";

const mean = (d: Float64Array) => d.reduce((a, b) => a + b, 0) / d.length;
const variance = (d: Float64Array) => {
  const m = mean(d);
  return d.reduce((a, b) => a + (b - m) ** 2, 0) / (d.length - 1);
};

// PyMC's broadcasting case: mu (5,1), sigma (1,10), x observed with shape (2,5,10).
function* pymcCase(x: number[][][]) {
  const mu = yield* sample("mu", Normal(0, 1).expand([5, 1]));
  const sigma = yield* sample("sigma", HalfNormal(5).expand([1, 10]));
  yield* sample("x", Normal(mu, sigma), { obs: x });
}
const observed = Array.from({ length: 2 }, () =>
  Array.from({ length: 5 }, () => Array.from({ length: 10 }, () => 0.1)),
);

describe("prior predictive", () => {
  it("broadcasts as PyMC does: 100 draws of x have shape (100, 2, 5, 10)", () => {
    const draws = new Predictive(pymcCase, { numSamples: 100 }).run(PRNGKey(0), observed);
    expect(draws.x.shape).toEqual([100, 2, 5, 10]);
    expect(draws.mu.shape).toEqual([100, 5, 1]);
    expect(draws.sigma.shape).toEqual([100, 1, 10]);
    expect(draws.x.data.length).toBe(100 * 2 * 5 * 10);
  });

  it("draws are independent across the batch: moments match the priors", () => {
    const draws = new Predictive(pymcCase, { numSamples: 400 }).run(PRNGKey(1), observed);
    const mu = draws.mu.data; // 2000 N(0, 1) values
    expect(Math.abs(mean(mu)) / Math.sqrt(1 / mu.length)).toBeLessThan(4.5);
    expect(Math.abs(variance(mu) - 1) / Math.sqrt(2 / mu.length)).toBeLessThan(4.5);
    // E[sigma^2] = 25 for HalfNormal(5); Var[sigma^2] = 2 * 25^2.
    const s2 = draws.sigma.data.map((s) => s * s);
    expect(Math.abs(mean(s2) - 25) / Math.sqrt((2 * 625) / s2.length)).toBeLessThan(4.5);
    // x given mu, sigma: (x - mu) / sigma is N(0, 1).
    const z = new Float64Array(draws.x.data.length);
    for (let n = 0; n < 400; n++)
      for (let r = 0; r < 2; r++)
        for (let i = 0; i < 5; i++)
          for (let j = 0; j < 10; j++) {
            const x = draws.x.data[((n * 2 + r) * 5 + i) * 10 + j];
            z[((n * 2 + r) * 5 + i) * 10 + j] =
              (x - draws.mu.data[n * 5 + i]) / draws.sigma.data[n * 10 + j];
          }
    expect(Math.abs(variance(z) - 1) / Math.sqrt(2 / z.length)).toBeLessThan(4.5);
  });

  it("draw-by-draw gives the same shapes", () => {
    const draws = new Predictive(pymcCase, { numSamples: 5, parallel: false }).run(
      PRNGKey(2),
      observed,
    );
    expect(draws.x.shape).toEqual([5, 2, 5, 10]);
    expect(draws.mu.shape).toEqual([5, 5, 1]);
  });
});

describe("posterior predictive", () => {
  function* eightSchools(sigma: number[], y?: number[]) {
    const mu = yield* sample("mu", Normal(0, 5));
    const tau = yield* sample("tau", HalfNormal(5));
    const theta = yield* plate("school", sigma.length, function* () {
      const eta = yield* sample("eta", Normal(0, 1));
      return yield* deterministic("theta", tf.add(mu, tf.mul(tau, eta)));
    });
    yield* plate("school", sigma.length, function* () {
      yield* sample("y", Normal(theta, sigma), { obs: y });
    });
  }
  const sigma = [15, 10, 16, 11, 9, 11, 10, 18];
  const y = [28, 8, -3, 7, -1, 1, 18, 12];
  const n = 300;
  const posteriorSamples: Record<string, Draws> = {
    mu: { shape: [n], data: Float64Array.from({ length: n }, (_, i) => (i % 7) - 3) },
    tau: { shape: [n], data: Float64Array.from({ length: n }, (_, i) => 1 + (i % 3)) },
    eta: {
      shape: [n, 8],
      data: Float64Array.from({ length: n * 8 }, (_, i) => ((i * 37) % 11) / 5 - 1),
    },
  };

  it("uses the given draws: theta = mu + tau * eta exactly, and y centres on theta", () => {
    const out = new Predictive(eightSchools, { posteriorSamples }).run(PRNGKey(3), sigma, y);
    expect(Object.keys(out).sort()).toEqual(["theta", "y"]);
    expect(out.theta.shape).toEqual([n, 8]);
    expect(out.y.shape).toEqual([n, 8]);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < 8; j++) {
        const expected =
          posteriorSamples.mu.data[i] +
          posteriorSamples.tau.data[i] * posteriorSamples.eta.data[i * 8 + j];
        expect(out.theta.data[i * 8 + j]).toBeCloseTo(expected, 5);
      }
    const z = out.y.data.map((v, k) => (v - out.theta.data[k]) / sigma[k % 8]);
    expect(Math.abs(mean(z)) / Math.sqrt(1 / z.length)).toBeLessThan(4.5);
    expect(Math.abs(variance(z) - 1) / Math.sqrt(2 / z.length)).toBeLessThan(4.5);
  });

  it("returnSites selects what comes back, and a wrong numSamples is an error", () => {
    const out = new Predictive(eightSchools, { posteriorSamples, returnSites: ["y"] }).run(
      PRNGKey(4),
      sigma,
      y,
    );
    expect(Object.keys(out)).toEqual(["y"]);
    expect(() => new Predictive(eightSchools, { posteriorSamples, numSamples: 3 })).toThrow(
      /numSamples 3 differs from the 300/,
    );
  });
});

describe("values fixed by condition", () => {
  // y ~ Normal(mu, 1) with mu fixed at 3 by condition: Predictive must keep mu = 3 (it is not
  // data to resample), so y's draws have mean 3 and variance 1.
  function* model(y?: number) {
    const mu = yield* sample("mu", Normal(0, 1));
    yield* sample("y", Normal(mu, 1), { obs: y });
  }

  it.each([false, true])("stay fixed in prior predictive draws (parallel: %s)", (parallel) => {
    const n = 2000;
    const out = new Predictive(condition(model, { mu: 3 }), { numSamples: n, parallel }).run(
      PRNGKey(5),
      0.5,
    );
    expect(out.mu.data.every((v) => v === 3)).toBe(true);
    const y = out.y.data;
    expect(y.length).toBe(n);
    expect(Math.abs(mean(y) - 3)).toBeLessThan(4.5 * Math.sqrt(1 / n));
    expect(Math.abs(variance(y) - 1)).toBeLessThan(4.5 * Math.sqrt(2 / (n - 1)));
  });
});
