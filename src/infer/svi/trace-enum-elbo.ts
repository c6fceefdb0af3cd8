/**
 * `TraceEnumELBO`: the ELBO with the model's enumerated discrete sites summed out exactly,
 * ELBO = E_q[log sum_z p(x, z, theta) - log q(theta)], the discrete sites z marked
 * `infer: { enumerate: "parallel" }` and summed by tensor variable elimination (Obermeyer et
 * al. 2019), the continuous sites theta drawn from the guide with reparameterized samples.
 * Enumeration happens in the model only; the guide covers the continuous sites (autoguides
 * skip enumerated sites).
 */
import { tf } from "../../tf.js";
import { planContraction, runPlan } from "../enum/contract.js";
import { factorGraph } from "../enum/factors.js";
import {
  checkNumParticles,
  type ELBOLoss,
  type ParticleTraces,
  traceLogProbPerParticle,
} from "./elbo.js";

/** Options of `TraceEnumELBO`. */
export interface TraceEnumELBOOptions {
  /** Samples of the continuous sites per loss evaluation, drawn together as one batch (default 1). */
  numParticles?: number;
}

/** The name of the particle plate (`vmap`'s). */
const PARTICLES = "_vmap";

/**
 * The negative ELBO with the model's enumerated sites summed out, averaged over `numParticles`
 * draws of the guide.
 *
 * @example
 * const model = configEnumerate(mixture);
 * const svi = new SVI(model, AutoNormal(model), Adam(0.05), TraceEnumELBO());
 */
export function TraceEnumELBO(options: TraceEnumELBOOptions = {}): ELBOLoss {
  const numParticles = checkNumParticles("TraceEnumELBO", options.numParticles);
  return {
    name: "TraceEnumELBO",
    numParticles,
    enumerate: true,
    loss: (traces: ParticleTraces) => {
      const logP = enumeratedLogJointPerParticle(traces);
      const logQ = traceLogProbPerParticle(traces.guide, traces.numParticles);
      return tf.neg(tf.mean(tf.sub(logP, logQ))) as tf.Scalar;
    },
  };
}

// The model's log joint with enumerated sites summed out, one per particle: shape [P].
function enumeratedLogJointPerParticle(traces: ParticleTraces): tf.Tensor {
  const graph = factorGraph("TraceEnumELBO", traces.model);
  const target = new Set([PARTICLES]);
  const joint = runPlan(planContraction("TraceEnumELBO", graph, target), graph, target, "sum");
  const flat = tf.reshape(joint, [-1]);
  const n = traces.numParticles;
  return flat.size === n ? flat : tf.mul(tf.sum(flat), tf.ones([n]));
}
