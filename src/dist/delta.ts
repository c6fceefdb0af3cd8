/** The point mass. */
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { independent, real } from "./constraints.js";
import { Distribution } from "./distribution.js";
import { param } from "./util.js";

/** Delta(v): all mass at v, with an optional log-density carried along (as NumPyro's Delta). */
export class DeltaDistribution extends Distribution {
  readonly family = "Delta";
  readonly support;
  override readonly hasRsample = true;

  constructor(
    readonly v: tf.Tensor,
    readonly logDensity: tf.Tensor,
    eventDim: number,
  ) {
    if (eventDim > v.rank)
      throw new Error(`Delta: eventDim ${eventDim} exceeds the rank ${v.rank} of v`);
    super(v.shape.slice(0, v.rank - eventDim), v.shape.slice(v.rank - eventDim));
    this.support = independent(real, eventDim);
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    let same = tf.equal(x, this.v);
    for (let i = 0; i < this.eventShape.length; i++) same = tf.all(same, -1);
    return tf.where(
      same,
      tf.broadcastTo(this.logDensity, same.shape),
      tf.fill(same.shape, Number.NEGATIVE_INFINITY),
    );
  }
  protected draw(_key: Key, sampleShape: readonly number[]): tf.Tensor {
    return tf.broadcastTo(this.v, this.shape(sampleShape));
  }
  override get mean(): tf.Tensor {
    return this.v;
  }
  override get variance(): tf.Tensor {
    return tf.zerosLike(this.v);
  }
}

/**
 * A point mass at `v`; `eventDim` rightmost dims of `v` form one event.
 *
 * @example
 * yield* sample("loc", Delta(tf.tensor([1, 2]), { eventDim: 1 }));
 */
export function Delta(
  v: ArrayLike,
  options: { logDensity?: ArrayLike; eventDim?: number } = {},
): DeltaDistribution {
  return new DeltaDistribution(param(v), param(options.logDensity ?? 0), options.eventDim ?? 0);
}
