/** Distributions of transformed draws. */
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, constant, readFloat64, tf } from "../tf.js";
import { callable } from "../util/callable.js";
import { type Constraint, independent } from "./constraints.js";
import { Distribution } from "./distribution.js";
import {
  AffineTransform,
  ComposeTransform,
  PowerTransform,
  sumRightmostTo,
  type Transform,
} from "./transforms.js";

class TransformedDistributionClass extends Distribution {
  readonly family: string;
  readonly support: Constraint;
  override readonly hasRsample: boolean;
  readonly transforms: readonly Transform[];

  constructor(
    readonly base: Distribution,
    transforms: Transform | readonly Transform[],
  ) {
    const list = Array.isArray(transforms)
      ? (transforms as Transform[])
      : [transforms as Transform];
    if (list.length === 0) throw new Error("TransformedDistribution: give at least one transform");
    // Event rank: the base's, grown by each transform's rank change and its own event rank.
    let eventRank = base.eventShape.length;
    let shape = base.shape();
    for (const t of list) {
      eventRank = Math.max(eventRank, t.domain.eventDim);
      eventRank += t.codomain.eventDim - t.domain.eventDim;
      shape = t.forwardShape(shape);
    }
    super(shape.slice(0, shape.length - eventRank), shape.slice(shape.length - eventRank));
    this.transforms = list;
    this.family = `Transformed${base.family}`;
    const last = list[list.length - 1].codomain;
    this.support = independent(last, Math.max(0, eventRank - last.eventDim));
    this.hasRsample = base.hasRsample;
  }

  override assertValid(site?: string): void {
    this.base.assertValid(site);
  }

  protected computeLogProb(y: tf.Tensor): tf.Tensor {
    const batchRank = y.rank - this.eventShape.length;
    let total: tf.Tensor | undefined;
    let value = y;
    for (let i = this.transforms.length - 1; i >= 0; i--) {
      const t = this.transforms[i];
      const x = t.inverse(value);
      const ld = sumRightmostTo(t.logAbsDetJacobian(x, value), batchRank);
      total = total === undefined ? ld : tf.add(total, ld);
      value = x;
    }
    const baseLp = sumRightmostTo(this.base.logProb(value), batchRank);
    return tf.sub(baseLp, total as tf.Tensor);
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    return this.transforms.reduce((x, t) => t.forward(x), this.base.sample(key, sampleShape));
  }
  /**
   * The cdf, for monotone elementwise transforms (exp, affine, sigmoid, softplus, tanh,
   * power): the base cdf at the preimage, or its complement where the composite decreases.
   */
  override cdf(value: ArrayLike): tf.Tensor {
    let sign = 1;
    for (const t of this.transforms) {
      const s = monotoneSign(t);
      if (s === 0)
        throw this.unsupported(`cdf (the transform "${t.name}" is not monotone elementwise)`);
      sign *= s;
    }
    let x = constant(value);
    for (let i = this.transforms.length - 1; i >= 0; i--) x = this.transforms[i].inverse(x);
    const c = this.base.cdf(x);
    return sign > 0 ? c : tf.sub(1, c);
  }
}

/**
 * TransformedDistribution(base, transforms): the distribution of y = t_n(...t_1(x)) for x
 * drawn from `base`, with log p(y) = log p_base(x) - sum_i log|det J_i| (the change of
 * variables), each Jacobian term summed over the event dimensions.
 *
 * @example
 * const logNormal = TransformedDistribution(Normal(0, 1), ExpTransform()); // exp of a normal
 * logNormal.logProb(1); // -0.9189385, as LogNormal(0, 1).logProb(1)
 */
export const TransformedDistribution = callable(TransformedDistributionClass);
export type TransformedDistribution = TransformedDistributionClass;

/** +1 for increasing, -1 for decreasing elementwise transforms, 0 when unknown. */
function monotoneSign(t: Transform): number {
  if (t instanceof AffineTransform) {
    const scale = t.scale instanceof tf.Tensor ? Array.from(readFloat64(t.scale)) : [t.scale];
    if (scale.every((v) => v > 0)) return 1;
    if (scale.every((v) => v < 0)) return -1;
    return 0;
  }
  if (t instanceof PowerTransform) return t.exponent > 0 ? 1 : -1;
  if (t instanceof ComposeTransform) return t.parts.reduce((s, p) => s * monotoneSign(p), 1);
  return ["identity", "exp", "sigmoid", "softplus", "tanh"].includes(t.name) ? 1 : 0;
}
