/**
 * Gaussian distributions over the flat unconstrained latent vector of the autoguides, written
 * with tfjs ops so that they do not depend on the distribution library's MultivariateNormal:
 * z = loc + A eps for standard normal eps, with A diagonal, lower-triangular, or
 * diag(scale) [W, I] (low rank plus diagonal, NumPyro's parameterization). Each computes its
 * own log density; draws come from explicit noise (`fromNoise`) or a key.
 */
import { realVector } from "../../../dist/constraints.js";
import { Distribution } from "../../../dist/distribution.js";
import { normalNoise } from "../../../dist/util.js";
import type { Key } from "../../../primitives/prng.js";
import { tf } from "../../../tf.js";
import type { NoiseReparameterized } from "../noise.js";
import { choleskyTensor, forwardSubstitution } from "./linalg.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

abstract class LatentGaussian extends Distribution implements NoiseReparameterized {
  readonly family = "MultivariateNormal";
  readonly support = realVector;
  override readonly hasRsample = true;
  readonly noiseEventShape: readonly number[];

  /** `noiseSize` standard normal draws make one latent vector (default D, one per coordinate). */
  protected constructor(
    readonly loc: tf.Tensor,
    noiseSize = loc.shape[0],
  ) {
    super([], [loc.shape[0]]);
    this.noiseEventShape = [noiseSize];
  }

  /** The dimension D of the latent vector. */
  get dim(): number {
    return this.loc.shape[0];
  }

  abstract fromNoise(eps: tf.Tensor): tf.Tensor;

  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    return this.fromNoise(normalNoise(key, [...sampleShape, ...this.noiseEventShape]));
  }

  override get mean(): tf.Tensor {
    return this.loc;
  }
}

/**
 * N(loc, diag(scale^2)): the mean-field Gaussian of AutoDiagonalNormal and mean-field ADVI.
 *
 * @example
 * new DiagonalNormalLatent(tf.zeros([3]), tf.ones([3])).sample(PRNGKey(0)); // shape [3]
 */
export class DiagonalNormalLatent extends LatentGaussian {
  constructor(
    loc: tf.Tensor,
    readonly scale: tf.Tensor,
  ) {
    super(loc);
  }

  fromNoise(eps: tf.Tensor): tf.Tensor {
    return tf.add(this.loc, tf.mul(this.scale, eps));
  }

  protected computeLogProb(z: tf.Tensor): tf.Tensor {
    const r = tf.div(tf.sub(z, this.loc), this.scale);
    const perCoordinate = tf.add(
      tf.mul(0.5, tf.square(r)),
      tf.add(tf.log(this.scale), HALF_LOG_2PI),
    );
    return tf.neg(tf.sum(perCoordinate, -1));
  }
}

// The noise behind draws this instance made, so that their density needs no triangular solve.
type NoiseMemo = WeakMap<tf.Tensor, tf.Tensor>;

/**
 * N(loc, L L^T) with L lower-triangular with a positive diagonal: the full-rank Gaussian of
 * AutoMultivariateNormal and full-rank ADVI.
 *
 * @example
 * new FullRankNormalLatent(tf.zeros([2]), tf.tensor2d([[1, 0], [0.5, 1]])).sample(PRNGKey(0));
 */
export class FullRankNormalLatent extends LatentGaussian {
  private readonly memo: NoiseMemo = new WeakMap();

  constructor(
    loc: tf.Tensor,
    readonly scaleTril: tf.Tensor,
  ) {
    super(loc);
  }

  fromNoise(eps: tf.Tensor): tf.Tensor {
    const d = this.dim;
    const flat = tf.reshape(eps, [-1, d]);
    const z = tf.reshape(tf.add(this.loc, tf.matMul(flat, this.scaleTril, false, true)), eps.shape);
    this.memo.set(z, eps);
    return z;
  }

  protected computeLogProb(z: tf.Tensor): tf.Tensor {
    // eps = L^-1 (z - loc): known for our own draws, solved otherwise.
    const eps = this.memo.get(z) ?? forwardSubstitution(this.scaleTril, tf.sub(z, this.loc));
    const logDiag = tf.sum(tf.log(tf.abs(diagonal(this.scaleTril))));
    const quadratic = tf.mul(0.5, tf.sum(tf.square(eps), -1));
    return tf.neg(tf.add(quadratic, tf.add(logDiag, this.dim * HALF_LOG_2PI)));
  }
}

/**
 * N(loc, diag(scale) (W W^T + I) diag(scale)) for W of shape [D, rank]: z = loc + scale *
 * (W e + f) with e of length rank and f of length D (NumPyro's AutoLowRankMultivariateNormal).
 * The density uses the Woodbury identity with the rank x rank matrix I + W^T W.
 *
 * @example
 * new LowRankNormalLatent(tf.zeros([4]), tf.zeros([4, 2]), tf.ones([4])).sample(PRNGKey(0));
 */
export class LowRankNormalLatent extends LatentGaussian {
  constructor(
    loc: tf.Tensor,
    readonly covFactor: tf.Tensor,
    readonly scale: tf.Tensor,
  ) {
    // e of length rank and f of length D.
    super(loc, (covFactor.shape as number[])[1] + loc.shape[0]);
  }

  get rank(): number {
    return (this.covFactor.shape as number[])[1];
  }

  fromNoise(eps: tf.Tensor): tf.Tensor {
    const k = this.rank;
    const d = this.dim;
    const flat = tf.reshape(eps, [-1, k + d]);
    const e = tf.slice(flat, [0, 0], [-1, k]);
    const f = tf.slice(flat, [0, k], [-1, d]);
    const z = tf.add(
      this.loc,
      tf.mul(this.scale, tf.add(tf.matMul(e, this.covFactor, false, true), f)),
    );
    return tf.reshape(z, [...eps.shape.slice(0, -1), d]);
  }

  protected computeLogProb(z: tf.Tensor): tf.Tensor {
    const k = this.rank;
    const r = tf.div(tf.sub(z, this.loc), this.scale);
    const capacitance = tf.add(tf.eye(k), tf.matMul(this.covFactor, this.covFactor, true, false));
    const c = choleskyTensor(capacitance);
    const flatR = tf.reshape(r, [-1, this.dim]);
    const b = tf.reshape(tf.matMul(flatR, this.covFactor), [...r.shape.slice(0, -1), k]);
    const y = forwardSubstitution(c, b);
    const quadratic = tf.sub(tf.sum(tf.square(r), -1), tf.sum(tf.square(y), -1));
    const logDet = tf.add(
      tf.mul(2, tf.sum(tf.log(diagonal(c)))),
      tf.mul(2, tf.sum(tf.log(this.scale))),
    );
    return tf.neg(tf.add(tf.mul(0.5, tf.add(quadratic, logDet)), this.dim * HALF_LOG_2PI));
  }
}

function diagonal(m: tf.Tensor): tf.Tensor {
  const n = m.shape[0];
  return tf.sum(tf.mul(m, tf.eye(n)), -1);
}
