/** The improper uniform distribution over a constraint's set. */
import { type Key, uniform } from "../primitives/prng.js";
import { tf } from "../tf.js";
import { broadcastShapes, sizeOf } from "../util/shapes.js";
import { bijectTo } from "./biject-to.js";
import type { Constraint } from "./constraints.js";
import { Distribution } from "./distribution.js";

/**
 * ImproperUniform(support, batchShape, eventShape): log-density 0 everywhere on `support`
 * (NumPyro's ImproperUniform), for factor-graph models whose density comes from `factor`.
 * It cannot be sampled in the proper sense; `sample` gives what inference starts from:
 * uniform(-2, 2) in the unconstrained space, mapped onto the support by `bijectTo`.
 *
 * @example
 * const d = ImproperUniform(constraints.positive, [3]); // an ImproperUniformDistribution
 * d.logProb([1, 2, 3]); // [0, 0, 0]
 * d.sample(PRNGKey(0)); // three positive starting values
 */
export class ImproperUniformDistribution extends Distribution {
  readonly family = "ImproperUniform";

  constructor(
    readonly support: Constraint,
    batchShape: readonly number[],
    eventShape: readonly number[],
  ) {
    super(batchShape.slice(), eventShape.slice());
  }

  protected computeLogProb(value: tf.Tensor): tf.Tensor {
    const batch = value.shape.slice(0, value.rank - this.eventShape.length);
    return tf.zeros(broadcastShapes(batch, this.batchShape));
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    const transform = bijectTo(this.support);
    const shape = transform.inverseShape(this.shape(sampleShape));
    const u = tf.reshape(tf.tensor(Float32Array.from(uniform(key, sizeOf(shape), -2, 2))), shape);
    return transform.forward(u);
  }
}

/**
 * An improper flat distribution on `support` with the given batch and event shapes; its
 * log-density is 0, so a model's density comes from other sites and `factor`s.
 *
 * @example
 * const x = yield* sample("x", ImproperUniform(constraints.positive, [], [3]));
 * yield* factor("x_prior", tf.neg(tf.sum(x)));
 */
export function ImproperUniform(
  support: Constraint,
  batchShape: readonly number[] = [],
  eventShape: readonly number[] = [],
): ImproperUniformDistribution {
  return new ImproperUniformDistribution(support, batchShape, eventShape);
}
