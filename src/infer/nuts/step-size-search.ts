/**
 * Stan's heuristic for a first step size (base_hmc::init_stepsize; Hoffman & Gelman 2014,
 * algorithm 4): from the current position, draw a momentum and take one leapfrog step; if the
 * acceptance exp(H0 - H) is above 0.8, keep doubling the step size until it falls to 0.8 or
 * below, otherwise keep halving it until it rises above 0.8. Each trial draws a fresh momentum.
 * (Hoffman & Gelman's paper uses 0.5 as the threshold; Stan and NumPyro use 0.8.)
 */

import type { GradientTarget } from "../../potential-types.js";
import { foldIn, type Key } from "../../primitives/prng.js";
import { StepSizeSearchError } from "./errors.js";
import { leapfrog, refreshPoint } from "./integrator.js";
import type { Metric } from "./metric.js";
import { createPhasePoint, hamiltonian } from "./phase-point.js";

/** Options of `findReasonableStepSize`. */
export interface StepSizeSearchOptions {
  /** Acceptance threshold that the search brackets (default 0.8, as Stan). */
  readonly targetAcceptProb?: number;
}

/** Stan's fixed threshold of the search (base_hmc::init_stepsize), apart from warmup's target. */
const SEARCH_ACCEPT_PROB = 0.8;

/**
 * A step size whose one-step acceptance from `state` is near the threshold, starting from
 * `stepSize`. Step sizes of 0, above 1e7 or NaN are returned as they are (as Stan does).
 *
 * @example
 * // state: a position of `target` with its potential energy and gradient
 * const stepSize = findReasonableStepSize(target, state, metric, 1, PRNGKey(0));
 */
export function findReasonableStepSize(
  target: GradientTarget,
  state: {
    readonly position: Float64Array;
    readonly potentialEnergy: number;
    readonly gradient: Float64Array;
  },
  metric: Metric,
  stepSize: number,
  key: Key,
  options: StepSizeSearchOptions = {},
): number {
  if (stepSize === 0 || stepSize > 1e7 || Number.isNaN(stepSize)) return stepSize;
  const logThreshold = Math.log(options.targetAcceptProb ?? SEARCH_ACCEPT_PROB);
  const point = createPhasePoint(target.dim);
  let trial = 0;
  // Energy change H0 - H of one leapfrog step from `state` with a fresh momentum.
  const energyChange = (size: number) => {
    point.position.set(state.position);
    point.gradient.set(state.gradient);
    point.potentialEnergy = state.potentialEnergy;
    metric.sampleMomentum(foldIn(key, trial++), point.momentum);
    refreshPoint(metric, point);
    const initial = hamiltonian(point);
    leapfrog(target, metric, point, size);
    return initial - hamiltonian(point);
  };

  const direction = energyChange(stepSize) > logThreshold ? 1 : -1;
  for (;;) {
    const change = energyChange(stepSize);
    if (direction === 1 && !(change > logThreshold)) break;
    if (direction === -1 && !(change < logThreshold)) break;
    stepSize = direction === 1 ? 2 * stepSize : stepSize / 2;
    if (stepSize > 1e7) {
      throw new StepSizeSearchError({
        message:
          "findReasonableStepSize: the step size grew past 1e7 with every step accepted; the posterior is probably improper (check the model's priors)",
        stepSize,
      });
    }
    if (stepSize === 0) {
      throw new StepSizeSearchError({
        message:
          "findReasonableStepSize: no acceptably small step size was found; the log density is probably discontinuous or not finite near the start",
        stepSize,
      });
    }
  }
  return stepSize;
}
