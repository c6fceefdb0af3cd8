/**
 * Warmup as Stan runs it (Stan Reference Manual, "HMC algorithm parameters"), as a warmup
 * record `{ init, update, final }` (src/infer/mcmc/sampling-algorithm.ts): dual averaging of
 * the step size at every warmup iteration, Welford estimates of the posterior (co)variance
 * over each slow window of the schedule, and after each slow window a new metric, a new
 * heuristic step size from the current position and a restarted dual averaging around it.
 * At the end of warmup the step size is the dual-averaging iterate average.
 *
 * The record only reads what a kernel reports (state and acceptance statistic) and hands out
 * parameters (step size and inverse mass matrix), so warmup cannot change how a kernel
 * samples. Other adaptations (a metric from gradients, a low-rank metric, a Pathfinder start)
 * are other records of the same shape; the chain loop does not change.
 */
import { foldIn, type Key } from "../../primitives/prng.js";
import type { Warmup, WarmupState } from "../mcmc/sampling-algorithm.js";
import { type AdaptationWindow, buildAdaptationSchedule } from "./adaptation-schedule.js";
import {
  currentStepSize,
  type DualAveragingState,
  dualAveragingInit,
  dualAveragingUpdate,
  finalStepSize,
} from "./dual-averaging.js";
import { MetricAdaptationError } from "./errors.js";
import { type HmcInfo, type HmcParameters, type HmcState, parametersMetric } from "./kernel.js";
import { metricOf } from "./metric.js";
import { findReasonableStepSize } from "./step-size-search.js";
import {
  inverseMassDiagonal,
  type WarmupConvergence,
  WarmupTracker,
} from "./warmup-convergence.js";
import { WelfordEstimator } from "./welford.js";

/** Settings of Stan's windowed adaptation, resolved (see mcmc/defaults.ts). */
export interface WindowAdaptationSettings {
  readonly numWarmup: number;
  readonly adaptStepSize: boolean;
  readonly adaptMassMatrix: boolean;
  readonly targetAcceptProb: number;
  /** t0, kappa and gamma of dual averaging. */
  readonly dualAveraging: { readonly t0: number; readonly kappa: number; readonly gamma: number };
  /** Window sizes of metric adaptation. */
  readonly schedule: {
    readonly initBuffer: number;
    readonly termBuffer: number;
    readonly baseWindow: number;
  };
}

/** The state of windowed adaptation between warmup iterations. */
export interface WindowAdaptationState extends WarmupState<HmcParameters> {
  readonly dualAveraging: DualAveragingState;
  /**
   * Running (co)variance of the current slow window's draws. It is an accumulator that
   * `update` advances in place: a warmup state is used once, by the next `update`.
   */
  readonly estimator: WelfordEstimator;
  readonly windowIndex: number;
  readonly numMetricUpdates: number;
  /** Step size after the initial heuristic search (before dual averaging). */
  readonly initialStepSize: number;
  readonly key: Key;
  /** Records step sizes and metrics for the convergence report (advanced in place). */
  readonly tracker: WarmupTracker;
}

/** What windowed adaptation reports at the end of a chain. */
export interface WindowAdaptationReport {
  readonly adaptation: "windowed";
  readonly schedule: readonly AdaptationWindow[];
  /** Step size after the initial heuristic search (before dual averaging). */
  readonly initialStepSize: number;
  /** How many times the metric was re-estimated. */
  readonly numMetricUpdates: number;
  /** When the step size and the metric settled (see warmup-convergence.ts). */
  readonly convergence: WarmupConvergence;
}

/**
 * Stan's windowed adaptation of step size and metric, as a warmup record.
 *
 * @example
 * const warmup = windowAdaptation({ numWarmup: 200, adaptStepSize: true, adaptMassMatrix: true,
 *   targetAcceptProb: 0.8, dualAveraging: hmcDefaults.dualAveraging, schedule: hmcDefaults.schedule });
 * const nuts = nutsAlgorithm({ maxTreeDepth: 10, maxDeltaEnergy: 1000 });
 * const initial = { stepSize: 1, inverseMassMatrix: Float64Array.of(1, 1), denseMass: false };
 * let state = nuts(initial).init(Float64Array.of(1, -1), target, PRNGKey(0));
 * let w = warmup.init(state, initial, PRNGKey(1));
 * for (let i = 0; i < 200; i++) {
 *   const out = nuts(w.parameters).step(state, foldIn(PRNGKey(2), i));
 *   w = warmup.update(w, i, out.state, out.info);
 *   state = out.state;
 * }
 * const adapted = warmup.final(w); // { stepSize, inverseMassMatrix, denseMass }
 */
export function windowAdaptation(settings: WindowAdaptationSettings): Warmup<
  HmcParameters,
  HmcState,
  HmcInfo,
  WindowAdaptationState
> & {
  report(w: WindowAdaptationState): WindowAdaptationReport;
} {
  const { numWarmup, adaptStepSize, adaptMassMatrix, targetAcceptProb } = settings;
  const schedule: readonly AdaptationWindow[] = adaptMassMatrix
    ? buildAdaptationSchedule(numWarmup, settings.schedule)
    : numWarmup > 0
      ? [{ kind: "fast", start: 0, end: numWarmup }]
      : [];
  const averaging = { ...settings.dualAveraging, targetAcceptProb };

  // A new metric from the window's draws, then a new step size from the current point.
  const updateMetric = (
    w: WindowAdaptationState,
    iteration: number,
    state: HmcState,
    stepSize: number,
  ): Pick<WindowAdaptationState, "parameters" | "dualAveraging" | "numMetricUpdates"> => {
    const inverseMassMatrix = w.estimator.regularizedCovariance();
    if (!inverseMassMatrix.every(Number.isFinite)) {
      throw new MetricAdaptationError({
        message: `windowAdaptation: the estimated inverse mass matrix is not finite at warmup iteration ${iteration}; the sampler met extreme values in unconstrained space (an improper or very wide posterior?)`,
        iteration,
      });
    }
    w.estimator.reset();
    const { denseMass } = w.parameters;
    const numMetricUpdates = w.numMetricUpdates + 1;
    let dualAveraging = w.dualAveraging;
    if (adaptStepSize) {
      const metric = metricOf(state.target.dim, inverseMassMatrix, denseMass);
      stepSize = findReasonableStepSize(
        state.target,
        state,
        metric,
        stepSize,
        foldIn(w.key, numMetricUpdates),
      );
      dualAveraging = dualAveragingInit(stepSize);
    }
    return {
      parameters: { stepSize, inverseMassMatrix, denseMass },
      dualAveraging,
      numMetricUpdates,
    };
  };

  const final = (w: WindowAdaptationState): HmcParameters => {
    // With no iteration since the last restart (no terminal window), keep the heuristic's
    // step size rather than exp(0) = 1 (stan-dev/stan#3023).
    if (!adaptStepSize || w.dualAveraging.iteration === 0) return w.parameters;
    // (Without warmup iterations there is no iteration since the start: the given step size.)
    return { ...w.parameters, stepSize: finalStepSize(w.dualAveraging) };
  };

  return {
    init(state, parameters, key) {
      const initialStepSize =
        adaptStepSize && numWarmup > 0
          ? findReasonableStepSize(
              state.target,
              state,
              parametersMetric(state.target.dim, parameters),
              parameters.stepSize,
              foldIn(key, 0),
            )
          : parameters.stepSize;
      return {
        parameters: { ...parameters, stepSize: initialStepSize },
        dualAveraging: dualAveragingInit(initialStepSize),
        estimator: new WelfordEstimator(state.target.dim, parameters.denseMass),
        windowIndex: 0,
        numMetricUpdates: 0,
        initialStepSize,
        key,
        tracker: new WarmupTracker(numWarmup),
      };
    },

    update(w, iteration, state, info) {
      let { dualAveraging, windowIndex } = w;
      let stepSize = w.parameters.stepSize;
      if (adaptStepSize) {
        dualAveraging = dualAveragingUpdate(dualAveraging, info.acceptProb, averaging);
        stepSize = currentStepSize(dualAveraging);
      }
      while (windowIndex < schedule.length && iteration >= schedule[windowIndex].end) {
        windowIndex++;
      }
      const next = { ...w, dualAveraging, windowIndex };
      const window = schedule[windowIndex];
      let updated: WindowAdaptationState =
        stepSize === w.parameters.stepSize
          ? next
          : { ...next, parameters: { ...w.parameters, stepSize } };
      if (window?.kind === "slow") {
        w.estimator.add(state.position);
        if (iteration === window.end - 1) {
          updated = { ...next, ...updateMetric(next, iteration, state, stepSize) };
        }
      }
      w.tracker.record(
        iteration,
        final(updated).stepSize,
        () => inverseMassDiagonal(updated.parameters),
        updated.numMetricUpdates !== w.numMetricUpdates,
      );
      return updated;
    },

    final,

    report: (w) => {
      const adapted = final(w);
      return {
        adaptation: "windowed",
        schedule,
        initialStepSize: w.initialStepSize,
        numMetricUpdates: w.numMetricUpdates,
        convergence: w.tracker.result(adapted.stepSize, inverseMassDiagonal(adapted)),
      };
    },
  };
}
