/** The unit distribution that carries a log-weight: what `factor` samples. */
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { independent, real } from "./constraints.js";
import { Distribution } from "./distribution.js";
import { param } from "./util.js";

/** Unit(logFactor): an empty event whose log-probability is `logFactor`. */
export class UnitDistribution extends Distribution {
  readonly family = "Unit";
  readonly support = independent(real, 1);

  constructor(readonly logFactor: tf.Tensor) {
    super(logFactor.shape.slice(), [0]);
  }

  protected computeLogProb(value: tf.Tensor): tf.Tensor {
    const batch = value.shape.slice(0, Math.max(0, value.rank - 1));
    const target = tf.backend_util.assertAndGetBroadcastShape(batch, this.logFactor.shape);
    return tf.broadcastTo(this.logFactor, target);
  }
  protected draw(_key: Key, sampleShape: readonly number[]): tf.Tensor {
    return tf.zeros(this.shape(sampleShape));
  }
}

/**
 * The distribution behind `factor`: log-probability `logFactor`, value an empty array.
 *
 * @example
 * yield* sample("penalty", Unit(-0.5), { obs: new Float64Array(0) });
 */
export function Unit(logFactor: ArrayLike): UnitDistribution {
  return new UnitDistribution(param(logFactor));
}
