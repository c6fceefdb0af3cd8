/**
 * Small dense symmetric linear algebra on row-major `Float64Array`s, for the low-rank metric
 * estimate (fisher-metric.ts), which runs dozens of times per warmup on matrices of up to a few
 * hundred rows. ml-matrix does the same through per-element accessors and a new object per
 * product; on flat arrays (and through a Cholesky factor, fisher-metric.ts) the SPD mean of
 * the estimate costs about a quarter of the CPU time, from d = 10 to d = 100
 * (bench/low-rank-estimate.ts).
 *
 * The eigensolver reduces the matrix to tridiagonal form by Householder reflections and then
 * diagonalizes it by the implicit QL algorithm with Wilkinson shifts (Golub & Van Loan,
 * "Matrix Computations", 4th ed., sections 8.3.1 and 8.3.3; Wilkinson & Reinsch 1971).
 */

/** Eigenvalues (ascending) and eigenvectors (column j of the row-major `vectors`, n x n). */
export interface SymmetricEigen {
  readonly values: Float64Array;
  readonly vectors: Float64Array;
}

/**
 * The eigendecomposition A = V diag(values) V^T of a symmetric n x n matrix (row-major; only
 * its lower triangle is read). Throws a RangeError when the matrix is not finite or QL does not
 * converge.
 *
 * @example
 * const { values, vectors } = symmetricEigen(Float64Array.of(2, 1, 1, 2), 2);
 * values; // [1, 3]
 * vectors; // columns (1, -1) / sqrt(2) and (1, 1) / sqrt(2), up to sign
 */
export function symmetricEigen(matrix: Float64Array, n: number): SymmetricEigen {
  if (matrix.length !== n * n) {
    throw new RangeError(
      `symmetricEigen: expected ${n * n} entries (n = ${n}), got ${matrix.length}`,
    );
  }
  // Work on the lower triangle mirrored: a symmetric copy.
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = matrix[i * n + j];
      if (!Number.isFinite(v)) throw new RangeError("symmetricEigen: the matrix is not finite");
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  const q = identity(n);
  const diagonal = new Float64Array(n);
  const offDiagonal = new Float64Array(n);
  tridiagonalize(a, n, q, diagonal, offDiagonal);
  implicitQl(diagonal, offDiagonal, q, n);
  return sortAscending(diagonal, q, n);
}

function identity(n: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) m[i * n + i] = 1;
  return m;
}

/**
 * Householder reduction: for k = 0..n-3 the reflection H = I - beta v v^T zeroes column k
 * below its subdiagonal; A <- H A H and Q <- Q H, so that Q T Q^T is the input. On return
 * `diagonal` holds T's diagonal and `offDiagonal[i]` the entry T[i+1][i] (the last is 0).
 */
function tridiagonalize(
  a: Float64Array,
  n: number,
  q: Float64Array,
  diagonal: Float64Array,
  offDiagonal: Float64Array,
): void {
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    let norm = 0;
    for (let i = k + 1; i < n; i++) norm += a[i * n + k] * a[i * n + k];
    norm = Math.sqrt(norm);
    const x0 = a[(k + 1) * n + k];
    if (norm === 0) continue;
    // v = x - alpha e1 with alpha = -sign(x0) ||x|| (no cancellation in v[0]).
    const alpha = x0 > 0 ? -norm : norm;
    v.fill(0);
    v[k + 1] = x0 - alpha;
    for (let i = k + 2; i < n; i++) v[i] = a[i * n + k];
    let vv = 0;
    for (let i = k + 1; i < n; i++) vv += v[i] * v[i];
    if (vv === 0) continue;
    const beta = 2 / vv;
    // p = beta A v, K = beta (v^T p) / 2, w = p - K v; A <- A - v w^T - w v^T (rows/cols >= k).
    let vp = 0;
    for (let i = k; i < n; i++) {
      let s = 0;
      for (let j = k + 1; j < n; j++) s += a[i * n + j] * v[j];
      p[i] = beta * s;
      vp += v[i] * p[i];
    }
    const half = 0.5 * beta * vp;
    for (let i = k; i < n; i++) p[i] -= half * v[i];
    for (let i = k; i < n; i++) {
      for (let j = k; j < n; j++) a[i * n + j] -= v[i] * p[j] + p[i] * v[j];
    }
    // Q <- Q H: each row r of Q loses beta (Q_r . v) v.
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let j = k + 1; j < n; j++) s += q[r * n + j] * v[j];
      s *= beta;
      if (s !== 0) for (let j = k + 1; j < n; j++) q[r * n + j] -= s * v[j];
    }
  }
  for (let i = 0; i < n; i++) {
    diagonal[i] = a[i * n + i];
    offDiagonal[i] = i + 1 < n ? a[(i + 1) * n + i] : 0;
  }
}

/**
 * Implicit QL with Wilkinson shifts on the symmetric tridiagonal (diagonal, offDiagonal),
 * accumulating the rotations into the columns of z. On return `diagonal` holds the eigenvalues
 * (unsorted) and z's columns the eigenvectors.
 */
function implicitQl(d: Float64Array, e: Float64Array, z: Float64Array, n: number): void {
  const maxIterations = 30 * Math.max(n, 1);
  for (let l = 0; l < n; l++) {
    let iterations = 0;
    for (;;) {
      // The first negligible off-diagonal entry at or after l splits the matrix.
      let m = l;
      for (; m < n - 1; m++) {
        const scale = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= Number.EPSILON * scale) break;
      }
      if (m === l) break;
      if (++iterations > maxIterations) {
        throw new RangeError("symmetricEigen: the QL iteration did not converge");
      }
      // Wilkinson shift from the leading 2 x 2 block.
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const f = s * e[i];
        const b = c * e[i];
        r = hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          // The rotation vanished: deflate and start this block again.
          d[i + 1] -= p;
          e[m] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        for (let k = 0; k < n; k++) {
          const zi = z[k * n + i];
          const zi1 = z[k * n + i + 1];
          z[k * n + i + 1] = s * zi + c * zi1;
          z[k * n + i] = c * zi - s * zi1;
        }
      }
      if (underflow) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
}

/** sqrt(a^2 + b^2) without overflow (Math.hypot is several times slower for two arguments). */
function hypot(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  if (x > y) {
    const t = y / x;
    return x * Math.sqrt(1 + t * t);
  }
  if (y === 0) return 0;
  const t = x / y;
  return y * Math.sqrt(1 + t * t);
}

function sortAscending(values: Float64Array, z: Float64Array, n: number): SymmetricEigen {
  // Insertion sort of the indices: n is small, and this avoids a comparator closure.
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let j = i;
    while (j > 0 && values[order[j - 1]] > values[i]) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = i;
  }
  const sorted = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let to = 0; to < n; to++) {
    const from = order[to];
    sorted[to] = values[from];
    for (let k = 0; k < n; k++) vectors[k * n + to] = z[k * n + from];
  }
  return { values: sorted, vectors };
}

/**
 * V diag(f(values)) V^T for an eigendecomposition (a symmetric matrix function: square root,
 * inverse square root, ...), row-major n x n.
 *
 * @example
 * const eig = symmetricEigen(Float64Array.of(4, 0, 0, 9), 2);
 * spectralFunction(eig, 2, Math.sqrt); // [2, 0, 0, 3]
 */
export function spectralFunction(
  eig: SymmetricEigen,
  n: number,
  f: (value: number) => number,
): Float64Array {
  const { values, vectors } = eig;
  const fv = values.map(f);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += vectors[i * n + k] * fv[k] * vectors[j * n + k];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}
