/** The log-normal distribution. */
import { ndtri } from "../custom-vjp/special-normal.js";
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { positive, real } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import { NormalDistribution } from "./normal.js";
import { broadcast, exact, LOG_2PI, maximum, negInfOutside, normalNoise, param } from "./util.js";

/**
 * LogNormal(loc, scale): exp(X) for X ~ Normal(loc, scale).
 *
 * @example
 * const d = LogNormal(0, 1); // a LogNormalDistribution
 * d.mean; // exp(1/2) = 1.6487213
 * d.icdf(0.5); // 1: the median
 */
export class LogNormalDistribution extends Distribution {
  readonly family = "LogNormal";
  readonly support = positive;
  override readonly hasRsample = true;

  constructor(
    readonly loc: tf.Tensor,
    readonly scale: tf.Tensor,
  ) {
    super(batchShapeOf("LogNormal", { loc, scale }), []);
    this.checkParam("loc", loc, real);
    this.checkParam("scale", scale, positive);
  }

  /** The normal distribution of log(X) (used by the KL registry). */
  get base(): NormalDistribution {
    return new NormalDistribution(this.loc, this.scale);
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    const positiveX = tf.greater(x, 0);
    const logX = tf.log(tf.where(positiveX, x, tf.onesLike(x)));
    const z = tf.div(tf.sub(logX, this.loc), this.scale);
    const lp = tf.sub(
      tf.mul(-0.5, tf.square(z)),
      tf.add(tf.add(logX, tf.log(this.scale)), exact(0.5 * LOG_2PI)),
    );
    return negInfOutside(positiveX, lp);
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    return tf.exp(tf.add(this.loc, tf.mul(this.scale, normalNoise(key, this.shape(sampleShape)))));
  }
  override get mean(): tf.Tensor {
    return broadcast(tf.exp(tf.add(this.loc, tf.mul(0.5, tf.square(this.scale)))), this.batchShape);
  }
  override get variance(): tf.Tensor {
    // (exp(s^2) - 1) exp(2 loc + s^2)
    const s2 = tf.square(this.scale);
    return broadcast(
      tf.mul(tf.expm1(s2), tf.exp(tf.add(tf.mul(2, this.loc), s2))),
      this.batchShape,
    );
  }
  override cdf(value: ArrayLike): tf.Tensor {
    const x = param(value);
    const logX = tf.log(maximum(x, 0));
    const z = tf.div(tf.sub(logX, this.loc), tf.mul(this.scale, exact(Math.SQRT2)));
    return tf.mul(0.5, tf.add(1, tf.erf(z)));
  }
  override icdf(q: ArrayLike): tf.Tensor {
    return tf.exp(tf.add(this.loc, tf.mul(this.scale, ndtri(param(q)))));
  }
  override entropy(): tf.Tensor {
    return broadcast(
      tf.add(tf.add(this.loc, tf.log(this.scale)), exact(0.5 * (1 + LOG_2PI))),
      this.batchShape,
    );
  }
}

/**
 * The log-normal distribution: log X is normal with mean `loc` and standard deviation `scale`.
 *
 * @example
 * const sigma = yield* sample("sigma", LogNormal(0, 1));
 */
export function LogNormal(loc: ArrayLike, scale: ArrayLike): LogNormalDistribution {
  return new LogNormalDistribution(param(loc), param(scale));
}
