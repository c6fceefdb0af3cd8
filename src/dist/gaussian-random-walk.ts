/** The Gaussian random walk. */
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { positive, realVector } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import { broadcast, exact, LOG_2PI, normalNoise, param, sliceLast } from "./util.js";

/**
 * GaussianRandomWalk(scale, numSteps): x_0 ~ Normal(0, scale) and x_t ~ Normal(x_(t-1), scale)
 * for t < numSteps, as one event of shape [numSteps] (NumPyro's GaussianRandomWalk).
 *
 * @example
 * const d = GaussianRandomWalk(0.5, 10); // a GaussianRandomWalkDistribution
 * d.eventShape; // [10]
 * d.sample(PRNGKey(0)).shape; // [10]: one path
 */
export class GaussianRandomWalkDistribution extends Distribution {
  readonly family = "GaussianRandomWalk";
  readonly support = realVector;
  override readonly hasRsample = true;

  constructor(
    readonly scale: tf.Tensor,
    readonly numSteps: number,
  ) {
    if (!Number.isInteger(numSteps) || numSteps < 1) {
      throw new Error(`GaussianRandomWalk: numSteps must be a positive integer, got ${numSteps}`);
    }
    super(batchShapeOf("GaussianRandomWalk", { scale }), [numSteps]);
    this.checkParam("scale", scale, positive);
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    const n = this.numSteps;
    const increments =
      n === 1
        ? x
        : tf.concat(
            [sliceLast(x, 0, 1), tf.sub(sliceLast(x, 1, n - 1), sliceLast(x, 0, n - 1))],
            -1,
          );
    const scale = tf.expandDims(this.scale, -1);
    const z = tf.div(increments, scale);
    const lp = tf.sub(tf.mul(-0.5, tf.square(z)), tf.add(tf.log(scale), exact(0.5 * LOG_2PI)));
    return tf.sum(lp, -1);
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    const steps = tf.mul(tf.expandDims(this.scale, -1), normalNoise(key, this.shape(sampleShape)));
    return tf.cumsum(steps, steps.rank - 1);
  }
  override get mean(): tf.Tensor {
    return tf.zeros(this.shape());
  }
  /** Var x_t = (t + 1) scale^2. */
  override get variance(): tf.Tensor {
    const t = tf.range(1, this.numSteps + 1);
    return broadcast(tf.mul(tf.expandDims(tf.square(this.scale), -1), t), this.shape());
  }
}

/**
 * A Gaussian random walk of `numSteps` steps with step size `scale`, starting from a
 * Normal(0, scale) draw.
 *
 * @example
 * const trend = yield* sample("trend", GaussianRandomWalk(0.1, 100));
 */
export function GaussianRandomWalk(
  scale: ArrayLike = 1,
  numSteps = 1,
): GaussianRandomWalkDistribution {
  return new GaussianRandomWalkDistribution(param(scale), numSteps);
}
