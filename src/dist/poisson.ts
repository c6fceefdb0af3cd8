/** The Poisson distribution. */
import { lgamma } from "../custom-vjp/special.js";
import { gammaincc } from "../custom-vjp/special-incomplete.js";
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { nonnegative, nonnegativeInteger } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import { drawEach, poissonVariate } from "./samplers.js";
import {
  broadcast,
  entropyBySum,
  exact,
  fromIntegers,
  isInteger,
  negInfOutside,
  param,
  valuesAt,
  xlogy,
} from "./util.js";

// Below this rate the entropy is summed over 0..199; above it the asymptotic series
// 1/2 log(2 pi e rate) - 1/(12 rate) - 1/(24 rate^2) - 19/(360 rate^3) is exact to float32.
const ENTROPY_SERIES_RATE = 50;

/**
 * Poisson(rate): mass rate^k exp(-rate) / k! on 0, 1, 2, ....
 *
 * @example
 * const d = Poisson(3); // a PoissonDistribution
 * d.variance; // 3
 * d.logProb(0); // -3
 */
export class PoissonDistribution extends Distribution {
  readonly family = "Poisson";
  readonly support = nonnegativeInteger;

  constructor(readonly rate: tf.Tensor) {
    super(batchShapeOf("Poisson", { rate }), []);
    this.checkParam("rate", rate, nonnegative);
  }

  protected computeLogProb(k: tf.Tensor): tf.Tensor {
    const inside = tf.logicalAnd(isInteger(k), tf.greaterEqual(k, 0));
    const safeK = tf.where(inside, k, tf.zerosLike(k));
    const lp = tf.sub(tf.sub(xlogy(safeK, this.rate), this.rate), lgamma(tf.add(safeK, 1)));
    return negInfOutside(inside, lp);
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    const shape = this.shape(sampleShape);
    const rate = valuesAt(this.rate, shape);
    return fromIntegers(
      drawEach(key, rate.length, (s, i) => poissonVariate(rate[i], s)),
      shape,
      "Poisson",
      "rate",
    );
  }
  override get mean(): tf.Tensor {
    return broadcast(this.rate, this.batchShape);
  }
  override get variance(): tf.Tensor {
    return broadcast(this.rate, this.batchShape);
  }
  override cdf(value: ArrayLike): tf.Tensor {
    // P(X <= k) = Q(floor(k) + 1, rate)
    const k = tf.floor(param(value));
    const nonneg = tf.greaterEqual(k, 0);
    const c = gammaincc(tf.add(tf.where(nonneg, k, tf.zerosLike(k)), 1), this.rate);
    return tf.where(nonneg, c, tf.zerosLike(c));
  }
  override entropy(): tf.Tensor {
    const rate = this.rate;
    const small = tf.less(rate, ENTROPY_SERIES_RATE);
    const clipped = tf.where(small, rate, tf.fill(rate.shape, 1));
    const summed = entropyBySum(
      (k) => tf.sub(tf.sub(xlogy(k, clipped), clipped), lgamma(tf.add(k, 1))),
      200,
      rate.rank,
    );
    const big = tf.where(small, tf.fill(rate.shape, ENTROPY_SERIES_RATE), rate);
    const inv = tf.reciprocal(big);
    const series = tf.sub(
      tf.mul(0.5, tf.log(tf.mul(exact(2 * Math.PI * Math.E), big))),
      tf.mul(
        inv,
        tf.add(exact(1 / 12), tf.mul(inv, tf.add(exact(1 / 24), tf.mul(inv, exact(19 / 360))))),
      ),
    );
    return broadcast(tf.where(small, summed, series), this.batchShape);
  }
}

/**
 * The Poisson distribution with mean `rate`.
 *
 * @example
 * yield* sample("count", Poisson(3.5), { obs: 4 });
 */
export function Poisson(rate: ArrayLike): PoissonDistribution {
  return new PoissonDistribution(param(rate));
}
