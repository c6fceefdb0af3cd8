/** The half-normal distribution. */
import { erfinv } from "../custom-vjp/special.js";
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { positive } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import { broadcast, LOG_2PI, negInfOutside, normalNoise, param } from "./util.js";

/** HalfNormal(scale): |X| for X ~ Normal(0, scale). */
export class HalfNormalDistribution extends Distribution {
  readonly family = "HalfNormal";
  readonly support = positive;
  override readonly hasRsample = true;

  constructor(readonly scale: tf.Tensor) {
    super(batchShapeOf("HalfNormal", { scale }), []);
    this.checkParam("scale", scale, positive);
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    const z = tf.div(x, this.scale);
    const lp = tf.sub(
      tf.mul(-0.5, tf.square(z)),
      tf.add(tf.log(this.scale), 0.5 * LOG_2PI - Math.LN2),
    );
    return negInfOutside(tf.greaterEqual(x, 0), lp);
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    return tf.mul(this.scale, tf.abs(normalNoise(key, this.shape(sampleShape))));
  }
  override get mean(): tf.Tensor {
    return broadcast(tf.mul(this.scale, Math.sqrt(2 / Math.PI)), this.batchShape);
  }
  override get variance(): tf.Tensor {
    return broadcast(tf.mul(tf.square(this.scale), 1 - 2 / Math.PI), this.batchShape);
  }
  override cdf(value: ArrayLike): tf.Tensor {
    const x = param(value);
    return tf.maximum(tf.erf(tf.div(x, tf.mul(this.scale, Math.SQRT2))), 0);
  }
  override icdf(q: ArrayLike): tf.Tensor {
    return tf.mul(tf.mul(this.scale, Math.SQRT2), erfinv(param(q)));
  }
  override entropy(): tf.Tensor {
    return broadcast(
      tf.add(tf.log(this.scale), 0.5 * Math.log(Math.PI / 2) + 0.5),
      this.batchShape,
    );
  }
}

/**
 * The half-normal distribution on [0, inf) with scale `scale`.
 *
 * @example
 * const noise = yield* sample("noise", HalfNormal(1));
 */
export function HalfNormal(scale: ArrayLike): HalfNormalDistribution {
  return new HalfNormalDistribution(param(scale));
}
