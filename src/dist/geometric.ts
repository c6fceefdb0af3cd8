/** The geometric distribution. */
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { nonnegativeInteger } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import {
  binaryParam,
  type GivenProbsOrLogits,
  type ProbsOrLogitsSpec,
  probsOrLogits,
} from "./probs-or-logits.js";
import { drawEach } from "./samplers.js";
import {
  broadcast,
  fromIntegers,
  isInteger,
  negInfOutside,
  param,
  valuesAt,
  xlog1py,
  xlogy,
} from "./util.js";

/**
 * Geometric(p): the number of failures before the first success, mass (1-p)^k p on 0, 1, ....
 *
 * @example
 * const d = Geometric({ probs: 0.25 }); // a GeometricDistribution
 * d.mean; // 3: failures before the first success
 * d.logProb(0); // log 0.25
 */
export class GeometricDistribution extends Distribution {
  readonly family = "Geometric";
  readonly support = nonnegativeInteger;
  private readonly given: GivenProbsOrLogits;

  constructor(given: GivenProbsOrLogits) {
    super(batchShapeOf("Geometric", given), []);
    this.given = given;
    this.checkParam(...binaryParam.check(given));
  }

  get probs(): tf.Tensor {
    return binaryParam.probs(this.given);
  }
  get logits(): tf.Tensor {
    return binaryParam.logits(this.given);
  }

  protected computeLogProb(k: tf.Tensor): tf.Tensor {
    const inside = tf.logicalAnd(isInteger(k), tf.greaterEqual(k, 0));
    const safeK = tf.where(inside, k, tf.zerosLike(k));
    let lp: tf.Tensor;
    if ("probs" in this.given) {
      const p = this.given.probs;
      lp = tf.add(xlog1py(safeK, tf.neg(p)), tf.log(p));
    } else {
      // k log(1 - p) + log p = -k softplus(l) - softplus(-l)
      const l = this.given.logits;
      lp = tf.neg(tf.add(tf.mul(safeK, tf.softplus(l)), tf.softplus(tf.neg(l))));
    }
    return negInfOutside(inside, lp);
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    // Inversion: floor(log u / log(1 - p)).
    const shape = this.shape(sampleShape);
    const p = valuesAt(this.probs, shape);
    const draws = drawEach(key, p.length, (s, i) =>
      p[i] === 1 ? 0 : Math.floor(Math.log(s.uniform()) / Math.log1p(-p[i])),
    );
    return fromIntegers(draws, shape, "Geometric", "probs");
  }
  override get mean(): tf.Tensor {
    const p = this.probs;
    return broadcast(tf.div(tf.sub(1, p), p), this.batchShape);
  }
  override get variance(): tf.Tensor {
    const p = this.probs;
    return broadcast(tf.div(tf.sub(1, p), tf.square(p)), this.batchShape);
  }
  override cdf(value: ArrayLike): tf.Tensor {
    // 1 - (1 - p)^(floor(k) + 1)
    const k = tf.floor(param(value));
    const c = tf.neg(tf.expm1(tf.mul(tf.add(k, 1), tf.log1p(tf.neg(this.probs)))));
    return tf.where(tf.less(k, 0), tf.zerosLike(c), c);
  }
  override entropy(): tf.Tensor {
    // -((1 - p) log(1 - p) + p log p) / p
    const p = this.probs;
    const q = tf.sub(1, p);
    return broadcast(tf.neg(tf.div(tf.add(xlogy(q, q), xlogy(p, p)), p)), this.batchShape);
  }
}

/**
 * The geometric distribution of the number of failures before the first success, from the
 * success probability or its log-odds.
 *
 * @example
 * yield* sample("failures", Geometric({ probs: 0.25 }), { obs: 3 });
 */
export function Geometric(spec: ProbsOrLogitsSpec): GeometricDistribution {
  return new GeometricDistribution(probsOrLogits("Geometric", spec));
}
