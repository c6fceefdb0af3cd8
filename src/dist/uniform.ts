/** The continuous uniform distribution. */
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { type Constraint, Interval, real } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import { broadcast, negInfOutside, param, uniformNoise } from "./util.js";

/**
 * Uniform(low, high): density 1/(high - low) on [low, high].
 *
 * @example
 * const d = Uniform(2, 6); // a UniformDistribution
 * d.mean; // 4
 * d.logProb(3); // log(1/4)
 */
export class UniformDistribution extends Distribution {
  readonly family = "Uniform";
  readonly support: Constraint;
  override readonly hasRsample = true;

  constructor(
    readonly low: tf.Tensor,
    readonly high: tf.Tensor,
  ) {
    super(batchShapeOf("Uniform", { low, high }), []);
    this.support = new Interval(low, high, true, true, "interval", { low: "low", high: "high" });
    this.checkParam("low", low, real);
    this.checkParam(
      "high",
      high,
      new Interval(low, Number.POSITIVE_INFINITY, false, false, "greaterThan", { low: "low" }),
    );
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    const inside = tf.logicalAnd(tf.greaterEqual(x, this.low), tf.lessEqual(x, this.high));
    const lp = tf.neg(tf.log(tf.sub(this.high, this.low)));
    return negInfOutside(inside, tf.add(lp, tf.zerosLike(x)));
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    const u = uniformNoise(key, this.shape(sampleShape));
    return tf.add(this.low, tf.mul(tf.sub(this.high, this.low), u));
  }
  override get mean(): tf.Tensor {
    return broadcast(tf.mul(0.5, tf.add(this.low, this.high)), this.batchShape);
  }
  override get variance(): tf.Tensor {
    return broadcast(tf.div(tf.square(tf.sub(this.high, this.low)), 12), this.batchShape);
  }
  override cdf(value: ArrayLike): tf.Tensor {
    const u = tf.div(tf.sub(param(value), this.low), tf.sub(this.high, this.low));
    return tf.clipByValue(u, 0, 1);
  }
  override icdf(q: ArrayLike): tf.Tensor {
    return tf.add(this.low, tf.mul(tf.sub(this.high, this.low), param(q)));
  }
  override entropy(): tf.Tensor {
    return broadcast(tf.log(tf.sub(this.high, this.low)), this.batchShape);
  }
}

/**
 * The uniform distribution on [low, high]. The bounds may be tensors that depend on other
 * parameters; `bijectTo` then maps onto the interval they give.
 *
 * @example
 * const alpha1 = yield* sample("alpha1", Uniform(0, 1));
 * const beta1 = yield* sample("beta1", Uniform(0, tf.sub(1, alpha1)));
 */
export function Uniform(low: ArrayLike, high: ArrayLike): UniformDistribution {
  return new UniformDistribution(param(low), param(high));
}
