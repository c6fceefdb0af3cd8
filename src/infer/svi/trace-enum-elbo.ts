/**
 * `TraceEnumELBO`: the ELBO with the model's enumerated discrete sites summed out exactly,
 * ELBO = E_q[log sum_z p(x, z, theta) - log q(theta)], the discrete sites z marked
 * `infer: { enumerate: "parallel" }` and summed by tensor variable elimination (Obermeyer et
 * al. 2019), the continuous sites theta drawn from the guide with reparameterized samples.
 * Enumeration happens in the model only; the guide covers the continuous sites (autoguides
 * skip enumerated sites). Each particle's estimate is its own run of guide and model, as with
 * TraceELBO, and the loss is minus their mean.
 */
import { tf } from "../../tf.js";
import { enumeratedLogJoint } from "../enum/log-joint.js";
import { checkNumParticles, type ELBOLoss, type ParticleTraces, traceLogProb } from "./elbo.js";

/** Options of `TraceEnumELBO`. */
export interface TraceEnumELBOOptions {
  /** Samples of the continuous sites per loss evaluation, each a run of guide and model (default 1). */
  numParticles?: number;
}

/**
 * The negative ELBO with the model's enumerated sites summed out, averaged over `numParticles`
 * draws of the guide.
 *
 * @example
 * // mixture: a Gaussian mixture whose assignments z are marked for enumeration
 * const svi = new SVI(mixture, AutoNormal(mixture), Adam(0.05), TraceEnumELBO());
 * svi.run(PRNGKey(0), 200, points).losses.at(-1); // the last loss, z summed out
 */
export function TraceEnumELBO(options: TraceEnumELBOOptions = {}): ELBOLoss {
  const numParticles = checkNumParticles("TraceEnumELBO", options.numParticles);
  return {
    name: "TraceEnumELBO",
    numParticles,
    enumerate: true,
    particleElbo: (traces: ParticleTraces) =>
      tf.sub(
        enumeratedLogJoint("TraceEnumELBO", traces.model),
        traceLogProb(traces.guide),
      ) as tf.Scalar,
    combine: (elbos) => tf.neg(tf.mean(elbos)) as tf.Scalar,
  };
}
