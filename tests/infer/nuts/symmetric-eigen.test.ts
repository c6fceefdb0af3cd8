import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { describe, expect, it } from "vitest";
import { spectralFunction, symmetricEigen } from "../../../src/infer/nuts/symmetric-eigen.js";

/** A B for row-major n x n matrices (naive triple loop). */
function multiply(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j];
      out[i * n + j] = s;
    }
  }
  return out;
}

/** A random symmetric matrix from a seeded linear congruential generator. */
function randomSymmetric(n: number, seed: number): Float64Array {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648 - 0.5;
  };
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = next();
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/** max |A V - V diag(values)| and max |V^T V - I|. */
function residuals(a: Float64Array, n: number) {
  const { values, vectors } = symmetricEigen(a, n);
  let eigen = 0;
  let orthogonality = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let av = 0;
      let vtv = 0;
      for (let k = 0; k < n; k++) {
        av += a[i * n + k] * vectors[k * n + j];
        vtv += vectors[k * n + i] * vectors[k * n + j];
      }
      eigen = Math.max(eigen, Math.abs(av - vectors[i * n + j] * values[j]));
      orthogonality = Math.max(orthogonality, Math.abs(vtv - (i === j ? 1 : 0)));
    }
  }
  return { values, eigen, orthogonality };
}

describe("symmetricEigen", () => {
  it.each([1, 2, 3, 10, 37, 80])("decomposes a random symmetric %i x %i matrix", (n) => {
    const a = randomSymmetric(n, 7 + n);
    const { values, eigen, orthogonality } = residuals(a, n);
    const scale = Math.max(1, maxAbs(values));
    expect(eigen).toBeLessThan(1e-12 * scale * n);
    expect(orthogonality).toBeLessThan(1e-12 * n);
    for (let i = 1; i < n; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
    // The eigenvalues agree with ml-matrix's solver (an independent implementation).
    const rows = Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * n, (i + 1) * n)));
    const reference = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
    const expected = [...reference.realEigenvalues].sort((x, y) => x - y);
    for (let i = 0; i < n; i++) expect(values[i]).toBeCloseTo(expected[i], 11);
  });

  it("handles repeated eigenvalues, diagonal and already tridiagonal input", () => {
    for (const [a, n] of [
      [Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1), 3],
      [Float64Array.of(5, 0, 0, 0, -2, 0, 0, 0, 3), 3],
      [Float64Array.of(2, -1, 0, -1, 2, -1, 0, -1, 2), 3],
      [Float64Array.of(1, 1, 1, 1, 1, 1, 1, 1, 1), 3],
    ] as const) {
      const { eigen, orthogonality } = residuals(a, n);
      expect(eigen).toBeLessThan(1e-13);
      expect(orthogonality).toBeLessThan(1e-13);
    }
    // 2 - 2 cos(k pi / 4), k = 1..3, for the second-difference matrix.
    const { values } = symmetricEigen(Float64Array.of(2, -1, 0, -1, 2, -1, 0, -1, 2), 3);
    [1, 2, 3].forEach((k, i) =>
      expect(values[i]).toBeCloseTo(2 - 2 * Math.cos((k * Math.PI) / 4), 14),
    );
  });

  it("reads only the lower triangle and rejects bad input", () => {
    const lower = symmetricEigen(Float64Array.of(2, 99, 1, 2), 2).values;
    expect(Array.from(lower, (v) => +v.toFixed(12))).toEqual([1, 3]);
    expect(() => symmetricEigen(Float64Array.of(1, 0, Number.NaN, 1), 2)).toThrow(/not finite/);
    expect(() => symmetricEigen(Float64Array.of(1, 2, 3), 2)).toThrow(/expected 4 entries/);
  });
});

describe("spectralFunction", () => {
  it("the square root squares back to the matrix", () => {
    // B = C C^T + I is positive definite.
    const n = 6;
    const c = randomSymmetric(n, 3);
    const b = multiply(c, c, n);
    for (let i = 0; i < n; i++) b[i * n + i] += 1;
    const root = spectralFunction(symmetricEigen(b, n), n, Math.sqrt);
    const squared = multiply(root, root, n);
    for (let i = 0; i < n * n; i++) expect(squared[i]).toBeCloseTo(b[i], 12);
  });
});
