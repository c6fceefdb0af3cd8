/**
 * Linear algebra that tfjs-core lacks, as op rules (special-linalg.ts makes them ops) with float64
 * forward passes and derivative rules: the Cholesky factor of a symmetric positive definite matrix
 * and triangular solves. Inputs carry batch dimensions in front of the matrix dimensions; the
 * solves broadcast batch dimensions NumPy-style.
 *
 * Derivatives:
 * - Cholesky (Murray 2016, "Differentiation of the Cholesky decomposition", arXiv:1602.07527):
 *   with Phi(X) the lower triangle of X with its diagonal halved,
 *   Abar = sym(L^-T Phi(L^T Lbar) L^-1), sym(S) = (S + S^T)/2. The forward pass reads
 *   (A + A^T)/2, so the rule is the exact derivative for every entry of A.
 * - X = L^-1 B: Bbar = L^-T Xbar and Lbar = -tril(Bbar X^T).
 * - X = L^-T B: Bbar = L^-1 Xbar and Lbar = -tril(X Bbar^T).
 */
import { broadcastShapes, broadcastTo, formatShape, sizeOf } from "../util/shapes.js";
import type { OpDefinition } from "./registry.js";
import { defineRule } from "./rule.js";

function matrixSize(shape: readonly number[], api: string, argument: string): [number, number] {
  if (shape.length < 2)
    throw new Error(
      `${api}: ${argument} must have at least 2 dimensions, got shape ${formatShape(shape)}`,
    );
  return [shape[shape.length - 2], shape[shape.length - 1]];
}

/** Cholesky factor of (A + A^T)/2 for one row-major n x n block; NaN-filled if not positive definite. */
function choleskyBlock(
  a: Float64Array,
  offset: number,
  n: number,
  out: Float64Array,
  outOffset: number,
): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0.5 * (a[offset + i * n + j] + a[offset + j * n + i]);
      for (let k = 0; k < j; k++) s -= out[outOffset + i * n + k] * out[outOffset + j * n + k];
      if (i === j) {
        out[outOffset + i * n + i] = s > 0 ? Math.sqrt(s) : Number.NaN;
      } else {
        out[outOffset + i * n + j] = s / out[outOffset + j * n + j];
      }
    }
  }
}

/** Solves L X = B (or L^T X = B) in place for one block; L n x n lower, X n x m. */
function solveBlock(
  l: Float64Array,
  lOffset: number,
  x: Float64Array,
  xOffset: number,
  n: number,
  m: number,
  transposed: boolean,
): void {
  if (!transposed) {
    for (let i = 0; i < n; i++) {
      const d = l[lOffset + i * n + i];
      for (let c = 0; c < m; c++) {
        let s = x[xOffset + i * m + c];
        for (let k = 0; k < i; k++) s -= l[lOffset + i * n + k] * x[xOffset + k * m + c];
        x[xOffset + i * m + c] = s / d;
      }
    }
  } else {
    // L^T is upper triangular: (L^T)_(i,k) = L_(k,i)
    for (let i = n - 1; i >= 0; i--) {
      const d = l[lOffset + i * n + i];
      for (let c = 0; c < m; c++) {
        let s = x[xOffset + i * m + c];
        for (let k = i + 1; k < n; k++) s -= l[lOffset + k * n + i] * x[xOffset + k * m + c];
        x[xOffset + i * m + c] = s / d;
      }
    }
  }
}

/** The float64 rule of `cholesky` (special-linalg.ts). */
export const choleskyRule: OpDefinition = defineRule({
  name: "cholesky",
  inputs: ["a"],
  outputShape: ([shape]) => {
    const [n, m] = matrixSize(shape, "cholesky", "a");
    if (n !== m) throw new Error(`cholesky: a must be square, got shape ${formatShape(shape)}`);
    return shape.slice();
  },
  forward: ([a], [shape]) => {
    const n = shape[shape.length - 1];
    const out = new Float64Array(a.length);
    for (let off = 0; off < a.length; off += n * n) choleskyBlock(a, off, n, out, off);
    return out;
  },
  vjp: (_inputs, [shape], l, dy) => {
    const n = shape[shape.length - 1];
    const grad = new Float64Array(l.length);
    const p = new Float64Array(n * n);
    for (let off = 0; off < l.length; off += n * n) {
      // P = Phi(L^T Lbar)
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += l[off + k * n + i] * dy[off + k * n + j];
          p[i * n + j] = i === j ? 0.5 * s : s;
        }
        for (let j = i + 1; j < n; j++) p[i * n + j] = 0;
      }
      // S = L^-T P L^-1: solve L^T Y = P, then S^T = L^-T Y^T.
      const y = Float64Array.from(p);
      solveBlock(l, off, y, 0, n, n, true);
      const yt = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) yt[i * n + j] = y[j * n + i];
      solveBlock(l, off, yt, 0, n, n, true); // yt = L^-T (Y^T) = S^T
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) grad[off + i * n + j] = 0.5 * (yt[i * n + j] + yt[j * n + i]);
      }
    }
    return [grad];
  },
});

function batchMaps(lShape: readonly number[], bShape: readonly number[]) {
  const lBatch = lShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const outBatch = broadcastShapes(lBatch, bBatch);
  const count = sizeOf(outBatch);
  const lIndex = broadcastTo(
    Float64Array.from({ length: sizeOf(lBatch) }, (_, i) => i),
    lBatch,
    outBatch,
  );
  const bIndex = broadcastTo(
    Float64Array.from({ length: sizeOf(bBatch) }, (_, i) => i),
    bBatch,
    outBatch,
  );
  return { outBatch, count, lIndex, bIndex };
}

function triangularSolveRule(name: string, transposed: boolean): OpDefinition {
  return defineRule({
    name,
    inputs: ["l", "b"],
    outputShape: ([lShape, bShape]) => {
      const [n, n2] = matrixSize(lShape, name, "l");
      const [k, m] = matrixSize(bShape, name, "b");
      if (n !== n2 || k !== n) {
        throw new Error(
          `${name}: l must be [..., n, n] and b [..., n, m], got ${formatShape(lShape)} and ${formatShape(bShape)}`,
        );
      }
      return [...broadcastShapes(lShape.slice(0, -2), bShape.slice(0, -2)), n, m];
    },
    forward: ([l, b], [lShape, bShape]) => {
      const n = lShape[lShape.length - 1];
      const m = bShape[bShape.length - 1];
      const { count, lIndex, bIndex } = batchMaps(lShape, bShape);
      const out = new Float64Array(count * n * m);
      for (let i = 0; i < count; i++) {
        out.set(b.subarray(bIndex[i] * n * m, (bIndex[i] + 1) * n * m), i * n * m);
        solveBlock(l, lIndex[i] * n * n, out, i * n * m, n, m, transposed);
      }
      return out;
    },
    vjp: ([l, b], [lShape, bShape], x, dy) => {
      const n = lShape[lShape.length - 1];
      const m = bShape[bShape.length - 1];
      const { count, lIndex, bIndex } = batchMaps(lShape, bShape);
      const dl = new Float64Array(l.length);
      const db = new Float64Array(b.length);
      const bbar = new Float64Array(n * m);
      for (let i = 0; i < count; i++) {
        // Bbar = L^-T Xbar (plain solve) or L^-1 Xbar (transposed solve)
        bbar.set(dy.subarray(i * n * m, (i + 1) * n * m));
        solveBlock(l, lIndex[i] * n * n, bbar, 0, n, m, !transposed);
        const bOff = bIndex[i] * n * m;
        for (let e = 0; e < n * m; e++) db[bOff + e] += bbar[e];
        const lOff = lIndex[i] * n * n;
        const xOff = i * n * m;
        for (let r = 0; r < n; r++) {
          for (let c = 0; c <= r; c++) {
            let s = 0;
            // plain: -(Bbar X^T)_(r,c); transposed: -(X Bbar^T)_(r,c)
            for (let t = 0; t < m; t++) {
              s += transposed
                ? x[xOff + r * m + t] * bbar[c * m + t]
                : bbar[r * m + t] * x[xOff + c * m + t];
            }
            dl[lOff + r * n + c] -= s;
          }
        }
      }
      return [dl, db];
    },
  });
}

/** The float64 rule of `solveLowerTriangular` (special-linalg.ts). */
export const solveLowerTriangularRule: OpDefinition = triangularSolveRule(
  "solveLowerTriangular",
  false,
);

/** The float64 rule of `solveLowerTriangularTransposed` (special-linalg.ts). */
export const solveLowerTriangularTransposedRule: OpDefinition = triangularSolveRule(
  "solveLowerTriangularTransposed",
  true,
);
