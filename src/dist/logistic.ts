/** The logistic distribution. */
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { positive, real } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import { broadcast, exact, param, uniformNoise } from "./util.js";

/**
 * Logistic(loc, scale): cdf sigmoid((x - loc)/scale).
 *
 * @example
 * const d = Logistic(0, 1); // a LogisticDistribution
 * d.cdf(0); // 0.5
 * d.variance; // pi^2 / 3 = 3.2898681
 */
export class LogisticDistribution extends Distribution {
  readonly family = "Logistic";
  readonly support = real;
  override readonly hasRsample = true;

  constructor(
    readonly loc: tf.Tensor,
    readonly scale: tf.Tensor,
  ) {
    super(batchShapeOf("Logistic", { loc, scale }), []);
    this.checkParam("loc", loc, real);
    this.checkParam("scale", scale, positive);
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    // -|z| - 2 softplus(-|z|) - log scale: the density is symmetric in z, and written in |z|
    // it is -Infinity, not Infinity - Infinity, at z = -Infinity (a tiny scale).
    const z = tf.abs(tf.div(tf.sub(x, this.loc), this.scale));
    return tf.neg(tf.add(tf.add(z, tf.mul(2, tf.softplus(tf.neg(z)))), tf.log(this.scale)));
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    return this.icdf(uniformNoise(key, this.shape(sampleShape)));
  }
  override get mean(): tf.Tensor {
    return broadcast(this.loc, this.batchShape);
  }
  override get variance(): tf.Tensor {
    return broadcast(
      tf.mul(exact((Math.PI * Math.PI) / 3), tf.square(this.scale)),
      this.batchShape,
    );
  }
  override cdf(value: ArrayLike): tf.Tensor {
    return tf.sigmoid(tf.div(tf.sub(param(value), this.loc), this.scale));
  }
  override icdf(q: ArrayLike): tf.Tensor {
    const p = param(q);
    return tf.add(this.loc, tf.mul(this.scale, tf.sub(tf.log(p), tf.log1p(tf.neg(p)))));
  }
  override entropy(): tf.Tensor {
    return broadcast(tf.add(tf.log(this.scale), 2), this.batchShape);
  }
}

/**
 * The logistic distribution with location `loc` and scale `scale`.
 *
 * @example
 * const eta = yield* sample("eta", Logistic(0, 1));
 */
export function Logistic(loc: ArrayLike, scale: ArrayLike): LogisticDistribution {
  return new LogisticDistribution(param(loc), param(scale));
}
