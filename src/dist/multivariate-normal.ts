/** The multivariate normal distribution. */
import {
  cholesky,
  solveLowerTriangular,
  solveLowerTriangularTransposed,
} from "../custom-vjp/special-linalg.js";
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { broadcastShapes, formatShape } from "../util/shapes.js";
import { lowerCholesky, positiveDefinite, realVector } from "./constraints.js";
import { Distribution } from "./distribution.js";
import { batchMatMul, broadcast, exact, LOG_2PI, normalNoise, param } from "./util.js";

/** One of the three ways to give a multivariate normal's spread. */
export type MultivariateNormalSpread =
  | { covarianceMatrix: ArrayLike; scaleTril?: never; precisionMatrix?: never }
  | { scaleTril: ArrayLike; covarianceMatrix?: never; precisionMatrix?: never }
  | { precisionMatrix: ArrayLike; covarianceMatrix?: never; scaleTril?: never };

/** The diagonal of [..., k, k] matrices, as [..., k]. */
function diagonal(m: tf.Tensor): tf.Tensor {
  return tf.sum(tf.mul(m, tf.eye(m.shape[m.rank - 1])), -1);
}

/**
 * MultivariateNormal(loc, spread): density (2 pi)^(-k/2) |Sigma|^(-1/2)
 * exp(-(x - loc)^T Sigma^-1 (x - loc) / 2), computed through a Cholesky factor: of the
 * covariance (given as covarianceMatrix or scaleTril) or of the precision.
 *
 * @example
 * const d = MultivariateNormal([0, 0], { covarianceMatrix: [[1, 0.5], [0.5, 1]] });
 * d.eventShape; // [2]
 * d.logProb([0, 0]); // -log(2 pi) - log(0.75) / 2 = -1.6940360
 */
export class MultivariateNormalDistribution extends Distribution {
  readonly family = "MultivariateNormal";
  readonly support = realVector;
  override readonly hasRsample = true;
  /** The Cholesky factor of the covariance, or undefined when the precision was given. */
  private readonly covarianceTril: tf.Tensor | undefined;
  /** The Cholesky factor of the precision, when the precision was given. */
  private readonly precisionTril: tf.Tensor | undefined;

  constructor(
    readonly loc: tf.Tensor,
    spread:
      | { covarianceMatrix: tf.Tensor }
      | { scaleTril: tf.Tensor }
      | { precisionMatrix: tf.Tensor },
  ) {
    const [name, matrix] = Object.entries(spread)[0] as [string, tf.Tensor];
    if (loc.rank < 1 || matrix.rank < 2) {
      throw new Error(
        `MultivariateNormal: loc must be [..., k] and ${name} [..., k, k], got ${formatShape(loc.shape)} and ${formatShape(matrix.shape)}`,
      );
    }
    const k = loc.shape[loc.rank - 1];
    if (matrix.shape[matrix.rank - 1] !== k || matrix.shape[matrix.rank - 2] !== k) {
      throw new Error(
        `MultivariateNormal: ${name} must be [..., ${k}, ${k}] to match loc ${formatShape(loc.shape)}, got ${formatShape(matrix.shape)}`,
      );
    }
    super(broadcastShapes(loc.shape.slice(0, -1), matrix.shape.slice(0, -2)), [k]);
    this.checkParam("loc", loc, realVector);
    if ("scaleTril" in spread) {
      this.checkParam("scaleTril", spread.scaleTril, lowerCholesky);
      this.covarianceTril = spread.scaleTril;
    } else if ("covarianceMatrix" in spread) {
      this.checkParam("covarianceMatrix", spread.covarianceMatrix, positiveDefinite);
      this.covarianceTril = cholesky(spread.covarianceMatrix);
    } else {
      this.checkParam("precisionMatrix", spread.precisionMatrix, positiveDefinite);
      this.precisionTril = cholesky(spread.precisionMatrix);
    }
  }

  /** The lower Cholesky factor L of the covariance (L L^T = Sigma). */
  get scaleTril(): tf.Tensor {
    if (this.covarianceTril !== undefined) return this.covarianceTril;
    return cholesky(this.covarianceMatrix);
  }
  /** The covariance matrix Sigma. */
  get covarianceMatrix(): tf.Tensor {
    if (this.covarianceTril !== undefined) {
      return tf.matMul(this.covarianceTril, this.covarianceTril, false, true);
    }
    // Sigma = Lp^-T Lp^-1 for the precision's factor Lp.
    const p = this.precisionTril as tf.Tensor;
    const inverse = solveLowerTriangular(p, tf.eye(p.shape[p.rank - 1]));
    return tf.matMul(inverse, inverse, true, false);
  }
  /** The precision matrix Sigma^-1. */
  get precisionMatrix(): tf.Tensor {
    if (this.precisionTril !== undefined) {
      return tf.matMul(this.precisionTril, this.precisionTril, false, true);
    }
    const l = this.covarianceTril as tf.Tensor;
    const inverse = solveLowerTriangular(l, tf.eye(l.shape[l.rank - 1]));
    return tf.matMul(inverse, inverse, true, false);
  }
  /** log |Sigma|^(1/2), [...batch]. */
  private get halfLogDet(): tf.Tensor {
    if (this.covarianceTril !== undefined) return tf.sum(tf.log(diagonal(this.covarianceTril)), -1);
    return tf.neg(tf.sum(tf.log(diagonal(this.precisionTril as tf.Tensor)), -1));
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    const diff = tf.expandDims(tf.sub(x, this.loc), -1);
    const z =
      this.covarianceTril !== undefined
        ? solveLowerTriangular(this.covarianceTril, diff)
        : batchMatMul(this.precisionTril as tf.Tensor, diff, true, false);
    const mahalanobis = tf.sum(tf.square(z), [-2, -1]);
    const k = this.eventShape[0];
    return tf.sub(tf.mul(-0.5, mahalanobis), tf.add(this.halfLogDet, exact(0.5 * k * LOG_2PI)));
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    const eps = tf.expandDims(normalNoise(key, this.shape(sampleShape)), -1);
    const spread =
      this.covarianceTril !== undefined
        ? batchMatMul(this.covarianceTril, eps)
        : solveLowerTriangularTransposed(this.precisionTril as tf.Tensor, eps);
    return tf.add(this.loc, tf.squeeze(spread, [-1]));
  }
  override get mean(): tf.Tensor {
    return broadcast(this.loc, this.shape());
  }
  /** The marginal variances, the diagonal of Sigma. */
  override get variance(): tf.Tensor {
    return broadcast(tf.sum(tf.square(this.scaleTril), -1), this.shape());
  }
  override entropy(): tf.Tensor {
    const k = this.eventShape[0];
    return broadcast(tf.add(this.halfLogDet, exact(0.5 * k * (1 + LOG_2PI))), this.batchShape);
  }
}

/**
 * The multivariate normal distribution with mean `loc` ([..., k]) and a covariance given as
 * `covarianceMatrix`, its lower Cholesky factor `scaleTril`, or its inverse `precisionMatrix`.
 *
 * @example
 * const beta = yield* sample("beta", MultivariateNormal([0, 0], { covarianceMatrix: [[1, 0.5], [0.5, 2]] }));
 */
export function MultivariateNormal(
  loc: ArrayLike,
  spread: MultivariateNormalSpread,
): MultivariateNormalDistribution {
  const given = Object.entries(spread ?? {}).filter(([, v]) => v !== undefined);
  if (given.length !== 1) {
    throw new TypeError(
      "MultivariateNormal: give exactly one of { covarianceMatrix }, { scaleTril } or { precisionMatrix }",
    );
  }
  const [name, value] = given[0] as [string, ArrayLike];
  return new MultivariateNormalDistribution(param(loc), { [name]: param(value) } as
    | { covarianceMatrix: tf.Tensor }
    | { scaleTril: tf.Tensor }
    | { precisionMatrix: tf.Tensor });
}
