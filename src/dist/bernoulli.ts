/** The Bernoulli distribution. */
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { boolean, real, unitInterval } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import { broadcast, negInfOutside, param, uniformNoise } from "./util.js";

/** The probability of 1 as `probs`, or its log-odds as `logits`. */
export type ProbsOrLogits =
  | { probs: ArrayLike; logits?: never }
  | { logits: ArrayLike; probs?: never };

/** Bernoulli: 1 with probability p, else 0. */
export class BernoulliDistribution extends Distribution {
  readonly family = "Bernoulli";
  readonly support = boolean;
  override readonly hasEnumerateSupport = true;
  /** Exactly one of probs and logits was given; the other is derived on demand. */
  private readonly given: { probs: tf.Tensor } | { logits: tf.Tensor };

  constructor(given: { probs: tf.Tensor } | { logits: tf.Tensor }) {
    super(batchShapeOf("Bernoulli", given), []);
    this.given = given;
    if ("probs" in given) this.checkParam("probs", given.probs, unitInterval);
    else this.checkParam("logits", given.logits, real);
  }

  get probs(): tf.Tensor {
    return "probs" in this.given ? this.given.probs : tf.sigmoid(this.given.logits);
  }
  get logits(): tf.Tensor {
    if ("logits" in this.given) return this.given.logits;
    const p = this.given.probs;
    return tf.sub(tf.log(p), tf.log1p(tf.neg(p)));
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    const isOne = tf.equal(x, 1);
    const inSupport = tf.logicalOr(isOne, tf.equal(x, 0));
    let lp: tf.Tensor;
    if ("probs" in this.given) {
      // Select rather than multiply, so that p = 0 or 1 gives 0 and -inf, never NaN.
      const p = this.given.probs;
      lp = tf.where(
        isOne,
        tf.log(broadcast(p, isOne.shape)),
        tf.log1p(tf.neg(broadcast(p, isOne.shape))),
      );
    } else {
      const l = this.given.logits;
      lp = tf.sub(tf.mul(x, l), tf.softplus(l));
    }
    return negInfOutside(inSupport, lp);
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    const u = uniformNoise(key, this.shape(sampleShape));
    return tf.cast(tf.less(u, this.probs), "float32");
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
    const values = tf.reshape(tf.tensor([0, 1]), [2, ...this.batchShape.map(() => 1)]);
    return expand ? tf.broadcastTo(values, [2, ...this.batchShape]) : values;
  }
}

/**
 * The Bernoulli distribution, from probabilities or log-odds.
 *
 * @example
 * yield* sample("coin", Bernoulli({ probs: 0.3 }), { obs: 1 });
 * yield* sample("y", Bernoulli({ logits: tf.matMul(X, beta) }), { obs: y });
 */
export function Bernoulli(spec: ProbsOrLogits): BernoulliDistribution {
  if (spec.probs !== undefined && spec.logits === undefined)
    return new BernoulliDistribution({ probs: param(spec.probs) });
  if (spec.logits !== undefined && spec.probs === undefined)
    return new BernoulliDistribution({ logits: param(spec.logits) });
  throw new TypeError("Bernoulli: give exactly one of { probs } or { logits }");
}
