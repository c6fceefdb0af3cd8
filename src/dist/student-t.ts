/** Student's t distribution. */
import { digamma, lgamma } from "../custom-vjp/special.js";
import { betainc, betaincinv, lbeta } from "../custom-vjp/special-incomplete.js";
import { type Key, split } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { positive, real } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import { standardGammaDraws } from "./implicit-draws.js";
import { broadcast, exact, minimum, normalNoise, param } from "./util.js";

/**
 * StudentT(df, loc, scale): loc + scale T with T a standard t variate with df degrees of freedom.
 *
 * @example
 * const d = StudentT(5, 0, 1); // a StudentTDistribution
 * d.variance; // 5 / 3
 * d.cdf(0); // 0.5
 */
export class StudentTDistribution extends Distribution {
  readonly family = "StudentT";
  readonly support = real;
  override readonly hasRsample = true;

  constructor(
    readonly df: tf.Tensor,
    readonly loc: tf.Tensor,
    readonly scale: tf.Tensor,
  ) {
    super(batchShapeOf("StudentT", { df, loc, scale }), []);
    this.checkParam("df", df, positive);
    this.checkParam("loc", loc, real);
    this.checkParam("scale", scale, positive);
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    // lgamma((v+1)/2) - lgamma(v/2) - log(v pi)/2 - log scale - (v+1)/2 log1p(z^2/v)
    const v = this.df;
    const z = tf.div(tf.sub(x, this.loc), this.scale);
    const halfV1 = tf.mul(tf.add(v, 1), 0.5);
    const normalizer = tf.sub(
      tf.sub(lgamma(halfV1), lgamma(tf.mul(v, 0.5))),
      tf.add(tf.mul(0.5, tf.log(tf.mul(v, exact(Math.PI)))), tf.log(this.scale)),
    );
    return tf.sub(normalizer, tf.mul(halfV1, tf.log1p(tf.div(tf.square(z), v))));
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    // z sqrt(v / chi2_v), chi2_v = 2 G(v/2): reparameterized in loc, scale and (implicitly) df.
    const shape = this.shape(sampleShape);
    const [normalKey, gammaKey] = split(key);
    const g = standardGammaDraws(gammaKey, tf.mul(this.df, 0.5), shape);
    const t = tf.mul(normalNoise(normalKey, shape), tf.sqrt(tf.div(tf.mul(this.df, 0.5), g)));
    return tf.add(this.loc, tf.mul(this.scale, t));
  }
  /** loc for df > 1, else NaN. */
  override get mean(): tf.Tensor {
    const m = tf.where(
      tf.greater(this.df, 1),
      tf.add(this.loc, tf.zerosLike(this.df)),
      tf.fill(this.df.shape, Number.NaN),
    );
    return broadcast(tf.add(m, tf.zerosLike(this.loc)), this.batchShape);
  }
  /** scale^2 df/(df - 2) for df > 2, infinite for 1 < df <= 2, else NaN. */
  override get variance(): tf.Tensor {
    const v = this.df;
    const finite = tf.div(tf.mul(tf.square(this.scale), v), tf.sub(v, 2));
    const out = tf.where(
      tf.greater(v, 2),
      finite,
      tf.where(
        tf.greater(v, 1),
        tf.fill(finite.shape, Infinity),
        tf.fill(finite.shape, Number.NaN),
      ),
    );
    return broadcast(out, this.batchShape);
  }
  override cdf(value: ArrayLike): tf.Tensor {
    // The lower tail L = P(T <= -|t|): 1/2 I_(v/(v+t^2))(v/2, 1/2) for |t| > 1 (accurate in the
    // tails) and 1/2 - 1/2 I_(t^2/(v+t^2))(1/2, v/2) near 0 (accurate in the center).
    const v = this.df;
    const t = tf.div(tf.sub(param(value), this.loc), this.scale);
    const t2 = tf.square(t);
    const denominator = tf.add(v, t2);
    const tail = tf.mul(
      0.5,
      betainc(tf.mul(v, 0.5), tf.fill(v.shape, 0.5), tf.div(v, denominator)),
    );
    const center = tf.sub(
      0.5,
      tf.mul(0.5, betainc(tf.fill(v.shape, 0.5), tf.mul(v, 0.5), tf.div(t2, denominator))),
    );
    const lower = tf.where(tf.greater(tf.abs(t), 1), tail, center);
    return tf.where(tf.greater(t, 0), tf.sub(1, lower), lower);
  }
  override icdf(q: ArrayLike): tf.Tensor {
    // For the lower tail p = min(q, 1 - q): x = I^-1_(2p)(v/2, 1/2), |t| = sqrt(v (1 - x)/x).
    const v = this.df;
    const p = param(q);
    const lowerP = minimum(p, tf.sub(1, p));
    const x = betaincinv(tf.mul(v, 0.5), tf.fill(v.shape, 0.5), tf.mul(2, lowerP));
    const magnitude = tf.sqrt(tf.div(tf.mul(v, tf.sub(1, x)), x));
    const t = tf.where(tf.less(p, 0.5), tf.neg(magnitude), magnitude);
    return tf.add(this.loc, tf.mul(this.scale, t));
  }
  override entropy(): tf.Tensor {
    // (v+1)/2 (psi((v+1)/2) - psi(v/2)) + log(v)/2 + log B(v/2, 1/2) + log scale
    const v = this.df;
    const halfV = tf.mul(v, 0.5);
    const halfV1 = tf.mul(tf.add(v, 1), 0.5);
    const h = tf.add(
      tf.add(tf.mul(halfV1, tf.sub(digamma(halfV1), digamma(halfV))), tf.mul(0.5, tf.log(v))),
      tf.add(lbeta(halfV, tf.fill(v.shape, 0.5)), tf.log(this.scale)),
    );
    return broadcast(h, this.batchShape);
  }
}

/**
 * Student's t distribution with `df` degrees of freedom, location `loc` and scale `scale`.
 *
 * @example
 * yield* sample("y", StudentT(4, mu, sigma), { obs: y });
 */
export function StudentT(df: ArrayLike, loc: ArrayLike, scale: ArrayLike): StudentTDistribution {
  return new StudentTDistribution(param(df), param(loc), param(scale));
}
