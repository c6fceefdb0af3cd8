/**
 * Cholesky factorization and triangular solves for the dense metric, on row-major
 * Float64Arrays (Golub & Van Loan, "Matrix Computations", algorithm 4.2.1).
 */

/**
 * The lower-triangular L with L L^T = A for a symmetric positive-definite row-major `matrix`
 * of size dim x dim, or the index of the first non-positive pivot (as a negative number - 1).
 *
 * @example
 * choleskyLower(Float64Array.of(4, 2, 2, 3), 2); // Float64Array [2, 0, 1, 1.4142...]
 */
export function choleskyLower(matrix: Float64Array, dim: number): Float64Array | number {
  const lower = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i * dim + j];
      for (let k = 0; k < j; k++) sum -= lower[i * dim + k] * lower[j * dim + k];
      if (i === j) {
        if (!(sum > 0)) return -1 - i;
        lower[i * dim + i] = Math.sqrt(sum);
      } else {
        lower[i * dim + j] = sum / lower[j * dim + j];
      }
    }
  }
  return lower;
}

/** Solves L^T x = b for x (L lower-triangular, row-major), writing x into `out`. */
export function solveUpperTransposed(
  lower: Float64Array,
  dim: number,
  b: ArrayLike<number>,
  out: Float64Array,
): void {
  for (let i = dim - 1; i >= 0; i--) {
    let sum = b[i];
    for (let k = i + 1; k < dim; k++) sum -= lower[k * dim + i] * out[k];
    out[i] = sum / lower[i * dim + i];
  }
}
