/** The binomial distribution. */
import { lgamma } from "../custom-vjp/special.js";
import { betainc } from "../custom-vjp/special-incomplete.js";
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, readFloat64, tf } from "../tf.js";
import { type Constraint, integerInterval, nonnegativeInteger } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import {
  binaryParam,
  type GivenProbsOrLogits,
  type ProbsOrLogitsSpec,
  probsOrLogits,
} from "./probs-or-logits.js";
import { binomialVariate, drawEach } from "./samplers.js";
import {
  broadcast,
  entropyBySum,
  fromIntegers,
  isInteger,
  mulOrZero,
  negInfOutside,
  param,
  valuesAt,
  xlog1py,
  xlogy,
} from "./util.js";

/**
 * Binomial(totalCount, p): the number of successes in totalCount trials of probability p.
 *
 * @example
 * const d = Binomial(10, { probs: 0.3 }); // a BinomialDistribution
 * d.mean; // 3
 * d.variance; // 2.1
 */
export class BinomialDistribution extends Distribution {
  readonly family = "Binomial";
  readonly support: Constraint;
  override readonly hasEnumerateSupport = true;
  private readonly given: GivenProbsOrLogits;

  constructor(
    readonly totalCount: tf.Tensor,
    given: GivenProbsOrLogits,
  ) {
    super(batchShapeOf("Binomial", { totalCount, ...given }), []);
    this.given = given;
    this.support = integerInterval(0, totalCount, { high: "totalCount" });
    this.checkParam("totalCount", totalCount, nonnegativeInteger);
    this.checkParam(...binaryParam.check(given));
  }

  get probs(): tf.Tensor {
    return binaryParam.probs(this.given);
  }
  get logits(): tf.Tensor {
    return binaryParam.logits(this.given);
  }

  protected computeLogProb(k: tf.Tensor): tf.Tensor {
    const n = this.totalCount;
    const inside = tf.logicalAnd(
      isInteger(k),
      tf.logicalAnd(tf.greaterEqual(k, 0), tf.lessEqual(k, n)),
    );
    const safeK = tf.where(inside, k, tf.zerosLike(tf.add(k, n)));
    const logChoose = tf.sub(
      lgamma(tf.add(n, 1)),
      tf.add(lgamma(tf.add(safeK, 1)), lgamma(tf.add(tf.sub(n, safeK), 1))),
    );
    let lp: tf.Tensor;
    if ("probs" in this.given) {
      const p = this.given.probs;
      lp = tf.add(xlogy(safeK, p), xlog1py(tf.sub(n, safeK), tf.neg(p)));
    } else {
      // k log sigmoid(l) + (n - k) log sigmoid(-l), each term 0 when its count is 0, so that
      // infinite logits give 0 or -Infinity (k l - n softplus(l) would be Infinity - Infinity).
      const l = this.given.logits;
      lp = tf.neg(
        tf.add(
          mulOrZero(safeK, tf.softplus(tf.neg(l))),
          mulOrZero(tf.sub(n, safeK), tf.softplus(l)),
        ),
      );
    }
    return negInfOutside(inside, tf.add(logChoose, lp));
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    const shape = this.shape(sampleShape);
    const n = valuesAt(this.totalCount, shape);
    const p = valuesAt(this.probs, shape);
    return fromIntegers(
      drawEach(key, n.length, (s, i) => binomialVariate(n[i], p[i], s)),
      shape,
      "Binomial",
      "totalCount",
    );
  }
  override get mean(): tf.Tensor {
    return broadcast(tf.mul(this.totalCount, this.probs), this.batchShape);
  }
  override get variance(): tf.Tensor {
    const p = this.probs;
    return broadcast(tf.mul(tf.mul(this.totalCount, p), tf.sub(1, p)), this.batchShape);
  }
  override cdf(value: ArrayLike): tf.Tensor {
    // P(X <= k) = I_(1-p)(n - k, k + 1) for 0 <= k < n
    const n = this.totalCount;
    const k = tf.floor(param(value));
    const inside = tf.logicalAnd(tf.greaterEqual(k, 0), tf.less(k, n));
    const a = tf.where(inside, tf.sub(n, k), tf.onesLike(tf.add(k, n)));
    const b = tf.where(inside, tf.add(k, 1), tf.onesLike(a));
    const c = betainc(a, b, tf.sub(1, this.probs));
    return tf.where(inside, c, tf.where(tf.less(k, 0), tf.zerosLike(c), tf.onesLike(c)));
  }
  override entropy(): tf.Tensor {
    const maxCount = Math.max(0, ...readFloat64(this.totalCount));
    return broadcast(
      entropyBySum((k) => this.computeLogProb(k), maxCount + 1, this.batchShape.length),
      this.batchShape,
    );
  }
  /** 0..totalCount (all batch entries must share totalCount, as in NumPyro). */
  override enumerateSupport(expand = true): tf.Tensor {
    const counts = readFloat64(this.totalCount);
    if (counts.some((c) => c !== counts[0])) {
      throw new Error("Binomial: enumerateSupport needs the same totalCount in every batch entry");
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
 * The binomial distribution with `totalCount` trials, from success probabilities or log-odds.
 *
 * @example
 * yield* sample("successes", Binomial(10, { probs: 0.3 }), { obs: 4 });
 * yield* sample("y", Binomial([10, 20], { logits: tf.tensor([0.1, -0.4]) }), { obs: [3, 9] });
 */
export function Binomial(totalCount: ArrayLike, spec: ProbsOrLogitsSpec): BinomialDistribution {
  return new BinomialDistribution(param(totalCount), probsOrLogits("Binomial", spec));
}
