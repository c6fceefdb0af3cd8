/** The Gumbel (type I extreme value) distribution. */
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { positive, real } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import { broadcast, exact, param, uniformNoise } from "./util.js";

/** The Euler-Mascheroni constant. */
const EULER_GAMMA = 0.5772156649015329;

/**
 * Gumbel(loc, scale): cdf exp(-exp(-(x - loc)/scale)).
 *
 * @example
 * const d = Gumbel(0, 1); // a GumbelDistribution
 * d.cdf(0); // exp(-1)
 * d.mean; // 0.5772157, Euler's constant
 */
export class GumbelDistribution extends Distribution {
  readonly family = "Gumbel";
  readonly support = real;
  override readonly hasRsample = true;

  constructor(
    readonly loc: tf.Tensor,
    readonly scale: tf.Tensor,
  ) {
    super(batchShapeOf("Gumbel", { loc, scale }), []);
    this.checkParam("loc", loc, real);
    this.checkParam("scale", scale, positive);
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    // z is kept above -float32's largest number so that z + exp(-z) is Infinity, not
    // -Infinity + Infinity, where a tiny scale sends z to -Infinity.
    const z = tf.maximum(tf.div(tf.sub(x, this.loc), this.scale), exact(-3.4028234663852886e38));
    return tf.neg(tf.add(tf.add(z, tf.exp(tf.neg(z))), tf.log(this.scale)));
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    return this.icdf(uniformNoise(key, this.shape(sampleShape)));
  }
  override get mean(): tf.Tensor {
    return broadcast(tf.add(this.loc, tf.mul(exact(EULER_GAMMA), this.scale)), this.batchShape);
  }
  override get variance(): tf.Tensor {
    return broadcast(
      tf.mul(exact((Math.PI * Math.PI) / 6), tf.square(this.scale)),
      this.batchShape,
    );
  }
  override cdf(value: ArrayLike): tf.Tensor {
    const z = tf.div(tf.sub(param(value), this.loc), this.scale);
    return tf.exp(tf.neg(tf.exp(tf.neg(z))));
  }
  override icdf(q: ArrayLike): tf.Tensor {
    return tf.sub(this.loc, tf.mul(this.scale, tf.log(tf.neg(tf.log(param(q))))));
  }
  override entropy(): tf.Tensor {
    return broadcast(tf.add(tf.log(this.scale), exact(EULER_GAMMA + 1)), this.batchShape);
  }
}

/**
 * The Gumbel distribution with location `loc` and scale `scale`.
 *
 * @example
 * const m = yield* sample("max", Gumbel(0, 1));
 */
export function Gumbel(loc: ArrayLike, scale: ArrayLike): GumbelDistribution {
  return new GumbelDistribution(param(loc), param(scale));
}
