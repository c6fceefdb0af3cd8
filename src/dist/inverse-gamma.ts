/** The inverse gamma distribution. */
import { digamma, lgamma } from "../custom-vjp/special.js";
import { gammaincc, gammaincinv } from "../custom-vjp/special-incomplete.js";
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { positive } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import { standardGammaDraws } from "./implicit-draws.js";
import { broadcast, negInfOutside, param } from "./util.js";

/**
 * InverseGamma(concentration, rate): 1/X for X ~ Gamma(concentration, rate).
 *
 * @example
 * const d = InverseGamma(3, 2); // an InverseGammaDistribution
 * d.mean; // 1: rate / (concentration - 1)
 * d.variance; // 1
 */
export class InverseGammaDistribution extends Distribution {
  readonly family = "InverseGamma";
  readonly support = positive;
  override readonly hasRsample = true;

  constructor(
    readonly concentration: tf.Tensor,
    readonly rate: tf.Tensor,
  ) {
    super(batchShapeOf("InverseGamma", { concentration, rate }), []);
    this.checkParam("concentration", concentration, positive);
    this.checkParam("rate", rate, positive);
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    // a log b - lgamma(a) - (a + 1) log x - b / x
    const a = this.concentration;
    const positiveX = tf.greater(x, 0);
    const safeX = tf.where(positiveX, x, tf.onesLike(x));
    const lp = tf.sub(
      tf.sub(tf.mul(a, tf.log(this.rate)), lgamma(a)),
      tf.add(tf.mul(tf.add(a, 1), tf.log(safeX)), tf.div(this.rate, safeX)),
    );
    return negInfOutside(positiveX, lp);
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    return tf.div(this.rate, standardGammaDraws(key, this.concentration, this.shape(sampleShape)));
  }
  /** rate / (a - 1) for a > 1, else infinite. */
  override get mean(): tf.Tensor {
    const a = this.concentration;
    const m = tf.where(
      tf.greater(a, 1),
      tf.div(this.rate, tf.sub(a, 1)),
      tf.fill(a.shape, Infinity),
    );
    return broadcast(m, this.batchShape);
  }
  /** rate^2 / ((a - 1)^2 (a - 2)) for a > 2, else infinite. */
  override get variance(): tf.Tensor {
    const a = this.concentration;
    const am1 = tf.sub(a, 1);
    const v = tf.div(tf.square(this.rate), tf.mul(tf.square(am1), tf.sub(a, 2)));
    return broadcast(tf.where(tf.greater(a, 2), v, tf.fill(v.shape, Infinity)), this.batchShape);
  }
  override cdf(value: ArrayLike): tf.Tensor {
    // P(1/X <= x) = P(X >= 1/x) = Q(a, rate / x)
    const x = param(value);
    const positiveX = tf.greater(x, 0);
    const c = gammaincc(
      this.concentration,
      tf.div(this.rate, tf.where(positiveX, x, tf.onesLike(x))),
    );
    return tf.where(positiveX, c, tf.zerosLike(c));
  }
  override icdf(q: ArrayLike): tf.Tensor {
    return tf.div(this.rate, gammaincinv(this.concentration, tf.sub(1, param(q))));
  }
  override entropy(): tf.Tensor {
    // a + log b + lgamma(a) - (1 + a) digamma(a)
    const a = this.concentration;
    const h = tf.add(
      tf.add(a, tf.log(this.rate)),
      tf.sub(lgamma(a), tf.mul(tf.add(1, a), digamma(a))),
    );
    return broadcast(h, this.batchShape);
  }
}

/**
 * The inverse gamma distribution with shape `concentration` and scale `rate`.
 *
 * @example
 * const variance = yield* sample("variance", InverseGamma(3, 2));
 */
export function InverseGamma(concentration: ArrayLike, rate: ArrayLike): InverseGammaDistribution {
  return new InverseGammaDistribution(param(concentration), param(rate));
}
