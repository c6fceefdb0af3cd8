/** The gamma distribution. */
import { digamma, lgamma } from "../custom-vjp/special.js";
import { gammainc, gammaincinv } from "../custom-vjp/special-incomplete.js";
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { positive } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import { standardGammaDraws } from "./implicit-draws.js";
import { broadcast, maximum, mulOrZero, negInfOutside, param } from "./util.js";

/**
 * Gamma(concentration, rate): density rate^a x^(a-1) exp(-rate x) / Gamma(a).
 *
 * @example
 * const d = Gamma(2, 4); // a GammaDistribution
 * d.mean; // 0.5: concentration / rate
 * d.variance; // 0.125
 */
export class GammaDistribution extends Distribution {
  readonly family: string = "Gamma";
  readonly support = positive;
  override readonly hasRsample = true;

  constructor(
    readonly concentration: tf.Tensor,
    readonly rate: tf.Tensor,
  ) {
    super(batchShapeOf("Gamma", { concentration, rate }), []);
    this.checkParam("concentration", concentration, positive);
    this.checkParam("rate", rate, positive);
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    // x^(a-1) as xlogy (0 where a = 1), so that x = 0 gets the density's limit there: 1 for a = 1 (as
    // Exponential), Infinity for a < 1, 0 for a > 1 (scipy and NumPyro do the same).
    const a = this.concentration;
    const nonnegativeX = tf.greaterEqual(x, 0);
    const safeX = tf.where(nonnegativeX, x, tf.onesLike(x));
    const lp = tf.sub(
      tf.add(tf.mul(a, tf.log(this.rate)), mulOrZero(tf.sub(a, 1), tf.log(safeX))),
      tf.add(tf.mul(this.rate, safeX), lgamma(a)),
    );
    return negInfOutside(nonnegativeX, lp);
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    // Marsaglia-Tsang draws (samplers.ts) with implicit reparameterization in the shape.
    return tf.div(standardGammaDraws(key, this.concentration, this.shape(sampleShape)), this.rate);
  }
  override get mean(): tf.Tensor {
    return broadcast(tf.div(this.concentration, this.rate), this.batchShape);
  }
  override get variance(): tf.Tensor {
    return broadcast(tf.div(this.concentration, tf.square(this.rate)), this.batchShape);
  }
  override cdf(value: ArrayLike): tf.Tensor {
    return gammainc(this.concentration, tf.mul(this.rate, maximum(param(value), 0)));
  }
  override icdf(q: ArrayLike): tf.Tensor {
    return tf.div(gammaincinv(this.concentration, param(q)), this.rate);
  }
  override entropy(): tf.Tensor {
    // a - log rate + lgamma(a) + (1 - a) digamma(a)
    const a = this.concentration;
    const h = tf.add(
      tf.sub(a, tf.log(this.rate)),
      tf.add(lgamma(a), tf.mul(tf.sub(1, a), digamma(a))),
    );
    return broadcast(h, this.batchShape);
  }
}

/**
 * The gamma distribution with shape `concentration` and rate `rate` (mean concentration/rate).
 *
 * @example
 * const precision = yield* sample("precision", Gamma(2, 0.5));
 */
export function Gamma(concentration: ArrayLike, rate: ArrayLike): GammaDistribution {
  return new GammaDistribution(param(concentration), param(rate));
}
