/**
 * Where chains start: uniform(-radius, radius) in the unconstrained space (Stan's and NumPyro's
 * default), the median of prior draws, or values the user gives. Only the strategies live here,
 * as plain data (a chain worker's sampler settings carry one); initial-position.ts runs them.
 */

import { ArgumentError } from "../../errors.js";
import type { ArrayLike } from "../../tf.js";
import { mcmcDefaults, pathfinderDefaults } from "./defaults.js";

/** How to choose a chain's initial point. */
export type InitStrategy =
  | { readonly kind: "uniform"; readonly radius: number }
  | { readonly kind: "median"; readonly numSamples: number }
  | { readonly kind: "value"; readonly values: Readonly<Record<string, ArrayLike>> }
  | {
      readonly kind: "pathfinder";
      readonly numElboDraws: number;
      readonly historySize: number;
      readonly maxIterations: number;
    };

/**
 * Start uniformly in (-radius, radius) in the unconstrained space, retrying up to 100 points
 * until the density and gradient are finite.
 *
 * @example
 * new NUTS(model, { initStrategy: initToUniform({ radius: 1 }) });
 */
export function initToUniform(options: { radius?: number } = {}): InitStrategy {
  return { kind: "uniform", radius: options.radius ?? mcmcDefaults.initRadius };
}

/**
 * Start at the elementwise median of `numSamples` prior draws (default 15, as NumPyro).
 *
 * @example
 * new NUTS(model, { initStrategy: initToMedian() });
 */
export function initToMedian(options: { numSamples?: number } = {}): InitStrategy {
  return { kind: "median", numSamples: options.numSamples ?? 15 };
}

/**
 * Start at given constrained values (every latent site needs one).
 *
 * @example
 * new NUTS(model, { initStrategy: initToValue({ mu: 0, tau: 1 }) });
 */
export function initToValue(values: Record<string, ArrayLike>): InitStrategy {
  return { kind: "value", values };
}

/**
 * Start each chain where a Pathfinder path (Zhang, Carpenter, Gelman & Vehtari 2022) from a
 * uniform(-2, 2) point leads, with the path's normal approximation giving the first inverse
 * mass matrix (NUTS and HMC; the same as `initStrategy: "pathfinder"`). Options: draws per ELBO
 * estimate (default 5, the paper's; standalone Pathfinder uses Stan's 25), L-BFGS history size
 * (6) and iterations (1000).
 *
 * @example
 * new NUTS(model, { initStrategy: initToPathfinder(), adaptation: "fisher-diag" });
 */
export function initToPathfinder(
  options: { numElboDraws?: number; historySize?: number; maxIterations?: number } = {},
): InitStrategy {
  const check = (name: string, value: number | undefined) => {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
      throw new ArgumentError({
        message: `initToPathfinder: option "${name}" must be an integer >= 1, got ${value}`,
        api: "initToPathfinder",
        argument: name,
      });
    }
  };
  check("numElboDraws", options.numElboDraws);
  check("historySize", options.historySize);
  check("maxIterations", options.maxIterations);
  return {
    kind: "pathfinder",
    numElboDraws: options.numElboDraws ?? pathfinderDefaults.initNumElboDraws,
    historySize: options.historySize ?? pathfinderDefaults.lbfgs.historySize,
    maxIterations: options.maxIterations ?? pathfinderDefaults.lbfgs.maxIterations,
  };
}
