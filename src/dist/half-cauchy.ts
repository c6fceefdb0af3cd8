/** The half-Cauchy distribution. */
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { positive } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import { broadcast, negInfOutside, param, uniformNoise } from "./util.js";

/** HalfCauchy(scale): |X| for X ~ Cauchy(0, scale). */
export class HalfCauchyDistribution extends Distribution {
  readonly family = "HalfCauchy";
  readonly support = positive;
  override readonly hasRsample = true;

  constructor(readonly scale: tf.Tensor) {
    super(batchShapeOf("HalfCauchy", { scale }), []);
    this.checkParam("scale", scale, positive);
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    const lp = tf.sub(
      Math.log(2 / Math.PI),
      tf.add(tf.log(this.scale), tf.log1p(tf.square(tf.div(x, this.scale)))),
    );
    return negInfOutside(tf.greaterEqual(x, 0), lp);
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    // Inverse cdf of a uniform draw: scale * tan(pi u / 2).
    const u = uniformNoise(key, this.shape(sampleShape));
    return tf.mul(this.scale, tf.tan(tf.mul(u, Math.PI / 2)));
  }
  override get mean(): tf.Tensor {
    return tf.fill(this.batchShape, Number.POSITIVE_INFINITY);
  }
  override get variance(): tf.Tensor {
    return tf.fill(this.batchShape, Number.POSITIVE_INFINITY);
  }
  override cdf(value: ArrayLike): tf.Tensor {
    return tf.maximum(tf.mul(2 / Math.PI, tf.atan(tf.div(param(value), this.scale))), 0);
  }
  override icdf(q: ArrayLike): tf.Tensor {
    return tf.mul(this.scale, tf.tan(tf.mul(param(q), Math.PI / 2)));
  }
  override entropy(): tf.Tensor {
    return broadcast(tf.add(tf.log(this.scale), Math.log(2 * Math.PI)), this.batchShape);
  }
}

/**
 * The half-Cauchy distribution on [0, inf) with scale `scale`.
 *
 * @example
 * const tau = yield* sample("tau", HalfCauchy(5));
 */
export function HalfCauchy(scale: ArrayLike): HalfCauchyDistribution {
  return new HalfCauchyDistribution(param(scale));
}
