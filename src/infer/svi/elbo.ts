/**
 * What every ELBO estimator shares: the interface SVI calls, and sums of log-probabilities
 * over traces.
 *
 * SVI evaluates an ELBO particle by particle: for each particle it runs the guide and then the
 * model, which replays the guide's trace (its latent values and its plates' subsample
 * indices), and the estimator turns the two traces into that particle's ELBO estimate. The
 * particles' estimates are then combined into the loss (a mean for TraceELBO, a log-mean-exp
 * for RenyiELBO). Running the model once per particle, rather than batched, keeps every model
 * exact as written (explicit shapes, `expand`, positive axes): batching is invisible to it.
 */
import { ArgumentError } from "../../errors.js";
import type { Trace } from "../../handlers/trace.js";
import type { SampleSite } from "../../primitives/messages.js";
import { tf } from "../../tf.js";
import { siteLogProb } from "../log-density.js";

/** The guide's and the model's traces of one particle. */
export interface ParticleTraces {
  readonly guide: Trace;
  readonly model: Trace;
}

/** An ELBO estimator: the loss SVI minimizes (a negative ELBO estimate). */
export interface ELBOLoss {
  /** "TraceELBO", "TraceMeanFieldELBO", "RenyiELBO". */
  readonly name: string;
  /** Number of particles per loss evaluation. */
  readonly numParticles: number;
  /**
   * Whether the model runs under the enumeration handler, its sites marked
   * `infer: { enumerate: "parallel" }` summed out by the estimator (TraceEnumELBO).
   */
  readonly enumerate?: boolean;
  /** One particle's ELBO estimate from its traces (a differentiable tfjs scalar). */
  particleElbo(traces: ParticleTraces): tf.Scalar;
  /**
   * The loss from the particles' estimates (shape [numParticles]), differentiable in them; for
   * one particle every estimator's loss is minus its estimate.
   */
  combine(elbos: tf.Tensor): tf.Scalar;
}

/** The `infer` flag of guide sites that the model does not have (autoguides' latent vector). */
export const AUXILIARY = "isAuxiliary";

/** Whether a guide sample site is auxiliary (not matched against the model). */
export function isAuxiliary(site: SampleSite): boolean {
  return site.infer[AUXILIARY] === true;
}

/** The site's scaled and masked log-probability, summed: a scalar. */
export function siteLogProbSum(site: SampleSite): tf.Tensor {
  return tf.sum(siteLogProb(site));
}

/** Sum over the sample sites of a trace that pass `keep`: a scalar. */
export function traceLogProb(
  tr: Trace,
  keep: (site: SampleSite) => boolean = () => true,
): tf.Tensor {
  let total: tf.Tensor = tf.scalar(0);
  for (const site of tr.sampleSites()) {
    if (keep(site)) total = tf.add(total, siteLogProbSum(site));
  }
  return total;
}

/** log p(x, z) - log q(z): the importance log-weight of one particle. */
export function logWeight(traces: ParticleTraces): tf.Scalar {
  return tf.sub(traceLogProb(traces.model), traceLogProb(traces.guide)) as tf.Scalar;
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
