/**
 * The squared-exponential kernel of the gp_pois_regr posteriors:
 * K[i, j] = alpha^2 exp(-(x[i] - x[j])^2 / (2 rho^2)).
 */
import { constant, tf } from "../../src/index.js";

/**
 * The matrix of squared distances (x[i] - x[j])^2, as a constant.
 *
 * @example
 * squaredDistances([0, 1, 3]); // [[0, 1, 9], [1, 0, 4], [9, 4, 0]]
 */
export function squaredDistances(x: readonly number[]): tf.Tensor {
  return constant(x.map((xi) => x.map((xj) => (xi - xj) ** 2)));
}

/** The identity matrix of size n, as a constant. */
export function identity(n: number): tf.Tensor {
  return constant(
    Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))),
  );
}

/**
 * alpha^2 exp(-d2 / (2 rho^2)) for the squared distances d2.
 *
 * @example
 * squaredExponential(squaredDistances([0, 1]), tf.scalar(1), tf.scalar(2));
 */
export function squaredExponential(d2: tf.Tensor, alpha: tf.Tensor, rho: tf.Tensor): tf.Tensor {
  const scaled = tf.div(d2, tf.mul(constant(2), tf.square(rho)));
  return tf.mul(tf.square(alpha), tf.exp(tf.neg(scaled)));
}
