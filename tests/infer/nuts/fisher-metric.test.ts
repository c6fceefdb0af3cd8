/**
 * Fisher-divergence metric estimates on Gaussian targets, where they are exact: for draws x of
 * N(0, Sigma) and gradients of U, g = Sigma^{-1} x, the estimators recover Sigma from any
 * sample that spans the space (up to the regularization), which a variance estimate from
 * draws alone cannot do.
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { describe, expect, it } from "vitest";
import {
  DiagonalFisherEstimator,
  fisherDiagonal,
  gradientInitialMetric,
  LowRankFisherEstimator,
  lowRankFisherEstimate,
  spdMean,
} from "../../../src/infer/nuts/fisher-metric.js";
import { lowRankInverseMassDense } from "../../../src/infer/nuts/low-rank-metric.js";
import { normal, PRNGKey } from "../../../src/primitives/prng.js";

/** n draws of N(0, L L^T) (L lower-triangular, row-major) and the gradients of U there. */
function gaussianSample(lower: number[][], n: number, seed: number) {
  const dim = lower.length;
  const sigma = lower.map((row) =>
    lower.map((other) => row.reduce((s, v, k) => s + v * other[k], 0)),
  );
  const inverse = invert(new Matrix(sigma));
  const z = normal(PRNGKey(seed), n * dim);
  const draws: Float64Array[] = [];
  const gradients: Float64Array[] = [];
  for (let k = 0; k < n; k++) {
    const x = new Float64Array(dim);
    for (let i = 0; i < dim; i++) {
      for (let j = 0; j <= i; j++) x[i] += lower[i][j] * z[k * dim + j];
    }
    draws.push(x);
    gradients.push(
      Float64Array.from({ length: dim }, (_, i) => inverse[i].reduce((s, v, j) => s + v * x[j], 0)),
    );
  }
  return { sigma, draws, gradients };
}

function invert(m: Matrix): number[][] {
  const n = m.rows;
  const a = m
    .to2DArray()
    .map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => +(i === j))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    const pivot = a[c][c];
    for (let k = 0; k < 2 * n; k++) a[c][k] /= pivot;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r][c];
      for (let k = 0; k < 2 * n; k++) a[r][k] -= f * a[c][k];
    }
  }
  return a.map((row) => row.slice(n));
}

describe("fisherDiagonal", () => {
  it("is exact for independent normals from a handful of draws", () => {
    // Var(x_i) = s_i^2 and g_i = x_i / s_i^2, so sqrt(Var x / Var g) = s_i^2 for any sample.
    const sds = [0.01, 1, 30];
    const { draws, gradients } = gaussianSample(
      sds.map((s, i) => sds.map((_, j) => (i === j ? s : 0))),
      4,
      1,
    );
    const estimator = new DiagonalFisherEstimator(3);
    for (let k = 0; k < draws.length; k++) estimator.add(draws[k], gradients[k]);
    const estimate = estimator.estimate({ inverseMassMatrix: Float64Array.of(1, 1, 1) });
    for (let i = 0; i < 3; i++) {
      expect(Math.abs((estimate?.inverseMassMatrix[i] ?? 0) / sds[i] ** 2 - 1)).toBeLessThan(1e-9);
    }
  });

  it("keeps the previous entry where the ratio is not usable, and clamps", () => {
    const out = fisherDiagonal(
      Float64Array.of(0, 4, 1e60, 1),
      Float64Array.of(1, 0, 1e-60, 4),
      Float64Array.of(7, 8, 9, 10),
    );
    expect(Array.from(out)).toEqual([7, 8, 1e20, 0.5]);
    expect(Array.from(gradientInitialMetric(Float64Array.of(-4, 0, Number.NaN)))).toEqual([
      0.25, 1, 1,
    ]);
  });

  it("switches windows: the estimate rests on the draws since the last switch but one", () => {
    const estimator = new DiagonalFisherEstimator(1);
    // Window 1: variance of x 4, of g 1 (ratio 2); window 2: x 1, g 1 (ratio 1).
    const first = [-2, 2, -2, 2];
    const second = [-1, 1, -1, 1];
    for (const v of first) estimator.add(Float64Array.of(v), Float64Array.of(v / 2));
    estimator.switchWindows();
    expect(estimator.count).toBe(4);
    expect(estimator.backgroundCount).toBe(0);
    for (const v of second) estimator.add(Float64Array.of(v), Float64Array.of(v));
    estimator.switchWindows();
    expect(estimator.count).toBe(4);
    // Only the second window remains: Var(x) = Var(g), ratio 1.
    const estimate = estimator.estimate({ inverseMassMatrix: Float64Array.of(1) });
    expect(estimate?.inverseMassMatrix[0]).toBeCloseTo(1, 12);
  });
});

describe("spdMean", () => {
  it("solves M B M = A (diagonal and general)", () => {
    const m = spdMean(
      Float64Array.of(1, 0, 0, 0, 4, 0, 0, 0, 8),
      Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 0.5),
      3,
    );
    expect(Array.from(m, (v) => +v.toFixed(10))).toEqual([1, 0, 0, 0, 2, 0, 0, 0, 4]);
    const a = new Matrix([
      [2, 0.5, 0.1],
      [0.5, 1, 0.2],
      [0.1, 0.2, 3],
    ]);
    const b = new Matrix([
      [1, -0.3, 0],
      [-0.3, 2, 0.4],
      [0, 0.4, 0.7],
    ]);
    const mean = new Matrix(
      Array.from({ length: 3 }, (_, i) =>
        Array.from(
          spdMean(Float64Array.from(a.to1DArray()), Float64Array.from(b.to1DArray()), 3).subarray(
            i * 3,
            i * 3 + 3,
          ),
        ),
      ),
    );
    const product = mean.mmul(b).mmul(mean);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) expect(product.get(i, j)).toBeCloseTo(a.get(i, j), 10);
    }
  });

  it("raises the mean to floor * A where it is below (matrices that share eigenvectors)", () => {
    // A = R diag(9, 1) R^T and B = R diag(4, 1/4) R^T, R a rotation by 30 degrees: the mean
    // is R diag(sqrt(9 / 4), sqrt(1 * 4)) R^T = R diag(1.5, 2) R^T; with floor f, along the
    // first direction max(1.5, 9 f), along the second max(2, f).
    const rotated = (d1: number, d2: number) => {
      const [c, s] = [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6)];
      return Float64Array.of(
        c * c * d1 + s * s * d2,
        c * s * (d1 - d2),
        c * s * (d1 - d2),
        s * s * d1 + c * c * d2,
      );
    };
    const a = rotated(9, 1);
    const b = rotated(4, 0.25);
    const cases: Array<[number, Float64Array]> = [
      [0, rotated(1.5, 2)],
      [0.1, rotated(1.5, 2)],
      [0.5, rotated(4.5, 2)],
      [1, rotated(9, 2)],
      [3, rotated(27, 3)],
    ];
    for (const [floor, expected] of cases) {
      const m = spdMean(a, b, 2, floor);
      for (let i = 0; i < 4; i++) expect(m[i]).toBeCloseTo(expected[i], 10);
    }
  });

  it("with a floor, is at least the mean and at least floor * A (Loewner order), in general position", () => {
    const a = Float64Array.of(2, 0.5, 0.1, 0.5, 1, 0.2, 0.1, 0.2, 3);
    const b = Float64Array.of(1, -0.3, 0, -0.3, 2, 0.4, 0, 0.4, 0.7);
    const mean = spdMean(a, b, 3);
    const floored = spdMean(a, b, 3, 0.8);
    const smallestEigenvalue = (m: Float64Array) =>
      Math.min(...new EigenvalueDecomposition(new Matrix([...chunks(m, 3)])).realEigenvalues);
    const minus = (x: Float64Array, y: Float64Array, c: number) => x.map((v, i) => v - c * y[i]);
    expect(smallestEigenvalue(minus(floored, mean, 1))).toBeGreaterThan(-1e-10);
    expect(smallestEigenvalue(minus(floored, a, 0.8))).toBeGreaterThan(-1e-10);
    // The floor binds here: the floored matrix is not the mean.
    expect(Math.max(...minus(floored, mean, 1).map(Math.abs))).toBeGreaterThan(0.1);
  });
});

function* chunks(m: Float64Array, n: number): Generator<number[]> {
  for (let i = 0; i < n; i++) yield Array.from(m.subarray(i * n, (i + 1) * n));
}

describe("lowRankFisherEstimate", () => {
  // A correlated 4-D Gaussian with very different scales.
  const lower = [
    [3, 0, 0, 0],
    [2.7, 1.3, 0, 0],
    [0, 0.05, 0.1, 0],
    [-1, 0.5, 0.02, 0.4],
  ];

  it("recovers a dense covariance from draws and gradients when every eigenvalue is kept", () => {
    const { sigma, draws, gradients } = gaussianSample(lower, 12, 2);
    const estimate = lowRankFisherEstimate(draws, gradients, {
      gamma: 1e-12,
      eigvalCutoff: 1 + 1e-12,
      varianceFloor: 0,
    });
    expect(estimate).toBeDefined();
    const dense = lowRankInverseMassDense(
      estimate!.inverseMassMatrix,
      estimate!.lowRankCorrection!,
    );
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        const scaleIJ = Math.sqrt(sigma[i][i] * sigma[j][j]);
        expect(Math.abs(dense[i * 4 + j] - sigma[i][j]) / scaleIJ).toBeLessThan(1e-6);
      }
    }
  });

  it("keeps only eigenvalues outside [1/c, c], with orthonormal directions", () => {
    const { draws, gradients } = gaussianSample(lower, 50, 3);
    const estimate = lowRankFisherEstimate(draws, gradients, {
      gamma: 1e-5,
      eigvalCutoff: 2,
      varianceFloor: 0,
    })!;
    const { vectors, values } = estimate.lowRankCorrection!;
    expect(values.length).toBeGreaterThan(0);
    expect(values.length).toBeLessThanOrEqual(4);
    for (const v of values) expect(v > 2 || v < 0.5).toBe(true);
    const rank = values.length;
    for (let a = 0; a < rank; a++) {
      for (let b = 0; b < rank; b++) {
        let dot = 0;
        for (let i = 0; i < 4; i++) dot += vectors[a * 4 + i] * vectors[b * 4 + i];
        expect(dot).toBeCloseTo(a === b ? 1 : 0, 10);
      }
    }
  });

  it("finds a strong direction from fewer draws than dimensions (the span of draws and gradients)", () => {
    // dim 40, a variance-25 direction along (1, ..., 1) / sqrt(40) on top of the identity;
    // 15 draws: 2n = 30 < dim, so the estimate works in the span of draws and gradients.
    const dim = 40;
    const u = 1 / Math.sqrt(dim);
    const n = 15;
    const z = normal(PRNGKey(4), n * (dim + 1));
    const draws: Float64Array[] = [];
    const gradients: Float64Array[] = [];
    for (let k = 0; k < n; k++) {
      const spike = 5 * z[k * (dim + 1) + dim];
      const x = Float64Array.from({ length: dim }, (_, i) => z[k * (dim + 1) + i] + spike * u);
      // Sigma = I + 24 u u^T, Sigma^{-1} = I - (24 / 25) u u^T.
      const along = x.reduce((s, v) => s + v * u, 0);
      draws.push(x);
      gradients.push(x.map((v) => v - (24 / 25) * along * u));
    }
    const estimator = new LowRankFisherEstimator(dim, {
      gamma: 1e-5,
      eigvalCutoff: 2,
      varianceFloor: 0,
    });
    for (let k = 0; k < n; k++) estimator.add(draws[k], gradients[k]);
    const estimate = estimator.estimate()!;
    const { vectors, values } = estimate.lowRankCorrection!;
    const largest = values.indexOf(Math.max(...values));
    let cosine = 0;
    for (let i = 0; i < dim; i++) cosine += vectors[largest * dim + i] * u;
    expect(Math.abs(cosine)).toBeGreaterThan(0.95);
    // Far fewer draws than dimensions: the direction is found, its variance only roughly (8.4
    // here for 25; the sample covariances in the span are noisy), still well above the cutoff.
    expect(values[largest]).toBeGreaterThan(4);
  });

  it("keeps at least the draws' covariance with floor 1 on a non-Gaussian (Laplace) target", () => {
    // y1 ~ Laplace(0, 1) (U = |y1|, dU/dy1 = sign(y1)), y2 ~ N(0, 1); a grid with the
    // population moments: y1 in {+-1, +-sqrt(3)} (Var 2, Var sign = 1), y2 in {+-1} (Var 1,
    // gradient y2), uncorrelated by symmetry. Rotated by R (30 degrees): draws x = R y,
    // gradients R grad U(y). Draw covariance S = R diag(2, 1) R^T, gradient covariance
    // G = R diag(1, 1) R^T = I, so the Fisher estimate is S # G^{-1} = R diag(sqrt(2), 1) R^T,
    // below S along the Laplace direction; with floor 1 it is R diag(2, 1) R^T = S.
    const [c, s] = [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6)];
    const rotate = (y: Float64Array) => Float64Array.of(c * y[0] - s * y[1], s * y[0] + c * y[1]);
    const points: Float64Array[] = [];
    const scores: Float64Array[] = [];
    for (const y1 of [-Math.sqrt(3), -1, 1, Math.sqrt(3)]) {
      for (const y2 of [-1, 1]) {
        points.push(Float64Array.of(y1, y2));
        scores.push(Float64Array.of(Math.sign(y1), y2));
      }
    }
    const expected = (d1: number, d2: number) => [
      c * c * d1 + s * s * d2,
      c * s * (d1 - d2),
      c * s * (d1 - d2),
      s * s * d1 + c * c * d2,
    ];
    for (const [floor, want] of [
      [0, expected(Math.SQRT2, 1)],
      [0.5, expected(Math.SQRT2, 1)],
      [1, expected(2, 1)],
    ] as const) {
      const settings = { gamma: 1e-12, eigvalCutoff: 1 + 1e-12, varianceFloor: floor };
      const estimate = lowRankFisherEstimate(points.map(rotate), scores.map(rotate), settings)!;
      const dense = lowRankInverseMassDense(
        estimate.inverseMassMatrix,
        estimate.lowRankCorrection!,
      );
      for (let i = 0; i < 4; i++) expect(dense[i]).toBeCloseTo(want[i], 8);
    }
    // Unrotated, the metric is diagonal and the correction empty (every eigenvalue 1 after the
    // diagonal rescaling): the floor acts on the diagonal scale, 2 instead of sqrt(2).
    for (const [floor, first] of [
      [0, Math.SQRT2],
      [1, 2],
    ]) {
      const settings = { gamma: 1e-12, eigvalCutoff: 2, varianceFloor: floor };
      const estimate = lowRankFisherEstimate(points, scores, settings)!;
      expect(estimate.inverseMassMatrix[0]).toBeCloseTo(first, 10);
      expect(estimate.inverseMassMatrix[1]).toBeCloseTo(1, 10);
      expect(estimate.lowRankCorrection!.values.length).toBe(0);
    }
  });

  it("gives no estimate from draws without spread", () => {
    const same = Array.from({ length: 5 }, () => Float64Array.of(1, 2));
    expect(
      lowRankFisherEstimate(same, same, { gamma: 1e-5, eigvalCutoff: 2, varianceFloor: 1 }),
    ).toBeUndefined();
  });

  it("the estimator's running sums give the estimate of its window's rows, across switches and far from 0", () => {
    // Draws shifted by 1000: running sums must not lose the spread to the mean.
    const { draws, gradients } = gaussianSample(lower, 70, 5);
    const shifted = draws.map((x) => x.map((v, i) => v + 1000 * (i + 1)));
    // Floor 1: the sums' estimate needs the window's count for the floor.
    const settings = { gamma: 1e-5, eigvalCutoff: 2, varianceFloor: 1 };
    const estimator = new LowRankFisherEstimator(4, settings);
    const windowStart: number[] = [0];
    let split = 0;
    for (let k = 0; k < 70; k++) {
      estimator.add(shifted[k], gradients[k]);
      if (k === 19 || k === 44) {
        estimator.switchWindows();
        windowStart.push(split);
        split = k + 1;
      }
      if (k >= 2 && k % 7 === 0) {
        const from = windowStart.at(-1)!;
        const expected = lowRankFisherEstimate(
          shifted.slice(from, k + 1),
          gradients.slice(from, k + 1),
          settings,
        )!;
        const got = estimator.estimate()!;
        expect(estimator.count).toBe(k + 1 - from);
        const scale = expected.inverseMassMatrix;
        for (let i = 0; i < 4; i++) {
          expect(Math.abs(got.inverseMassMatrix[i] - scale[i]) / scale[i]).toBeLessThan(1e-9);
        }
        const a = lowRankInverseMassDense(got.inverseMassMatrix, got.lowRankCorrection!);
        const b = lowRankInverseMassDense(expected.inverseMassMatrix, expected.lowRankCorrection!);
        for (let i = 0; i < 4; i++) {
          for (let j = 0; j < 4; j++) {
            const s = Math.sqrt(b[i * 4 + i] * b[j * 4 + j]);
            expect(Math.abs(a[i * 4 + j] - b[i * 4 + j]) / s).toBeLessThan(1e-8);
          }
        }
      }
    }
  });
});
