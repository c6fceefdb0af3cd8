/** The beta distribution. */
import { digamma } from "../custom-vjp/special.js";
import { betainc, betaincinv, lbeta } from "../custom-vjp/special-incomplete.js";
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { positive, unitInterval } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import { implicitBeta } from "./implicit-draws.js";
import { betaVariate, drawEach } from "./samplers.js";
import { broadcast, fromValues, mulOrZero, negInfOutside, param, valuesAt } from "./util.js";

/**
 * Beta(concentration1, concentration0): density x^(a-1) (1-x)^(b-1) / B(a, b) on [0, 1].
 *
 * @example
 * const d = Beta(2, 3); // a BetaDistribution
 * d.mean; // 0.4
 * d.cdf(0.5); // 0.6875
 */
export class BetaDistribution extends Distribution {
  readonly family = "Beta";
  readonly support = unitInterval;
  override readonly hasRsample = true;

  constructor(
    /** a, the exponent of x. */
    readonly concentration1: tf.Tensor,
    /** b, the exponent of 1 - x. */
    readonly concentration0: tf.Tensor,
  ) {
    super(batchShapeOf("Beta", { concentration1, concentration0 }), []);
    this.checkParam("concentration1", concentration1, positive);
    this.checkParam("concentration0", concentration0, positive);
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    const a = this.concentration1;
    const b = this.concentration0;
    const inside = tf.logicalAnd(tf.greaterEqual(x, 0), tf.lessEqual(x, 1));
    const safeX = tf.where(inside, x, tf.fill(x.shape, 0.5));
    // xlogy terms: at x = 0 or 1 the density's limit (Beta(1, 3) at 0 is 3), never 0 * -Infinity.
    const lp = tf.sub(
      tf.add(
        mulOrZero(tf.sub(a, 1), tf.log(safeX)),
        mulOrZero(tf.sub(b, 1), tf.log1p(tf.neg(safeX))),
      ),
      lbeta(a, b),
    );
    return negInfOutside(inside, lp);
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    const shape = this.shape(sampleShape);
    const a = valuesAt(this.concentration1, shape);
    const b = valuesAt(this.concentration0, shape);
    const x = drawEach(key, a.length, (s, i) => betaVariate(a[i], b[i], s));
    return implicitBeta(
      broadcast(this.concentration1, shape),
      broadcast(this.concentration0, shape),
      fromValues(x, shape),
    );
  }
  override get mean(): tf.Tensor {
    const total = tf.add(this.concentration1, this.concentration0);
    return broadcast(tf.div(this.concentration1, total), this.batchShape);
  }
  override get variance(): tf.Tensor {
    const a = this.concentration1;
    const b = this.concentration0;
    const total = tf.add(a, b);
    const v = tf.div(tf.mul(a, b), tf.mul(tf.square(total), tf.add(total, 1)));
    return broadcast(v, this.batchShape);
  }
  override cdf(value: ArrayLike): tf.Tensor {
    return betainc(this.concentration1, this.concentration0, param(value));
  }
  override icdf(q: ArrayLike): tf.Tensor {
    return betaincinv(this.concentration1, this.concentration0, param(q));
  }
  override entropy(): tf.Tensor {
    // log B(a, b) - (a - 1) psi(a) - (b - 1) psi(b) + (a + b - 2) psi(a + b)
    const a = this.concentration1;
    const b = this.concentration0;
    const total = tf.add(a, b);
    const h = tf.add(
      tf.sub(
        tf.sub(lbeta(a, b), tf.mul(tf.sub(a, 1), digamma(a))),
        tf.mul(tf.sub(b, 1), digamma(b)),
      ),
      tf.mul(tf.sub(total, 2), digamma(total)),
    );
    return broadcast(h, this.batchShape);
  }
}

/**
 * The beta distribution on [0, 1] with concentrations `concentration1` (of x) and
 * `concentration0` (of 1 - x), as NumPyro's `Beta`.
 *
 * @example
 * const p = yield* sample("p", Beta(2, 2));
 */
export function Beta(concentration1: ArrayLike, concentration0: ArrayLike): BetaDistribution {
  return new BetaDistribution(param(concentration1), param(concentration0));
}
