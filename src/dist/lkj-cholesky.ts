/** The LKJ distribution over Cholesky factors of correlation matrices. */
import { lgamma } from "../custom-vjp/special.js";
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { sizeOf } from "../util/shapes.js";
import { correlationCholesky, positive } from "./constraints.js";
import { Distribution } from "./distribution.js";
import { betaVariate, streamOf } from "./samplers.js";
import { exact, fromValues, param, sliceLast, valuesAt } from "./util.js";

/**
 * LKJCholesky(dimension, concentration): the Cholesky factor L of a correlation matrix
 * R = L L^T with density proportional to det(R)^(concentration - 1) (Lewandowski, Kurowicka &
 * Joe 2009, "Generating random correlation matrices based on vines and extended onion
 * method", J. Multivariate Anal. 100).
 *
 * The density of L with respect to Lebesgue measure on its strictly lower triangle follows
 * from the onion construction: row i (i = 1..D-1) is w_i = sqrt(y_i) u_i with u_i uniform on
 * the sphere in R^i and y_i ~ Beta(i/2, b_i), b_i = concentration + (D-1-i)/2, so that
 * log p(L) = sum_i [2 (b_i - 1) log L_ii + lgamma(concentration + (D-1)/2) - lgamma(b_i)]
 *            - D(D-1)/4 log pi.
 * This is NumPyro's LKJCholesky density.
 *
 * @example
 * const d = LKJCholesky(3, 2); // an LKJCholeskyDistribution
 * const L = d.sample(PRNGKey(0)); // 3 x 3 lower triangular, rows of unit length
 * tf.matMul(L, L, false, true); // a correlation matrix
 */
export class LKJCholeskyDistribution extends Distribution {
  readonly family = "LKJCholesky";
  readonly support = correlationCholesky;

  constructor(
    readonly dimension: number,
    readonly concentration: tf.Tensor,
  ) {
    if (!Number.isInteger(dimension) || dimension < 2) {
      throw new Error(`LKJCholesky: dimension must be an integer >= 2, got ${dimension}`);
    }
    super(concentration.shape.slice(), [dimension, dimension]);
    this.checkParam("concentration", concentration, positive);
  }

  protected computeLogProb(l: tf.Tensor): tf.Tensor {
    const d = this.dimension;
    const eta = tf.expandDims(this.concentration, -1);
    const logDiag = sliceLast(tf.log(tf.sum(tf.mul(l, tf.eye(d)), -1)), 1, d - 1);
    // 2 (b_i - 1) = 2 eta + D - 3 - i for i = 1..D-1
    const offsets = tf.tensor1d(Array.from({ length: d - 1 }, (_, j) => d - 4 - j));
    const exponents = tf.add(tf.mul(2, eta), offsets);
    const unnormalized = tf.sum(tf.mul(exponents, logDiag), -1);
    const halfOffsets = tf.tensor1d(Array.from({ length: d - 1 }, (_, j) => (d - 2 - j) / 2));
    const normalizer = tf.sub(
      tf.sub(
        tf.mul(d - 1, lgamma(tf.add(this.concentration, (d - 1) / 2))),
        tf.sum(lgamma(tf.add(eta, halfOffsets)), -1),
      ),
      exact(((d * (d - 1)) / 4) * Math.log(Math.PI)),
    );
    return tf.add(unnormalized, normalizer);
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    // The onion method: row i is sqrt(y) u with y ~ Beta(i/2, b_i), u uniform on the sphere.
    const d = this.dimension;
    const outer = [...sampleShape, ...this.batchShape];
    const eta = valuesAt(this.concentration, outer);
    const out = new Float64Array(sizeOf(outer) * d * d);
    const direction = new Float64Array(d);
    for (let m = 0; m < eta.length; m++) {
      const stream = streamOf(key, m);
      const o = m * d * d;
      out[o] = 1;
      for (let i = 1; i < d; i++) {
        const y = betaVariate(i / 2, eta[m] + (d - 1 - i) / 2, stream);
        let norm = 0;
        for (let j = 0; j < i; j++) {
          direction[j] = stream.normal();
          norm += direction[j] * direction[j];
        }
        const radius = Math.sqrt(y / norm);
        for (let j = 0; j < i; j++) out[o + i * d + j] = radius * direction[j];
        out[o + i * d + i] = Math.sqrt(1 - y);
      }
    }
    return fromValues(out, [...outer, d, d]);
  }
}

/**
 * The LKJ prior over Cholesky factors of `dimension` x `dimension` correlation matrices;
 * `concentration` 1 is uniform over correlation matrices, larger values favor the identity.
 *
 * @example
 * const lOmega = yield* sample("L_Omega", LKJCholesky(3, 2));
 */
export function LKJCholesky(
  dimension: number,
  concentration: ArrayLike = 1,
): LKJCholeskyDistribution {
  return new LKJCholeskyDistribution(dimension, param(concentration));
}
