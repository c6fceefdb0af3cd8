/** Metrics, the random stream, the termination criterion and the multinomial weights. */
import { describe, expect, it } from "vitest";
import { choleskyLower } from "../../../src/infer/nuts/cholesky.js";
import {
  denseMetric,
  diagonalMetric,
  metricFromInverseMassMatrix,
} from "../../../src/infer/nuts/metric.js";
import { logAddExp, takeNewSubtree, takeSecondHalf } from "../../../src/infer/nuts/proposal.js";
import { UniformStream } from "../../../src/infer/nuts/random-stream.js";
import { noUTurn, noUTurnExtended } from "../../../src/infer/nuts/termination.js";
import { foldIn, PRNGKey, uniform } from "../../../src/primitives/prng.js";

describe("metrics", () => {
  it("diagonal: velocity M^-1 p and kinetic energy p^T M^-1 p / 2", () => {
    const metric = diagonalMetric(Float64Array.of(1, 4, 0.25));
    const p = Float64Array.of(1, -2, 4);
    const v = new Float64Array(3);
    metric.multiplyInverseMass(p, v);
    expect(Array.from(v)).toEqual([1, -8, 1]);
    expect(metric.kineticEnergy(p)).toBe((1 + 16 + 4) / 2);
  });

  it("dense: kinetic energy equals p . (M^-1 p) / 2", () => {
    const metric = denseMetric(Float64Array.of(2, 0.5, 0.5, 1), 2);
    const p = Float64Array.of(1, 3);
    // M^-1 p = [2 + 1.5, 0.5 + 3] = [3.5, 3.5]; p . that = 3.5 + 10.5 = 14.
    expect(metric.kineticEnergy(p)).toBeCloseTo(7, 14);
  });

  it("draws momenta with covariance M (the inverse of the inverse mass matrix)", () => {
    // M^-1 = [[2, 0.6], [0.6, 0.5]] so M = [[0.5, -0.6], [-0.6, 2]] / (1 - 0.36) = ...
    const inverse = Float64Array.of(2, 0.6, 0.6, 0.5);
    const det = 2 * 0.5 - 0.36;
    const mass = [0.5 / det, -0.6 / det, -0.6 / det, 2 / det];
    const metric = denseMetric(inverse, 2);
    const n = 20_000;
    const sums = [0, 0, 0];
    const p = new Float64Array(2);
    for (let k = 0; k < n; k++) {
      metric.sampleMomentum(foldIn(PRNGKey(3), k), p);
      sums[0] += p[0] * p[0];
      sums[1] += p[0] * p[1];
      sums[2] += p[1] * p[1];
    }
    const estimates = [sums[0] / n, sums[1] / n, sums[2] / n];
    const expected = [mass[0], mass[1], mass[3]];
    // Var of a product moment of normals: (M_ii M_jj + M_ij^2) / n.
    const sds = [
      Math.sqrt((2 * mass[0] ** 2) / n),
      Math.sqrt((mass[0] * mass[3] + mass[1] ** 2) / n),
      Math.sqrt((2 * mass[3] ** 2) / n),
    ];
    for (let k = 0; k < 3; k++) {
      expect(Math.abs(estimates[k] - expected[k])).toBeLessThan(4.5 * sds[k]);
    }
  });

  it("diagonal momenta have variance 1 / inverseMassMatrix", () => {
    const metric = diagonalMetric(Float64Array.of(4));
    const n = 20_000;
    let sum = 0;
    const p = new Float64Array(1);
    for (let k = 0; k < n; k++) {
      metric.sampleMomentum(foldIn(PRNGKey(5), k), p);
      sum += p[0] * p[0];
    }
    expect(Math.abs(sum / n - 0.25)).toBeLessThan(4.5 * 0.25 * Math.sqrt(2 / n));
  });

  it("rejects bad inverse mass matrices with clear errors", () => {
    expect(() => diagonalMetric(Float64Array.of(1, -2))).toThrow(
      /diagonalMetric: inverseMassMatrix entries must be positive and finite, got -2 at index 1/,
    );
    expect(() => denseMetric(Float64Array.of(1, 2, 2, 1), 2)).toThrow(
      /denseMetric: inverseMassMatrix must be positive definite/,
    );
    expect(() => denseMetric(Float64Array.of(1, 0.2, 0.3, 1), 2)).toThrow(
      /denseMetric: inverseMassMatrix must be symmetric/,
    );
    expect(() => metricFromInverseMassMatrix(3, Float64Array.of(1, 1), false)).toThrow(
      /must hold dim = 3 entries for a diagonal metric, got 2/,
    );
  });

  it("factors a symmetric positive-definite matrix", () => {
    const lower = choleskyLower(Float64Array.of(4, 2, 2, 3), 2) as Float64Array;
    expect(Array.from(lower)).toEqual([2, 0, 1, Math.SQRT2]);
  });
});

describe("UniformStream", () => {
  it("yields exactly uniform(key, n), one at a time", () => {
    const key = PRNGKey(42);
    const expected = uniform(key, 50);
    const stream = new UniformStream(key);
    for (let i = 0; i < 50; i++) expect(stream.next()).toBe(expected[i]);
    expect(stream.count).toBe(50);
  });
});

describe("no-U-turn criterion", () => {
  it("holds while both end velocities point along the summed momentum", () => {
    const v = Float64Array.of(1, 0);
    expect(noUTurn(v, v, Float64Array.of(2, 1))).toBe(true);
    expect(noUTurn(v, Float64Array.of(-1, 0), Float64Array.of(2, 1))).toBe(false);
    expect(noUTurn(Float64Array.of(-1, 0), v, Float64Array.of(2, 1))).toBe(false);
    // Exactly orthogonal is a U-turn (strict inequality, as Stan).
    expect(noUTurn(Float64Array.of(0, 1), v, Float64Array.of(2, 0))).toBe(false);
  });
  it("extends the summed momentum by one point", () => {
    const v = Float64Array.of(1);
    expect(noUTurnExtended(v, v, Float64Array.of(-1), Float64Array.of(2))).toBe(true);
    expect(noUTurnExtended(v, v, Float64Array.of(-3), Float64Array.of(2))).toBe(false);
  });
});

describe("multinomial sampling", () => {
  it("adds weights in log space", () => {
    expect(logAddExp(Math.log(2), Math.log(3))).toBeCloseTo(Math.log(5), 14);
    expect(logAddExp(Number.NEGATIVE_INFINITY, 1.5)).toBe(1.5);
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.LN2, 12);
  });
  it("takes the second half with probability w2 / (w1 + w2)", () => {
    const stream = new UniformStream(PRNGKey(7));
    const n = 20_000;
    let taken = 0;
    for (let k = 0; k < n; k++) {
      if (takeSecondHalf(Math.log(1), Math.log(4), stream)) taken++;
    }
    expect(Math.abs(taken / n - 0.25)).toBeLessThan(4.5 * Math.sqrt((0.25 * 0.75) / n));
  });
  it("takes a heavier new subtree always and a lighter one with probability w_new / w_old", () => {
    const stream = new UniformStream(PRNGKey(8));
    expect(takeNewSubtree(Math.log(3), Math.log(2), stream)).toBe(true);
    expect(stream.count).toBe(0);
    const n = 20_000;
    let taken = 0;
    for (let k = 0; k < n; k++) if (takeNewSubtree(Math.log(1), Math.log(5), stream)) taken++;
    expect(Math.abs(taken / n - 0.2)).toBeLessThan(4.5 * Math.sqrt((0.2 * 0.8) / n));
  });
});
