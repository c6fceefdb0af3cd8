/**
 * Running one MCMC chain over a `GradientTarget`: initialization, warmup with adaptation,
 * sampling with thinning, sampler statistics, progress, cancellation and continuation.
 *
 * Three ways to drive it, all giving the same draws bit for bit for the same key:
 * - `startChain` returns a `ChainRun` to step by hand (`run.step()` until `run.done`, then
 *   `run.result()`), for callers that schedule work themselves (Effect fibers, workers);
 * - `runChainSync` loops to the end;
 * - `runChain` loops asynchronously, yielding to the event loop about every 50 ms so that an
 *   `AbortSignal` can stop it between iterations; draws made so far are kept.
 *
 * Randomness: `key` is split into an initialization key, an adaptation key (step-size searches)
 * and an iteration key; iteration i (warmup and sampling counted together) uses
 * `foldIn(iterationKey, i)`.
 */
import { foldIn, type Key, split } from "../../primitives/prng.js";
import type { GradientTarget } from "../potential-types.js";
import type { AdaptationWindow } from "./adaptation-schedule.js";
import {
  type ChainOptions,
  type ResolvedChainOptions,
  resolveChainOptions,
} from "./chain-options.js";
import { findInitialState, initialStateAt } from "./init.js";
import { type HmcInfo, type HmcState, hmcKernel, nutsKernel } from "./kernel.js";
import { metricFromInverseMassMatrix } from "./metric.js";
import { type SamplerStats, StatsRecorder } from "./sampler-stats.js";
import { findReasonableStepSize } from "./step-size-search.js";
import { WarmupAdapter } from "./warmup.js";

// The key stream of compound steps' Gibbs updates, apart from the transition's own randomness.
const GIBBS_STREAM = 0x6769626273;

/** Where a chain is, for progress reports. */
export interface ChainProgress {
  readonly phase: "warmup" | "sampling";
  /** Iterations completed, warmup and sampling together. */
  readonly iteration: number;
  readonly numIterations: number;
  /** Step size of the iteration just completed. */
  readonly stepSize: number;
  /** Divergent transitions so far in this phase. */
  readonly numDivergences: number;
}

/** Callbacks and cancellation of a run. */
export interface ChainHooks {
  /** Called after every iteration. */
  readonly onProgress?: (progress: ChainProgress) => void;
  /** Stops the run between iterations; the result keeps every draw made so far. */
  readonly signal?: AbortSignal;
  /**
   * Called before each transition with a key of its own and the current position; returns
   * true when it changed the target (a Gibbs update of other variables), so that the state's
   * potential energy and gradient are recomputed there. Compound (Gibbs) steps use it.
   */
  readonly beforeTransition?: (key: Key, position: Float64Array) => boolean;
}

/** What a chain produced. */
export interface ChainResult {
  readonly dim: number;
  /** Kept sampling draws. */
  readonly numDraws: number;
  /** Kept draws, row-major: draw d is draws.subarray(d * dim, (d + 1) * dim). */
  readonly draws: Float64Array;
  /** Statistics of the kept draws, aligned with `draws`. */
  readonly stats: SamplerStats;
  /** Divergent transitions after warmup, thinned-out iterations included. */
  readonly numDivergences: number;
  readonly warmup: {
    readonly numIterations: number;
    readonly stats: SamplerStats;
    /** Warmup draws when `saveWarmup` was set. */
    readonly draws?: Float64Array;
    readonly schedule: readonly AdaptationWindow[];
    /** Step size after the initial heuristic search (before dual averaging). */
    readonly initialStepSize: number;
    readonly numMetricUpdates: number;
    readonly numDivergences: number;
    /** The state after the last warmup iteration (the start of sampling); undefined before. */
    readonly finalState?: HmcState;
  };
  /**
   * Step size and inverse mass matrix that sampling used (the adapted ones); for a run aborted
   * during warmup, the values warmup had reached.
   */
  readonly adapted: {
    readonly stepSize: number;
    readonly inverseMassMatrix: Float64Array;
    readonly denseMass: boolean;
  };
  /** The chain's last state: continue from here with `continuationOptions`. */
  readonly lastState: HmcState;
  /** Random initial points tried (1 for a given initial position). */
  readonly initAttempts: number;
  /** True when the run stopped before its last iteration. */
  readonly aborted: boolean;
}

/**
 * A chain stepped one iteration at a time.
 *
 * @example
 * const run = startChain(target, { numWarmup: 500, numSamples: 500 }, PRNGKey(0));
 * while (!run.done) run.step();
 * const { draws, stats } = run.result();
 */
export class ChainRun {
  readonly numIterations: number;
  private readonly options: ResolvedChainOptions;
  private readonly iterationKey: Key;
  private readonly adapter: WarmupAdapter;
  private readonly transition: (key: Key, state: HmcState) => { state: HmcState; info: HmcInfo };
  private readonly warmupRecorder: StatsRecorder;
  private readonly sampleRecorder: StatsRecorder;
  private readonly initialStepSize: number;
  private readonly initAttempts: number;
  private state: HmcState;
  private warmupFinalState: HmcState | undefined;
  private completed = 0;
  private warmupDivergences = 0;
  private sampleDivergences = 0;

  constructor(
    private readonly target: GradientTarget,
    options: ChainOptions,
    key: Key,
    private readonly hooks: ChainHooks = {},
  ) {
    if (
      target == null ||
      !(Number.isInteger(target.dim) && target.dim >= 1) ||
      typeof target.valueAndGrad !== "function"
    ) {
      throw new TypeError(
        "runChain: target must be a GradientTarget { dim (a positive integer), valueAndGrad(q, grad) }",
      );
    }
    const o = resolveChainOptions("runChain", options, target.dim);
    this.options = o;
    this.numIterations = o.numWarmup + o.numSamples;
    const [initKey, adaptKey, iterationKey] = split(key, 3);
    this.iterationKey = iterationKey;

    const start = o.initialPosition
      ? initialStateAt(target, o.initialPosition, o.init?.describeFailure)
      : findInitialState(target, initKey, o.init);
    this.initAttempts = start.attempts;
    this.state = {
      position: start.position,
      potentialEnergy: start.potentialEnergy,
      gradient: start.gradient,
    };

    const metric = metricFromInverseMassMatrix(target.dim, o.inverseMassMatrix, o.denseMass);
    const adapting = o.numWarmup > 0 && o.adaptStepSize;
    this.initialStepSize = adapting
      ? findReasonableStepSize(target, this.state, metric, o.stepSize, foldIn(adaptKey, 0))
      : o.stepSize;
    this.adapter = new WarmupAdapter(
      target,
      {
        numWarmup: o.numWarmup,
        adaptStepSize: o.adaptStepSize,
        adaptMassMatrix: o.adaptMassMatrix,
        denseMass: o.denseMass,
        targetAcceptProb: o.targetAcceptProb,
        dualAveraging: o.dualAveraging,
        schedule: o.schedule,
      },
      { stepSize: this.initialStepSize, metric },
      adaptKey,
    );
    this.transition = this.makeTransition();
    this.warmupRecorder = new StatsRecorder(o.numWarmup, target.dim, o.saveWarmup);
    this.sampleRecorder = new StatsRecorder(Math.ceil(o.numSamples / o.thinning), target.dim, true);
  }

  private makeTransition(): (key: Key, state: HmcState) => { state: HmcState; info: HmcInfo } {
    const o = this.options;
    const adapter = this.adapter;
    if (o.kernel === "hmc") {
      const hmc = hmcKernel(this.target);
      return (key, state) =>
        hmc.step(key, state, {
          stepSize: adapter.stepSize,
          metric: adapter.metric,
          trajectoryLength: o.trajectoryLength,
          maxDeltaEnergy: o.maxDeltaEnergy,
        });
    }
    const nuts = nutsKernel(this.target);
    return (key, state) =>
      nuts.step(key, state, {
        stepSize: adapter.stepSize,
        metric: adapter.metric,
        maxTreeDepth: o.maxTreeDepth,
        maxDeltaEnergy: o.maxDeltaEnergy,
      });
  }

  /** Whether every iteration has run. */
  get done(): boolean {
    return this.completed >= this.numIterations;
  }

  /** Iterations completed. */
  get iteration(): number {
    return this.completed;
  }

  /** The phase of the next iteration. */
  get phase(): "warmup" | "sampling" {
    return this.completed < this.options.numWarmup ? "warmup" : "sampling";
  }

  /** Runs one iteration (warmup or sampling). */
  step(): void {
    if (this.done) throw new RangeError("ChainRun.step: the chain has finished; call result()");
    const i = this.completed;
    const phase = this.phase;
    const iterationKey = foldIn(this.iterationKey, i);
    if (this.hooks.beforeTransition?.(foldIn(iterationKey, GIBBS_STREAM), this.state.position)) {
      const gradient = new Float64Array(this.target.dim);
      const potentialEnergy = this.target.valueAndGrad(this.state.position, gradient);
      this.state = { position: this.state.position, potentialEnergy, gradient };
    }
    const { state, info } = this.transition(iterationKey, this.state);
    this.state = state;
    if (phase === "warmup") {
      this.adapter.update(i, state, info.acceptProb);
      this.warmupRecorder.record(state, info);
      if (info.diverging) this.warmupDivergences++;
      if (i === this.options.numWarmup - 1) this.warmupFinalState = state;
    } else {
      if (info.diverging) this.sampleDivergences++;
      if ((i - this.options.numWarmup) % this.options.thinning === 0) {
        this.sampleRecorder.record(state, info);
      }
    }
    this.completed++;
    this.hooks.onProgress?.({
      phase,
      iteration: this.completed,
      numIterations: this.numIterations,
      stepSize: info.stepSize,
      numDivergences: phase === "warmup" ? this.warmupDivergences : this.sampleDivergences,
    });
  }

  /** Everything so far; `aborted` is true when called before the last iteration. */
  result(): ChainResult {
    const draws = this.sampleRecorder.recordedDraws() ?? new Float64Array(0);
    return {
      dim: this.target.dim,
      numDraws: this.sampleRecorder.length,
      draws,
      stats: this.sampleRecorder.stats(),
      numDivergences: this.sampleDivergences,
      warmup: {
        numIterations: Math.min(this.completed, this.options.numWarmup),
        stats: this.warmupRecorder.stats(),
        draws: this.warmupRecorder.recordedDraws(),
        schedule: this.adapter.schedule,
        initialStepSize: this.initialStepSize,
        numMetricUpdates: this.adapter.numMetricUpdates,
        numDivergences: this.warmupDivergences,
        finalState: this.warmupFinalState,
      },
      adapted: {
        stepSize: this.adapter.stepSize,
        inverseMassMatrix: Float64Array.from(this.adapter.metric.inverseMassMatrix),
        denseMass: this.options.denseMass,
      },
      lastState: this.state,
      initAttempts: this.initAttempts,
      aborted: !this.done,
    };
  }
}

/**
 * Starts a chain to step by hand (initialization and the first step-size search run now).
 *
 * @example
 * const run = startChain(target, { numWarmup: 200, numSamples: 200 }, PRNGKey(1));
 * while (!run.done) run.step();
 */
export function startChain(
  target: GradientTarget,
  options: ChainOptions,
  key: Key,
  hooks: ChainHooks = {},
): ChainRun {
  return new ChainRun(target, options, key, hooks);
}

/**
 * Runs a chain to the end (or until `hooks.signal` aborts, checked between iterations).
 *
 * @example
 * const result = runChainSync(target, { numWarmup: 500, numSamples: 1000 }, PRNGKey(0));
 * result.draws; // 1000 * dim values
 */
export function runChainSync(
  target: GradientTarget,
  options: ChainOptions,
  key: Key,
  hooks: ChainHooks = {},
): ChainResult {
  const run = startChain(target, options, key, hooks);
  while (!run.done && !hooks.signal?.aborted) run.step();
  return run.result();
}

/**
 * Resolves on a later turn of the event loop: `setImmediate` under Node, `setTimeout` where
 * there is none (browsers and Web Workers).
 *
 * @example
 * await yieldToEventLoop(); // lets timers, messages and AbortSignals through
 */
export const yieldToEventLoop: () => Promise<void> =
  typeof setImmediate === "function"
    ? () => new Promise((resolve) => setImmediate(resolve))
    : () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Runs a chain asynchronously, yielding to the event loop about every `yieldEveryMs` (50 ms)
 * so that `hooks.signal` can abort it; an aborted run resolves with the draws made so far and
 * `aborted: true`.
 *
 * @example
 * const controller = new AbortController();
 * const result = await runChain(target, { numWarmup: 1000, numSamples: 1000 }, PRNGKey(0), {
 *   signal: controller.signal,
 *   onProgress: (p) => console.log(p.phase, p.iteration, p.stepSize),
 * });
 */
export async function runChain(
  target: GradientTarget,
  options: ChainOptions,
  key: Key,
  hooks: ChainHooks = {},
  yieldEveryMs = 50,
): Promise<ChainResult> {
  const run = startChain(target, options, key, hooks);
  let lastYield = performance.now();
  while (!run.done && !hooks.signal?.aborted) {
    run.step();
    if (performance.now() - lastYield >= yieldEveryMs) {
      await yieldToEventLoop();
      lastYield = performance.now();
    }
  }
  return run.result();
}

/**
 * Options that continue a finished chain without new warmup: its last position, adapted step
 * size and inverse mass matrix, `numWarmup: 0`. Use a new key for the continuation.
 *
 * @example
 * const more = runChainSync(target, { ...continuationOptions(first), numSamples: 500 }, PRNGKey(1));
 */
export function continuationOptions(result: ChainResult): {
  numWarmup: 0;
  initialPosition: Float64Array;
  stepSize: number;
  inverseMassMatrix: Float64Array;
  denseMass: boolean;
} {
  return {
    numWarmup: 0,
    initialPosition: Float64Array.from(result.lastState.position),
    stepSize: result.adapted.stepSize,
    inverseMassMatrix: Float64Array.from(result.adapted.inverseMassMatrix),
    denseMass: result.adapted.denseMass,
  };
}
