/**
 * The diagonal-plus-low-rank metric: its products, kinetic energy and momenta against the dense
 * matrix M^{-1} = D (I + U (Lambda - I) U^T) D formed here entry by entry, and its checks.
 */
import { describe, expect, it } from "vitest";
import {
  lowRankInverseMassDense,
  lowRankInverseMassDiagonal,
  lowRankMetric,
} from "../../../src/infer/nuts/low-rank-metric.js";
import { denseMetric } from "../../../src/infer/nuts/metric.js";
import { foldIn, PRNGKey } from "../../../src/primitives/prng.js";

// Two orthonormal directions in R^3: (1, 1, 0) / sqrt 2 and (1, -1, 1) / sqrt 3.
const s2 = Math.SQRT1_2;
const s3 = 1 / Math.sqrt(3);
const correction = {
  vectors: Float64Array.of(s2, s2, 0, s3, -s3, s3),
  values: Float64Array.of(9, 0.25),
};
const scale = Float64Array.of(4, 1, 0.5);

/** D (I + sum_j (lambda_j - 1) u_j u_j^T) D, entry by entry. */
function expectedInverseMass(): number[][] {
  const u = [
    [s2, s2, 0],
    [s3, -s3, s3],
  ];
  const lambda = [9, 0.25];
  return [0, 1, 2].map((a) =>
    [0, 1, 2].map((b) => {
      let inner = a === b ? 1 : 0;
      for (let j = 0; j < 2; j++) inner += (lambda[j] - 1) * u[j][a] * u[j][b];
      return Math.sqrt(scale[a]) * inner * Math.sqrt(scale[b]);
    }),
  );
}

describe("lowRankMetric", () => {
  it("multiplies by M^-1 and gives the kinetic energy p^T M^-1 p / 2", () => {
    const metric = lowRankMetric(scale, correction);
    const expected = expectedInverseMass();
    const p = Float64Array.of(0.3, -1.2, 2);
    const out = new Float64Array(3);
    metric.multiplyInverseMass(p, out);
    for (let a = 0; a < 3; a++) {
      const row = expected[a].reduce((sum, m, b) => sum + m * p[b], 0);
      expect(out[a]).toBeCloseTo(row, 12);
    }
    const energy = p.reduce((sum, v, a) => sum + v * out[a], 0) / 2;
    expect(metric.kineticEnergy(p)).toBeCloseTo(energy, 12);
    expect(metric.kind).toBe("low-rank");
    const dense = lowRankInverseMassDense(scale, correction);
    const diagonal = lowRankInverseMassDiagonal(scale, correction);
    for (let a = 0; a < 3; a++) {
      expect(diagonal[a]).toBeCloseTo(expected[a][a], 12);
      for (let b = 0; b < 3; b++) expect(dense[a * 3 + b]).toBeCloseTo(expected[a][b], 12);
    }
  });

  it("without a correction, multiplies by the diagonal scale (also in place)", () => {
    const metric = lowRankMetric(scale, {
      vectors: new Float64Array(0),
      values: new Float64Array(0),
    });
    const p = Float64Array.of(0.3, -1.2, 2);
    const out = new Float64Array(3);
    metric.multiplyInverseMass(p, out);
    for (let a = 0; a < 3; a++) expect(out[a]).toBeCloseTo(scale[a] * p[a], 14);
    metric.multiplyInverseMass(p, p);
    expect(Array.from(p)).toEqual(Array.from(out));
    expect(metric.kineticEnergy(Float64Array.of(1, 1, 1))).toBeCloseTo((4 + 1 + 0.5) / 2, 14);
  });

  it("agrees with the dense metric of the same matrix on energies", () => {
    const metric = lowRankMetric(scale, correction);
    const dense = denseMetric(Float64Array.from(expectedInverseMass().flat()), 3);
    const p = Float64Array.of(-0.7, 0.1, 1.4);
    expect(metric.kineticEnergy(p)).toBeCloseTo(dense.kineticEnergy(p), 12);
  });

  it("draws momenta with covariance M, the inverse of M^-1", () => {
    const metric = lowRankMetric(scale, correction);
    // M from the dense M^-1 by Gauss-Jordan elimination.
    const a = expectedInverseMass().map((row, i) => [...row, ...[0, 1, 2].map((j) => +(i === j))]);
    for (let c = 0; c < 3; c++) {
      const pivot = a[c][c];
      for (let k = 0; k < 6; k++) a[c][k] /= pivot;
      for (let r = 0; r < 3; r++) {
        if (r === c) continue;
        const f = a[r][c];
        for (let k = 0; k < 6; k++) a[r][k] -= f * a[c][k];
      }
    }
    const mass = a.map((row) => row.slice(3));
    const n = 40_000;
    const sums = [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ];
    const p = new Float64Array(3);
    for (let k = 0; k < n; k++) {
      metric.sampleMomentum(foldIn(PRNGKey(11), k), p);
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) sums[i][j] += p[i] * p[j];
    }
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        // Var of a product moment of normals: (M_ii M_jj + M_ij^2) / n.
        const sd = Math.sqrt((mass[i][i] * mass[j][j] + mass[i][j] ** 2) / n);
        expect(Math.abs(sums[i][j] / n - mass[i][j])).toBeLessThan(4.5 * sd);
      }
    }
  });

  it("rejects non-orthonormal directions, non-positive values and a bad scale, naming them", () => {
    expect(() =>
      lowRankMetric(scale, { vectors: Float64Array.of(1, 1, 0), values: Float64Array.of(2) }),
    ).toThrow(/vectors must be orthonormal/);
    expect(() =>
      lowRankMetric(scale, { vectors: Float64Array.of(1, 0, 0), values: Float64Array.of(0) }),
    ).toThrow(/values must be positive and finite, got 0/);
    expect(() =>
      lowRankMetric(scale, { vectors: Float64Array.of(1, 0), values: Float64Array.of(2) }),
    ).toThrow(/vectors must hold values.length \* dim = 3 entries, got 2/);
    expect(() =>
      lowRankMetric(Float64Array.of(1, -1, 1), {
        vectors: new Float64Array(0),
        values: new Float64Array(0),
      }),
    ).toThrow(/scale entries must be positive and finite, got -1 at index 1/);
  });
});
