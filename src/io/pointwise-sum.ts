/**
 * The total of a pointwise quantity over observations and its standard error,
 * sqrt(N var(values)), as R `loo`'s `table_of_estimates` (Vehtari, Gelman and Gabry 2017,
 * "Practical Bayesian model evaluation using leave-one-out cross-validation and WAIC",
 * Statistics and Computing 27, equation 23).
 */
import { sampleVariance } from "../infer/diagnostics/chains.js";

/** A sum over observations with its standard error. */
export interface Estimate {
  estimate: number;
  se: number;
}

/**
 * Sum and standard error of pointwise values.
 *
 * @example
 * pointwiseSum(Float64Array.of(-1, -2, -3)); // { estimate: -6, se: Math.sqrt(3) }
 */
export function pointwiseSum(values: Float64Array): Estimate {
  let estimate = 0;
  for (const v of values) estimate += v;
  return { estimate, se: Math.sqrt(values.length * sampleVariance(values)) };
}
