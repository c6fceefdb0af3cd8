/** The skew-normal distribution. */
import { logNdtr, owensT } from "../custom-vjp/special-normal.js";
import { type Key, split } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { positive, real } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import { broadcast, exact, LOG_2PI, normalNoise, param } from "./util.js";

/**
 * SkewNormal(loc, scale, skewness): density 2/scale phi(z) Phi(skewness z), z = (x - loc)/scale
 * (Azzalini 1985, "A class of distributions which includes the normal ones", Scand. J. Statist.).
 *
 * @example
 * const d = SkewNormal(0, 1, 4); // a SkewNormalDistribution
 * d.mean; // sqrt(2 / pi) 4 / sqrt(17) = 0.7740617
 * d.logProb(0); // log of 2 phi(0) Phi(0) = log phi(0)
 */
export class SkewNormalDistribution extends Distribution {
  readonly family = "SkewNormal";
  readonly support = real;
  override readonly hasRsample = true;

  constructor(
    readonly loc: tf.Tensor,
    readonly scale: tf.Tensor,
    readonly skewness: tf.Tensor,
  ) {
    super(batchShapeOf("SkewNormal", { loc, scale, skewness }), []);
    this.checkParam("loc", loc, real);
    this.checkParam("scale", scale, positive);
    this.checkParam("skewness", skewness, real);
  }

  /** delta = skewness / sqrt(1 + skewness^2). */
  private get delta(): tf.Tensor {
    return tf.div(this.skewness, tf.sqrt(tf.add(1, tf.square(this.skewness))));
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    const z = tf.div(tf.sub(x, this.loc), this.scale);
    const logPhi = tf.sub(tf.mul(-0.5, tf.square(z)), exact(0.5 * LOG_2PI));
    return tf.add(
      tf.sub(tf.add(logPhi, exact(Math.LN2)), tf.log(this.scale)),
      logNdtr(tf.mul(this.skewness, z)),
    );
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    // z = delta |u0| + sqrt(1 - delta^2) u1 (Azzalini's stochastic representation).
    const shape = this.shape(sampleShape);
    const [k0, k1] = split(key);
    const d = this.delta;
    const z = tf.add(
      tf.mul(d, tf.abs(normalNoise(k0, shape))),
      tf.mul(tf.sqrt(tf.sub(1, tf.square(d))), normalNoise(k1, shape)),
    );
    return tf.add(this.loc, tf.mul(this.scale, z));
  }
  override get mean(): tf.Tensor {
    return broadcast(
      tf.add(this.loc, tf.mul(this.scale, tf.mul(this.delta, exact(Math.sqrt(2 / Math.PI))))),
      this.batchShape,
    );
  }
  override get variance(): tf.Tensor {
    const v = tf.mul(
      tf.square(this.scale),
      tf.sub(1, tf.mul(exact(2 / Math.PI), tf.square(this.delta))),
    );
    return broadcast(v, this.batchShape);
  }
  override cdf(value: ArrayLike): tf.Tensor {
    // Phi(z) - 2 T(z, skewness)
    const z = tf.div(tf.sub(param(value), this.loc), this.scale);
    const phi = tf.mul(0.5, tf.add(1, tf.erf(tf.div(z, exact(Math.SQRT2)))));
    return tf.sub(phi, tf.mul(2, owensT(z, tf.add(this.skewness, tf.zerosLike(z)))));
  }
}

/**
 * The skew-normal distribution with location `loc`, scale `scale` and shape `skewness`
 * (scipy's `skewnorm(a=skewness, loc, scale)`).
 *
 * @example
 * const r = yield* sample("r", SkewNormal(0, 1, 3));
 */
export function SkewNormal(
  loc: ArrayLike,
  scale: ArrayLike,
  skewness: ArrayLike,
): SkewNormalDistribution {
  return new SkewNormalDistribution(param(loc), param(scale), param(skewness));
}
