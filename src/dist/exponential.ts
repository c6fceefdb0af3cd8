/** The exponential distribution. */
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { positive } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import { broadcast, negInfOutside, param, uniformNoise } from "./util.js";

/** Exponential(rate): density rate exp(-rate x) on [0, inf). */
export class ExponentialDistribution extends Distribution {
  readonly family = "Exponential";
  readonly support = positive;
  override readonly hasRsample = true;

  constructor(readonly rate: tf.Tensor) {
    super(batchShapeOf("Exponential", { rate }), []);
    this.checkParam("rate", rate, positive);
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    return negInfOutside(tf.greaterEqual(x, 0), tf.sub(tf.log(this.rate), tf.mul(this.rate, x)));
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    const u = uniformNoise(key, this.shape(sampleShape));
    return tf.div(tf.neg(tf.log1p(tf.neg(u))), this.rate);
  }
  override get mean(): tf.Tensor {
    return broadcast(tf.reciprocal(this.rate), this.batchShape);
  }
  override get variance(): tf.Tensor {
    return broadcast(tf.reciprocal(tf.square(this.rate)), this.batchShape);
  }
  override cdf(value: ArrayLike): tf.Tensor {
    const x = tf.maximum(param(value), 0);
    return tf.neg(tf.expm1(tf.neg(tf.mul(this.rate, x))));
  }
  override icdf(q: ArrayLike): tf.Tensor {
    return tf.div(tf.neg(tf.log1p(tf.neg(param(q)))), this.rate);
  }
  override entropy(): tf.Tensor {
    return broadcast(tf.sub(1, tf.log(this.rate)), this.batchShape);
  }
}

/**
 * The exponential distribution with rate `rate` (mean 1/rate).
 *
 * @example
 * const lambda = yield* sample("lambda", Exponential(1));
 */
export function Exponential(rate: ArrayLike): ExponentialDistribution {
  return new ExponentialDistribution(param(rate));
}
