/** The Cauchy distribution. */
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { positive, real } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import { broadcast, exact, param, uniformNoise } from "./util.js";

/**
 * Cauchy(loc, scale): density 1 / (pi scale (1 + ((x - loc)/scale)^2)).
 *
 * @example
 * const d = Cauchy(0, 2); // a CauchyDistribution
 * d.cdf(2); // 0.75
 * d.icdf(0.75); // 2
 */
export class CauchyDistribution extends Distribution {
  readonly family = "Cauchy";
  readonly support = real;
  override readonly hasRsample = true;

  constructor(
    readonly loc: tf.Tensor,
    readonly scale: tf.Tensor,
  ) {
    super(batchShapeOf("Cauchy", { loc, scale }), []);
    this.checkParam("loc", loc, real);
    this.checkParam("scale", scale, positive);
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    const z = tf.div(tf.sub(x, this.loc), this.scale);
    return tf.neg(
      tf.add(tf.add(tf.log(this.scale), exact(Math.log(Math.PI))), tf.log1p(tf.square(z))),
    );
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    // Inverse cdf: loc + scale tan(pi (u - 1/2)).
    const u = uniformNoise(key, this.shape(sampleShape));
    return tf.add(this.loc, tf.mul(this.scale, tf.tan(tf.mul(exact(Math.PI), tf.sub(u, 0.5)))));
  }
  /** Undefined: NaN, as in NumPyro. */
  override get mean(): tf.Tensor {
    return tf.fill(this.batchShape, Number.NaN);
  }
  /** Infinite, as in NumPyro. */
  override get variance(): tf.Tensor {
    return tf.fill(this.batchShape, Number.POSITIVE_INFINITY);
  }
  override cdf(value: ArrayLike): tf.Tensor {
    // 1/2 + atan(z)/pi, and atan(-1/z)/pi below loc (no cancellation in the lower tail)
    const z = tf.div(tf.sub(param(value), this.loc), this.scale);
    const negative = tf.less(z, 0);
    const safeZ = tf.where(negative, z, tf.fill(z.shape, -1));
    const lower = tf.div(tf.atan(tf.div(-1, safeZ)), exact(Math.PI));
    return tf.where(negative, lower, tf.add(0.5, tf.div(tf.atan(z), exact(Math.PI))));
  }
  override icdf(q: ArrayLike): tf.Tensor {
    return tf.add(
      this.loc,
      tf.mul(this.scale, tf.tan(tf.mul(exact(Math.PI), tf.sub(param(q), 0.5)))),
    );
  }
  override entropy(): tf.Tensor {
    return broadcast(tf.add(tf.log(this.scale), exact(Math.log(4 * Math.PI))), this.batchShape);
  }
}

/**
 * The Cauchy distribution with location `loc` and scale `scale`.
 *
 * @example
 * const beta = yield* sample("beta", Cauchy(0, 2.5));
 */
export function Cauchy(loc: ArrayLike, scale: ArrayLike): CauchyDistribution {
  return new CauchyDistribution(param(loc), param(scale));
}
