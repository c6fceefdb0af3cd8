/**
 * One NUTS or HMC chain over a `GradientTarget`, without a model: the options of a chain
 * decoded once (Effect Schema, defaults from src/infer/mcmc/defaults.ts) into a chain plan and
 * the HMC family's chain set-up, then run by the generic chain loop (src/infer/mcmc/chain.ts).
 *
 * Three ways to drive it, all giving the same draws bit for bit for the same key:
 * - `startChain` returns a `ChainRun` to step by hand (`run.step()` until `run.done`, then
 *   `run.result()`), for callers that schedule work themselves;
 * - `runChainSync` runs to the end;
 * - `runChain` runs asynchronously, yielding to the event loop about every 50 ms so that an
 *   `AbortSignal` can stop it between iterations; draws made so far are kept.
 */
import { Schema } from "effect";
import { ArgumentError } from "../../errors.js";
import type { GradientTarget } from "../../potential-types.js";
import type { Key } from "../../primitives/prng.js";
import { decodeOptions, integerAtLeast } from "../../util/options.js";
import {
  type ChainHooks,
  type ChainPlan,
  type ChainResult,
  ChainRun,
  driveChain,
} from "../mcmc/chain.js";
import { hmcDefaults, mcmcDefaults, pathfinderDefaults } from "../mcmc/defaults.js";
import type { WorkerChainJob } from "../mcmc/worker-pool.js";
import type { PathfinderInitReport } from "../pathfinder/pathfinder-init.js";
import type { FisherAdaptationReport } from "./fisher-warmup.js";
import type { HmcInfoColumns, HmcParameters } from "./kernel.js";
import type { LowRankCorrection } from "./low-rank-metric.js";
import {
  type Adaptation,
  type AdaptationChoice,
  chainSetup,
  checkAdaptation,
  type HmcSettings,
  hmcOptionFields,
  hmcSamplerModule,
  positiveNumber,
  resolveAdaptation,
} from "./sampler.js";
import type { WindowAdaptationReport } from "./warmup.js";

/** Options of `runChain` and friends. */
export interface ChainOptions {
  /** Warmup (adaptation) iterations; their draws are not kept unless `saveWarmup`. */
  readonly numWarmup: number;
  /** Sampling iterations after warmup. */
  readonly numSamples: number;
  /** Keep every `thinning`-th sampling iteration, starting with the first (default 1). */
  readonly thinning?: number;
  /** "NUTS" (default) or "HMC" (static trajectory of `trajectoryLength`). */
  readonly algorithm?: "NUTS" | "HMC";
  /** Integration time of static HMC (default 2 pi, as NumPyro). */
  readonly trajectoryLength?: number;
  /** Target of step-size adaptation (default 0.8). */
  readonly targetAcceptProb?: number;
  /** Largest NUTS tree depth (default 10). */
  readonly maxTreeDepth?: number;
  /** Energy error that counts as a divergence (default 1000). */
  readonly maxDeltaEnergy?: number;
  /** Adapt a dense rather than diagonal inverse mass matrix (default false). */
  readonly denseMass?: boolean;
  /** Adapt the step size during warmup (default true). */
  readonly adaptStepSize?: boolean;
  /** Adapt the inverse mass matrix during warmup (default true). */
  readonly adaptMassMatrix?: boolean;
  /**
   * How warmup adapts the metric: "windowed" (Stan's), "fisher-diag", "low-rank", or "auto"
   * (default: low-rank up to 100 dimensions, fisher-diag above, windowed with `denseMass`).
   */
  readonly adaptation?: AdaptationChoice;
  /** The low-rank estimator's regularization and eigenvalue cutoff (1e-5, 2). */
  readonly lowRank?: {
    readonly gamma?: number;
    readonly eigvalCutoff?: number;
    readonly varianceFloor?: number;
  };
  /**
   * "pathfinder" (default): run a Pathfinder path from the initial point first, start warmup at
   * its approximation with its covariance as the first metric; "uniform": start at the point.
   */
  readonly initStrategy?: "uniform" | "pathfinder";
  /** Start here instead of a random uniform(-2, 2) point. */
  readonly initialPosition?: Float64Array;
  /** Initial step size (default 1; searched from when adapting). */
  readonly stepSize?: number;
  /** Initial inverse mass matrix: `dim` entries, or dim * dim row-major when `denseMass`. */
  readonly inverseMassMatrix?: Float64Array;
  /** A low-rank correction of the initial diagonal metric (a continued low-rank chain). */
  readonly lowRankCorrection?: LowRankCorrection;
  /** Keep warmup draws too (default false). */
  readonly saveWarmup?: boolean;
  /** Random initialization: half-width of the uniform box (2) and points to try (100). */
  readonly init?: { readonly radius?: number; readonly maxAttempts?: number };
  /** t0, kappa, gamma of dual averaging (10, 0.75, 0.05). */
  readonly dualAveraging?: {
    readonly t0?: number;
    readonly kappa?: number;
    readonly gamma?: number;
  };
  /** Window sizes of metric adaptation (75 / 25 / 50). */
  readonly schedule?: {
    readonly initBuffer?: number;
    readonly termBuffer?: number;
    readonly baseWindow?: number;
  };
}

/** Hooks of a chain run by `runChain`: progress and the signal that stops it. */
export interface RunChainHooks extends ChainHooks {
  /** Stops the run between iterations; the result keeps every draw made so far. */
  readonly signal?: AbortSignal;
}

/**
 * What the warmup of a NUTS or HMC chain reports: what every adaptation reports
 * (`WindowAdaptationReport`, `FisherAdaptationReport`), the Fisher adaptations' window switches
 * and low-rank rank, and what Pathfinder did when it initialized the chain.
 */
export type HmcWarmupReport = Omit<WindowAdaptationReport, "adaptation"> &
  Partial<Pick<FisherAdaptationReport, "numSwitches" | "rank">> & {
    readonly adaptation: Adaptation;
    readonly pathfinder?: PathfinderInitReport;
  };

/** What a NUTS or HMC chain produced. */
export type NutsChainResult = ChainResult<HmcParameters, HmcWarmupReport, HmcInfoColumns>;

const nonNegative = Schema.Number.pipe(
  Schema.filter((n) => n >= 0 && Number.isFinite(n), {
    message: (i) => `must be non-negative and finite, got ${String(i.actual)}`,
  }),
);
const float64Array = Schema.instanceOf(Float64Array);
const { dualAveraging, schedule } = hmcDefaults;

const ChainOptionsSchema = Schema.Struct({
  numWarmup: integerAtLeast(0),
  numSamples: integerAtLeast(0),
  thinning: Schema.optionalWith(integerAtLeast(1), { default: () => mcmcDefaults.thinning }),
  algorithm: Schema.optionalWith(Schema.Literal("NUTS", "HMC"), { default: () => "NUTS" }),
  ...hmcOptionFields,
  initialPosition: Schema.optional(float64Array),
  inverseMassMatrix: Schema.optional(float64Array),
  lowRankCorrection: Schema.optional(
    Schema.Struct({ vectors: float64Array, values: float64Array }),
  ),
  initStrategy: Schema.optionalWith(Schema.Literal("uniform", "pathfinder"), {
    default: () => hmcDefaults.initStrategy as "uniform" | "pathfinder",
  }),
  saveWarmup: Schema.optionalWith(Schema.Boolean, { default: () => mcmcDefaults.saveWarmup }),
  init: Schema.optionalWith(
    Schema.Struct({
      radius: Schema.optionalWith(nonNegative, { default: () => mcmcDefaults.initRadius }),
      maxAttempts: Schema.optionalWith(integerAtLeast(1), {
        default: () => mcmcDefaults.initAttempts,
      }),
    }),
    {
      default: () => ({ radius: mcmcDefaults.initRadius, maxAttempts: mcmcDefaults.initAttempts }),
    },
  ),
  dualAveraging: Schema.optionalWith(
    Schema.Struct({
      t0: Schema.optionalWith(nonNegative, { default: () => dualAveraging.t0 }),
      kappa: Schema.optionalWith(positiveNumber, { default: () => dualAveraging.kappa }),
      gamma: Schema.optionalWith(positiveNumber, { default: () => dualAveraging.gamma }),
    }),
    { default: () => dualAveraging },
  ),
  schedule: Schema.optionalWith(
    Schema.Struct({
      initBuffer: Schema.optionalWith(integerAtLeast(0), { default: () => schedule.initBuffer }),
      termBuffer: Schema.optionalWith(integerAtLeast(0), { default: () => schedule.termBuffer }),
      baseWindow: Schema.optionalWith(integerAtLeast(0), { default: () => schedule.baseWindow }),
    }),
    { default: () => schedule },
  ),
});

function requireTarget(api: string, target: GradientTarget): void {
  if (
    target == null ||
    !(Number.isInteger(target.dim) && target.dim >= 1) ||
    typeof target.valueAndGrad !== "function"
  ) {
    throw new ArgumentError({
      message: `${api}: target must be a GradientTarget { dim (a positive integer), valueAndGrad(q, grad) }`,
      api,
      argument: "target",
    });
  }
}

function lengthError(api: string, option: string, rule: string, got: Float64Array): ArgumentError {
  return new ArgumentError({
    message: `${api}: option "${option}" must be a Float64Array of ${rule}, got ${got.length} entries`,
    api,
    argument: option,
  });
}

/**
 * Decodes the options of a chain over `target` into its plan and the HMC family's settings:
 * the one place where they are checked and filled.
 */
function decodeChainOptions(
  api: string,
  target: GradientTarget,
  options: ChainOptions,
): { plan: ChainPlan; settings: HmcSettings } {
  requireTarget(api, target);
  const o = decodeOptions(api, ChainOptionsSchema, options);
  const dim = target.dim;
  if (o.initialPosition !== undefined && o.initialPosition.length !== dim) {
    throw lengthError(
      api,
      "initialPosition",
      `length ${dim} (the target's dim)`,
      o.initialPosition,
    );
  }
  const entries = o.denseMass ? dim * dim : dim;
  if (o.inverseMassMatrix !== undefined && o.inverseMassMatrix.length !== entries) {
    const rule = `${entries} entries (${o.denseMass ? "dense: dim * dim" : "diagonal: dim"})`;
    throw lengthError(api, "inverseMassMatrix", rule, o.inverseMassMatrix);
  }
  const adaptation = resolveAdaptation(o.adaptation, o.denseMass, dim);
  checkAdaptation(api, adaptation, o.denseMass);
  if (o.lowRankCorrection !== undefined && (o.denseMass || o.inverseMassMatrix === undefined)) {
    throw new ArgumentError({
      message: `${api}: option "lowRankCorrection" corrects a diagonal inverseMassMatrix: give inverseMassMatrix (dim entries) with denseMass false`,
      api,
      argument: "lowRankCorrection",
    });
  }
  const {
    numWarmup,
    numSamples,
    thinning,
    saveWarmup,
    initialPosition,
    init,
    initStrategy,
    ...settings
  } = o;
  return {
    plan: { numWarmup, numSamples, thinning, saveWarmup, initialPosition, init },
    settings: {
      ...settings,
      adaptation,
      fisherSchedule: hmcDefaults.fisherSchedule,
      pathfinderInit:
        initStrategy === "pathfinder"
          ? {
              lbfgs: { ...pathfinderDefaults.lbfgs, stall: pathfinderDefaults.initLbfgsStall },
              numElboDraws: pathfinderDefaults.initNumElboDraws,
              elboPlateau: pathfinderDefaults.initElboPlateau,
              elboStride: pathfinderDefaults.initElboStride,
            }
          : undefined,
    },
  };
}

/**
 * A NUTS or HMC chain over `target` as a worker thread runs it (see `ChainWorkerPool`), with
 * the options decoded as `runChain` decodes them.
 *
 * @example
 * const chain = await pool.run({ artifact: target.artifact!, key, ...chainJob(target, options) });
 */
export function chainJob(
  target: GradientTarget,
  options: ChainOptions,
): Pick<WorkerChainJob, "module" | "settings" | "plan"> {
  const { plan, settings } = decodeChainOptions("runChain", target, options);
  return { module: hmcSamplerModule, settings, plan };
}

/**
 * Starts a chain to step by hand (initialization and the first step-size search run now).
 *
 * @example
 * const run = startChain(target, { numWarmup: 200, numSamples: 200 }, PRNGKey(1));
 * while (!run.done) run.step();
 * const { draws, stats } = run.result();
 */
export function startChain(
  target: GradientTarget,
  options: ChainOptions,
  key: Key,
  hooks: ChainHooks = {},
): ChainRun<HmcParameters, HmcWarmupReport, HmcInfoColumns> {
  const { plan, settings } = decodeChainOptions("runChain", target, options);
  return new ChainRun(target, plan, chainSetup(settings, target, plan), key, hooks);
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
  hooks: RunChainHooks = {},
): NutsChainResult {
  const run = startChain(target, options, key, hooks);
  run.advance(Number.POSITIVE_INFINITY, hooks.signal);
  return run.result();
}

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
export function runChain(
  target: GradientTarget,
  options: ChainOptions,
  key: Key,
  hooks: RunChainHooks = {},
  yieldEveryMs = 50,
): Promise<NutsChainResult> {
  return driveChain(startChain(target, options, key, hooks), hooks.signal, yieldEveryMs);
}

/**
 * Options that continue a finished chain without new warmup: its last position, adapted step
 * size and inverse mass matrix, `numWarmup: 0`. Use a new key for the continuation. A chain
 * stopped during warmup has nothing adapted to continue from: that is an error.
 *
 * @example
 * const first = runChainSync(target, { numWarmup: 200, numSamples: 200 }, PRNGKey(0));
 * const more = runChainSync(target, { ...continuationOptions(first), numSamples: 500 }, PRNGKey(1));
 */
export function continuationOptions(result: ChainResult<HmcParameters>): {
  numWarmup: 0;
  initialPosition: Float64Array;
  stepSize: number;
  inverseMassMatrix: Float64Array;
  denseMass: boolean;
  lowRankCorrection?: LowRankCorrection;
} {
  if (!result.warmup.complete) {
    throw new ArgumentError({
      message: `continuationOptions: the chain was stopped during warmup (after ${result.warmup.numIterations} iterations), so its step size and metric are not adapted; run warmup again`,
      api: "continuationOptions",
      argument: "result",
    });
  }
  return {
    numWarmup: 0,
    initialPosition: Float64Array.from(result.lastState.position),
    stepSize: result.adapted.stepSize,
    inverseMassMatrix: Float64Array.from(result.adapted.inverseMassMatrix),
    denseMass: result.adapted.denseMass,
    ...(result.adapted.lowRankCorrection === undefined
      ? {}
      : { lowRankCorrection: result.adapted.lowRankCorrection }),
  };
}
