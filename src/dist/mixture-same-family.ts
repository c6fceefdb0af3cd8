/** Finite mixtures of distributions of one family. */
import { type Key, split } from "../primitives/prng.js";
import { type ArrayLike, constant, tf } from "../tf.js";
import { callable } from "../util/callable.js";
import { formatShape, shapesEqual } from "../util/shapes.js";
import type { CategoricalDistribution } from "./categorical.js";
import type { Constraint } from "./constraints.js";
import { Distribution } from "./distribution.js";

class MixtureSameFamilyClass extends Distribution {
  readonly family: string;
  readonly support: Constraint;
  /** The number of components K. */
  readonly numComponents: number;

  constructor(
    readonly mixingDistribution: CategoricalDistribution,
    readonly componentDistribution: Distribution,
  ) {
    const componentBatch = componentDistribution.batchShape;
    const k = componentBatch[componentBatch.length - 1];
    if (
      componentBatch.length === 0 ||
      k !== mixingDistribution.numCategories ||
      !shapesEqual(componentBatch.slice(0, -1), mixingDistribution.batchShape)
    ) {
      throw new Error(
        `MixtureSameFamily: the component batch shape must be [...mixing batch, K] = [${[...mixingDistribution.batchShape, mixingDistribution.numCategories].join(",")}], got ${formatShape(componentBatch)}`,
      );
    }
    super(componentBatch.slice(0, -1), componentDistribution.eventShape);
    this.numComponents = k;
    this.family = `MixtureSameFamily(${componentDistribution.family})`;
    this.support = componentDistribution.support;
  }

  override assertValid(site?: string): void {
    this.mixingDistribution.assertValid(site);
    this.componentDistribution.assertValid(site);
  }

  /** Index of the component axis in a tensor of `rank` laid out as [..., K, ...event]. */
  private componentAxis(rank: number): number {
    return rank - this.eventShape.length - 1;
  }
  /** Mixture weights [...batch, K] with trailing singleton event dims. */
  private weightsForEvents(w: tf.Tensor): tf.Tensor {
    return tf.reshape(w, [...w.shape, ...this.eventShape.map(() => 1)]);
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    const expanded = tf.expandDims(x, x.rank - this.eventShape.length);
    const componentLp = this.componentDistribution.logProb(expanded);
    return tf.logSumExp(tf.add(componentLp, this.mixingDistribution.logits), -1);
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    const [indexKey, componentKey] = split(key);
    const index = this.mixingDistribution.sample(indexKey, sampleShape);
    const draws = this.componentDistribution.sample(componentKey, sampleShape);
    const oneHot = this.weightsForEvents(tf.oneHot(tf.cast(index, "int32"), this.numComponents));
    return tf.sum(tf.mul(draws, oneHot), this.componentAxis(draws.rank));
  }
  override get mean(): tf.Tensor {
    const w = this.weightsForEvents(this.mixingDistribution.probs);
    const m = this.componentDistribution.mean;
    return tf.sum(tf.mul(w, m), this.componentAxis(m.rank));
  }
  /** By the law of total variance: sum_k w_k (var_k + mean_k^2) - mean^2. */
  override get variance(): tf.Tensor {
    const w = this.weightsForEvents(this.mixingDistribution.probs);
    const m = this.componentDistribution.mean;
    const v = this.componentDistribution.variance;
    const second = tf.sum(tf.mul(w, tf.add(v, tf.square(m))), this.componentAxis(m.rank));
    return tf.sub(second, tf.square(this.mean));
  }
  /** sum_k w_k F_k(x), for mixtures of univariate components. */
  override cdf(value: ArrayLike): tf.Tensor {
    if (this.eventShape.length > 0) throw this.unsupported("cdf (multivariate components)");
    const x = constant(value);
    const c = this.componentDistribution.cdf(tf.expandDims(x, x.rank));
    return tf.sum(tf.mul(c, this.mixingDistribution.probs), -1);
  }
}

/**
 * MixtureSameFamily(mixingDistribution, componentDistribution): component k of the
 * rightmost batch dimension of `componentDistribution` is chosen with probability given by
 * the Categorical `mixingDistribution`; log p(x) = logsumexp_k(log w_k + log p_k(x)).
 *
 * @example
 * const mixture = MixtureSameFamily(Categorical({ probs: [0.3, 0.7] }), Normal([-1, 2], [0.5, 1]));
 * mixture.logProb(0); // log(0.3 N(0; -1, 0.5) + 0.7 N(0; 2, 1))
 */
export const MixtureSameFamily = callable(MixtureSameFamilyClass);
export type MixtureSameFamily = MixtureSameFamilyClass;
