/** The von Mises distribution on the circle. */
import { logBesselI0, logBesselI1 } from "../custom-vjp/special-bessel.js";
import type { Key } from "../primitives/prng.js";
import { type ArrayLike, tf } from "../tf.js";
import { circular, nonnegative, real } from "./constraints.js";
import { batchShapeOf, Distribution } from "./distribution.js";
import { drawEach, vonMisesVariate } from "./samplers.js";
import { broadcast, exact, fromValues, param, valuesAt } from "./util.js";

/**
 * VonMises(loc, concentration): density exp(k cos(x - loc)) / (2 pi I0(k)) on [-pi, pi].
 *
 * @example
 * const d = VonMises(0, 2); // a VonMisesDistribution, on (-pi, pi]
 * d.mean; // 0
 * d.sample(PRNGKey(0), [3]); // three angles
 */
export class VonMisesDistribution extends Distribution {
  readonly family = "VonMises";
  readonly support = circular;

  constructor(
    readonly loc: tf.Tensor,
    readonly concentration: tf.Tensor,
  ) {
    super(batchShapeOf("VonMises", { loc, concentration }), []);
    this.checkParam("loc", loc, real);
    this.checkParam("concentration", concentration, nonnegative);
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    const k = this.concentration;
    return tf.sub(
      tf.mul(k, tf.cos(tf.sub(x, this.loc))),
      tf.add(logBesselI0(k), exact(Math.log(2 * Math.PI))),
    );
  }
  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    // Best-Fisher draws around 0 (samplers.ts), shifted by loc and wrapped into [-pi, pi).
    const shape = this.shape(sampleShape);
    const k = valuesAt(this.concentration, shape);
    const centered = drawEach(key, k.length, (s, i) => vonMisesVariate(k[i], s));
    const shifted = tf.add(tf.add(fromValues(centered, shape), this.loc), exact(Math.PI));
    return tf.sub(tf.mod(shifted, exact(2 * Math.PI)), exact(Math.PI));
  }
  /** The circular mean: loc. */
  override get mean(): tf.Tensor {
    return broadcast(this.loc, this.batchShape);
  }
  /** The circular variance 1 - I1(k)/I0(k), as NumPyro. */
  override get variance(): tf.Tensor {
    const k = this.concentration;
    return broadcast(tf.sub(1, tf.exp(tf.sub(logBesselI1(k), logBesselI0(k)))), this.batchShape);
  }
}

/**
 * The von Mises distribution of angles in [-pi, pi] with mean direction `loc` and
 * concentration `concentration`.
 *
 * @example
 * const heading = yield* sample("heading", VonMises(0, 4));
 */
export function VonMises(loc: ArrayLike, concentration: ArrayLike): VonMisesDistribution {
  return new VonMisesDistribution(param(loc), param(concentration));
}
