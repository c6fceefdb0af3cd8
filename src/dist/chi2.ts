/** The chi-squared distribution. */
import { type ArrayLike, tf } from "../tf.js";
import { positive } from "./constraints.js";
import { GammaDistribution } from "./gamma.js";
import { param } from "./util.js";

/**
 * Chi2(df) = Gamma(df/2, 1/2).
 *
 * @example
 * const d = Chi2(4); // a Chi2Distribution: Gamma(2, 0.5)
 * d.mean; // 4
 * d.variance; // 8
 */
export class Chi2Distribution extends GammaDistribution {
  override readonly family = "Chi2";

  constructor(readonly df: tf.Tensor) {
    super(tf.mul(df, 0.5), tf.fill(df.shape, 0.5));
    this.checkParam("df", df, positive);
  }
}

/**
 * The chi-squared distribution with `df` degrees of freedom.
 *
 * @example
 * const s = yield* sample("s", Chi2(3));
 */
export function Chi2(df: ArrayLike): Chi2Distribution {
  return new Chi2Distribution(param(df));
}
