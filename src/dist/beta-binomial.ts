/** The beta-binomial distribution. */
import { lgamma } from "../custom-vjp/special.js";
import { lbeta } from "../custom-vjp/special-incomplete.js";
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, readFloat64, tf } from "../tf.js";
import { type Constraint, integerInterval, nonnegativeInteger, positive } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import { betaVariate, binomialVariate, drawEach } from "./samplers.js";
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
 * BetaBinomial(a, b, n): Binomial(n, p) with p ~ Beta(a, b).
 *
 * @example
 * const d = BetaBinomial(2, 3, 10); // a BetaBinomialDistribution
 * d.mean; // 4: 10 * 2 / (2 + 3)
 */
export class BetaBinomialDistribution extends Distribution {
  readonly family = "BetaBinomial";
  readonly support: Constraint;
  override readonly hasEnumerateSupport = true;

  constructor(
    readonly concentration1: tf.Tensor,
    readonly concentration0: tf.Tensor,
    readonly totalCount: tf.Tensor,
  ) {
    super(batchShapeOf("BetaBinomial", { concentration1, concentration0, totalCount }), []);
    this.support = integerInterval(0, totalCount, { high: "totalCount" });
    this.checkParam("concentration1", concentration1, positive);
    this.checkParam("concentration0", concentration0, positive);
    this.checkParam("totalCount", totalCount, nonnegativeInteger);
  }

  protected computeLogProb(k: tf.Tensor): tf.Tensor {
    // log C(n, k) + log B(k + a, n - k + b) - log B(a, b)
    const n = this.totalCount;
    const a = this.concentration1;
    const b = this.concentration0;
    const inside = tf.logicalAnd(
      isInteger(k),
      tf.logicalAnd(tf.greaterEqual(k, 0), tf.lessEqual(k, n)),
    );
    const safeK = tf.where(inside, k, tf.zerosLike(tf.add(k, n)));
    const rest = tf.sub(n, safeK);
    const logChoose = tf.sub(
      lgamma(tf.add(n, 1)),
      tf.add(lgamma(tf.add(safeK, 1)), lgamma(tf.add(rest, 1))),
    );
    const lp = tf.add(logChoose, tf.sub(lbeta(tf.add(safeK, a), tf.add(rest, b)), lbeta(a, b)));
    return negInfOutside(inside, lp);
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    const shape = this.shape(sampleShape);
    const a = valuesAt(this.concentration1, shape);
    const b = valuesAt(this.concentration0, shape);
    const n = valuesAt(this.totalCount, shape);
    const draws = drawEach(key, n.length, (s, i) =>
      binomialVariate(n[i], betaVariate(a[i], b[i], s), s),
    );
    return fromIntegers(draws, shape, "BetaBinomial", "totalCount");
  }
  override get mean(): tf.Tensor {
    const a = this.concentration1;
    return broadcast(
      tf.div(tf.mul(this.totalCount, a), tf.add(a, this.concentration0)),
      this.batchShape,
    );
  }
  override get variance(): tf.Tensor {
    // n a b (a + b + n) / ((a + b)^2 (a + b + 1))
    const a = this.concentration1;
    const b = this.concentration0;
    const n = this.totalCount;
    const total = tf.add(a, b);
    const v = tf.div(
      tf.mul(tf.mul(tf.mul(n, a), b), tf.add(total, n)),
      tf.mul(tf.square(total), tf.add(total, 1)),
    );
    return broadcast(v, this.batchShape);
  }
  private get maxCount(): number {
    return Math.max(0, ...readFloat64(this.totalCount));
  }
  /** The summed mass over 0..floor(value). */
  override cdf(value: ArrayLike): tf.Tensor {
    const x = tf.floor(param(value));
    const count = this.maxCount + 1;
    const shape = [count, ...x.shape.map(() => 1)];
    const k = tf.reshape(tf.range(0, count), shape);
    const mass = tf.exp(this.computeLogProb(k));
    return tf.sum(tf.where(tf.lessEqual(k, x), mass, tf.zerosLike(mass)), 0);
  }
  override entropy(): tf.Tensor {
    return broadcast(
      entropyBySum((k) => this.computeLogProb(k), this.maxCount + 1, this.batchShape.length),
      this.batchShape,
    );
  }
  /** 0..totalCount (all batch entries must share totalCount, as in NumPyro). */
  override enumerateSupport(expand = true): tf.Tensor {
    const counts = readFloat64(this.totalCount);
    if (counts.some((c) => c !== counts[0])) {
      throw new Error(
        "BetaBinomial: enumerateSupport needs the same totalCount in every batch entry",
      );
    }
    const n = counts[0];
    const values = tf.reshape(tf.range(0, n + 1, 1, "int32"), [
      n + 1,
      ...this.batchShape.map(() => 1),
    ]);
    return expand ? tf.broadcastTo(values, [n + 1, ...this.batchShape]) : values;
  }
}

/**
 * The beta-binomial distribution: `totalCount` trials whose success probability is drawn from
 * Beta(concentration1, concentration0).
 *
 * @example
 * yield* sample("y", BetaBinomial(2, 3, 10), { obs: 4 });
 */
export function BetaBinomial(
  concentration1: ArrayLike,
  concentration0: ArrayLike,
  totalCount: ArrayLike,
): BetaBinomialDistribution {
  return new BetaBinomialDistribution(
    param(concentration1),
    param(concentration0),
    param(totalCount),
  );
}
