/**
 * Matrix transforms, following the Stan Reference Manual ("Cholesky factors of covariance
 * matrices", "Cholesky factors of correlation matrices", "Covariance matrices") with
 * NumPyro's layout of the unconstrained vector:
 *
 * - LowerCholeskyTransform: R^(D(D+1)/2) -> lower triangular with positive diagonal; the
 *   first D(D-1)/2 entries fill the strictly lower triangle row by row, the last D are the
 *   logs of the diagonal.
 * - CorrCholeskyTransform: R^(D(D-1)/2) -> Cholesky factors of correlation matrices;
 *   z = tanh(x) are canonical partial correlations (Lewandowski, Kurowicka & Joe 2009),
 *   L_ij = z_ij sqrt(1 - L_i0^2 - ... - L_i(j-1)^2), L_ii the rest of row i's unit norm.
 * - CholeskyOuterProductTransform: L -> L L^T, onto positive definite matrices.
 */
import { cholesky } from "../custom-vjp/special-linalg.js";
import { constant, tf } from "../tf.js";
import { callable } from "../util/callable.js";
import { correlationCholesky, lowerCholesky, positiveDefinite, realVector } from "./constraints.js";
import { Transform } from "./transforms.js";
import { sliceLast } from "./util.js";

/** D with D(D+1)/2 = n (or D(D-1)/2 = n with `strict`); throws when there is none. */
function matrixDimension(n: number, strict: boolean, api: string): number {
  const d = strict ? (1 + Math.sqrt(1 + 8 * n)) / 2 : (Math.sqrt(1 + 8 * n) - 1) / 2;
  if (!Number.isInteger(d)) {
    throw new Error(
      `${api}: the last dimension must be a triangular number ${strict ? "D(D-1)/2" : "D(D+1)/2"}, got ${n}`,
    );
  }
  return d;
}

/** Row-major (row, col) pairs of the strictly lower triangle of a D x D matrix. */
function strictLowerCells(d: number): Array<[number, number]> {
  const cells: Array<[number, number]> = [];
  for (let i = 1; i < d; i++) for (let j = 0; j < i; j++) cells.push([i, j]);
  return cells;
}

/**
 * For each cell of a D x D matrix (row-major) the index into a vector laid out as
 * [strictly lower entries..., diagonal entries (if `withDiagonal`)..., 0], where the final
 * entry is the zero that fills the rest.
 */
function cellIndex(d: number, withDiagonal: boolean): Int32Array {
  const m = (d * (d - 1)) / 2;
  const zero = m + (withDiagonal ? d : 0);
  const index = new Int32Array(d * d).fill(zero);
  strictLowerCells(d).forEach(([i, j], k) => {
    index[i * d + j] = k;
  });
  if (withDiagonal) for (let i = 0; i < d; i++) index[i * d + i] = m + i;
  return index;
}

/** Fills D x D matrices from vectors laid out as in `cellIndex` (without the trailing zero). */
function vectorToMatrix(v: tf.Tensor, d: number, withDiagonal: boolean): tf.Tensor {
  const padded = tf.concat([v, tf.zeros([...v.shape.slice(0, -1), 1])], -1);
  const flat = tf.gather(padded, tf.tensor1d(cellIndex(d, withDiagonal), "int32"), v.rank - 1);
  return tf.reshape(flat, [...v.shape.slice(0, -1), d, d]);
}

/** The strictly lower entries (and the diagonal, if asked) of D x D matrices, as vectors. */
function matrixToVector(m: tf.Tensor, withDiagonal: boolean): tf.Tensor {
  const d = m.shape[m.rank - 1];
  const cells = strictLowerCells(d).map(([i, j]) => i * d + j);
  if (withDiagonal) for (let i = 0; i < d; i++) cells.push(i * d + i);
  const flat = tf.reshape(m, [...m.shape.slice(0, -2), d * d]);
  return tf.gather(flat, tf.tensor1d(cells, "int32"), flat.rank - 1);
}

function diagonalMask(d: number): tf.Tensor {
  return tf.eye(d);
}

class LowerCholeskyTransformClass extends Transform {
  readonly name = "lowerCholesky";
  readonly domain = realVector;
  readonly codomain = lowerCholesky;

  forward(x: tf.Tensor): tf.Tensor {
    const n = x.shape[x.rank - 1];
    const d = matrixDimension(n, false, "LowerCholeskyTransform");
    const m = n - d;
    const v = tf.concat([sliceLast(x, 0, m), tf.exp(sliceLast(x, m, d))], -1);
    return vectorToMatrix(v, d, true);
  }
  inverse(y: tf.Tensor): tf.Tensor {
    const d = y.shape[y.rank - 1];
    const m = (d * (d - 1)) / 2;
    const v = matrixToVector(y, true);
    return tf.concat([sliceLast(v, 0, m), tf.log(sliceLast(v, m, d))], -1);
  }
  logAbsDetJacobian(x: tf.Tensor, _y?: tf.Tensor): tf.Tensor {
    const n = x.shape[x.rank - 1];
    const d = matrixDimension(n, false, "LowerCholeskyTransform");
    return tf.sum(sliceLast(x, n - d, d), -1);
  }
  override forwardShape(shape: readonly number[]): number[] {
    const d = matrixDimension(shape[shape.length - 1], false, "LowerCholeskyTransform");
    return [...shape.slice(0, -1), d, d];
  }
  override inverseShape(shape: readonly number[]): number[] {
    const d = shape[shape.length - 1];
    return [...shape.slice(0, -2), (d * (d + 1)) / 2];
  }
  override forwardF64(x: Float64Array, shape: readonly number[]): Float64Array {
    const n = shape[shape.length - 1];
    const d = matrixDimension(n, false, "LowerCholeskyTransform");
    const m = n - d;
    const cells = strictLowerCells(d);
    const blocks = x.length / n;
    const out = new Float64Array(blocks * d * d);
    for (let b = 0; b < blocks; b++) {
      cells.forEach(([i, j], k) => {
        out[b * d * d + i * d + j] = x[b * n + k];
      });
      for (let i = 0; i < d; i++) out[b * d * d + i * d + i] = Math.exp(x[b * n + m + i]);
    }
    return out;
  }
  override inverseF64(y: Float64Array, shape: readonly number[]): Float64Array {
    const d = shape[shape.length - 1];
    const n = (d * (d + 1)) / 2;
    const m = n - d;
    const cells = strictLowerCells(d);
    const blocks = y.length / (d * d);
    const out = new Float64Array(blocks * n);
    for (let b = 0; b < blocks; b++) {
      cells.forEach(([i, j], k) => {
        out[b * n + k] = y[b * d * d + i * d + j];
      });
      for (let i = 0; i < d; i++) out[b * n + m + i] = Math.log(y[b * d * d + i * d + i]);
    }
    return out;
  }
}

/**
 * From R^(D(D+1)/2) onto lower triangular matrices with a positive diagonal: strictly lower
 * entries as they are, diagonal exp(x); log|det| = the sum of the diagonal's x.
 *
 * @example
 * LowerCholeskyTransform().forward(tf.zeros([3])); // [[1, 0], [0, 1]]
 */
export const LowerCholeskyTransform = callable(LowerCholeskyTransformClass);
export type LowerCholeskyTransform = LowerCholeskyTransformClass;

class CorrCholeskyTransformClass extends Transform {
  readonly name = "corrCholesky";
  readonly domain = realVector;
  readonly codomain = correlationCholesky;

  private parts(x: tf.Tensor) {
    const n = x.shape[x.rank - 1];
    const d = matrixDimension(n, true, "CorrCholeskyTransform");
    const xm = vectorToMatrix(x, d, false);
    const z = tf.tanh(xm);
    const logOneMinusZ2 = tf.mul(
      2,
      tf.sub(tf.sub(constant(Math.LN2), xm), tf.softplus(tf.mul(-2, xm))),
    );
    const logRemaining = tf.cumsum(logOneMinusZ2, xm.rank - 1, true);
    return { d, xm, z, logOneMinusZ2, logRemaining };
  }
  forward(x: tf.Tensor): tf.Tensor {
    const { d, z, logRemaining } = this.parts(x);
    const scale = tf.exp(tf.mul(0.5, logRemaining));
    return tf.add(tf.mul(z, scale), tf.mul(diagonalMask(d), scale));
  }
  inverse(y: tf.Tensor): tf.Tensor {
    const d = y.shape[y.rank - 1];
    const strictLower = tf.cast(
      tf.sub(tf.linalg.bandPart(tf.ones([d, d]), -1, 0), tf.eye(d)),
      "bool",
    );
    // Only the strictly lower cells are used; the others get a harmless 1 (no NaN gradients).
    const remaining = tf.where(
      strictLower,
      tf.sub(1, tf.cumsum(tf.square(y), y.rank - 1, true)),
      1,
    );
    const z = tf.div(y, tf.sqrt(remaining));
    const limit = 1 - 2 ** -24;
    return matrixToVector(tf.atanh(tf.clipByValue(z, -limit, limit)), false);
  }
  logAbsDetJacobian(x: tf.Tensor, _y?: tf.Tensor): tf.Tensor {
    const { d, logOneMinusZ2, logRemaining } = this.parts(x);
    const strictLower = tf.sub(tf.linalg.bandPart(tf.ones([d, d]), -1, 0), tf.eye(d));
    const terms = tf.mul(strictLower, tf.add(logOneMinusZ2, tf.mul(0.5, logRemaining)));
    return tf.sum(terms, [terms.rank - 2, terms.rank - 1]);
  }
  override forwardShape(shape: readonly number[]): number[] {
    const d = matrixDimension(shape[shape.length - 1], true, "CorrCholeskyTransform");
    return [...shape.slice(0, -1), d, d];
  }
  override inverseShape(shape: readonly number[]): number[] {
    const d = shape[shape.length - 1];
    return [...shape.slice(0, -2), (d * (d - 1)) / 2];
  }
  override forwardF64(x: Float64Array, shape: readonly number[]): Float64Array {
    const n = shape[shape.length - 1];
    const d = matrixDimension(n, true, "CorrCholeskyTransform");
    const cells = strictLowerCells(d);
    const blocks = n === 0 ? x.length : x.length / n;
    const out = new Float64Array(blocks * d * d);
    for (let b = 0; b < blocks; b++) {
      const o = b * d * d;
      out[o] = 1;
      let k = 0;
      for (let i = 1; i < d; i++) {
        let remaining = 1;
        for (let j = 0; j < i; j++) {
          const [ci, cj] = cells[k];
          const z = Math.tanh(x[b * n + k]);
          out[o + ci * d + cj] = z * Math.sqrt(remaining);
          remaining *= 1 - z * z;
          k++;
        }
        out[o + i * d + i] = Math.sqrt(remaining);
      }
    }
    return out;
  }
  override inverseF64(y: Float64Array, shape: readonly number[]): Float64Array {
    const d = shape[shape.length - 1];
    const n = (d * (d - 1)) / 2;
    const blocks = y.length / (d * d);
    const out = new Float64Array(blocks * n);
    for (let b = 0; b < blocks; b++) {
      let k = 0;
      for (let i = 1; i < d; i++) {
        let remaining = 1;
        for (let j = 0; j < i; j++) {
          const v = y[b * d * d + i * d + j];
          out[b * n + k] = Math.atanh(v / Math.sqrt(remaining));
          remaining -= v * v;
          k++;
        }
      }
    }
    return out;
  }
}

/**
 * From R^(D(D-1)/2) onto Cholesky factors of correlation matrices, through canonical partial
 * correlations z = tanh(x). Computed in log space: log(1 - z^2) = 2 (log 2 - x - softplus(-2x)),
 * so that large |x| never gives NaN.
 *
 * @example
 * CorrCholeskyTransform().forward(tf.zeros([3])); // the 3 x 3 identity
 */
export const CorrCholeskyTransform = callable(CorrCholeskyTransformClass);
export type CorrCholeskyTransform = CorrCholeskyTransformClass;

class CholeskyOuterProductTransformClass extends Transform {
  readonly name = "choleskyOuterProduct";
  readonly domain = lowerCholesky;
  readonly codomain = positiveDefinite;

  forward(x: tf.Tensor): tf.Tensor {
    return tf.matMul(x, x, false, true);
  }
  inverse(y: tf.Tensor): tf.Tensor {
    return cholesky(y);
  }
  logAbsDetJacobian(x: tf.Tensor, _y?: tf.Tensor): tf.Tensor {
    const d = x.shape[x.rank - 1];
    const exponents = tf.tensor1d(Array.from({ length: d }, (_, i) => d - i));
    const logDiag = tf.log(tf.sum(tf.mul(x, tf.eye(d)), -1));
    return tf.add(constant(d * Math.LN2), tf.sum(tf.mul(exponents, logDiag), -1));
  }
  override forwardF64(x: Float64Array, shape: readonly number[]): Float64Array {
    const d = shape[shape.length - 1];
    const out = new Float64Array(x.length);
    for (let o = 0; o < x.length; o += d * d) {
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) {
          let s = 0;
          for (let k = 0; k <= Math.min(i, j); k++) s += x[o + i * d + k] * x[o + j * d + k];
          out[o + i * d + j] = s;
        }
      }
    }
    return out;
  }
}

/**
 * L -> L L^T, from lower triangular matrices with a positive diagonal onto symmetric positive
 * definite ones; log|det| = D log 2 + sum_i (D - i) log L_ii (i from 0) on the lower
 * triangles of both. Its inverse is the Cholesky factorization.
 *
 * @example
 * CholeskyOuterProductTransform().forward(tf.tensor([[2, 0], [1, 1]])); // [[4, 2], [2, 2]]
 */
export const CholeskyOuterProductTransform = callable(CholeskyOuterProductTransformClass);
export type CholeskyOuterProductTransform = CholeskyOuterProductTransformClass;
