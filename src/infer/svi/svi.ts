/**
 * `SVI`: stochastic variational inference (Ranganath et al. 2014; Hoffman et al. 2013;
 * Kucukelbir et al. 2017 for the automatic, transformed-space variant). It fits the guide's
 * (and the model's) `param` sites by minimizing an ELBO loss with a pure optimizer.
 *
 * The state is plain data: the flat unconstrained parameters, their layout, the optimizer's
 * slots, the step count and a key. Step t uses split(state.key) for its particles' noise,
 * subsample indices and other randomness, so a run is reproducible from its key.
 */
import { ArgumentError } from "../../errors.js";
import { type Key, split, toKey } from "../../primitives/prng.js";
import type { Model } from "../../primitives/runtime.js";
import type { Draws } from "../draws.js";
import type { FlatLayout } from "../layout.js";
import type { ELBOLoss } from "./elbo.js";
import { compiledLossEngine, type LossEngine, type LossEvaluator } from "./engine.js";
import { buildObjective, type SVIObjective } from "./objective.js";
import type { Optimizer, OptimizerState } from "./optimizers.js";
import { particleLoss } from "./particles.js";

/** SVI's state between steps: plain data, safe to keep, copy or send elsewhere. */
export interface SVIState {
  /** Unconstrained parameter values, laid out by `layout`. */
  readonly params: Float64Array;
  /** Which slice of `params` holds which param site, and its constraint transform. */
  readonly layout: FlatLayout;
  readonly optimizerState: OptimizerState;
  /** Number of updates made. */
  readonly step: number;
  /** The key the next update splits. */
  readonly key: Key;
}

/** One update's result: the new state and the loss at the old parameters. */
export interface SVIUpdate {
  readonly state: SVIState;
  readonly loss: number;
}

/** What `onProgress` receives. */
export interface SVIProgress {
  /** Updates completed. */
  readonly step: number;
  readonly numSteps: number;
  /** Loss of the latest update. */
  readonly loss: number;
  /** Mean loss over the updates since the previous report. */
  readonly runningLoss: number;
}

/** Options of `SVI` that shape its runs. */
export interface SVIOptions {
  /** Evaluates each particle's ELBO and gradient (default: the compiled engine, which falls back to eager tfjs with a warning). */
  engine?: LossEngine;
  /** Called every `progressEvery` updates of `run`, and after the last. */
  onProgress?: (progress: SVIProgress) => void;
  /** Updates between progress reports (default: numSteps / 100, at least 1). */
  progressEvery?: number;
  /** Stops `run` between updates; the result keeps the parameters reached, with `aborted: true`. */
  signal?: AbortSignal;
  /** Skip updates whose loss or new parameters are not finite (NumPyro's `stable_update`). */
  stableUpdate?: boolean;
  /** Start `run` from this state (continuing an earlier run) instead of `init`. */
  initState?: SVIState;
}

/** What `run` returns. */
export interface SVIRunResult {
  /** Constrained parameter values by param site. */
  readonly params: Record<string, Draws>;
  /** The loss of every update made. */
  readonly losses: Float64Array;
  /** The final state, to continue from. */
  readonly state: SVIState;
  /** Whether the signal stopped the run before numSteps updates. */
  readonly aborted: boolean;
}

/** A guide that can hold the parameters of a fit (the autoguides). */
interface ParamsHolder {
  setParams(params: Record<string, Draws>): void;
}

function holdsParams(guide: unknown): guide is ParamsHolder {
  return typeof (guide as Partial<ParamsHolder>).setParams === "function";
}

/**
 * Stochastic variational inference of `model` with `guide`.
 *
 * @example
 * const guide = AutoNormal(model);
 * const svi = new SVI(model, guide, Adam(0.01), TraceELBO());
 * const { params, losses } = svi.run(PRNGKey(0), 2000, data);
 * guide.median(); // constrained posterior medians by latent site
 */
export class SVI<A extends any[]> {
  private readonly engine: LossEngine;
  private cached: { args: A; objective: SVIObjective; evaluator: LossEvaluator } | undefined;

  constructor(
    readonly model: Model<A, unknown>,
    readonly guide: Model<A, unknown>,
    readonly optimizer: Optimizer,
    readonly loss: ELBOLoss,
    readonly options: SVIOptions = {},
  ) {
    this.engine = options.engine ?? compiledLossEngine;
  }

  /**
   * The initial state: param sites initialized by running guide and model once with `key`.
   *
   * @example
   * let state = svi.init(PRNGKey(0), data);
   */
  init(key: Key | number, ...args: A): SVIState {
    const [initKey, runKey] = split(toKey(key, "SVI.init"));
    const { objective } = this.objectiveFor(args, initKey, true);
    const params = objective.initialParams.slice();
    return {
      params,
      layout: objective.layout,
      optimizerState: this.optimizer.init(params),
      step: 0,
      key: runKey,
    };
  }

  /**
   * One optimizer step; returns the new state and the loss at the old parameters.
   *
   * @example
   * const state = svi.init(PRNGKey(0), data);
   * const { state: next, loss } = svi.update(state, data);
   */
  update(state: SVIState, ...args: A): SVIUpdate {
    const { nextKey, stepKey, objective, evaluator } = this.stepInputs(state, args);
    const grad = new Float64Array(state.params.length);
    const loss = particleLoss(objective, evaluator, state.params, stepKey, grad);
    const next = this.optimizer.update(state.step, grad, state.params, state.optimizerState);
    return {
      state: {
        params: next.params,
        layout: state.layout,
        optimizerState: next.state,
        step: state.step + 1,
        key: nextKey,
      },
      loss,
    };
  }

  /**
   * Like `update`, but an update whose loss, gradient or new parameters are not finite leaves
   * the parameters and optimizer state as they were (the key and step still advance).
   *
   * @example
   * const state = svi.init(PRNGKey(0), data);
   * const { state: next, loss } = svi.stableUpdate(state, data); // loss NaN: next keeps the old params
   */
  stableUpdate(state: SVIState, ...args: A): SVIUpdate {
    const { nextKey, stepKey, objective, evaluator } = this.stepInputs(state, args);
    const grad = new Float64Array(state.params.length);
    const loss = particleLoss(objective, evaluator, state.params, stepKey, grad);
    const skipped = { ...state, step: state.step + 1, key: nextKey };
    if (!Number.isFinite(loss) || !grad.every(Number.isFinite)) return { state: skipped, loss };
    const next = this.optimizer.update(state.step, grad, state.params, state.optimizerState);
    if (!next.params.every(Number.isFinite)) return { state: skipped, loss };
    return {
      state: { ...skipped, params: next.params, optimizerState: next.state },
      loss,
    };
  }

  /**
   * The loss at the state's parameters, with the noise the next update would use.
   *
   * @example
   * const state = svi.init(PRNGKey(0), data);
   * svi.evaluate(state, data); // e.g. 42.7
   */
  evaluate(state: SVIState, ...args: A): number {
    const { stepKey, objective, evaluator } = this.stepInputs(state, args);
    return particleLoss(objective, evaluator, state.params, stepKey);
  }

  /**
   * Constrained parameter values by param site.
   *
   * @example
   * const state = svi.init(PRNGKey(0), data);
   * svi.getParams(state).z_auto_loc; // { shape: [], data: Float64Array [...] }
   */
  getParams(state: SVIState): Record<string, Draws> {
    return state.layout.unravel(state.params);
  }

  /**
   * Runs `numSteps` updates from `init(key)` (or from `options.initState`), reporting progress
   * and honouring the abort signal between updates. Autoguides keep the final parameters for
   * `median()`, `quantiles()` and `samplePosterior()`.
   *
   * @example
   * const { params, losses, aborted } = svi.run(PRNGKey(0), 5000, data);
   */
  run(key: Key | number, numSteps: number, ...args: A): SVIRunResult {
    const loop = this.startRun(key, numSteps, args);
    while (!loop.done()) loop.step();
    return loop.finish();
  }

  /**
   * `run`, yielding to the event loop about every `yieldEveryMs` so that an AbortSignal fired
   * by a timer or a user can stop it; the result keeps the parameters reached.
   *
   * @example
   * const controller = new AbortController();
   * const svi = new SVI(model, guide, Adam(0.01), TraceELBO(), { signal: controller.signal });
   * const result = await svi.runAsync(PRNGKey(0), 100000, data); // controller.abort() stops it
   */
  async runAsync(key: Key | number, numSteps: number, ...args: A): Promise<SVIRunResult> {
    const loop = this.startRun(key, numSteps, args);
    let lastYield = performance.now();
    while (!loop.done()) {
      loop.step();
      if (performance.now() - lastYield >= 50) {
        await new Promise<void>((resolve) => setTimeout(resolve, 0));
        lastYield = performance.now();
      }
    }
    return loop.finish();
  }

  /**
   * The objective of these arguments (built once per distinct argument list): the pure
   * function of flat params, noise and subsample indices that engines evaluate per particle
   * (see objective.ts).
   *
   * @example
   * const objective = svi.objective(PRNGKey(0), data);
   * const inputs = objective.particleInputs(PRNGKey(1), 0);
   * const elbo = objective.particleElbo(inputs.residualKey)(
   *   tf.zeros([objective.paramDim]), constant(inputs.noise), constant(inputs.subsample));
   */
  objective(key: Key | number, ...args: A): SVIObjective {
    return this.objectiveFor(args, toKey(key, "SVI.objective")).objective;
  }

  private startRun(key: Key | number, numSteps: number, args: A) {
    if (!Number.isInteger(numSteps) || numSteps < 0) {
      throw new ArgumentError({
        message: `SVI.run: numSteps must be a nonnegative integer, got ${numSteps}`,
        api: "SVI.run",
        argument: "numSteps",
      });
    }
    const { onProgress, signal } = this.options;
    const every = this.options.progressEvery ?? Math.max(1, Math.floor(numSteps / 100));
    let state = this.options.initState ?? this.init(key, ...args);
    const losses = new Float64Array(numSteps);
    let done = 0;
    let windowSum = 0;
    let windowCount = 0;
    const step = this.options.stableUpdate
      ? (s: SVIState) => this.stableUpdate(s, ...args)
      : (s: SVIState) => this.update(s, ...args);
    return {
      done: () => done >= numSteps || signal?.aborted === true,
      step: () => {
        const result = step(state);
        state = result.state;
        losses[done++] = result.loss;
        windowSum += result.loss;
        windowCount++;
        if (onProgress !== undefined && (done % every === 0 || done === numSteps)) {
          onProgress({
            step: done,
            numSteps,
            loss: result.loss,
            runningLoss: windowSum / windowCount,
          });
          windowSum = 0;
          windowCount = 0;
        }
      },
      finish: (): SVIRunResult => {
        const params = this.getParams(state);
        if (holdsParams(this.guide)) this.guide.setParams(params);
        return { params, losses: losses.slice(0, done), state, aborted: done < numSteps };
      },
    };
  }

  private stepInputs(state: SVIState, args: A) {
    const [nextKey, stepKey] = split(state.key);
    const { objective, evaluator } = this.objectiveFor(args, stepKey);
    if (objective.paramDim !== state.params.length) {
      throw new ArgumentError({
        message: `SVI: the state has ${state.params.length} parameters but the guide and model now have ${objective.paramDim}; the state belongs to another model or guide`,
        api: "SVI.update",
        argument: "state",
      });
    }
    return { nextKey, stepKey, objective, evaluator };
  }

  // The objective of `args`, reused while the arguments are the same objects; `fresh` rebuilds
  // it (init does, since the initial parameters depend on the key).
  private objectiveFor(args: A, key: Key, fresh = false) {
    const cached = this.cached;
    if (
      !fresh &&
      cached !== undefined &&
      cached.args.length === args.length &&
      cached.args.every((a, i) => a === args[i])
    ) {
      return cached;
    }
    const objective = buildObjective("SVI", this.model, this.guide, args, this.loss, key);
    this.cached = { args, objective, evaluator: this.engine(objective) };
    return this.cached;
  }
}
