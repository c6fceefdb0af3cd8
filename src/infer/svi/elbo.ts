/**
 * What every ELBO estimator shares: the interface SVI calls, and per-particle sums of
 * log-probabilities over batched traces.
 *
 * SVI runs the guide and the model once per loss evaluation for all particles together: both
 * are batched with `vmap`, so every site gains a leading particle dimension, and the model
 * replays the guide's trace (its latent values and its plates' subsample indices). A loss
 * turns the two traces into a scalar to minimize.
 */
import { ArgumentError } from "../../errors.js";
import type { Trace } from "../../handlers/trace.js";
import type { SampleSite } from "../../primitives/messages.js";
import { tf } from "../../tf.js";
import { siteLogProb } from "../log-density.js";

/** The guide's and the model's traces of one batched run of `numParticles` particles. */
export interface ParticleTraces {
  readonly guide: Trace;
  readonly model: Trace;
  readonly numParticles: number;
}

/** An ELBO estimator: the loss SVI minimizes (a negative ELBO estimate). */
export interface ELBOLoss {
  /** "TraceELBO", "TraceMeanFieldELBO", "RenyiELBO". */
  readonly name: string;
  /** Number of particles per loss evaluation (vectorized). */
  readonly numParticles: number;
  /**
   * Whether the model runs under the enumeration handler, its sites marked
   * `infer: { enumerate: "parallel" }` summed out by the loss (TraceEnumELBO).
   */
  readonly enumerate?: boolean;
  /** The loss from the traces of one batched run (a differentiable tfjs scalar). */
  loss(traces: ParticleTraces): tf.Scalar;
}

/** The `infer` flag of guide sites that the model does not have (autoguides' latent vector). */
export const AUXILIARY = "isAuxiliary";

/** Whether a guide sample site is auxiliary (not matched against the model). */
export function isAuxiliary(site: SampleSite): boolean {
  return site.infer[AUXILIARY] === true;
}

/**
 * A site's log-probability summed per particle: shape [numParticles]. A site without the
 * particle dimension (its value shared by every particle) counts fully in each particle.
 */
export function perParticle(logProb: tf.Tensor, numParticles: number): tf.Tensor {
  if (logProb.rank > 0 && logProb.shape[0] === numParticles) {
    return tf.sum(tf.reshape(logProb, [numParticles, -1]), 1);
  }
  return tf.mul(tf.sum(logProb), tf.ones([numParticles]));
}

/** The site's scaled and masked log-probability summed per particle. */
export function siteLogProbPerParticle(site: SampleSite, numParticles: number): tf.Tensor {
  return perParticle(siteLogProb(site), numParticles);
}

/** Sum over the sample sites of a trace that pass `keep`, per particle: shape [numParticles]. */
export function traceLogProbPerParticle(
  tr: Trace,
  numParticles: number,
  keep: (site: SampleSite) => boolean = () => true,
): tf.Tensor {
  let total: tf.Tensor = tf.zeros([numParticles]);
  for (const site of tr.sampleSites()) {
    if (keep(site)) total = tf.add(total, siteLogProbPerParticle(site, numParticles));
  }
  return total;
}

/** log p(x, z) - log q(z) per particle: the importance log-weights. */
export function logWeights(traces: ParticleTraces): tf.Tensor {
  const logP = traceLogProbPerParticle(traces.model, traces.numParticles);
  const logQ = traceLogProbPerParticle(traces.guide, traces.numParticles);
  return tf.sub(logP, logQ);
}

/** Checks a particle count option. */
export function checkNumParticles(api: string, n: number | undefined): number {
  const value = n ?? 1;
  if (!Number.isInteger(value) || value < 1) {
    throw new ArgumentError({
      message: `${api}: numParticles must be a positive integer, got ${n}`,
      api,
      argument: "numParticles",
    });
  }
  return value;
}
