/** The negative binomial distribution in its mean-concentration form. */
import { lgamma } from "../custom-vjp/special.js";
import { betainc } from "../custom-vjp/special-incomplete.js";
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, readFloat64, tf } from "../tf.js";
import { nonnegativeInteger, positive } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import { drawEach, logStandardGamma, poissonVariate } from "./samplers.js";
import {
  broadcast,
  entropyBySum,
  fromIntegers,
  isInteger,
  negInfOutside,
  param,
  valuesAt,
} from "./util.js";

/**
 * NegativeBinomial2(mean, concentration): the gamma-Poisson mixture with mean mu and
 * variance mu + mu^2/concentration (Stan's neg_binomial_2; NumPyro's NegativeBinomial2).
 *
 * @example
 * const d = NegativeBinomial2(4, 2); // a NegativeBinomial2Distribution
 * d.mean; // 4
 * d.variance; // 12: 4 + 4^2 / 2
 */
export class NegativeBinomial2Distribution extends Distribution {
  readonly family = "NegativeBinomial2";
  readonly support = nonnegativeInteger;

  constructor(
    /** The mean mu (named so to keep `mean` for the distribution's mean). */
    readonly meanParameter: tf.Tensor,
    readonly concentration: tf.Tensor,
  ) {
    super(batchShapeOf("NegativeBinomial2", { mean: meanParameter, concentration }), []);
    this.checkParam("mean", meanParameter, positive);
    this.checkParam("concentration", concentration, positive);
  }

  protected computeLogProb(k: tf.Tensor): tf.Tensor {
    // lgamma(k + r) - lgamma(k + 1) - lgamma(r) + r log(r/(r + mu)) + k log(mu/(r + mu))
    const mu = this.meanParameter;
    const r = this.concentration;
    const inside = tf.logicalAnd(isInteger(k), tf.greaterEqual(k, 0));
    const safeK = tf.where(inside, k, tf.zerosLike(k));
    const logTotal = tf.log(tf.add(r, mu));
    const lp = tf.add(
      tf.sub(tf.sub(lgamma(tf.add(safeK, r)), lgamma(tf.add(safeK, 1))), lgamma(r)),
      tf.add(tf.mul(r, tf.sub(tf.log(r), logTotal)), tf.mul(safeK, tf.sub(tf.log(mu), logTotal))),
    );
    return negInfOutside(inside, lp);
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    // rate ~ Gamma(r, r/mu), then Poisson(rate).
    const shape = this.shape(sampleShape);
    const mu = valuesAt(this.meanParameter, shape);
    const r = valuesAt(this.concentration, shape);
    const draws = drawEach(key, mu.length, (s, i) =>
      poissonVariate(Math.exp(logStandardGamma(r[i], s)) * (mu[i] / r[i]), s),
    );
    return fromIntegers(draws, shape, "NegativeBinomial2", "mean");
  }
  override get mean(): tf.Tensor {
    return broadcast(this.meanParameter, this.batchShape);
  }
  override get variance(): tf.Tensor {
    const mu = this.meanParameter;
    return broadcast(tf.add(mu, tf.div(tf.square(mu), this.concentration)), this.batchShape);
  }
  override cdf(value: ArrayLike): tf.Tensor {
    // P(X <= k) = I_(r/(r+mu))(r, floor(k) + 1)
    const r = this.concentration;
    const k = tf.floor(param(value));
    const nonneg = tf.greaterEqual(k, 0);
    const c = betainc(
      tf.add(r, tf.zerosLike(k)),
      tf.add(tf.where(nonneg, k, tf.zerosLike(k)), 1),
      tf.div(r, tf.add(r, this.meanParameter)),
    );
    return tf.where(nonneg, c, tf.zerosLike(c));
  }
  /** Summed over 0..K, K far enough in the tail that the rest is below float32 resolution. */
  override entropy(): tf.Tensor {
    const mu = readFloat64(this.meanParameter);
    const r = readFloat64(this.concentration);
    let count = 0;
    for (let i = 0; i < Math.max(mu.length, r.length); i++) {
      const m = mu[mu.length === 1 ? 0 : i];
      const c = r[r.length === 1 ? 0 : i];
      const sd = Math.sqrt(m + (m * m) / c);
      const decay = -Math.log(m / (m + c));
      count = Math.max(count, Math.ceil(m + 40 * sd + 40 + 35 / decay));
    }
    return broadcast(
      entropyBySum(
        (k) => this.computeLogProb(k),
        Math.min(count, 1_000_000),
        this.batchShape.length,
      ),
      this.batchShape,
    );
  }
}

/**
 * The negative binomial distribution with mean `mean` and overdispersion `concentration`
 * (variance mean + mean^2/concentration).
 *
 * @example
 * const phi = yield* sample("phi", Exponential(1));
 * yield* sample("y", NegativeBinomial2(tf.tensor([2.5, 4]), phi), { obs: [3, 5] });
 */
export function NegativeBinomial2(
  mean: ArrayLike,
  concentration: ArrayLike,
): NegativeBinomial2Distribution {
  return new NegativeBinomial2Distribution(param(mean), param(concentration));
}
