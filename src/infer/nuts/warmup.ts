/**
 * Warmup as Stan runs it (Stan Reference Manual, "HMC algorithm parameters"): dual averaging
 * of the step size at every warmup iteration, Welford estimates of the posterior (co)variance
 * over each slow window of the schedule, and after each slow window a new metric, a new
 * heuristic step size from the current position and a restarted dual averaging around it.
 * At the end of warmup the step size is the dual-averaging iterate average.
 *
 * The adapter only reads what a kernel reports (state and acceptance statistic) and hands out
 * parameters (step size and metric), so warmup cannot change how a kernel samples.
 */
import { foldIn, type Key } from "../../primitives/prng.js";
import type { GradientTarget } from "../potential-types.js";
import {
  type AdaptationScheduleOptions,
  type AdaptationWindow,
  buildAdaptationSchedule,
} from "./adaptation-schedule.js";
import {
  currentStepSize,
  type DualAveragingOptions,
  type DualAveragingState,
  dualAveragingInit,
  dualAveragingUpdate,
  finalStepSize,
} from "./dual-averaging.js";
import { MetricAdaptationError } from "./errors.js";
import type { HmcState } from "./kernel.js";
import { type Metric, metricFromInverseMassMatrix } from "./metric.js";
import { findReasonableStepSize } from "./step-size-search.js";
import { WelfordEstimator } from "./welford.js";

/** Settings of warmup. */
export interface WarmupOptions {
  readonly numWarmup: number;
  readonly adaptStepSize?: boolean;
  readonly adaptMassMatrix?: boolean;
  readonly denseMass?: boolean;
  readonly targetAcceptProb?: number;
  /** t0, kappa and gamma of dual averaging (Stan's defaults). */
  readonly dualAveraging?: Omit<DualAveragingOptions, "targetAcceptProb">;
  /** Window sizes (Stan's defaults 75 / 25 / 50). */
  readonly schedule?: AdaptationScheduleOptions;
}

/**
 * Adapts step size and metric over a warmup of `numWarmup` iterations.
 *
 * @example
 * const adapter = new WarmupAdapter(target, { numWarmup: 500 }, { stepSize: 0.3, metric }, key);
 * for (let i = 0; i < 500; i++) {
 *   const out = nuts.step(keys[i], state, { stepSize: adapter.stepSize, metric: adapter.metric });
 *   adapter.update(i, out.state, out.info.acceptProb);
 *   state = out.state;
 * }
 */
export class WarmupAdapter {
  readonly schedule: readonly AdaptationWindow[];
  private currentStep: number;
  private currentMetric: Metric;
  private dualAveraging: DualAveragingState;
  private readonly estimator: WelfordEstimator;
  private windowIndex = 0;
  private metricUpdates = 0;

  constructor(
    private readonly target: GradientTarget,
    private readonly options: WarmupOptions,
    initial: { stepSize: number; metric: Metric },
    private readonly key: Key,
  ) {
    const adaptMass = options.adaptMassMatrix ?? true;
    this.schedule = adaptMass
      ? buildAdaptationSchedule(options.numWarmup, options.schedule)
      : options.numWarmup > 0
        ? [{ kind: "fast", start: 0, end: options.numWarmup }]
        : [];
    this.currentStep = initial.stepSize;
    this.currentMetric = initial.metric;
    this.dualAveraging = dualAveragingInit(initial.stepSize);
    this.estimator = new WelfordEstimator(target.dim, options.denseMass ?? false);
  }

  /** The step size to use for the next warmup iteration (or, after warmup, for sampling). */
  get stepSize(): number {
    return this.currentStep;
  }

  /** The metric to use for the next iteration. */
  get metric(): Metric {
    return this.currentMetric;
  }

  /** How many times the metric has been re-estimated. */
  get numMetricUpdates(): number {
    return this.metricUpdates;
  }

  /**
   * Learns from warmup iteration `iteration` (0-based, in order), whose transition ended at
   * `state` with acceptance statistic `acceptProb`. Returns whether the metric changed.
   */
  update(iteration: number, state: HmcState, acceptProb: number): boolean {
    const adaptStepSize = this.options.adaptStepSize ?? true;
    if (adaptStepSize) {
      this.dualAveraging = dualAveragingUpdate(this.dualAveraging, acceptProb, {
        ...this.options.dualAveraging,
        targetAcceptProb: this.options.targetAcceptProb,
      });
      this.currentStep = currentStepSize(this.dualAveraging);
    }
    while (
      this.windowIndex < this.schedule.length &&
      iteration >= this.schedule[this.windowIndex].end
    ) {
      this.windowIndex++;
    }
    const window = this.schedule[this.windowIndex];
    let metricUpdated = false;
    if (window?.kind === "slow") {
      this.estimator.add(state.position);
      if (iteration === window.end - 1) {
        this.updateMetric(iteration, state, adaptStepSize);
        metricUpdated = true;
      }
    }
    if (iteration === this.options.numWarmup - 1 && adaptStepSize) {
      // With no iteration since the last restart (no terminal window), keep the heuristic's
      // step size rather than exp(0) = 1 (stan-dev/stan#3023).
      if (this.dualAveraging.iteration > 0) this.currentStep = finalStepSize(this.dualAveraging);
    }
    return metricUpdated;
  }

  private updateMetric(iteration: number, state: HmcState, adaptStepSize: boolean): void {
    const inverseMassMatrix = this.estimator.regularizedCovariance();
    if (!inverseMassMatrix.every(Number.isFinite)) {
      throw new MetricAdaptationError({
        message: `WarmupAdapter: the estimated inverse mass matrix is not finite at warmup iteration ${iteration}; the sampler met extreme values in unconstrained space (an improper or very wide posterior?)`,
        iteration,
      });
    }
    this.estimator.reset();
    this.currentMetric = metricFromInverseMassMatrix(
      this.target.dim,
      inverseMassMatrix,
      this.options.denseMass ?? false,
    );
    this.metricUpdates++;
    if (adaptStepSize) {
      this.currentStep = findReasonableStepSize(
        this.target,
        state,
        this.currentMetric,
        this.currentStep,
        foldIn(this.key, this.metricUpdates),
      );
      this.dualAveraging = dualAveragingInit(this.currentStep);
    }
  }
}
