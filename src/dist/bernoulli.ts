/** The Bernoulli distribution. */
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { broadcastShapes } from "../util/shapes.js";
import { boolean } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import { binaryParam, type GivenProbsOrLogits, probsOrLogits } from "./probs-or-logits.js";
import { broadcast, negInfOutside, param, uniformNoise } from "./util.js";

/** The probability of 1 as `probs`, or its log-odds as `logits`. */
export type ProbsOrLogits =
  | { probs: ArrayLike; logits?: never }
  | { logits: ArrayLike; probs?: never };

/**
 * Bernoulli: 1 with probability p, else 0.
 *
 * @example
 * const d = Bernoulli({ probs: 0.3 }); // a BernoulliDistribution
 * d.mean; // 0.3
 * d.logProb(1); // log 0.3
 */
export class BernoulliDistribution extends Distribution {
  readonly family = "Bernoulli";
  readonly support = boolean;
  override readonly hasEnumerateSupport = true;
  /** Exactly one of probs and logits was given; the other is derived on demand. */
  private readonly given: GivenProbsOrLogits;

  constructor(given: GivenProbsOrLogits) {
    super(batchShapeOf("Bernoulli", given), []);
    this.given = given;
    this.checkParam(...binaryParam.check(given));
  }

  get probs(): tf.Tensor {
    return binaryParam.probs(this.given);
  }
  get logits(): tf.Tensor {
    return binaryParam.logits(this.given);
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    const isOne = tf.equal(x, 1);
    const inSupport = tf.logicalOr(isOne, tf.equal(x, 0));
    let lp: tf.Tensor;
    if ("probs" in this.given) {
      // Select rather than multiply, so that p = 0 or 1 gives 0 and -inf, never NaN. Value and
      // probs broadcast against each other: either may have more dims (enumeration, vmap).
      const p = this.given.probs;
      const shape = broadcastShapes(isOne.shape, p.shape);
      lp = tf.where(
        broadcast(isOne, shape),
        tf.log(broadcast(p, shape)),
        tf.log1p(tf.neg(broadcast(p, shape))),
      );
    } else {
      // -softplus(-l) for 1 and -softplus(l) for 0: 0 and -Infinity at infinite logits, where
      // x l - softplus(l) would be Infinity - Infinity.
      const l = this.given.logits;
      lp = tf.neg(tf.softplus(tf.mul(tf.sub(1, tf.mul(2, x)), l)));
    }
    return negInfOutside(inSupport, lp);
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    const u = uniformNoise(key, this.shape(sampleShape));
    return tf.cast(tf.less(u, this.probs), "int32");
  }
  override get mean(): tf.Tensor {
    return broadcast(this.probs, this.batchShape);
  }
  override get variance(): tf.Tensor {
    const p = this.probs;
    return broadcast(tf.mul(p, tf.sub(1, p)), this.batchShape);
  }
  override cdf(value: ArrayLike): tf.Tensor {
    const x = param(value);
    const below = tf.sub(1, this.probs);
    return tf.where(
      tf.less(x, 0),
      tf.zerosLike(below),
      tf.where(tf.less(x, 1), below, tf.onesLike(below)),
    );
  }
  override entropy(): tf.Tensor {
    const l = this.logits;
    // H = softplus(l) - l p
    return broadcast(tf.sub(tf.softplus(l), tf.mul(l, tf.sigmoid(l))), this.batchShape);
  }
  override enumerateSupport(expand = true): tf.Tensor {
    const values = tf.reshape(tf.tensor([0, 1], [2], "int32"), [
      2,
      ...this.batchShape.map(() => 1),
    ]);
    return expand ? tf.broadcastTo(values, [2, ...this.batchShape]) : values;
  }
}

/**
 * The Bernoulli distribution, from probabilities or log-odds.
 *
 * @example
 * yield* sample("coin", Bernoulli({ probs: 0.3 }), { obs: 1 });
 * const logits = tf.tensor([0.2, -1.5, 0.8]); // one per observation, as tf.matMul(X, beta) gives
 * yield* sample("y", Bernoulli({ logits }), { obs: [1, 0, 1] });
 */
export function Bernoulli(spec: ProbsOrLogits): BernoulliDistribution {
  return new BernoulliDistribution(probsOrLogits("Bernoulli", spec));
}
