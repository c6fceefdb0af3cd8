/** The normal distribution. */
import { erfinv } from "../custom-vjp/special.js";
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { positive, real } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import { broadcast, LOG_2PI, normalNoise, param } from "./util.js";

/** Normal(loc, scale): density exp(-((x - loc)/scale)^2 / 2) / (scale sqrt(2 pi)). */
export class NormalDistribution extends Distribution {
  readonly family = "Normal";
  readonly support = real;
  override readonly hasRsample = true;

  constructor(
    readonly loc: tf.Tensor,
    readonly scale: tf.Tensor,
  ) {
    super(batchShapeOf("Normal", { loc, scale }), []);
    this.checkParam("loc", loc, real);
    this.checkParam("scale", scale, positive);
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    const z = tf.div(tf.sub(x, this.loc), this.scale);
    return tf.sub(tf.mul(-0.5, tf.square(z)), tf.add(tf.log(this.scale), 0.5 * LOG_2PI));
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    return tf.add(this.loc, tf.mul(this.scale, normalNoise(key, this.shape(sampleShape))));
  }
  override get mean(): tf.Tensor {
    return broadcast(this.loc, this.batchShape);
  }
  override get variance(): tf.Tensor {
    return broadcast(tf.square(this.scale), this.batchShape);
  }
  override cdf(value: ArrayLike): tf.Tensor {
    const z = tf.div(tf.sub(param(value), this.loc), tf.mul(this.scale, Math.SQRT2));
    return tf.mul(0.5, tf.add(1, tf.erf(z)));
  }
  override icdf(q: ArrayLike): tf.Tensor {
    const z = tf.mul(Math.SQRT2, erfinv(tf.sub(tf.mul(2, param(q)), 1)));
    return tf.add(this.loc, tf.mul(this.scale, z));
  }
  override entropy(): tf.Tensor {
    return broadcast(tf.add(tf.log(this.scale), 0.5 * (1 + LOG_2PI)), this.batchShape);
  }
}

/**
 * The normal distribution with mean `loc` and standard deviation `scale`.
 *
 * @example
 * const mu = yield* sample("mu", Normal(0, 5));
 */
export function Normal(loc: ArrayLike, scale: ArrayLike): NormalDistribution {
  return new NormalDistribution(param(loc), param(scale));
}
