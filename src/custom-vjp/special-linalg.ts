/**
 * The ops of special-linalg-rules.ts: its float64 rules with tfjs kernels and gradients, callable on
 * tensors in models (docs and examples here).
 */
import { eagerOp, type Op } from "./define-op.js";
import {
  choleskyRule,
  solveLowerTriangularRule,
  solveLowerTriangularTransposedRule,
} from "./special-linalg-rules.js";

/**
 * The Cholesky factor L (lower triangular, L L^T = A) of symmetric positive definite
 * matrices A of shape [..., n, n]. A matrix that is not positive definite gives NaN.
 *
 * @example
 * cholesky(tf.tensor([[4, 2], [2, 3]])); // [[2, 0], [1, 1.4142135]]
 */
export const cholesky: Op = eagerOp(choleskyRule);

/**
 * X = L^-1 B for lower triangular L of shape [..., n, n] and B of shape [..., n, m] (batch
 * dimensions broadcast). Only the lower triangle of L is read.
 *
 * @example
 * solveLowerTriangular(tf.tensor([[2, 0], [1, 1]]), tf.tensor([[2], [3]])); // [[1], [2]]
 */
export const solveLowerTriangular: Op = eagerOp(solveLowerTriangularRule);

/**
 * X = L^-T B for lower triangular L of shape [..., n, n] and B of shape [..., n, m]: the solve
 * with the upper triangular transpose of L.
 *
 * @example
 * solveLowerTriangularTransposed(tf.tensor([[2, 0], [1, 1]]), tf.tensor([[4], [2]])); // [[1], [2]]
 */
export const solveLowerTriangularTransposed: Op = eagerOp(solveLowerTriangularTransposedRule);
