/**
 * Metric adaptation from draws and gradients, as a warmup record `{ init, update, final }`
 * (src/infer/mcmc/sampling-algorithm.ts), with the schedule of the nutpie sampler (Seyboldt,
 * Carlson & Carpenter 2026, "Preconditioning Hamiltonian Monte Carlo by minimizing Fisher
 * divergence", arXiv 2603.18845):
 *
 * - the first metric comes from the gradient at the initial point (1 / |g_i|), unless one is
 *   given (a Pathfinder start, a continuation);
 * - the metric is re-estimated continuously (every `updateEvery` iterations) from a foreground
 *   window of draws while a background window fills; when the background holds enough draws it
 *   becomes the foreground ("switch"). In the early phase (the first 30% of warmup) switches
 *   come every 10 draws, so a usable metric exists after a few dozen gradient evaluations;
 *   later windows start at 80 draws and grow by 1.5 each switch;
 * - the last 15% of warmup adapts the step size alone, so that sampling's step size is tuned to
 *   the final metric;
 * - the step size follows dual averaging throughout, restarted once, with a fresh heuristic
 *   search, at the first metric estimated from draws; sampling uses the iterate average. At
 *   every later update the step sizes of dual averaging are rescaled by the change of the
 *   metric's overall scale (the geometric mean of its variances), so that a metric that grows
 *   or shrinks as a whole does not leave the step size behind (our addition: the metric can
 *   change by orders of magnitude between early windows, and dual averaging alone would take
 *   hundreds of iterations to follow).
 *
 * Draws where the sampler did not move (a rejected or zero-length transition) are left out of
 * the estimate, as nutpie leaves out draws at the start of their trajectory. The estimator is
 * the diagonal or the low-rank one of fisher-metric.ts. Every estimate stops at the end of
 * warmup: sampling uses the parameters of `final`, fixed.
 */
import { foldIn, type Key } from "../../primitives/prng.js";
import type { Warmup, WarmupState } from "../mcmc/sampling-algorithm.js";
import type { AdaptationWindow } from "./adaptation-schedule.js";
import {
  currentStepSize,
  type DualAveragingState,
  dualAveragingInit,
  dualAveragingUpdate,
  finalStepSize,
  shiftDualAveraging,
} from "./dual-averaging.js";
import { MetricAdaptationError } from "./errors.js";
import {
  DiagonalFisherEstimator,
  type FisherEstimator,
  gradientInitialMetric,
  LowRankFisherEstimator,
  type LowRankSettings,
} from "./fisher-metric.js";
import { type HmcInfo, type HmcParameters, type HmcState, parametersMetric } from "./kernel.js";
import { findReasonableStepSize } from "./step-size-search.js";
import {
  inverseMassDiagonal,
  type WarmupConvergence,
  WarmupTracker,
} from "./warmup-convergence.js";

/** The schedule of Fisher adaptation (nutpie's defaults in mcmc/defaults.ts). */
export interface FisherSchedule {
  /** Fraction of warmup in the early phase (fast switches). */
  readonly earlyWindow: number;
  /** Fraction of warmup at the end that adapts the step size alone. */
  readonly stepSizeWindow: number;
  /** Draws per window in the early phase. */
  readonly earlySwitchEvery: number;
  /** Draws of the first window after the early phase. */
  readonly switchEvery: number;
  /** Growth factor of the window after each later switch. */
  readonly windowGrowth: number;
  /** Iterations between metric updates of the diagonal and of the low-rank estimator. */
  readonly updateEvery: { readonly diagonal: number; readonly lowRank: number };
}

/** Settings of Fisher adaptation, resolved (see mcmc/defaults.ts). */
export interface FisherAdaptationSettings {
  readonly numWarmup: number;
  /** "diagonal" (fisher-diag) or "low-rank". */
  readonly estimator: "diagonal" | "low-rank";
  readonly adaptStepSize: boolean;
  readonly adaptMassMatrix: boolean;
  readonly targetAcceptProb: number;
  readonly dualAveraging: { readonly t0: number; readonly kappa: number; readonly gamma: number };
  readonly schedule: FisherSchedule;
  readonly lowRank: LowRankSettings;
  /**
   * Start from the metric of the given parameters (true) or from the gradient at the initial
   * point (false: nutpie's start when no metric is given).
   */
  readonly keepInitialMetric: boolean;
}

/**
 * The state of Fisher adaptation between warmup iterations. `update` advances it in place and
 * returns it: a state is used once, by the next `update`.
 */
export interface FisherAdaptationState extends WarmupState<HmcParameters> {
  parameters: HmcParameters;
  dualAveraging: DualAveragingState;
  /** Running windows of draws and gradients, advanced in place (used once, by the next update). */
  readonly estimator: FisherEstimator;
  /** Records step sizes and metrics for the convergence report (advanced in place). */
  readonly tracker: WarmupTracker;
  /** Draws of the next window after the early phase. */
  windowSize: number;
  /** The iteration of the last metric update. */
  lastUpdate: number;
  numSwitches: number;
  numMetricUpdates: number;
  /** The position before the last transition, to leave out draws that did not move. */
  previousPosition: Float64Array;
  readonly initialStepSize: number;
  readonly key: Key;
}

/** What Fisher adaptation reports at the end of a chain. */
export interface FisherAdaptationReport {
  readonly adaptation: "fisher-diag" | "low-rank";
  /**
   * In Stan's terms: one "slow" window in which the metric adapts (with window switches inside
   * it, see `numSwitches`) and a terminal "fast" one for the step size alone.
   */
  readonly schedule: readonly AdaptationWindow[];
  /** Step size after the initial heuristic search. */
  readonly initialStepSize: number;
  readonly numMetricUpdates: number;
  /** Window switches (the foreground window replaced by the background one). */
  readonly numSwitches: number;
  /** Rank of the final low-rank correction (low-rank only). */
  readonly rank?: number;
  /** When the step size and the metric settled (see warmup-convergence.ts). */
  readonly convergence: WarmupConvergence;
}

/** (1/dim) log det M^{-1}: the log of the metric's geometric-mean variance. */
function metricLogScale(parameters: HmcParameters): number {
  const { inverseMassMatrix, lowRankCorrection } = parameters;
  let sum = 0;
  for (const v of inverseMassMatrix) sum += Math.log(v);
  for (const v of lowRankCorrection?.values ?? []) sum += Math.log(v);
  return sum / inverseMassMatrix.length;
}

function samePosition(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Metric adaptation by minimizing a Fisher divergence (fisher-diag or low-rank), as a warmup
 * record.
 *
 * @example
 * const warmup = fisherAdaptation({ numWarmup: 200, estimator: "diagonal", adaptStepSize: true,
 *   adaptMassMatrix: true, targetAcceptProb: 0.8, dualAveraging: hmcDefaults.dualAveraging,
 *   schedule: hmcDefaults.fisherSchedule, lowRank: hmcDefaults.lowRank, keepInitialMetric: false });
 * const nuts = nutsAlgorithm({ maxTreeDepth: 10, maxDeltaEnergy: 1000 });
 * const initial = { stepSize: 1, inverseMassMatrix: Float64Array.of(1, 1), denseMass: false };
 * let state = nuts(initial).init(Float64Array.of(1, -1), target, PRNGKey(0));
 * let w = warmup.init(state, initial, PRNGKey(1));
 * for (let i = 0; i < 200; i++) {
 *   const out = nuts(w.parameters).step(state, foldIn(PRNGKey(2), i));
 *   w = warmup.update(w, i, out.state, out.info);
 *   state = out.state;
 * }
 * const adapted = warmup.final(w);
 */
export function fisherAdaptation(settings: FisherAdaptationSettings): Warmup<
  HmcParameters,
  HmcState,
  HmcInfo,
  FisherAdaptationState
> & {
  report(w: FisherAdaptationState): FisherAdaptationReport;
} {
  const { numWarmup, adaptStepSize, adaptMassMatrix, schedule, estimator: kind } = settings;
  const averaging = { ...settings.dualAveraging, targetAcceptProb: settings.targetAcceptProb };
  const earlyEnd = Math.floor(schedule.earlyWindow * numWarmup);
  const stepSizeWindowStart = numWarmup - Math.floor(schedule.stepSizeWindow * numWarmup);
  const updateEvery =
    kind === "diagonal" ? schedule.updateEvery.diagonal : schedule.updateEvery.lowRank;
  const windows: AdaptationWindow[] = [];
  if (adaptMassMatrix && stepSizeWindowStart > 0) {
    windows.push({ kind: "slow", start: 0, end: stepSizeWindowStart });
  }
  if (numWarmup > (windows.at(-1)?.end ?? 0)) {
    windows.push({ kind: "fast", start: windows.at(-1)?.end ?? 0, end: numWarmup });
  }

  const searchStepSize = (
    state: HmcState,
    parameters: HmcParameters,
    stepSize: number,
    key: Key,
  ): number =>
    findReasonableStepSize(
      state.target,
      state,
      parametersMetric(state.target.dim, parameters),
      stepSize,
      key,
    );

  const final = (w: FisherAdaptationState): HmcParameters =>
    !adaptStepSize || w.dualAveraging.iteration === 0
      ? w.parameters
      : { ...w.parameters, stepSize: finalStepSize(w.dualAveraging) };

  // The step size warmup would end with if it ended now.
  const wouldEndWith = (averagingState: DualAveragingState, stepSize: number) =>
    adaptStepSize && averagingState.iteration > 0 ? finalStepSize(averagingState) : stepSize;

  return {
    init(state, given, key) {
      const dim = state.target.dim;
      if (given.denseMass) {
        throw new MetricAdaptationError({
          message: `fisherAdaptation: adaptation "${kind === "diagonal" ? "fisher-diag" : "low-rank"}" adapts a diagonal${kind === "diagonal" ? "" : "-plus-low-rank"} metric, but denseMass is true; use adaptation "windowed" for a dense metric`,
          iteration: 0,
        });
      }
      const estimator: FisherEstimator =
        kind === "diagonal"
          ? new DiagonalFisherEstimator(dim)
          : new LowRankFisherEstimator(dim, settings.lowRank);
      let parameters = given;
      if (adaptMassMatrix && numWarmup > 0) {
        estimator.add(state.position, state.gradient);
        if (!settings.keepInitialMetric) {
          parameters = {
            stepSize: given.stepSize,
            inverseMassMatrix: gradientInitialMetric(state.gradient),
            denseMass: false,
          };
        }
      }
      const initialStepSize =
        adaptStepSize && numWarmup > 0
          ? searchStepSize(state, parameters, parameters.stepSize, foldIn(key, 0))
          : parameters.stepSize;
      return {
        parameters: { ...parameters, stepSize: initialStepSize },
        dualAveraging: dualAveragingInit(initialStepSize),
        estimator,
        tracker: new WarmupTracker(numWarmup),
        windowSize: schedule.switchEvery,
        lastUpdate: 0,
        numSwitches: 0,
        numMetricUpdates: 0,
        previousPosition: state.position,
        initialStepSize,
        key,
      };
    },

    update(w, iteration, state, info) {
      let parameters = w.parameters;
      let stepSize = parameters.stepSize;
      if (adaptStepSize) {
        w.dualAveraging = dualAveragingUpdate(w.dualAveraging, info.acceptProb, averaging);
        stepSize = currentStepSize(w.dualAveraging);
      }
      let metricChanged = false;
      if (adaptMassMatrix && iteration < stepSizeWindowStart) {
        const { estimator } = w;
        const early = iteration < earlyEnd;
        if (!early && iteration === earlyEnd) {
          w.windowSize = Math.max(w.windowSize, estimator.backgroundCount);
        }
        if (!samePosition(state.position, w.previousPosition)) {
          estimator.add(state.position, state.gradient);
        }
        const switchEvery = early ? schedule.earlySwitchEvery : w.windowSize;
        const nextWindow = early
          ? schedule.earlySwitchEvery
          : Math.max(w.windowSize + 1, Math.round(w.windowSize * schedule.windowGrowth));
        // Switch only when another full window still fits before the step-size window.
        const late = iteration + nextWindow > stepSizeWindowStart;
        let force = false;
        if (estimator.backgroundCount >= switchEvery && !late) {
          estimator.switchWindows();
          w.numSwitches++;
          force = true;
          if (!early) w.windowSize = nextWindow;
        }
        if (force || iteration - w.lastUpdate >= updateEvery) {
          const estimate = estimator.estimate(parameters);
          if (estimate !== undefined) {
            if (!estimate.inverseMassMatrix.every(Number.isFinite)) {
              throw new MetricAdaptationError({
                message: `fisherAdaptation: the estimated inverse mass matrix is not finite at warmup iteration ${iteration}; the sampler met extreme values in unconstrained space (an improper or very wide posterior?)`,
                iteration,
              });
            }
            const previous = parameters;
            parameters = {
              stepSize,
              inverseMassMatrix: estimate.inverseMassMatrix,
              denseMass: false,
              lowRankCorrection: estimate.lowRankCorrection,
            };
            // The step size follows the metric's overall scale (see the file comment).
            const shift = 0.5 * (metricLogScale(previous) - metricLogScale(parameters));
            if (Number.isFinite(shift) && shift !== 0) {
              stepSize *= Math.exp(shift);
              w.dualAveraging = shiftDualAveraging(w.dualAveraging, shift);
            }
            w.lastUpdate = iteration;
            metricChanged = true;
            w.numMetricUpdates++;
            // The first metric from draws: a new step size for it, and dual averaging restarts.
            if (w.numMetricUpdates === 1 && adaptStepSize) {
              stepSize = searchStepSize(state, parameters, stepSize, foldIn(w.key, 1));
              w.dualAveraging = dualAveragingInit(stepSize);
            }
          }
        }
      }
      if (stepSize !== parameters.stepSize) parameters = { ...parameters, stepSize };
      w.parameters = parameters;
      w.previousPosition = state.position;
      w.tracker.record(
        iteration,
        wouldEndWith(w.dualAveraging, stepSize),
        () => inverseMassDiagonal(parameters),
        metricChanged,
      );
      return w;
    },

    final,

    report(w) {
      const adapted = final(w);
      return {
        adaptation: kind === "diagonal" ? "fisher-diag" : "low-rank",
        schedule: windows,
        initialStepSize: w.initialStepSize,
        numMetricUpdates: w.numMetricUpdates,
        numSwitches: w.numSwitches,
        rank: kind === "low-rank" ? (adapted.lowRankCorrection?.values.length ?? 0) : undefined,
        convergence: w.tracker.result(adapted.stepSize, inverseMassDiagonal(adapted)),
      };
    },
  };
}
