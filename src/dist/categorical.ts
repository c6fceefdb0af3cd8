/** The categorical distribution. */
import type { Key } from "../primitives/prng.js";
import { readFloat64, tf } from "../tf.js";
import { broadcastTo as broadcastValues, sizeOf } from "../util/shapes.js";
import { type Constraint, integerInterval } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import {
  categoricalParam,
  type GivenProbsOrLogits,
  numCategoriesOf,
  type ProbsOrLogitsSpec,
  probsOrLogits,
} from "./probs-or-logits.js";
import { drawEach } from "./samplers.js";
import { broadcast, fromIntegers, isInteger, negInfOutside } from "./util.js";

/** Normalized category probabilities [..., K] in float64, from probs or logits. */
export function categoryProbabilities(given: GivenProbsOrLogits): Float64Array {
  if ("probs" in given) {
    const p = readFloat64(given.probs);
    const k = given.probs.shape[given.probs.rank - 1];
    for (let start = 0; start < p.length; start += k) {
      let total = 0;
      for (let j = 0; j < k; j++) total += p[start + j];
      for (let j = 0; j < k; j++) p[start + j] /= total;
    }
    return p;
  }
  const l = readFloat64(given.logits);
  const k = given.logits.shape[given.logits.rank - 1];
  const p = new Float64Array(l.length);
  for (let start = 0; start < l.length; start += k) {
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < k; j++) max = Math.max(max, l[start + j]);
    let total = 0;
    for (let j = 0; j < k; j++) total += p[start + j] = Math.exp(l[start + j] - max);
    for (let j = 0; j < k; j++) p[start + j] /= total;
  }
  return p;
}

/**
 * Categorical(p): one of 0..K-1 with probabilities p (the last dimension of probs or logits).
 *
 * @example
 * const d = Categorical({ probs: [0.2, 0.3, 0.5] }); // a CategoricalDistribution
 * d.logProb(2); // log 0.5
 * d.sample(PRNGKey(0), [5]); // five of 0, 1, 2
 */
export class CategoricalDistribution extends Distribution {
  readonly family = "Categorical";
  readonly support: Constraint;
  override readonly hasEnumerateSupport = true;
  /** The number of categories K. */
  readonly numCategories: number;
  private readonly given: GivenProbsOrLogits;

  constructor(given: GivenProbsOrLogits) {
    super(batchShapeOf("Categorical", given, 1), []);
    this.given = given;
    this.numCategories = numCategoriesOf("Categorical", given);
    this.support = integerInterval(0, this.numCategories - 1);
    this.checkParam(...categoricalParam.check(given));
  }

  /** Probabilities, [...batchShape, K]. */
  get probs(): tf.Tensor {
    return categoricalParam.probs(this.given);
  }
  /** Normalized log-probabilities, [...batchShape, K]. */
  get logits(): tf.Tensor {
    return categoricalParam.logits(this.given);
  }

  protected computeLogProb(k: tf.Tensor): tf.Tensor {
    const inside = tf.logicalAnd(
      isInteger(k),
      tf.logicalAnd(tf.greaterEqual(k, 0), tf.less(k, this.numCategories)),
    );
    const safeK = tf.where(inside, k, tf.zerosLike(k));
    const oneHot = tf.cast(tf.oneHot(tf.cast(safeK, "int32"), this.numCategories), "bool");
    const logits = this.logits;
    const target = [
      ...tf.broadcast_util.assertAndGetBroadcastShape(safeK.shape, this.batchShape),
      this.numCategories,
    ];
    const picked = tf.where(broadcast(oneHot, target), broadcast(logits, target), tf.zeros(target));
    return negInfOutside(inside, tf.sum(picked, -1));
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    // Inversion on the cumulative probabilities of each batch entry.
    const k = this.numCategories;
    const shape = this.shape(sampleShape);
    const p = broadcastValues(
      categoryProbabilities(this.given),
      [...this.batchShape, k],
      [...shape, k],
    );
    const draws = drawEach(key, sizeOf(shape), (s, i) => {
      const u = s.uniform();
      let cumulative = 0;
      for (let j = 0; j < k - 1; j++) {
        cumulative += p[i * k + j];
        if (u < cumulative) return j;
      }
      return k - 1;
    });
    return fromIntegers(draws, shape, "Categorical", "probs");
  }
  /** Undefined for categories: NaN, as in NumPyro. */
  override get mean(): tf.Tensor {
    return tf.fill(this.batchShape, Number.NaN);
  }
  /** Undefined for categories: NaN, as in NumPyro. */
  override get variance(): tf.Tensor {
    return tf.fill(this.batchShape, Number.NaN);
  }
  override entropy(): tf.Tensor {
    const p = this.probs;
    const logits = this.logits;
    const terms = tf.where(tf.greater(p, 0), tf.mul(p, logits), tf.zerosLike(p));
    return tf.neg(tf.sum(terms, -1));
  }
  override enumerateSupport(expand = true): tf.Tensor {
    const k = this.numCategories;
    const values = tf.reshape(tf.range(0, k, 1, "int32"), [k, ...this.batchShape.map(() => 1)]);
    return expand ? tf.broadcastTo(values, [k, ...this.batchShape]) : values;
  }
}

/**
 * The categorical distribution over 0..K-1, from probabilities or logits whose last
 * dimension indexes the categories.
 *
 * @example
 * const z = yield* sample("z", Categorical({ probs: [0.2, 0.5, 0.3] }));
 */
export function Categorical(spec: ProbsOrLogitsSpec): CategoricalDistribution {
  return new CategoricalDistribution(probsOrLogits("Categorical", spec));
}
