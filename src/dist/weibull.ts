/** The Weibull distribution. */
import { lgamma } from "../custom-vjp/special.js";
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { positive } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import {
  broadcast,
  exact,
  maximum,
  mulOrZero,
  negInfOutside,
  param,
  uniformNoise,
} from "./util.js";

const EULER_GAMMA = 0.5772156649015329;

/**
 * Weibull(scale, concentration): cdf 1 - exp(-(x/scale)^concentration) on [0, inf).
 *
 * @example
 * const d = Weibull(2, 1); // a WeibullDistribution: an Exponential of mean 2
 * d.mean; // 2
 * d.cdf(2); // 1 - exp(-1)
 */
export class WeibullDistribution extends Distribution {
  readonly family = "Weibull";
  readonly support = positive;
  override readonly hasRsample = true;

  constructor(
    readonly scale: tf.Tensor,
    readonly concentration: tf.Tensor,
  ) {
    super(batchShapeOf("Weibull", { scale, concentration }), []);
    this.checkParam("scale", scale, positive);
    this.checkParam("concentration", concentration, positive);
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    // log k - log scale + (k - 1) log(x/scale) - (x/scale)^k
    // log z = log x - log scale (x / scale would underflow to 0 for a tiny x), times k - 1
    // with 0 for k = 1, so that x = 0 gets the density's limit (k = 1 is Exponential). log z
    // is capped at log of float32's largest number: where z^k overflows the result is
    // finite - Infinity, not Infinity - Infinity.
    const k = this.concentration;
    const nonnegativeX = tf.greaterEqual(x, 0);
    const logZ = tf.minimum(
      tf.sub(tf.log(tf.where(nonnegativeX, x, tf.onesLike(x))), tf.log(this.scale)),
      exact(Math.log(3.4028234663852886e38)),
    );
    const lp = tf.sub(
      tf.add(tf.sub(tf.log(k), tf.log(this.scale)), mulOrZero(tf.sub(k, 1), logZ)),
      tf.exp(tf.mul(k, logZ)),
    );
    return negInfOutside(nonnegativeX, lp);
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    return this.icdf(uniformNoise(key, this.shape(sampleShape)));
  }
  override get mean(): tf.Tensor {
    const m = tf.mul(this.scale, tf.exp(lgamma(tf.add(1, tf.reciprocal(this.concentration)))));
    return broadcast(m, this.batchShape);
  }
  override get variance(): tf.Tensor {
    const k = this.concentration;
    const g1 = tf.exp(lgamma(tf.add(1, tf.reciprocal(k))));
    const g2 = tf.exp(lgamma(tf.add(1, tf.div(2, k))));
    return broadcast(tf.mul(tf.square(this.scale), tf.sub(g2, tf.square(g1))), this.batchShape);
  }
  override cdf(value: ArrayLike): tf.Tensor {
    const z = tf.div(maximum(param(value), 0), this.scale);
    return tf.neg(tf.expm1(tf.neg(tf.pow(z, this.concentration))));
  }
  override icdf(q: ArrayLike): tf.Tensor {
    const e = tf.neg(tf.log1p(tf.neg(param(q))));
    return tf.mul(this.scale, tf.pow(e, tf.reciprocal(this.concentration)));
  }
  override entropy(): tf.Tensor {
    // gamma (1 - 1/k) + log(scale/k) + 1
    const k = this.concentration;
    const h = tf.add(
      tf.mul(exact(EULER_GAMMA), tf.sub(1, tf.reciprocal(k))),
      tf.add(tf.sub(tf.log(this.scale), tf.log(k)), 1),
    );
    return broadcast(h, this.batchShape);
  }
}

/**
 * The Weibull distribution with scale `scale` and shape `concentration` (NumPyro's order).
 *
 * @example
 * const lifetime = yield* sample("t", Weibull(2, 1.5));
 */
export function Weibull(scale: ArrayLike, concentration: ArrayLike): WeibullDistribution {
  return new WeibullDistribution(param(scale), param(concentration));
}
