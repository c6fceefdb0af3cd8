/** The multinomial distribution. */
import { lgamma } from "../custom-vjp/special.js";
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, readFloat64, tf } from "../tf.js";
import { broadcastTo as broadcastValues, sizeOf } from "../util/shapes.js";
import { categoryProbabilities } from "./categorical.js";
import { type Constraint, multinomial, nonnegativeInteger } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import {
  categoricalParam,
  type GivenProbsOrLogits,
  numCategoriesOf,
  type ProbsOrLogitsSpec,
  probsOrLogits,
} from "./probs-or-logits.js";
import { binomialVariate, streamOf } from "./samplers.js";
import { broadcast, fromIntegers, isInteger, negInfOutside, param, xlogy } from "./util.js";

/**
 * Multinomial(totalCount, p): counts of K categories in totalCount independent draws.
 *
 * @example
 * const d = Multinomial(10, { probs: [0.2, 0.3, 0.5] }); // a MultinomialDistribution
 * d.mean; // [2, 3, 5]
 * d.sample(PRNGKey(0)); // three counts that add up to 10
 */
export class MultinomialDistribution extends Distribution {
  readonly family = "Multinomial";
  readonly support: Constraint;
  readonly numCategories: number;
  private readonly given: GivenProbsOrLogits;

  constructor(
    readonly totalCount: tf.Tensor,
    given: GivenProbsOrLogits,
  ) {
    const k = numCategoriesOf("Multinomial", given);
    super(batchShapeOf("Multinomial", { totalCount: tf.expandDims(totalCount, -1), ...given }, 1), [
      k,
    ]);
    this.given = given;
    this.numCategories = k;
    this.support = multinomial(totalCount);
    this.checkParam("totalCount", totalCount, nonnegativeInteger);
    this.checkParam(...categoricalParam.check(given));
  }

  get probs(): tf.Tensor {
    return categoricalParam.probs(this.given);
  }
  /** Normalized log-probabilities. */
  get logits(): tf.Tensor {
    return categoricalParam.logits(this.given);
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    // lgamma(n + 1) - sum lgamma(x_i + 1) + sum x_i log p_i
    const n = this.totalCount;
    const inside = tf.logicalAnd(
      tf.all(tf.logicalAnd(isInteger(x), tf.greaterEqual(x, 0)), -1),
      tf.equal(tf.sum(x, -1), n),
    );
    const safeX = tf.where(tf.expandDims(inside, -1), x, tf.zerosLike(x));
    const terms =
      "probs" in this.given
        ? xlogy(safeX, tf.add(this.given.probs, tf.zerosLike(safeX)))
        : tf.mul(safeX, this.logits);
    const lp = tf.add(
      tf.sub(lgamma(tf.add(n, 1)), tf.sum(lgamma(tf.add(safeX, 1)), -1)),
      tf.sum(terms, -1),
    );
    return negInfOutside(inside, lp);
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    // Conditional binomials: x_j ~ Binomial(n - x_0 - ... - x_(j-1), p_j / (p_j + ... + p_(K-1))).
    const k = this.numCategories;
    const outer = [...sampleShape, ...this.batchShape];
    const given = "probs" in this.given ? this.given.probs : this.given.logits;
    const p = broadcastValues(categoryProbabilities(this.given), given.shape, [...outer, k]);
    const n = broadcastValues(readFloat64(this.totalCount), this.totalCount.shape, outer);
    const out = new Float64Array(sizeOf(outer) * k);
    for (let i = 0; i < sizeOf(outer); i++) {
      const stream = streamOf(key, i);
      let remaining = n[i];
      let remainingProb = 1;
      for (let j = 0; j < k - 1; j++) {
        const pj = p[i * k + j];
        const draw =
          remaining > 0 && remainingProb > 0
            ? binomialVariate(remaining, Math.min(1, pj / remainingProb), stream)
            : 0;
        out[i * k + j] = draw;
        remaining -= draw;
        remainingProb -= pj;
      }
      out[i * k + k - 1] = remaining;
    }
    return fromIntegers(out, [...outer, k], "Multinomial", "totalCount");
  }
  override get mean(): tf.Tensor {
    return broadcast(tf.mul(tf.expandDims(this.totalCount, -1), this.probs), this.shape());
  }
  override get variance(): tf.Tensor {
    const p = this.probs;
    return broadcast(
      tf.mul(tf.expandDims(this.totalCount, -1), tf.mul(p, tf.sub(1, p))),
      this.shape(),
    );
  }
}

/**
 * The multinomial distribution of counts over K categories in `totalCount` draws, from
 * probabilities or logits whose last dimension indexes the categories.
 *
 * @example
 * yield* sample("counts", Multinomial(10, { probs: [0.2, 0.3, 0.5] }), { obs: [2, 3, 5] });
 */
export function Multinomial(
  totalCount: ArrayLike,
  spec: ProbsOrLogitsSpec,
): MultinomialDistribution {
  return new MultinomialDistribution(param(totalCount), probsOrLogits("Multinomial", spec));
}
