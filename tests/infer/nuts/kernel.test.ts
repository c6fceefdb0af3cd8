/**
 * Structure of NUTS trajectories (tree depth against leapfrog steps, maximum depth, divergence)
 * and invariance of the kernels: starting from exact draws of the target, one transition must
 * leave them distributed as the target (checked with Monte Carlo error bounds).
 */
import { describe, expect, it } from "vitest";
import {
  type HmcInfo,
  type HmcParameters,
  type HmcState,
  hmcAlgorithm,
  nutsAlgorithm,
} from "../../../src/infer/nuts/kernel.js";
import { denseMetric, diagonalMetric, type Metric } from "../../../src/infer/nuts/metric.js";
import type { GradientTarget } from "../../../src/potential-types.js";
import { foldIn, type Key, normal, PRNGKey, split } from "../../../src/primitives/prng.js";
import { correlatedNormalTarget, counting, normalTarget } from "./targets.js";

const unit1 = diagonalMetric(Float64Array.of(1));

/** The parameters of a step size and a metric. */
function at(stepSize: number, metric: Metric): HmcParameters {
  return {
    stepSize,
    inverseMassMatrix: metric.inverseMassMatrix,
    denseMass: metric.kind === "dense",
  };
}

/** NUTS over `target`: `init(x)` and `step(key, state, { stepSize, metric, maxTreeDepth? })`. */
function nutsOn(target: GradientTarget) {
  return {
    init: (x: Float64Array) =>
      nutsAlgorithm({ maxTreeDepth: 10, maxDeltaEnergy: 1000 })(at(1, unit1)).init(
        x,
        target,
        PRNGKey(0),
      ),
    step: (
      key: Key,
      state: HmcState,
      p: { stepSize: number; metric: Metric; maxTreeDepth?: number },
    ) =>
      nutsAlgorithm({ maxTreeDepth: p.maxTreeDepth ?? 10, maxDeltaEnergy: 1000 })(
        at(p.stepSize, p.metric),
      ).step(state, key),
  };
}

/** Static HMC over `target`, as `nutsOn`. */
function hmcOn(target: GradientTarget) {
  return {
    init: (x: Float64Array) =>
      hmcAlgorithm({ trajectoryLength: 1, maxDeltaEnergy: 1000 })(at(1, unit1)).init(
        x,
        target,
        PRNGKey(0),
      ),
    step: (
      key: Key,
      state: HmcState,
      p: { stepSize: number; metric: Metric; trajectoryLength: number },
    ) =>
      hmcAlgorithm({ trajectoryLength: p.trajectoryLength, maxDeltaEnergy: 1000 })(
        at(p.stepSize, p.metric),
      ).step(state, key),
  };
}

describe("NUTS trajectory structure", () => {
  it("takes between 2^depth - 1 and 2^(depth+1) - 1 steps, one gradient each", () => {
    const target = counting(normalTarget([0, 0, 0], [1, 2, 0.5]));
    const nuts = nutsOn(target);
    const metric = diagonalMetric(Float64Array.of(1, 4, 0.25));
    let state = nuts.init(Float64Array.of(0.1, -0.2, 0.3));
    let sawTopLevelStop = false;
    let sawSubtreeStop = false;
    for (let k = 0; k < 300; k++) {
      target.calls = 0;
      const { state: next, info } = nuts.step(foldIn(PRNGKey(1), k), state, {
        stepSize: 0.3,
        metric,
      });
      expect(target.calls).toBe(info.numSteps);
      expect(info.numSteps).toBeGreaterThanOrEqual(2 ** info.treeDepth - 1);
      expect(info.numSteps).toBeLessThanOrEqual(2 ** (info.treeDepth + 1) - 1);
      // A trajectory that stops at a top-level merge has exactly 2^depth - 1 steps; one whose
      // last subtree turned back part way has more.
      if (info.numSteps === 2 ** info.treeDepth - 1) sawTopLevelStop = true;
      else sawSubtreeStop = true;
      expect(info.diverging).toBe(false);
      state = next;
    }
    expect(sawTopLevelStop).toBe(true);
    expect(sawSubtreeStop).toBe(true);
  });

  it("respects the maximum tree depth: 2^max - 1 steps when no U-turn comes sooner", () => {
    const nuts = nutsOn(normalTarget([0], [1]));
    const state = nuts.init(Float64Array.of(0.5));
    for (const maxTreeDepth of [1, 3, 6]) {
      // Half a period of the oscillator takes pi / 0.001 steps: far beyond 2^6.
      const { info } = nuts.step(PRNGKey(2), state, {
        stepSize: 0.001,
        metric: unit1,
        maxTreeDepth,
      });
      expect(info.treeDepth).toBe(maxTreeDepth);
      expect(info.numSteps).toBe(2 ** maxTreeDepth - 1);
    }
  });

  it("reports a divergence at a step size of 100, without throwing, and stays put", () => {
    const nuts = nutsOn(normalTarget([0, 0], [1, 1]));
    const state = nuts.init(Float64Array.of(0.7, -0.3));
    const { state: next, info } = nuts.step(PRNGKey(3), state, {
      stepSize: 100,
      metric: diagonalMetric(Float64Array.of(1, 1)),
    });
    expect(info.diverging).toBe(true);
    expect(info.treeDepth).toBe(0);
    expect(info.numSteps).toBe(1);
    expect(info.acceptProb).toBeLessThan(1e-100);
    expect(Array.from(next.position)).toEqual([0.7, -0.3]);
  });

  it("treats a NaN potential as a divergence", () => {
    const target = {
      dim: 1,
      valueAndGrad(q: Float64Array, grad: Float64Array) {
        grad[0] = q[0];
        return q[0] > 1 ? Number.NaN : q[0] ** 2 / 2;
      },
    };
    const nuts = nutsOn(target);
    let divergences = 0;
    let state = nuts.init(Float64Array.of(0.9));
    for (let k = 0; k < 50; k++) {
      const out = nuts.step(foldIn(PRNGKey(4), k), state, { stepSize: 0.5, metric: unit1 });
      if (out.info.diverging) divergences++;
      expect(out.state.position[0]).toBeLessThanOrEqual(1);
      state = out.state;
    }
    expect(divergences).toBeGreaterThan(0);
  });

  it("gives the same result for the same key and leaves its inputs alone", () => {
    const nuts = nutsOn(normalTarget([1, 2], [1, 3]));
    const state = nuts.init(Float64Array.of(0, 0));
    const before = Array.from(state.position);
    const metric = diagonalMetric(Float64Array.of(1, 9));
    const a = nuts.step(PRNGKey(9), state, { stepSize: 0.4, metric });
    const b = nuts.step(PRNGKey(9), state, { stepSize: 0.4, metric });
    expect(Array.from(a.state.position)).toEqual(Array.from(b.state.position));
    expect(a.info).toEqual(b.info);
    expect(Array.from(state.position)).toEqual(before);
  });

  it("returns states that later steps leave alone: each has its own position and gradient", () => {
    // One algorithm for every step, so its scratch (and the buffers states are carved from)
    // is shared; 2000 steps of 12 dimensions span several of those buffers.
    const dim = 12;
    const target = normalTarget(new Array(dim).fill(0), new Array(dim).fill(1));
    const metric = diagonalMetric(new Float64Array(dim).fill(1));
    const algorithm = nutsAlgorithm({ maxTreeDepth: 10, maxDeltaEnergy: 1000 })(at(0.5, metric));
    let state = algorithm.init(new Float64Array(dim).fill(0.5), target, PRNGKey(0));
    const kept: Array<{ state: HmcState; position: number[]; gradient: number[] }> = [];
    for (let i = 0; i < 2000; i++) {
      state = algorithm.step(state, foldIn(PRNGKey(1), i)).state;
      kept.push({
        state,
        position: Array.from(state.position),
        gradient: Array.from(state.gradient),
      });
    }
    const now = kept.map((k) => [Array.from(k.state.position), Array.from(k.state.gradient)]);
    expect(now).toEqual(kept.map((k) => [k.position, k.gradient]));
    // The gradient is the standard normal's: q itself.
    expect(now[1999][1]).toEqual(now[1999][0]);
  });

  it("rejects bad parameters with errors that name the argument", () => {
    const nuts = nutsOn(normalTarget([0], [1]));
    const state = nuts.init(Float64Array.of(0));
    expect(() => nuts.step(PRNGKey(0), state, { stepSize: -1, metric: unit1 })).toThrow(
      /nutsAlgorithm: stepSize must be positive and finite, got -1/,
    );
    expect(() =>
      nuts.step(PRNGKey(0), state, { stepSize: 1, metric: diagonalMetric(Float64Array.of(1, 1)) }),
    ).toThrow(
      /nutsAlgorithm.step: inverseMassMatrix must have 1 entries \(diagonal, the target's dim is 1\), got 2/,
    );
    expect(() => nuts.init(Float64Array.of(0, 1))).toThrow(
      /nutsAlgorithm.init: position must be a Float64Array of length 1, got a Float64Array of length 2/,
    );
  });
});

/**
 * One transition from each of `n` exact draws of N(mean, cov) (2-D); returns the z-scores of the
 * means and variances of the results against the exact values.
 */
function oneStepInvariance(
  step: (
    key: ReturnType<typeof PRNGKey>,
    position: Float64Array,
  ) => { position: Float64Array; info: HmcInfo },
  mean: [number, number],
  sd: [number, number],
  correlation: number,
  n: number,
) {
  const sums = [0, 0, 0, 0];
  let acceptSum = 0;
  for (let k = 0; k < n; k++) {
    const [drawKey, stepKey] = split(foldIn(PRNGKey(11), k));
    const z = normal(drawKey, 2);
    const x0 = mean[0] + sd[0] * z[0];
    const x1 = mean[1] + sd[1] * (correlation * z[0] + Math.sqrt(1 - correlation ** 2) * z[1]);
    const { position, info } = step(stepKey, Float64Array.of(x0, x1));
    acceptSum += info.acceptProb;
    const d0 = position[0] - mean[0];
    const d1 = position[1] - mean[1];
    sums[0] += d0;
    sums[1] += d1;
    sums[2] += d0 * d0;
    sums[3] += d1 * d1;
  }
  return {
    zMean: [sums[0] / n / (sd[0] / Math.sqrt(n)), sums[1] / n / (sd[1] / Math.sqrt(n))],
    // The variance of a squared normal deviation is 2 sd^4.
    zVariance: [
      (sums[2] / n - sd[0] ** 2) / ((Math.SQRT2 * sd[0] ** 2) / Math.sqrt(n)),
      (sums[3] / n - sd[1] ** 2) / ((Math.SQRT2 * sd[1] ** 2) / Math.sqrt(n)),
    ],
    meanAcceptProb: acceptSum / n,
  };
}

describe("one transition leaves the target invariant", () => {
  const n = 4000;
  const target = correlatedNormalTarget([1, -2], [1, 3], 0.8);

  it("NUTS with a dense metric that is not the target's covariance, at a coarse step size", () => {
    const nuts = nutsOn(target);
    const metric = denseMetric(Float64Array.of(2, 0.5, 0.5, 4), 2);
    const result = oneStepInvariance(
      (key, x) => {
        const out = nuts.step(key, nuts.init(x), { stepSize: 0.9, metric });
        return { position: out.state.position, info: out.info };
      },
      [1, -2],
      [1, 3],
      0.8,
      n,
    );
    expect(result.meanAcceptProb).toBeLessThan(0.9); // coarse enough for sampling to matter
    for (const z of [...result.zMean, ...result.zVariance]) expect(Math.abs(z)).toBeLessThan(4.5);
  });

  it("NUTS with a diagonal metric", () => {
    const nuts = nutsOn(target);
    const metric = diagonalMetric(Float64Array.of(0.5, 3));
    const result = oneStepInvariance(
      (key, x) => {
        const out = nuts.step(key, nuts.init(x), { stepSize: 0.7, metric });
        return { position: out.state.position, info: out.info };
      },
      [1, -2],
      [1, 3],
      0.8,
      n,
    );
    for (const z of [...result.zMean, ...result.zVariance]) expect(Math.abs(z)).toBeLessThan(4.5);
  });

  it("static HMC", () => {
    const hmc = hmcOn(target);
    const metric = diagonalMetric(Float64Array.of(1, 9));
    const result = oneStepInvariance(
      (key, x) => {
        const out = hmc.step(key, hmc.init(x), { stepSize: 0.5, metric, trajectoryLength: 2 });
        return { position: out.state.position, info: out.info };
      },
      [1, -2],
      [1, 3],
      0.8,
      n,
    );
    expect(result.meanAcceptProb).toBeLessThan(0.95);
    for (const z of [...result.zMean, ...result.zVariance]) expect(Math.abs(z)).toBeLessThan(4.5);
  });
});

describe("static HMC", () => {
  it("takes floor(trajectoryLength / stepSize) steps, at least one", () => {
    const target = counting(normalTarget([0], [1]));
    const hmc = hmcOn(target);
    const state = hmc.init(Float64Array.of(0.2));
    const a = hmc.step(PRNGKey(0), state, { stepSize: 0.3, metric: unit1, trajectoryLength: 1 });
    expect(a.info.numSteps).toBe(3);
    const b = hmc.step(PRNGKey(0), state, { stepSize: 5, metric: unit1, trajectoryLength: 1 });
    expect(b.info.numSteps).toBe(1);
  });
  it("reports a divergence and stays put at a step size of 100", () => {
    const hmc = hmcOn(normalTarget([0], [1]));
    const state = hmc.init(Float64Array.of(0.2));
    const { state: next, info } = hmc.step(PRNGKey(0), state, {
      stepSize: 100,
      metric: unit1,
      trajectoryLength: 1000,
    });
    expect(info.diverging).toBe(true);
    expect(info.numSteps).toBe(1);
    expect(info.acceptProb).toBe(0);
    expect(next.position[0]).toBe(0.2);
  });
});
