/**
 * Recovery of posteriors known in closed form, with fixed seeds and Monte Carlo error bounds
 * from the library's own diagnostics (|error| <= 4.5 MCSE). The potentials are written by hand.
 */
import { describe, expect, it } from "vitest";
import { essBulk, mcseMean, rhat } from "../../../src/infer/diagnostics/index.js";
import {
  type ChainOptions,
  type NutsChainResult as ChainResult,
  runChainSync,
} from "../../../src/infer/nuts/index.js";
import type { GradientTarget } from "../../../src/potential-types.js";
import { foldIn, PRNGKey } from "../../../src/primitives/prng.js";
import { correlatedNormalTarget } from "./targets.js";

function runChains(target: GradientTarget, options: ChainOptions, seed: number, numChains = 4) {
  return Array.from({ length: numChains }, (_, c) =>
    runChainSync(target, options, foldIn(PRNGKey(seed), c)),
  );
}

/** Chains of f(draw[j]), one Float64Array per chain. */
function chainsOf(results: ChainResult[], j: number, f: (x: number) => number = (x) => x) {
  return results.map((r) =>
    Float64Array.from({ length: r.numDraws }, (_, d) => f(r.draws[d * r.dim + j])),
  );
}

function pooledMean(chains: Float64Array[]): number {
  let sum = 0;
  let n = 0;
  for (const chain of chains) {
    for (const x of chain) sum += x;
    n += chain.length;
  }
  return sum / n;
}

/** Checks that the chains' mean of f estimates `expected` within 4.5 MCSE, and that they mixed. */
function expectMeanWithinMcse(chains: Float64Array[], expected: number) {
  const estimate = pooledMean(chains);
  const mcse = mcseMean(chains);
  expect(rhat(chains)).toBeLessThan(1.01);
  expect(essBulk(chains)).toBeGreaterThan(400);
  expect(Math.abs(estimate - expected)).toBeLessThan(4.5 * mcse);
}

describe("recovery of known posteriors", () => {
  it("normal-normal with known variance: posterior mean and variance", () => {
    // mu ~ N(0, 2^2); y_i ~ N(mu, 1.5^2), i = 1..20.
    const y = Array.from({ length: 20 }, (_, i) => 1 + 0.8 * Math.sin(i + 1));
    const priorSd = 2;
    const noiseSd = 1.5;
    const precision = 1 / priorSd ** 2 + y.length / noiseSd ** 2;
    const postMean = y.reduce((a, b) => a + b, 0) / noiseSd ** 2 / precision;
    const postVar = 1 / precision;
    const target: GradientTarget = {
      dim: 1,
      valueAndGrad(q, grad) {
        const mu = q[0];
        let u = (mu * mu) / (2 * priorSd ** 2);
        let g = mu / priorSd ** 2;
        for (const yi of y) {
          u += (yi - mu) ** 2 / (2 * noiseSd ** 2);
          g -= (yi - mu) / noiseSd ** 2;
        }
        grad[0] = g;
        return u;
      },
    };
    const results = runChains(target, { numWarmup: 500, numSamples: 1000 }, 1);
    expectMeanWithinMcse(chainsOf(results, 0), postMean);
    // The variance as the mean of the second central moment around the exact mean.
    expectMeanWithinMcse(
      chainsOf(results, 0, (x) => (x - postMean) ** 2),
      postVar,
    );
    expect(results.every((r) => r.numDivergences === 0)).toBe(true);
  });

  it("gamma-Poisson sampled on log(lambda) with the Jacobian: lambda's mean and variance", () => {
    // lambda ~ Gamma(2, rate 0.5); k_i ~ Poisson(lambda). Posterior Gamma(2 + sum k, 0.5 + n).
    const counts = [3, 5, 2, 4, 6, 1, 3, 4];
    const shape = 2 + counts.reduce((a, b) => a + b, 0);
    const rate = 0.5 + counts.length;
    // theta = log(lambda): log p(theta) = (shape - 1) theta - rate e^theta + theta (Jacobian).
    const target: GradientTarget = {
      dim: 1,
      valueAndGrad(q, grad) {
        const lambda = Math.exp(q[0]);
        grad[0] = -(shape - rate * lambda);
        return -(shape * q[0] - rate * lambda);
      },
    };
    const results = runChains(target, { numWarmup: 500, numSamples: 1000 }, 2);
    const mean = shape / rate;
    const variance = shape / rate ** 2;
    expectMeanWithinMcse(chainsOf(results, 0, Math.exp), mean);
    expectMeanWithinMcse(
      chainsOf(results, 0, (t) => (Math.exp(t) - mean) ** 2),
      variance,
    );
  });

  it("a normal scale on log(sigma), default start and warmup: quadrature's mean and variance", () => {
    // sigma ~ HalfNormal(1); y_i ~ N(0, sigma), i = 1..8 (SBC's normalScale, issue 18), data of
    // a small sigma: the potential in s = log(sigma) has a steep exp(-2s) wall on the left.
    // The chains start where Pathfinder leads (5 ELBO draws) and adapt a low-rank metric.
    const y = [0.05, -0.11, 0.03, 0.2, -0.07, 0.02, 0.14, -0.09];
    const sumSquares = y.reduce((a, b) => a + b * b, 0);
    const n = y.length;
    // log p(s) = -e^{2s}/2 + s (Jacobian) - n s - sum y^2 / (2 e^{2s}), up to a constant.
    const logDensity = (s: number) =>
      -Math.exp(2 * s) / 2 + s - n * s - sumSquares / (2 * Math.exp(2 * s));
    // The oracle: the posterior moments of s on a fine grid (the density is negligible outside).
    let total = 0;
    let first = 0;
    let second = 0;
    for (let k = 0; k <= 20000; k++) {
      const s = -8 + (k * 8) / 20000;
      const w = Math.exp(logDensity(s) - logDensity(Math.log(sumSquares / n) / 2));
      total += w;
      first += w * s;
      second += w * s * s;
    }
    const mean = first / total;
    const variance = second / total - mean ** 2;
    const target: GradientTarget = {
      dim: 1,
      valueAndGrad(q, grad) {
        const e2s = Math.exp(2 * q[0]);
        grad[0] = e2s - 1 + n - sumSquares / e2s;
        return -logDensity(q[0]);
      },
    };
    const results = runChains(target, { numWarmup: 500, numSamples: 1000 }, 2018);
    expect(results.every((r) => r.warmup.pathfinder?.used)).toBe(true);
    expectMeanWithinMcse(chainsOf(results, 0), mean);
    expectMeanWithinMcse(
      chainsOf(results, 0, (s) => (s - mean) ** 2),
      variance,
    );
  });

  it("correlated 2-D Gaussian with a dense metric: means, and the adapted metric", () => {
    const mean = [1, -2];
    const target = correlatedNormalTarget([1, -2], [1, 10], 0.95);
    const results = runChains(target, { numWarmup: 1000, numSamples: 1000, denseMass: true }, 3);
    for (let j = 0; j < 2; j++) expectMeanWithinMcse(chainsOf(results, j), mean[j]);
    expectMeanWithinMcse(
      chainsOf(results, 0, (x) => (x - 1) ** 2),
      1,
    );
    for (const r of results) {
      expect(r.warmup.numMetricUpdates).toBe(5);
      const m = r.adapted.inverseMassMatrix;
      // The last window holds 500 draws: a variance estimate then has a relative sd of about
      // sqrt(2 / 500) = 6%, so 30% is over 4.5 sd; the correlation's sd is about
      // (1 - 0.95^2) / sqrt(500) = 0.004.
      for (let k = 0; k < 4; k++) {
        expect(Math.abs(m[k] / target.covariance[k] - 1)).toBeLessThan(0.3);
      }
      expect(Math.abs(m[1] / Math.sqrt(m[0] * m[3]) - 0.95)).toBeLessThan(0.03);
    }
  });

  it("dual averaging brings the mean acceptance statistic to its target during warmup", () => {
    const target = correlatedNormalTarget([0, 0], [1, 2], 0.5);
    for (const targetAcceptProb of [0.8, 0.95]) {
      const results = runChains(
        target,
        { numWarmup: 2000, numSamples: 0, adaptMassMatrix: false, targetAcceptProb },
        4,
      );
      // Dual averaging drives the running mean of (target - accept) to 0: over the second half
      // of warmup the mean acceptance is the target within its Monte Carlo error.
      const acceptance = results.map((r) => r.warmup.stats.acceptProb.subarray(1000));
      expect(Math.abs(pooledMean(acceptance) - targetAcceptProb)).toBeLessThan(
        4.5 * mcseMean(acceptance),
      );
    }
  });

  it("static HMC recovers a correlated Gaussian too", () => {
    const target = correlatedNormalTarget([1, -2], [1, 2], 0.5);
    const results = runChains(
      target,
      { numWarmup: 500, numSamples: 1000, algorithm: "HMC", trajectoryLength: 3 },
      5,
    );
    expectMeanWithinMcse(chainsOf(results, 0), 1);
    expectMeanWithinMcse(chainsOf(results, 1), -2);
    expectMeanWithinMcse(
      chainsOf(results, 1, (x) => (x + 2) ** 2),
      4,
    );
  });
});
