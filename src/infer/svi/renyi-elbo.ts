/**
 * `RenyiELBO`: the variational Rényi bound of Li & Turner 2016 ("Rényi divergence variational
 * inference"), L_alpha = 1/(1 - alpha) log mean_k w_k^(1 - alpha) with importance weights
 * w_k = p(x, z_k) / q(z_k). alpha = 0 gives the importance-weighted bound (Burda et al. 2016);
 * alpha -> 1 tends to the ELBO.
 */
import { ArgumentError } from "../../errors.js";
import { tf } from "../../tf.js";
import { checkNumParticles, type ELBOLoss, logWeight } from "./elbo.js";

/** Options of `RenyiELBO`. */
export interface RenyiELBOOptions {
  /** The order alpha of the divergence, not 1 (default 0). */
  alpha?: number;
  /** Importance samples per evaluation, each a run of guide and model (default 2, as NumPyro). */
  numParticles?: number;
}

/**
 * The negative Rényi bound over `numParticles` importance samples.
 *
 * @example
 * const svi = new SVI(model, guide, Adam(0.01), RenyiELBO({ alpha: 0.5, numParticles: 8 }));
 */
export function RenyiELBO(options: RenyiELBOOptions = {}): ELBOLoss {
  const alpha = options.alpha ?? 0;
  if (!Number.isFinite(alpha) || alpha === 1) {
    throw new ArgumentError({
      message: `RenyiELBO: alpha must be a finite number other than 1 (use TraceELBO for alpha = 1), got ${alpha}`,
      api: "RenyiELBO",
      argument: "alpha",
    });
  }
  const numParticles = checkNumParticles("RenyiELBO", options.numParticles ?? 2);
  return {
    name: "RenyiELBO",
    numParticles,
    particleElbo: logWeight,
    combine: (logWeights) => {
      const scaled = tf.mul(logWeights, 1 - alpha);
      // log mean exp, stable: logSumExp - log K.
      const bound = tf.div(tf.sub(tf.logSumExp(scaled), Math.log(numParticles)), 1 - alpha);
      return tf.neg(bound) as tf.Scalar;
    },
  };
}
