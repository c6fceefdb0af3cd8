/**
 * The chain loop: one MCMC chain of any sampling algorithm (sampling-algorithm.ts) over a
 * `GradientTarget`, with initialization, warmup, thinning, statistics, progress, phase timing,
 * cancellation and continuation, each written once here. The main thread, worker threads and
 * `runChain` all drive a chain through this file, so they give the same draws bit for bit.
 *
 * Randomness: `key` is split into an initialization key, a warmup key and an iteration key;
 * iteration i (warmup and sampling counted together) uses `foldIn(iterationKey, i)`.
 */

import type { GradientTarget } from "../../potential-types.js";
import { foldIn, type Key, split } from "../../primitives/prng.js";
import { type InfoColumns, InfoRecorder } from "./info-columns.js";
import { findInitialState, initialStateAt } from "./initial-state.js";
import type {
  ChainSetup,
  KernelState,
  SamplingAlgorithm,
  WarmupState,
} from "./sampling-algorithm.js";

/** How long a chain runs and what it keeps: plain data, resolved (see defaults.ts). */
export interface ChainPlan {
  /** Warmup (adaptation) iterations; their draws are not kept unless `saveWarmup`. */
  readonly numWarmup: number;
  /** Sampling iterations after warmup. */
  readonly numSamples: number;
  /** Keep every `thinning`-th sampling iteration, starting with the first. */
  readonly thinning: number;
  /** Keep warmup draws too. */
  readonly saveWarmup: boolean;
  /** Start here (which must be finite) instead of at a random point. */
  readonly initialPosition?: Float64Array;
  /** Random initial points: uniform(-radius, radius), up to `maxAttempts` tries. */
  readonly init: { readonly radius: number; readonly maxAttempts: number };
}

/** Where a chain is, for progress reports. */
export interface ChainProgress {
  readonly phase: "warmup" | "sampling";
  /** Iterations completed, warmup and sampling together. */
  readonly iteration: number;
  readonly numIterations: number;
  /** Step size of the iteration just completed, for algorithms that have one. */
  readonly stepSize?: number;
  /** Divergent transitions so far in this phase. */
  readonly numDivergences: number;
}

/** Callbacks of a run (main thread only: functions do not cross to workers). */
export interface ChainHooks {
  /** Called after every iteration. */
  readonly onProgress?: (progress: ChainProgress) => void;
  /** Called with each kept sampling draw's state (compound steps record their other sites). */
  readonly onDraw?: (state: KernelState) => void;
  /** Adds a description of a failing initial point to the error (e.g. per-site log-probs). */
  readonly describeFailure?: (position: Float64Array) => string;
}

/** A position and U there: the part of a kernel state that outlives the chain. */
export interface PositionState {
  readonly position: Float64Array;
  readonly potentialEnergy: number;
}

/** What warmup did. */
export interface WarmupSummary<C extends InfoColumns = InfoColumns> {
  /** Warmup iterations run. */
  readonly numIterations: number;
  /** Whether every planned warmup iteration ran (false after an abort during warmup). */
  readonly complete: boolean;
  readonly stats: C;
  /** Warmup draws when `saveWarmup` was set. */
  readonly draws?: Float64Array;
  readonly numDivergences: number;
  /** The state after the last warmup iteration (the start of sampling); undefined before. */
  readonly finalState?: PositionState;
}

/**
 * What a chain produced; plain data (it crosses from worker threads). `P` is the algorithm's
 * parameters, `R` what its warmup reports, `C` its statistics' columns.
 */
export interface ChainResult<
  P = unknown,
  R extends object = object,
  C extends InfoColumns = InfoColumns,
> {
  readonly dim: number;
  /** Kept sampling draws. */
  readonly numDraws: number;
  /** Kept draws, row-major: draw d is draws.subarray(d * dim, (d + 1) * dim). */
  readonly draws: Float64Array;
  /** Statistics of the kept draws, aligned with `draws`. */
  readonly stats: C;
  /** Divergent transitions after warmup, thinned-out iterations included. */
  readonly numDivergences: number;
  /** What warmup did, with what the warmup reports about itself (its `report`). */
  readonly warmup: WarmupSummary<C> & R;
  /**
   * The parameters sampling used (the adapted ones); for a run aborted during warmup, those
   * warmup had reached (see `warmup.complete`).
   */
  readonly adapted: P;
  /** The chain's last state: continue from here with `adapted` and no warmup. */
  readonly lastState: PositionState;
  /** Random initial points tried (1 for a given initial position). */
  readonly initAttempts: number;
  /** True when the run stopped before its last iteration. */
  readonly aborted: boolean;
  /** Seconds of initialization and warmup, and of sampling. */
  readonly warmupSeconds: number;
  readonly samplingSeconds: number;
  /** Seconds of initialization alone (the initial point, and Pathfinder where it initializes). */
  readonly initSeconds: number;
  /**
   * When the first iteration began (initialization done), in milliseconds since the epoch
   * (`performance.timeOrigin + performance.now()`, comparable across threads).
   */
  readonly firstIterationAt: number;
}

/**
 * A chain stepped one iteration at a time.
 *
 * @example
 * const plan = { numWarmup: 500, numSamples: 500, thinning: 1, saveWarmup: false,
 *   init: { radius: 2, maxAttempts: 100 } };
 * const run = new ChainRun(target, plan, new NUTS(model).chainSetup(target, plan), PRNGKey(0));
 * while (!run.done) run.step();
 * const { draws, stats } = run.result();
 */
export class ChainRun<P = unknown, R extends object = object, C extends InfoColumns = InfoColumns> {
  readonly numIterations: number;
  private readonly iterationKey: Key;
  private readonly initAttempts: number;
  private readonly warmupRecorder: InfoRecorder<unknown>;
  private readonly sampleRecorder: InfoRecorder<unknown>;
  private readonly startedAt = performance.now();
  private warmupEndedAt: number | undefined;
  private lastStepEndedAt: number;
  private readonly initEndedAt: number;
  private state: KernelState;
  private warmupState: WarmupState<P> | undefined;
  /** Parameters of sampling, once warmup has ended (or from the start without warmup). */
  private samplingParameters: P | undefined;
  private builtFor: P;
  private algorithm: SamplingAlgorithm<KernelState, unknown>;
  private warmupFinalState: PositionState | undefined;
  private completed = 0;
  private warmupDivergences = 0;
  private sampleDivergences = 0;

  constructor(
    private readonly target: GradientTarget,
    private readonly plan: ChainPlan,
    private readonly setup: ChainSetup<P, any, any, any>,
    key: Key,
    private readonly hooks: ChainHooks = {},
  ) {
    this.numIterations = plan.numWarmup + plan.numSamples;
    const [initKey, warmupKey, iterationKey] = split(key, 3);
    this.iterationKey = iterationKey;
    const start = plan.initialPosition
      ? initialStateAt(target, plan.initialPosition, hooks.describeFailure)
      : findInitialState(target, initKey, { ...plan.init, describeFailure: hooks.describeFailure });
    this.initAttempts = start.attempts;
    this.builtFor = setup.parameters;
    this.algorithm = setup.algorithm(setup.parameters);
    const kernelKey = foldIn(initKey, -1);
    this.state = this.algorithm.init(start.position, target, kernelKey);
    const warmup = setup.warmup;
    if (warmup === undefined) {
      this.samplingParameters = setup.parameters;
    } else {
      const warmupState = warmup.init(this.state, setup.parameters, warmupKey);
      this.warmupState = warmupState;
      const moved = warmupState.start;
      if (moved !== undefined) this.state = this.algorithm.init(moved, target, kernelKey);
      if (plan.numWarmup === 0) this.samplingParameters = warmup.final(warmupState);
    }
    const fields = this.algorithm.infoFields;
    this.warmupRecorder = new InfoRecorder(fields, plan.numWarmup, target.dim, plan.saveWarmup);
    const kept = Math.ceil(plan.numSamples / plan.thinning);
    this.sampleRecorder = new InfoRecorder(fields, kept, target.dim, true);
    this.lastStepEndedAt = performance.now();
    this.initEndedAt = this.lastStepEndedAt;
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
    return this.completed < this.plan.numWarmup ? "warmup" : "sampling";
  }

  /** Runs one iteration (warmup or sampling). */
  step(): void {
    if (this.done) throw new RangeError("ChainRun.step: the chain has finished; call result()");
    const i = this.completed;
    const phase = this.phase;
    const warmup = phase === "warmup" ? this.setup.warmup : undefined;
    // Without a warmup record, warmup iterations run at the given parameters.
    const parameters = (
      warmup === undefined ? this.samplingParameters : this.warmupState?.parameters
    ) as P;
    if (parameters !== this.builtFor) {
      this.algorithm = this.setup.algorithm(parameters);
      this.builtFor = parameters;
    }
    const { state, info } = this.algorithm.step(this.state, foldIn(this.iterationKey, i));
    this.state = state;
    const diverging = (info as { diverging?: unknown }).diverging === true;
    if (warmup !== undefined) {
      this.warmupState = warmup.update(this.warmupState, i, state, info);
      this.warmupRecorder.record(state, info);
      if (diverging) this.warmupDivergences++;
      if (i === this.plan.numWarmup - 1) {
        this.warmupFinalState = positionState(state);
        this.samplingParameters = warmup.final(this.warmupState);
        this.warmupEndedAt = performance.now();
      }
    } else {
      if (diverging) this.sampleDivergences++;
      if ((i - this.plan.numWarmup) % this.plan.thinning === 0) {
        this.sampleRecorder.record(state, info);
        this.hooks.onDraw?.(state);
      }
    }
    this.completed++;
    this.lastStepEndedAt = performance.now();
    const stepSize = (info as { stepSize?: unknown }).stepSize;
    this.hooks.onProgress?.({
      phase,
      iteration: this.completed,
      numIterations: this.numIterations,
      stepSize: typeof stepSize === "number" ? stepSize : undefined,
      numDivergences: phase === "warmup" ? this.warmupDivergences : this.sampleDivergences,
    });
  }

  /**
   * Runs iterations until the chain is done, `signal` is aborted, or `milliseconds` have
   * passed (checked after each iteration); returns whether it stopped for good. The only loop
   * over iterations: `driveChain` and `runChainSync` call it.
   */
  advance(milliseconds: number, signal?: AbortSignal): boolean {
    const until = performance.now() + milliseconds;
    while (!this.done && !signal?.aborted) {
      this.step();
      // step() has just read the clock.
      if (this.lastStepEndedAt >= until) return this.done || signal?.aborted === true;
    }
    return true;
  }

  /** Everything so far; `aborted` is true when called before the last iteration. */
  result(): ChainResult<P, R, C> {
    const { numWarmup } = this.plan;
    const warmupIterations = Math.min(this.completed, numWarmup);
    const warmupEnd =
      numWarmup === 0 ? this.startedAt : (this.warmupEndedAt ?? this.lastStepEndedAt);
    const report =
      this.warmupState === undefined ? {} : (this.setup.warmup?.report?.(this.warmupState) ?? {});
    return {
      dim: this.target.dim,
      numDraws: this.sampleRecorder.length,
      draws: this.sampleRecorder.recordedDraws() ?? new Float64Array(0),
      stats: this.sampleRecorder.stats() as C,
      numDivergences: this.sampleDivergences,
      warmup: {
        ...(report as R),
        numIterations: warmupIterations,
        complete: warmupIterations === numWarmup,
        stats: this.warmupRecorder.stats() as C,
        draws: this.warmupRecorder.recordedDraws(),
        numDivergences: this.warmupDivergences,
        finalState: this.warmupFinalState,
      },
      adapted: (this.samplingParameters ?? this.warmupState?.parameters) as P,
      lastState: positionState(this.state),
      initAttempts: this.initAttempts,
      aborted: !this.done,
      warmupSeconds: (warmupEnd - this.startedAt) / 1000,
      samplingSeconds: (this.lastStepEndedAt - warmupEnd) / 1000,
      initSeconds: (this.initEndedAt - this.startedAt) / 1000,
      firstIterationAt: performance.timeOrigin + this.initEndedAt,
    };
  }
}

/**
 * The position and U of a state, the position copied: kernels may hand out positions that are
 * views into larger buffers (see ArrayArena in src/infer/nuts/kernel.ts), which a result that
 * crosses threads should not drag along.
 */
function positionState(state: KernelState): PositionState {
  return { position: state.position.slice(), potentialEnergy: state.potentialEnergy };
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
 * Runs a chain to its end asynchronously, yielding to the event loop about every
 * `yieldEveryMs` (50 ms) so that `signal` can stop it between iterations; an aborted chain
 * resolves with the draws made so far and `aborted: true`.
 *
 * @example
 * const setup = new NUTS(model).chainSetup(target, plan);
 * const controller = new AbortController();
 * const result = await driveChain(new ChainRun(target, plan, setup, PRNGKey(0)), controller.signal);
 */
export async function driveChain<P, R extends object, C extends InfoColumns>(
  run: ChainRun<P, R, C>,
  signal?: AbortSignal,
  yieldEveryMs = 50,
): Promise<ChainResult<P, R, C>> {
  while (!run.advance(yieldEveryMs, signal)) await yieldToEventLoop();
  return run.result();
}
