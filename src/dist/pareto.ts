/** The Pareto distribution. */
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { type Constraint, Interval, positive } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import { broadcast, maximum, negInfOutside, param, uniformNoise } from "./util.js";

/**
 * Pareto(scale, alpha): density alpha scale^alpha / x^(alpha + 1) on [scale, inf).
 *
 * @example
 * const d = Pareto(1, 3); // a ParetoDistribution
 * d.mean; // 1.5: alpha scale / (alpha - 1)
 * d.cdf(2); // 0.875
 */
export class ParetoDistribution extends Distribution {
  readonly family = "Pareto";
  readonly support: Constraint;
  override readonly hasRsample = true;

  constructor(
    readonly scale: tf.Tensor,
    readonly alpha: tf.Tensor,
  ) {
    super(batchShapeOf("Pareto", { scale, alpha }), []);
    this.support = new Interval(scale, Number.POSITIVE_INFINITY, true, false, "greaterThan", {
      low: "scale",
    });
    this.checkParam("scale", scale, positive);
    this.checkParam("alpha", alpha, positive);
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    // log alpha + alpha log scale - (alpha + 1) log x
    const inside = tf.greaterEqual(x, this.scale);
    const safeX = tf.where(inside, x, tf.add(tf.zerosLike(x), this.scale));
    const lp = tf.sub(
      tf.add(tf.log(this.alpha), tf.mul(this.alpha, tf.log(this.scale))),
      tf.mul(tf.add(this.alpha, 1), tf.log(safeX)),
    );
    return negInfOutside(inside, lp);
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    return this.icdf(uniformNoise(key, this.shape(sampleShape)));
  }
  /** alpha scale/(alpha - 1) for alpha > 1, else infinite. */
  override get mean(): tf.Tensor {
    const a = this.alpha;
    const m = tf.div(tf.mul(a, this.scale), tf.sub(a, 1));
    return broadcast(tf.where(tf.greater(a, 1), m, tf.fill(m.shape, Infinity)), this.batchShape);
  }
  /** scale^2 alpha / ((alpha - 1)^2 (alpha - 2)) for alpha > 2, else infinite. */
  override get variance(): tf.Tensor {
    const a = this.alpha;
    const v = tf.div(
      tf.mul(tf.square(this.scale), a),
      tf.mul(tf.square(tf.sub(a, 1)), tf.sub(a, 2)),
    );
    return broadcast(tf.where(tf.greater(a, 2), v, tf.fill(v.shape, Infinity)), this.batchShape);
  }
  override cdf(value: ArrayLike): tf.Tensor {
    // 1 - (scale/x)^alpha = -expm1(alpha log(scale/x)), 0 below scale
    const x = maximum(param(value), this.scale);
    return tf.neg(tf.expm1(tf.mul(this.alpha, tf.log(tf.div(this.scale, x)))));
  }
  override icdf(q: ArrayLike): tf.Tensor {
    return tf.mul(this.scale, tf.exp(tf.div(tf.neg(tf.log1p(tf.neg(param(q)))), this.alpha)));
  }
  override entropy(): tf.Tensor {
    // log(scale/alpha) + 1/alpha + 1
    const h = tf.add(
      tf.sub(tf.log(this.scale), tf.log(this.alpha)),
      tf.add(tf.reciprocal(this.alpha), 1),
    );
    return broadcast(h, this.batchShape);
  }
}

/**
 * The Pareto distribution with minimum `scale` and tail index `alpha`.
 *
 * @example
 * const income = yield* sample("income", Pareto(1, 3));
 */
export function Pareto(scale: ArrayLike, alpha: ArrayLike): ParetoDistribution {
  return new ParetoDistribution(param(scale), param(alpha));
}
