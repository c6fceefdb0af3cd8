/**
 * `TraceELBO`: the Monte Carlo ELBO with reparameterized guide samples,
 * ELBO = E_q[log p(x, z) - log q(z)] (Ranganath et al. 2014, "Black box variational
 * inference"; Kingma & Welling 2014 for the reparameterization gradient).
 */
import { tf } from "../../tf.js";
import { checkNumParticles, type ELBOLoss, logWeight } from "./elbo.js";

/** Options of `TraceELBO`. */
export interface TraceELBOOptions {
  /** Samples per loss evaluation, each a run of guide and model (default 1). */
  numParticles?: number;
}

/**
 * The negative ELBO, averaged over `numParticles` reparameterized draws from the guide.
 *
 * @example
 * const svi = new SVI(model, guide, Adam(0.01), TraceELBO({ numParticles: 4 }));
 */
export function TraceELBO(options: TraceELBOOptions = {}): ELBOLoss {
  const numParticles = checkNumParticles("TraceELBO", options.numParticles);
  return {
    name: "TraceELBO",
    numParticles,
    particleElbo: logWeight,
    combine: (elbos) => tf.neg(tf.mean(elbos)) as tf.Scalar,
  };
}
