/** The discrete uniform distribution. */
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, readFloat64, tf } from "../tf.js";
import { type Constraint, integerInterval } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import { drawEach } from "./samplers.js";
import { broadcast, fromIntegers, isInteger, negInfOutside, param, valuesAt } from "./util.js";

/**
 * DiscreteUniform(low, high): mass 1/(high - low + 1) on the integers low..high.
 *
 * @example
 * const d = DiscreteUniform(1, 6); // a DiscreteUniformDistribution: a die
 * d.mean; // 3.5
 * d.logProb(4); // log(1/6)
 */
export class DiscreteUniformDistribution extends Distribution {
  readonly family = "DiscreteUniform";
  readonly support: Constraint;
  override readonly hasEnumerateSupport = true;

  constructor(
    readonly low: tf.Tensor,
    readonly high: tf.Tensor,
  ) {
    super(batchShapeOf("DiscreteUniform", { low, high }), []);
    this.support = integerInterval(low, high, { low: "low", high: "high" });
    this.checkParam(
      "low",
      low,
      integerInterval(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY),
    );
    this.checkParam("high", high, integerInterval(low, Number.POSITIVE_INFINITY, { low: "low" }));
  }

  /** high - low + 1. */
  private get count(): tf.Tensor {
    return tf.add(tf.sub(this.high, this.low), 1);
  }

  protected computeLogProb(k: tf.Tensor): tf.Tensor {
    const inside = tf.logicalAnd(
      isInteger(k),
      tf.logicalAnd(tf.greaterEqual(k, this.low), tf.lessEqual(k, this.high)),
    );
    return negInfOutside(inside, tf.add(tf.neg(tf.log(this.count)), tf.zerosLike(k)));
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    const shape = this.shape(sampleShape);
    const low = valuesAt(this.low, shape);
    const high = valuesAt(this.high, shape);
    const draws = drawEach(
      key,
      low.length,
      (s, i) => low[i] + Math.floor(s.uniform() * (high[i] - low[i] + 1)),
    );
    return fromIntegers(draws, shape, "DiscreteUniform", "low and high");
  }
  override get mean(): tf.Tensor {
    return broadcast(tf.mul(0.5, tf.add(this.low, this.high)), this.batchShape);
  }
  override get variance(): tf.Tensor {
    return broadcast(tf.div(tf.sub(tf.square(this.count), 1), 12), this.batchShape);
  }
  override cdf(value: ArrayLike): tf.Tensor {
    const k = tf.floor(param(value));
    return tf.clipByValue(tf.div(tf.add(tf.sub(k, this.low), 1), this.count), 0, 1);
  }
  override entropy(): tf.Tensor {
    return broadcast(tf.log(this.count), this.batchShape);
  }
  /** low..high (all batch entries must share the bounds, as in NumPyro). */
  override enumerateSupport(expand = true): tf.Tensor {
    const low = readFloat64(this.low);
    const high = readFloat64(this.high);
    if (low.some((v) => v !== low[0]) || high.some((v) => v !== high[0])) {
      throw new Error(
        "DiscreteUniform: enumerateSupport needs the same low and high in every batch entry",
      );
    }
    const n = high[0] - low[0] + 1;
    const values = tf.reshape(tf.range(low[0], high[0] + 1, 1, "int32"), [
      n,
      ...this.batchShape.map(() => 1),
    ]);
    return expand ? tf.broadcastTo(values, [n, ...this.batchShape]) : values;
  }
}

/**
 * The discrete uniform distribution on the integers `low`..`high` (both included).
 *
 * @example
 * const die = yield* sample("die", DiscreteUniform(1, 6));
 */
export function DiscreteUniform(low: ArrayLike, high: ArrayLike): DiscreteUniformDistribution {
  return new DiscreteUniformDistribution(param(low), param(high));
}
