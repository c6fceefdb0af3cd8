/**
 * Every metric adaptation (fisher-diag, low-rank, windowed) and the Pathfinder start: recovery of
 * posteriors known in closed form within 4.5 MCSE after warmup (adaptation stops at the end of
 * warmup, so the chains sample the target), the adapted metrics on Gaussians (where the
 * gradient-based estimates are exact), the warmup report and option checks.
 */
import { describe, expect, it } from "vitest";
import {
  ArgumentError,
  initToPathfinder,
  initToUniform,
  MCMC,
  Normal,
  NUTS,
  PRNGKey,
  plate,
  sample,
} from "../../../src/index.js";
import { essBulk, mcseMean, rhat } from "../../../src/infer/diagnostics/index.js";
import { RandomWalkMetropolis } from "../../../src/infer/index.js";
import {
  type ChainOptions,
  continuationOptions,
  type NutsChainResult,
  runChainSync,
} from "../../../src/infer/nuts/index.js";
import { lowRankInverseMassDense } from "../../../src/infer/nuts/low-rank-metric.js";
import { WarmupTracker } from "../../../src/infer/nuts/warmup-convergence.js";
import type { GradientTarget } from "../../../src/potential-types.js";
import { foldIn } from "../../../src/primitives/prng.js";
import { correlatedNormalTarget, normalTarget } from "./targets.js";

function runChains(target: GradientTarget, options: ChainOptions, seed: number, numChains = 4) {
  return Array.from({ length: numChains }, (_, c) =>
    runChainSync(target, options, foldIn(PRNGKey(seed), c)),
  );
}

function chainsOf(results: NutsChainResult[], j: number, f: (x: number) => number = (x) => x) {
  return results.map((r) =>
    Float64Array.from({ length: r.numDraws }, (_, d) => f(r.draws[d * r.dim + j])),
  );
}

function expectMeanWithinMcse(chains: Float64Array[], expected: number) {
  let sum = 0;
  let n = 0;
  for (const c of chains) {
    for (const x of c) sum += x;
    n += c.length;
  }
  expect(rhat(chains)).toBeLessThan(1.01);
  expect(essBulk(chains)).toBeGreaterThan(400);
  expect(Math.abs(sum / n - expected)).toBeLessThan(4.5 * mcseMean(chains));
}

// mu ~ N(0, 2^2); y_i ~ N(mu, 1.5^2), i = 1..20: a normal posterior.
const y = Array.from({ length: 20 }, (_, i) => 1 + 0.8 * Math.sin(i + 1));
const precision = 1 / 4 + y.length / 1.5 ** 2;
const postMean = y.reduce((a, b) => a + b, 0) / 1.5 ** 2 / precision;
const postVar = 1 / precision;
const normalNormal: GradientTarget = {
  dim: 1,
  valueAndGrad(q, grad) {
    const mu = q[0];
    let u = (mu * mu) / 8;
    let g = mu / 4;
    for (const yi of y) {
      u += (yi - mu) ** 2 / (2 * 1.5 ** 2);
      g -= (yi - mu) / 1.5 ** 2;
    }
    grad[0] = g;
    return u;
  },
};

// lambda ~ Gamma(2, rate 0.5), k_i ~ Poisson(lambda), sampled on log(lambda) with its Jacobian.
const counts = [3, 5, 2, 4, 6, 1, 3, 4];
const shape = 2 + counts.reduce((a, b) => a + b, 0);
const rate = 0.5 + counts.length;
const gammaPoisson: GradientTarget = {
  dim: 1,
  valueAndGrad(q, grad) {
    const lambda = Math.exp(q[0]);
    grad[0] = -(shape - rate * lambda);
    return -(shape * q[0] - rate * lambda);
  },
};

const VARIANTS: ReadonlyArray<{ name: string; options: Partial<ChainOptions> }> = [
  { name: "fisher-diag", options: { adaptation: "fisher-diag" } },
  { name: "low-rank", options: { adaptation: "low-rank" } },
  {
    name: "fisher-diag from Pathfinder",
    options: { adaptation: "fisher-diag", initStrategy: "pathfinder" },
  },
  {
    name: "windowed from Pathfinder",
    options: { adaptation: "windowed", initStrategy: "pathfinder" },
  },
];

describe.each(VARIANTS)("recovery with $name", ({ options }) => {
  it("normal-normal: posterior mean and variance; sampling at fixed parameters", () => {
    const results = runChains(normalNormal, { numWarmup: 400, numSamples: 1000, ...options }, 1);
    expectMeanWithinMcse(chainsOf(results, 0), postMean);
    expectMeanWithinMcse(
      chainsOf(results, 0, (x) => (x - postMean) ** 2),
      postVar,
    );
    for (const r of results) {
      expect(r.numDivergences).toBe(0);
      // Adaptation stopped at the end of warmup: one step size for every draw.
      expect(r.stats.stepSize.every((s) => s === r.adapted.stepSize)).toBe(true);
      if (options.initStrategy === "pathfinder") expect(r.warmup.pathfinder?.used).toBe(true);
    }
  });

  it("gamma-Poisson on log(lambda): lambda's mean and variance", () => {
    const results = runChains(gammaPoisson, { numWarmup: 400, numSamples: 1000, ...options }, 2);
    const mean = shape / rate;
    expectMeanWithinMcse(chainsOf(results, 0, Math.exp), mean);
    expectMeanWithinMcse(
      chainsOf(results, 0, (t) => (Math.exp(t) - mean) ** 2),
      shape / rate ** 2,
    );
  });

  it("a correlated 2-D Gaussian: means and a variance", () => {
    const target = correlatedNormalTarget([1, -2], [1, 10], 0.95);
    const results = runChains(target, { numWarmup: 500, numSamples: 1000, ...options }, 3);
    expectMeanWithinMcse(chainsOf(results, 0), 1);
    expectMeanWithinMcse(chainsOf(results, 1), -2);
    expectMeanWithinMcse(
      chainsOf(results, 1, (x) => (x + 2) ** 2),
      100,
    );
  });
});

describe("adapted metrics on Gaussians", () => {
  it("fisher-diag finds the exact variances of independent normals", () => {
    const sds = [0.1, 1, 10];
    const [r] = runChains(
      normalTarget([0, 0, 0], sds),
      { numWarmup: 200, numSamples: 10, adaptation: "fisher-diag" },
      4,
      1,
    );
    // sqrt(Var x / Var g) = sd^2 exactly for every window of draws of these normals.
    for (let i = 0; i < 3; i++) {
      expect(Math.abs(r.adapted.inverseMassMatrix[i] / sds[i] ** 2 - 1)).toBeLessThan(1e-9);
    }
    expect(r.adapted.lowRankCorrection).toBeUndefined();
  });

  it("low-rank finds the dense covariance of a correlated Gaussian", () => {
    const target = correlatedNormalTarget([1, -2], [1, 10], 0.95);
    const [r] = runChains(target, { numWarmup: 300, numSamples: 10, adaptation: "low-rank" }, 5, 1);
    const { inverseMassMatrix, lowRankCorrection } = r.adapted;
    expect(lowRankCorrection?.values.length).toBe(2);
    const dense = lowRankInverseMassDense(inverseMassMatrix, lowRankCorrection!);
    // Exact up to the regularization gamma = 1e-5 (relative to scatter sums of ~100 draws).
    for (let k = 0; k < 4; k++) {
      expect(Math.abs(dense[k] / target.covariance[k] - 1)).toBeLessThan(1e-4);
    }
    expect(r.warmup.adaptation).toBe("low-rank");
    expect(r.warmup.rank).toBe(2);
  });

  it("a low-rank chain continues from its adapted metric without warmup", () => {
    const target = correlatedNormalTarget([1, -2], [1, 10], 0.95);
    const [first] = runChains(
      target,
      { numWarmup: 300, numSamples: 10, adaptation: "low-rank" },
      6,
      1,
    );
    const more = runChainSync(
      target,
      { ...continuationOptions(first), numSamples: 2000 },
      PRNGKey(7),
    );
    expect(more.adapted.lowRankCorrection).toEqual(first.adapted.lowRankCorrection);
    expect(more.stats.stepSize.every((s) => s === first.adapted.stepSize)).toBe(true);
    expectMeanWithinMcse(
      [chainsOf([more], 1)[0].subarray(0, 1000), chainsOf([more], 1)[0].subarray(1000)],
      -2,
    );
  });
});

describe("the warmup report", () => {
  it("says when the step size and the metric settled", () => {
    const tracker = new WarmupTracker(200, { stepSizeFactor: 1.2, metricFactor: 1.5 });
    // Step size: far from the final 1 until iteration 119 (0-based), then within 20%.
    // Metric: 4 until iteration 49, 1.2 from there (within 1.5 of the final 1), changed at 150.
    for (let i = 0; i < 200; i++) {
      const stepSize = i < 120 ? 3 : 1.1;
      const metric = i < 50 ? 4 : i < 150 ? 1.2 : 1;
      tracker.record(i, stepSize, () => Float64Array.of(metric), i === 50 || i === 150);
    }
    const result = tracker.result(1, Float64Array.of(1));
    expect(result.stepSizeSettledAt).toBe(120);
    // Checkpoints every 2 iterations: the first one after the change at iteration 50.
    expect(result.metricSettledAt).toBe(52);
    expect(result.settledAt).toBe(120);
    expect(result.lastMetricUpdate).toBe(151);
  });

  it("is part of every chain's result, for every adaptation", () => {
    for (const adaptation of ["windowed", "fisher-diag", "low-rank"] as const) {
      const [r] = runChains(normalNormal, { numWarmup: 300, numSamples: 10, adaptation }, 8, 1);
      const { convergence, schedule } = r.warmup;
      expect(r.warmup.adaptation).toBe(adaptation);
      expect(convergence.settledAt).toBe(
        Math.max(convergence.stepSizeSettledAt, convergence.metricSettledAt),
      );
      expect(convergence.settledAt).toBeLessThanOrEqual(300);
      expect(schedule.at(-1)?.end).toBe(300);
    }
  });
});

describe("options", () => {
  function* model(data: number[]) {
    const mu = yield* sample("mu", Normal(0, 2));
    yield* plate("data", data.length, function* () {
      yield* sample("y", Normal(mu, 1), { obs: data });
    });
  }

  it("rejects a Fisher adaptation with a dense metric and unknown adaptations, naming them", () => {
    expect(() => new NUTS(model, { adaptation: "fisher-diag", denseMass: true })).toThrow(
      ArgumentError,
    );
    expect(() => new NUTS(model, { adaptation: "low-rank", denseMass: true })).toThrow(
      /adaptation "windowed" for a dense metric/,
    );
    expect(() => new NUTS(model, { adaptation: "stan" as never })).toThrow(/option "adaptation"/);
    expect(() => new NUTS(model, { lowRank: { eigvalCutoff: 1 } })).toThrow(
      /option "lowRank.eigvalCutoff" must be finite and greater than 1, got 1/,
    );
    expect(() => new NUTS(model, { initStrategy: "median" as never })).toThrow(
      /option "initStrategy"/,
    );
    expect(() => initToPathfinder({ historySize: 0 })).toThrow(/historySize/);
    expect(() => new RandomWalkMetropolis(model, { initStrategy: initToPathfinder() })).toThrow(
      /Pathfinder starts NUTS and HMC chains only/,
    );
    expect(() =>
      runChainSync(
        normalNormal,
        { numWarmup: 10, numSamples: 10, denseMass: true, adaptation: "low-rank" },
        PRNGKey(0),
      ),
    ).toThrow(ArgumentError);
  });

  it("chooses by dimension by default: low-rank up to 100, fisher-diag above, windowed when dense", async () => {
    function* gaussian(dim: number) {
      yield* plate("i", dim, function* () {
        yield* sample("x", Normal(0, 1));
      });
    }
    async function adaptationOf(dim: number, options: { denseMass?: boolean } = {}) {
      const mcmc = new MCMC(new NUTS(gaussian, { ...options, initStrategy: initToUniform() }), {
        numWarmup: 20,
        numSamples: 5,
        progressBar: false,
      });
      await mcmc.run(PRNGKey(3), dim);
      return [mcmc.warmupReports[0].adaptation, mcmc.toMcmcRun().metadata.metric];
    }
    expect(await adaptationOf(100)).toEqual(["low-rank", "dense_e"]);
    expect(await adaptationOf(101)).toEqual(["fisher-diag", "diag_e"]);
    expect(await adaptationOf(3, { denseMass: true })).toEqual(["windowed", "dense_e"]);
    // Asked for by name, an adaptation runs at any dimension.
    const named = runChains(
      normalTarget(new Array(60).fill(0), new Array(60).fill(1)),
      { numWarmup: 20, numSamples: 5, adaptation: "low-rank" },
      2,
      1,
    );
    expect(named[0].warmup.adaptation).toBe("low-rank");
  });

  it("runs MCMC with a low-rank metric from Pathfinder starts, and exports its dense metric", async () => {
    const data = [1.2, 0.4, 2.1, 1.7, 0.9, 1.3];
    const mcmc = new MCMC(new NUTS(model, { adaptation: "low-rank", initStrategy: "pathfinder" }), {
      numWarmup: 200,
      numSamples: 200,
      numChains: 2,
      progressBar: false,
    });
    await mcmc.run(PRNGKey(9), data);
    const run = mcmc.toMcmcRun();
    expect(run.metadata.metric).toBe("dense_e");
    expect(run.metadata.inverseMetric[0]).toHaveLength(1);
    expect(mcmc.getSamples().mu.shape).toEqual([400]);
    // Continue both chains from their adapted low-rank metrics.
    mcmc.postWarmupState = mcmc.lastState;
    await mcmc.run(PRNGKey(10), data);
    expect(mcmc.getSamples().mu.shape).toEqual([400]);
  });
});
