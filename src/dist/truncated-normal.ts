/** The truncated normal distribution. */
import { logNormalMass, truncatedNormalQuantile } from "../custom-vjp/special-normal.js";
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { type Constraint, Interval, positive, real } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import {
  broadcast,
  exact,
  LOG_2PI,
  maximum,
  minimum,
  negInfOutside,
  param,
  uniformNoise,
} from "./util.js";

/**
 * TruncatedNormal(loc, scale, low, high): Normal(loc, scale) conditioned on low < X < high.
 *
 * @example
 * const d = TruncatedNormal(0, 1, 0); // a TruncatedNormalDistribution: a half-normal
 * d.mean; // sqrt(2 / pi) = 0.7978846
 * d.cdf(1); // 2 Phi(1) - 1 = 0.6826895
 */
export class TruncatedNormalDistribution extends Distribution {
  readonly family = "TruncatedNormal";
  readonly support: Constraint;
  override readonly hasRsample = true;

  constructor(
    readonly loc: tf.Tensor,
    readonly scale: tf.Tensor,
    readonly low: tf.Tensor,
    readonly high: tf.Tensor,
  ) {
    super(batchShapeOf("TruncatedNormal", { loc, scale, low, high }), []);
    this.support = new Interval(low, high, true, true, "interval", { low: "low", high: "high" });
    this.checkParam("loc", loc, real);
    this.checkParam("scale", scale, positive);
    this.checkParam(
      "high",
      high,
      new Interval(low, Number.POSITIVE_INFINITY, false, true, "greaterThan", { low: "low" }),
    );
  }

  /** The standardized bounds alpha = (low - loc)/scale and beta = (high - loc)/scale. */
  private get standardBounds(): { alpha: tf.Tensor; beta: tf.Tensor } {
    return {
      alpha: tf.div(tf.sub(this.low, this.loc), this.scale),
      beta: tf.div(tf.sub(this.high, this.loc), this.scale),
    };
  }
  /** log Z = log(Phi(beta) - Phi(alpha)). */
  private get logMass(): tf.Tensor {
    const { alpha, beta } = this.standardBounds;
    return logNormalMass(alpha, beta);
  }
  /** phi(t)/Z and t phi(t)/Z at a standardized bound t (both 0 at an infinite bound). */
  private boundTerms(t: tf.Tensor, logZ: tf.Tensor): { density: tf.Tensor; moment: tf.Tensor } {
    const finite = tf.isFinite(t);
    const safeT = tf.where(finite, t, tf.zerosLike(t));
    const density = tf.exp(
      tf.sub(tf.sub(tf.mul(-0.5, tf.square(safeT)), exact(0.5 * LOG_2PI)), logZ),
    );
    return {
      density: tf.where(finite, density, tf.zerosLike(density)),
      moment: tf.where(finite, tf.mul(safeT, density), tf.zerosLike(density)),
    };
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    const z = tf.div(tf.sub(x, this.loc), this.scale);
    const lp = tf.sub(
      tf.mul(-0.5, tf.square(z)),
      tf.add(tf.add(tf.log(this.scale), exact(0.5 * LOG_2PI)), this.logMass),
    );
    const inside = tf.logicalAnd(tf.greaterEqual(x, this.low), tf.lessEqual(x, this.high));
    return negInfOutside(inside, lp);
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    return this.icdf(uniformNoise(key, this.shape(sampleShape)));
  }
  override get mean(): tf.Tensor {
    const { alpha, beta } = this.standardBounds;
    const logZ = this.logMass;
    const a = this.boundTerms(alpha, logZ);
    const b = this.boundTerms(beta, logZ);
    return broadcast(
      tf.add(this.loc, tf.mul(this.scale, tf.sub(a.density, b.density))),
      this.batchShape,
    );
  }
  override get variance(): tf.Tensor {
    const { alpha, beta } = this.standardBounds;
    const logZ = this.logMass;
    const a = this.boundTerms(alpha, logZ);
    const b = this.boundTerms(beta, logZ);
    const shift = tf.sub(a.density, b.density);
    const v = tf.add(1, tf.sub(tf.sub(a.moment, b.moment), tf.square(shift)));
    return broadcast(tf.mul(tf.square(this.scale), v), this.batchShape);
  }
  override cdf(value: ArrayLike): tf.Tensor {
    const { alpha, beta } = this.standardBounds;
    const z = tf.div(tf.sub(param(value), this.loc), this.scale);
    const clipped = minimum(maximum(z, alpha), beta);
    const c = tf.exp(tf.sub(logNormalMass(alpha, clipped), logNormalMass(alpha, beta)));
    return tf.where(tf.lessEqual(z, alpha), tf.zerosLike(c), c);
  }
  override icdf(q: ArrayLike): tf.Tensor {
    const { alpha, beta } = this.standardBounds;
    return tf.add(this.loc, tf.mul(this.scale, truncatedNormalQuantile(alpha, beta, param(q))));
  }
  override entropy(): tf.Tensor {
    // log(sqrt(2 pi e) scale Z) + (alpha phi(alpha) - beta phi(beta)) / (2 Z)
    const { alpha, beta } = this.standardBounds;
    const logZ = this.logMass;
    const a = this.boundTerms(alpha, logZ);
    const b = this.boundTerms(beta, logZ);
    const h = tf.add(
      tf.add(tf.add(tf.log(this.scale), exact(0.5 * (1 + LOG_2PI))), logZ),
      tf.mul(0.5, tf.sub(a.moment, b.moment)),
    );
    return broadcast(h, this.batchShape);
  }
}

/**
 * The normal distribution with mean `loc` and standard deviation `scale` truncated to
 * [low, high] (either may be infinite); draws are reparameterized in all four.
 *
 * @example
 * const x = yield* sample("x", TruncatedNormal(0, 1, 0, Infinity));
 */
export function TruncatedNormal(
  loc: ArrayLike,
  scale: ArrayLike,
  low: ArrayLike = Number.NEGATIVE_INFINITY,
  high: ArrayLike = Number.POSITIVE_INFINITY,
): TruncatedNormalDistribution {
  return new TruncatedNormalDistribution(param(loc), param(scale), param(low), param(high));
}
