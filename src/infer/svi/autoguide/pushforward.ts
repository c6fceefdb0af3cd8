/**
 * The distribution of T(u) for u from a base distribution on the unconstrained reals: how a
 * per-site autoguide reaches a constrained latent site. Its density carries the change of
 * variables, log q(x) = log q_base(T^-1(x)) - log |det dT/du|.
 */
import type { Constraint } from "../../../dist/constraints.js";
import { Distribution } from "../../../dist/distribution.js";
import type { Transform } from "../../../dist/transforms.js";
import type { Key } from "../../../primitives/prng.js";
import { tf } from "../../../tf.js";
import { drawFromNoise, type NoiseReparameterized, noiseEventShape } from "../noise.js";

/** T(base): a base distribution pushed through a bijection onto a constrained set. */
export class PushforwardDistribution extends Distribution implements NoiseReparameterized {
  readonly family: string;
  readonly support: Constraint;
  override readonly hasRsample: boolean;
  readonly noiseEventShape: readonly number[] | undefined;

  constructor(
    readonly base: Distribution,
    readonly transform: Transform,
  ) {
    super(base.batchShape.slice(), transform.forwardShape(base.eventShape));
    this.family = `${base.family} pushed through ${transform.name}`;
    this.support = transform.codomain;
    this.hasRsample = base.hasRsample;
    this.noiseEventShape = noiseEventShape(base);
  }

  fromNoise(eps: tf.Tensor): tf.Tensor {
    return this.transform.forward(drawFromNoise(this.base, eps));
  }

  protected draw(key: Key, sampleShape: readonly number[]): tf.Tensor {
    return this.transform.forward(this.base.sample(key, sampleShape));
  }

  protected computeLogProb(x: tf.Tensor): tf.Tensor {
    const u = this.transform.inverse(x);
    let logDet = this.transform.logAbsDetJacobian(u, x);
    // The transform sums over its own event dims; the base may reinterpret more dims as event.
    const extra = this.base.eventShape.length - this.transform.domain.eventDim;
    if (extra > 0) {
      logDet = tf.sum(
        logDet,
        Array.from({ length: extra }, (_, i) => logDet.rank - 1 - i),
      );
    }
    return tf.sub(this.base.logProb(u), logDet);
  }
}
