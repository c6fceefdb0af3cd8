/**
 * Step-size adaptation by Nesterov's dual averaging (Nesterov 2009, "Primal-dual subgradient
 * methods for convex problems"), as Hoffman & Gelman (2014, section 3.2.1) apply it to HMC and
 * Stan implements it: drive the mean acceptance statistic to `targetAcceptProb` by averaging
 * the errors, shrink log step size towards mu = log(10 * initial step size), and return the
 * iterate average exp(logStepSizeAverage) when warmup ends.
 *
 * All functions are pure over a readonly state record.
 */
import { hmcDefaults } from "../mcmc/defaults.js";

/** Settings of dual averaging (Stan's defaults). */
export interface DualAveragingOptions {
  /** Target of the acceptance statistic, delta (default 0.8). */
  readonly targetAcceptProb?: number;
  /** Iteration offset t0 that damps early iterations (default 10). */
  readonly t0?: number;
  /** Decay exponent kappa of the iterate-averaging weights (default 0.75). */
  readonly kappa?: number;
  /** Shrinkage scale gamma towards mu (default 0.05). */
  readonly gamma?: number;
}

/** State of dual averaging. */
export interface DualAveragingState {
  /** Adaptation iterations so far since the last restart. */
  readonly iteration: number;
  /** log step size to use now (x). */
  readonly logStepSize: number;
  /** Weighted average of past log step sizes (x bar), the final answer. */
  readonly logStepSizeAverage: number;
  /** Running average of (target - acceptance) (s bar). */
  readonly errorAverage: number;
  /** Shrinkage point log(10 * initial step size). */
  readonly mu: number;
}

/**
 * A fresh (or restarted) state around `stepSize`: mu = log(10 * stepSize).
 *
 * @example
 * let state = dualAveragingInit(0.5);
 * state = dualAveragingUpdate(state, 0.6);
 * Math.exp(state.logStepSize); // smaller than 0.5 * 10: acceptance was below 0.8
 */
export function dualAveragingInit(stepSize: number): DualAveragingState {
  if (!(stepSize > 0 && Number.isFinite(stepSize))) {
    throw new RangeError(
      `dualAveragingInit: stepSize must be positive and finite, got ${stepSize}`,
    );
  }
  return {
    iteration: 0,
    logStepSize: Math.log(stepSize),
    logStepSizeAverage: 0,
    errorAverage: 0,
    mu: Math.log(10 * stepSize),
  };
}

/**
 * One adaptation step after a transition whose acceptance statistic was `acceptProb`
 * (values above 1 count as 1; NaN counts as 0).
 *
 * @example
 * const next = dualAveragingUpdate(dualAveragingInit(0.1), 0.95, { targetAcceptProb: 0.9 });
 */
export function dualAveragingUpdate(
  state: DualAveragingState,
  acceptProb: number,
  options: DualAveragingOptions = {},
): DualAveragingState {
  const target = options.targetAcceptProb ?? hmcDefaults.targetAcceptProb;
  const defaults = hmcDefaults.dualAveraging;
  const t0 = options.t0 ?? defaults.t0;
  const kappa = options.kappa ?? defaults.kappa;
  const gamma = options.gamma ?? defaults.gamma;
  const accept = Number.isNaN(acceptProb) ? 0 : Math.min(acceptProb, 1);
  const iteration = state.iteration + 1;
  const eta = 1 / (iteration + t0);
  const errorAverage = (1 - eta) * state.errorAverage + eta * (target - accept);
  const logStepSize = state.mu - (errorAverage * Math.sqrt(iteration)) / gamma;
  const averageWeight = iteration ** -kappa;
  const logStepSizeAverage =
    (1 - averageWeight) * state.logStepSizeAverage + averageWeight * logStepSize;
  return { iteration, logStepSize, logStepSizeAverage, errorAverage, mu: state.mu };
}

/**
 * The step size to use during adaptation: exp(x).
 *
 * @example
 * currentStepSize(dualAveragingUpdate(dualAveragingInit(0.1), 0.5));
 */
export function currentStepSize(state: DualAveragingState): number {
  return Math.exp(state.logStepSize);
}

/**
 * The step size to keep after adaptation: exp(x bar).
 *
 * @example
 * let state = dualAveragingInit(0.5);
 * for (const acceptProb of [0.6, 0.9, 0.85, 0.75]) state = dualAveragingUpdate(state, acceptProb);
 * finalStepSize(state); // after the last warmup update
 */
export function finalStepSize(state: DualAveragingState): number {
  return Math.exp(state.logStepSizeAverage);
}

/**
 * The state with every log step size (the iterate, its average and the shrinkage point mu)
 * moved by `logFactor`: dual averaging carried over to a metric whose overall scale changed, so
 * that the step size keeps its length relative to the metric (an addition of this library for
 * metrics that change during warmup; see fisher-warmup.ts).
 *
 * @example
 * shiftDualAveraging(state, Math.log(2)); // every step size doubled
 */
export function shiftDualAveraging(
  state: DualAveragingState,
  logFactor: number,
): DualAveragingState {
  return {
    ...state,
    logStepSize: state.logStepSize + logFactor,
    // Before the first update the average is a placeholder (0), not a log step size.
    logStepSizeAverage:
      state.iteration > 0 ? state.logStepSizeAverage + logFactor : state.logStepSizeAverage,
    mu: state.mu + logFactor,
  };
}
