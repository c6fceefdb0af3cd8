/** The Laplace (double exponential) distribution. */
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { positive, real } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import { broadcast, exact, param, uniformNoise } from "./util.js";

/**
 * Laplace(loc, scale): density exp(-|x - loc|/scale) / (2 scale).
 *
 * @example
 * const d = Laplace(1, 2); // a LaplaceDistribution
 * d.variance; // 8: 2 scale^2
 * d.cdf(1); // 0.5
 */
export class LaplaceDistribution extends Distribution {
  readonly family = "Laplace";
  readonly support = real;
  override readonly hasRsample = true;

  constructor(
    readonly loc: tf.Tensor,
    readonly scale: tf.Tensor,
  ) {
    super(batchShapeOf("Laplace", { loc, scale }), []);
    this.checkParam("loc", loc, real);
    this.checkParam("scale", scale, positive);
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    const z = tf.div(tf.abs(tf.sub(x, this.loc)), this.scale);
    return tf.neg(tf.add(tf.add(z, tf.log(this.scale)), exact(Math.LN2)));
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    return this.icdf(uniformNoise(key, this.shape(sampleShape)));
  }
  override get mean(): tf.Tensor {
    return broadcast(this.loc, this.batchShape);
  }
  override get variance(): tf.Tensor {
    return broadcast(tf.mul(2, tf.square(this.scale)), this.batchShape);
  }
  override cdf(value: ArrayLike): tf.Tensor {
    // exp(z)/2 below loc, 1 - exp(-z)/2 above: each side without cancellation in its tail
    const z = tf.div(tf.sub(param(value), this.loc), this.scale);
    const half = tf.mul(0.5, tf.exp(tf.neg(tf.abs(z))));
    return tf.where(tf.less(z, 0), half, tf.sub(1, half));
  }
  override icdf(q: ArrayLike): tf.Tensor {
    // loc - scale sign(q - 1/2) log1p(-2 |q - 1/2|)
    const centered = tf.sub(param(q), 0.5);
    const z = tf.mul(tf.neg(tf.sign(centered)), tf.log1p(tf.mul(-2, tf.abs(centered))));
    return tf.add(this.loc, tf.mul(this.scale, z));
  }
  override entropy(): tf.Tensor {
    return broadcast(tf.add(tf.log(this.scale), exact(1 + Math.LN2)), this.batchShape);
  }
}

/**
 * The Laplace distribution with location `loc` and scale `scale`.
 *
 * @example
 * const w = yield* sample("w", Laplace(0, 1));
 */
export function Laplace(loc: ArrayLike, scale: ArrayLike): LaplaceDistribution {
  return new LaplaceDistribution(param(loc), param(scale));
}
