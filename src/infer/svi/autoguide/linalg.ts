/**
 * Small dense linear algebra for the Gaussian autoguides: float64 routines on row-major
 * Float64Arrays (posterior summaries, the Laplace covariance), and differentiable tfjs
 * routines for the guide densities (tfjs has no Cholesky or triangular solve).
 */
import { tf } from "../../../tf.js";

/**
 * The lower Cholesky factor L (L L^T = a) of a symmetric positive definite n x n matrix, or
 * undefined when `a` is not positive definite.
 *
 * @example
 * cholesky(Float64Array.of(4, 2, 2, 3), 2); // [2, 0, 1, 1.4142]
 */
export function cholesky(a: Float64Array, n: number): Float64Array | undefined {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= l[j * n + k] ** 2;
    if (!(d > 0)) return undefined;
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / ljj;
    }
  }
  return l;
}

/** The inverse of a symmetric positive definite matrix through its Cholesky factor, or undefined. */
export function inverseSPD(a: Float64Array, n: number): Float64Array | undefined {
  const l = cholesky(a, n);
  if (l === undefined) return undefined;
  // Solve L L^T X = I column by column.
  const inv = new Float64Array(n * n);
  const y = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    for (let i = 0; i < n; i++) {
      let s = i === c ? 1 : 0;
      for (let k = 0; k < i; k++) s -= l[i * n + k] * y[k];
      y[i] = s / l[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = y[i];
      for (let k = i + 1; k < n; k++) s -= l[k * n + i] * inv[k * n + c];
      inv[i * n + c] = s / l[i * n + i];
    }
  }
  // Symmetrize away rounding.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const m = 0.5 * (inv[i * n + j] + inv[j * n + i]);
      inv[i * n + j] = m;
      inv[j * n + i] = m;
    }
  }
  return inv;
}

/** a b^T for row-major a (n x k) and b (n x k): the n x n product. */
export function outerProduct(a: Float64Array, b: Float64Array, n: number, k: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let m = 0; m < k; m++) s += a[i * k + m] * b[j * k + m];
      out[i * n + j] = s;
    }
  }
  return out;
}

/**
 * Solves L y = b for lower-triangular L (n x n tensor) and b of shape [..., n], by forward
 * substitution in tfjs ops (differentiable; n small).
 */
export function forwardSubstitution(l: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const n = l.shape[0];
  const columns: tf.Tensor[] = [];
  for (let i = 0; i < n; i++) {
    let rhs = lastEntry(b, i);
    if (i > 0) {
      const previous = tf.stack(columns, -1);
      const row = tf.reshape(tf.slice(l, [i, 0], [1, i]), [i]);
      rhs = tf.sub(rhs, tf.sum(tf.mul(previous, row), -1));
    }
    columns.push(tf.div(rhs, tf.reshape(tf.slice(l, [i, i], [1, 1]), [])));
  }
  return tf.stack(columns, -1);
}

/** The lower Cholesky factor of a small symmetric positive definite tensor [k, k], in tfjs ops. */
export function choleskyTensor(a: tf.Tensor): tf.Tensor {
  const k = a.shape[0];
  const entry = (i: number, j: number) => tf.reshape(tf.slice(a, [i, j], [1, 1]), []);
  const l: tf.Tensor[][] = Array.from({ length: k }, () => new Array<tf.Tensor>(k));
  const zero = tf.scalar(0);
  for (let j = 0; j < k; j++) {
    let d = entry(j, j);
    for (let m = 0; m < j; m++) d = tf.sub(d, tf.square(l[j][m]));
    l[j][j] = tf.sqrt(d);
    for (let i = j + 1; i < k; i++) {
      let s = entry(i, j);
      for (let m = 0; m < j; m++) s = tf.sub(s, tf.mul(l[i][m], l[j][m]));
      l[i][j] = tf.div(s, l[j][j]);
    }
    for (let i = 0; i < j; i++) l[i][j] = zero;
  }
  return tf.stack(l.map((row) => tf.stack(row)));
}

function lastEntry(x: tf.Tensor, i: number): tf.Tensor {
  const begin = x.shape.map((_, d) => (d === x.rank - 1 ? i : 0));
  const size = x.shape.map((s, d) => (d === x.rank - 1 ? 1 : s));
  return tf.squeeze(tf.slice(x, begin, size), [x.rank - 1]);
}
