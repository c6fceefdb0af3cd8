/**
 * `NUTS` and `HMC`: the sampler descriptions `MCMC` runs, with their options decoded once by
 * Effect Schema against the table of defaults (src/infer/mcmc/defaults.ts), and the chain
 * set-up they share (the algorithm, its initial parameters and the warmup record of the chosen
 * adaptation: low-rank or fisher-diag (fisher-warmup.ts) or Stan's windowed (warmup.ts), behind
 * a Pathfinder start by default), which worker threads import from this module by its URL.
 */
import { Schema } from "effect";
import { ArgumentError } from "../../errors.js";
import type { EngineName, GradientTarget } from "../../potential-types.js";
import type { Model } from "../../primitives/runtime.js";
import { decodeOptions, integerAtLeast, numberBetween } from "../../util/options.js";
import type { ChainPlan } from "../mcmc/chain.js";
import { hmcDefaults, pathfinderDefaults } from "../mcmc/defaults.js";
import { type InitStrategy, initToPathfinder, initToUniform } from "../mcmc/init-strategies.js";
import type { McmcSampler, SamplerMetadata } from "../mcmc/sampler.js";
import type { ChainSetup, Warmup, WarmupState } from "../mcmc/sampling-algorithm.js";
import { type PathfinderInitSettings, withPathfinderInit } from "../pathfinder/pathfinder-init.js";
import type { LowRankSettings } from "./fisher-metric.js";
import { type FisherSchedule, fisherAdaptation } from "./fisher-warmup.js";
import {
  type HmcInfo,
  type HmcParameters,
  type HmcState,
  hmcAlgorithm,
  nutsAlgorithm,
} from "./kernel.js";
import { type LowRankCorrection, lowRankInverseMassDense } from "./low-rank-metric.js";
import { identityInverseMass } from "./metric.js";
import { type WindowAdaptationSettings, windowAdaptation } from "./warmup.js";

/** A positive finite number, whose error says so. */
export const positiveNumber = Schema.Number.pipe(
  Schema.filter((n) => n > 0 && Number.isFinite(n), {
    message: (i) => `must be positive and finite, got ${String(i.actual)}`,
  }),
);

/** A tree depth: an integer in [1, 30] (the statistics store it in a byte). */
export const treeDepth = integerAtLeast(1).pipe(
  Schema.filter((n) => n <= 30, { message: (i) => `must be at most 30, got ${String(i.actual)}` }),
);

function withDefault<A, I>(schema: Schema.Schema<A, I, never>, value: A) {
  return Schema.optionalWith(schema, { default: () => value });
}

/** How warmup adapts the metric (see mcmc/defaults.ts). */
export type Adaptation = "windowed" | "fisher-diag" | "low-rank";

/** An adaptation as asked for: one of them, or "auto" (chosen by the target's dimension). */
export type AdaptationChoice = Adaptation | "auto";

/** The options of the low-rank estimator. */
export const lowRankOptionSchema = Schema.Struct({
  gamma: withDefault(positiveNumber, hmcDefaults.lowRank.gamma),
  eigvalCutoff: withDefault(
    Schema.Number.pipe(
      Schema.filter((n) => n > 1 && Number.isFinite(n), {
        message: (i) => `must be finite and greater than 1, got ${String(i.actual)}`,
      }),
    ),
    hmcDefaults.lowRank.eigvalCutoff,
  ),
  varianceFloor: withDefault(
    Schema.Number.pipe(
      Schema.filter((n) => n >= 0 && Number.isFinite(n), {
        message: (i) => `must be finite and at least 0, got ${String(i.actual)}`,
      }),
    ),
    hmcDefaults.lowRank.varianceFloor,
  ),
});

/** The URL of this module, whose `chainSetup` worker threads import. */
export const hmcSamplerModule: string = import.meta.url;

/** The options of the HMC family, each with its default from the table. */
export const hmcOptionFields = {
  targetAcceptProb: withDefault(numberBetween(0, 1), hmcDefaults.targetAcceptProb),
  maxTreeDepth: withDefault(treeDepth, hmcDefaults.maxTreeDepth),
  trajectoryLength: withDefault(positiveNumber, hmcDefaults.trajectoryLength),
  maxDeltaEnergy: withDefault(positiveNumber, hmcDefaults.maxDeltaEnergy),
  denseMass: withDefault(Schema.Boolean, hmcDefaults.denseMass),
  stepSize: withDefault(positiveNumber, hmcDefaults.stepSize),
  adaptStepSize: withDefault(Schema.Boolean, hmcDefaults.adaptStepSize),
  adaptMassMatrix: withDefault(Schema.Boolean, hmcDefaults.adaptMassMatrix),
  adaptation: withDefault(
    Schema.Literal("auto", "windowed", "fisher-diag", "low-rank"),
    hmcDefaults.adaptation as AdaptationChoice,
  ),
  lowRank: withDefault(lowRankOptionSchema, hmcDefaults.lowRank),
};

const samplerFields = {
  engine: Schema.optional(Schema.Literal("eager", "compiled")),
  initStrategy: Schema.optional(Schema.Any),
};
// Each sampler accepts only its own options: NUTS has no trajectory length, HMC no tree depth.
const { trajectoryLength, maxTreeDepth, ...sharedFields } = hmcOptionFields;
const NutsOptionsSchema = Schema.Struct({ ...sharedFields, maxTreeDepth, ...samplerFields });
const HmcOptionsSchema = Schema.Struct({ ...sharedFields, trajectoryLength, ...samplerFields });

/** Options shared by NUTS and HMC. */
export interface HmcFamilyOptions {
  /** Target acceptance statistic of step-size adaptation (default 0.8). */
  targetAcceptProb?: number;
  /** Adapt a dense inverse mass matrix instead of a diagonal one (default false). */
  denseMass?: boolean;
  /** Initial step size (default 1; adapted unless `adaptStepSize: false`). */
  stepSize?: number;
  adaptStepSize?: boolean;
  adaptMassMatrix?: boolean;
  /**
   * How warmup adapts the metric: "windowed" (Stan's windowed variance estimate), "fisher-diag"
   * (a diagonal metric from the variances of draws and gradients, updated continuously) or
   * "low-rank" (diagonal plus a low-rank correction from draws and gradients), or "auto" (the
   * default): low-rank up to 100 dimensions, fisher-diag above, windowed with `denseMass`. See
   * the guide's section on metric adaptation for why.
   */
  adaptation?: AdaptationChoice;
  /**
   * The low-rank estimator: regularization `gamma` (default 1e-5; larger regularizes more),
   * `eigvalCutoff` (default 2: eigenvalues in [1/2, 2] are left out of the correction) and
   * `varianceFloor` (default 0.5: the metric's variance in any direction is at least that
   * fraction of the draws' variance there; 0 for the Fisher-divergence estimate alone, as
   * nutpie).
   */
  lowRank?: { gamma?: number; eigvalCutoff?: number; varianceFloor?: number };
  /** Energy error that counts as a divergence (default 1000). */
  maxDeltaEnergy?: number;
  /**
   * Where chains start (default `initToPathfinder()`, the same as `"pathfinder"`: a Pathfinder
   * path from a random point for each chain, which starts there with the approximation's
   * covariance as the first inverse mass matrix); `initToUniform()` starts at the random point.
   */
  initStrategy?: InitStrategy | "pathfinder";
  /** Which engine computes gradients (default: the compiled one when the model compiles). */
  engine?: EngineName;
}

/** @deprecated The former name of `HmcFamilyOptions` ("kernel" now names transition kernels only). */
export type KernelOptions = HmcFamilyOptions;

/** Options of NUTS. */
export interface NutsOptions extends HmcFamilyOptions {
  /** Largest tree depth (default 10): at most 2^maxTreeDepth - 1 leapfrog steps per draw. */
  maxTreeDepth?: number;
}

/** Options of HMC. */
export interface HmcOptions extends HmcFamilyOptions {
  /** Integration time per draw (default 2 pi). */
  trajectoryLength?: number;
}

/**
 * The resolved settings of NUTS or HMC: plain data, what worker threads receive. `algorithm`
 * picks the transition of this family; other samplers are other modules.
 */
export interface HmcSettings {
  readonly algorithm: "NUTS" | "HMC";
  readonly targetAcceptProb: number;
  readonly maxTreeDepth: number;
  readonly trajectoryLength: number;
  readonly maxDeltaEnergy: number;
  readonly denseMass: boolean;
  readonly stepSize: number;
  readonly adaptStepSize: boolean;
  readonly adaptMassMatrix: boolean;
  /** Initial inverse mass matrix (default the identity). */
  readonly inverseMassMatrix?: Float64Array;
  /** A low-rank correction of the initial (diagonal) inverse mass matrix. */
  readonly lowRankCorrection?: LowRankCorrection;
  readonly dualAveraging: WindowAdaptationSettings["dualAveraging"];
  readonly schedule: WindowAdaptationSettings["schedule"];
  /** As asked for; each chain resolves "auto" by its target's dimension (`resolveAdaptation`). */
  readonly adaptation: AdaptationChoice;
  readonly lowRank: LowRankSettings;
  readonly fisherSchedule: FisherSchedule;
  /** Run a Pathfinder path at the start of each chain's warmup (initStrategy "pathfinder"). */
  readonly pathfinderInit?: PathfinderInitSettings;
}

/** A chain of NUTS or HMC as the chain loop runs it. */
export type HmcChainSetup = ChainSetup<
  HmcParameters,
  HmcState,
  HmcInfo,
  WarmupState<HmcParameters>
>;

/** The warmup record of the settings' adaptation, wrapped by Pathfinder when asked. */
function hmcWarmup(
  settings: HmcSettings,
  adaptation: Adaptation,
  plan: ChainPlan,
): Warmup<HmcParameters, HmcState, HmcInfo, WarmupState<HmcParameters>> {
  const common = {
    numWarmup: plan.numWarmup,
    adaptStepSize: settings.adaptStepSize,
    adaptMassMatrix: settings.adaptMassMatrix,
    targetAcceptProb: settings.targetAcceptProb,
    dualAveraging: settings.dualAveraging,
  };
  const pathfinder = plan.numWarmup > 0 ? settings.pathfinderInit : undefined;
  const warmup =
    adaptation === "windowed"
      ? windowAdaptation({ ...common, schedule: settings.schedule })
      : fisherAdaptation({
          ...common,
          estimator: adaptation === "fisher-diag" ? "diagonal" : "low-rank",
          schedule: settings.fisherSchedule,
          lowRank: settings.lowRank,
          keepInitialMetric: settings.inverseMassMatrix !== undefined || pathfinder !== undefined,
        });
  // The records differ only in their state type, which the chain loop never looks into.
  const erased = warmup as unknown as Warmup<
    HmcParameters,
    HmcState,
    HmcInfo,
    WarmupState<HmcParameters>
  >;
  return pathfinder === undefined ? erased : withPathfinderInit(erased, pathfinder);
}

/**
 * The adaptation of a chain over `dim` dimensions: the one asked for; for "auto", windowed
 * with a dense metric (the only one that estimates it), else low-rank up to
 * `hmcDefaults.lowRankMaxDim` dimensions and fisher-diag above.
 *
 * @example
 * resolveAdaptation("auto", false, 10); // "low-rank"
 * resolveAdaptation("auto", false, 500); // "fisher-diag"
 * resolveAdaptation("auto", true, 10); // "windowed"
 */
export function resolveAdaptation(
  adaptation: AdaptationChoice,
  denseMass: boolean,
  dim: number,
): Adaptation {
  if (adaptation !== "auto") return adaptation;
  if (denseMass) return "windowed";
  return dim <= hmcDefaults.lowRankMaxDim ? "low-rank" : "fisher-diag";
}

/**
 * Checks the combination of adaptation and metric: fisher-diag and low-rank adapt diagonal
 * (plus low-rank) metrics only.
 */
export function checkAdaptation(
  api: string,
  adaptation: AdaptationChoice,
  denseMass: boolean,
): void {
  if (denseMass && adaptation !== "windowed" && adaptation !== "auto") {
    throw new ArgumentError({
      message: `${api}: option "adaptation" "${adaptation}" adapts a diagonal${adaptation === "low-rank" ? "-plus-low-rank" : ""} metric, so it cannot go with denseMass: true; use adaptation "windowed" for a dense metric`,
      api,
      argument: "adaptation",
    });
  }
}

/**
 * The algorithm, initial parameters and warmup of one chain of NUTS or HMC over `target`.
 * Worker threads call it with the settings they receive.
 *
 * @example
 * const setup = chainSetup(nutsSettings, target, plan);
 * const run = new ChainRun(target, plan, setup, PRNGKey(0));
 */
export function chainSetup(
  settings: HmcSettings,
  target: GradientTarget,
  plan: ChainPlan,
): HmcChainSetup {
  const algorithm =
    settings.algorithm === "HMC"
      ? hmcAlgorithm({
          trajectoryLength: settings.trajectoryLength,
          maxDeltaEnergy: settings.maxDeltaEnergy,
        })
      : nutsAlgorithm({
          maxTreeDepth: settings.maxTreeDepth,
          maxDeltaEnergy: settings.maxDeltaEnergy,
        });
  return {
    algorithm,
    parameters: {
      stepSize: settings.stepSize,
      inverseMassMatrix:
        settings.inverseMassMatrix ?? identityInverseMass(target.dim, settings.denseMass),
      denseMass: settings.denseMass,
      lowRankCorrection: settings.lowRankCorrection,
    },
    warmup: hmcWarmup(
      settings,
      resolveAdaptation(settings.adaptation, settings.denseMass, target.dim),
      plan,
    ),
  };
}

/**
 * CmdStan's description of an HMC-family run, from each chain's adapted parameters.
 *
 * @example
 * hmcRunMetadata(settings, [{ stepSize: 0.4, inverseMassMatrix: Float64Array.of(1), denseMass: false }]);
 */
export function hmcRunMetadata(
  settings: HmcSettings,
  adapted: readonly HmcParameters[],
): SamplerMetadata {
  // A low-rank metric is described by its dense M^{-1} (CmdStan knows no low-rank metric).
  const dim = settings.denseMass
    ? Math.round(Math.sqrt(adapted[0]?.inverseMassMatrix.length ?? 0))
    : (adapted[0]?.inverseMassMatrix.length ?? 0);
  const lowRank = resolveAdaptation(settings.adaptation, settings.denseMass, dim) === "low-rank";
  return {
    algorithm: settings.algorithm,
    maxTreeDepth: settings.algorithm === "NUTS" ? settings.maxTreeDepth : undefined,
    targetAcceptProb: settings.targetAcceptProb,
    metric: settings.denseMass || lowRank ? "dense_e" : "diag_e",
    stepSize: adapted.map((p) => p.stepSize),
    inverseMetric: adapted.map((p) =>
      Array.from(
        p.lowRankCorrection !== undefined
          ? lowRankInverseMassDense(p.inverseMassMatrix, p.lowRankCorrection)
          : lowRank
            ? diagonalAsDense(p.inverseMassMatrix)
            : p.inverseMassMatrix,
      ),
    ),
  };
}

function diagonalAsDense(diagonal: Float64Array): Float64Array {
  const dim = diagonal.length;
  const out = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) out[i * dim + i] = diagonal[i];
  return out;
}

/** NUTS and HMC as sampler descriptions for MCMC. */
abstract class HmcFamilySampler<A extends unknown[]> implements McmcSampler<A, HmcParameters> {
  abstract readonly name: "NUTS" | "HMC";
  readonly module = hmcSamplerModule;
  readonly options: { readonly engine?: EngineName; readonly initStrategy: InitStrategy };

  constructor(
    readonly model: Model<A, unknown>,
    readonly settings: HmcSettings,
    options: HmcFamilyOptions,
  ) {
    const strategy = options.initStrategy;
    this.options = {
      engine: options.engine,
      initStrategy:
        strategy === undefined
          ? defaultInitStrategy()
          : strategy === "pathfinder"
            ? initToPathfinder()
            : strategy,
    };
  }

  chainSetup(target: GradientTarget, plan: ChainPlan): HmcChainSetup {
    return chainSetup(this.settings, target, plan);
  }

  runMetadata(adapted: readonly HmcParameters[]): SamplerMetadata {
    return hmcRunMetadata(this.settings, adapted);
  }
}

function settingsOf(
  algorithm: HmcSettings["algorithm"],
  decoded: Omit<
    HmcSettings,
    | "algorithm"
    | "dualAveraging"
    | "schedule"
    | "maxTreeDepth"
    | "trajectoryLength"
    | "fisherSchedule"
    | "pathfinderInit"
  > & {
    maxTreeDepth?: number;
    trajectoryLength?: number;
    engine?: unknown;
    initStrategy?: unknown;
  },
): HmcSettings {
  const { engine: _engine, initStrategy, ...rest } = decoded;
  checkAdaptation(algorithm, rest.adaptation, rest.denseMass);
  return {
    maxTreeDepth: hmcDefaults.maxTreeDepth,
    trajectoryLength: hmcDefaults.trajectoryLength,
    ...rest,
    algorithm,
    dualAveraging: hmcDefaults.dualAveraging,
    schedule: hmcDefaults.schedule,
    fisherSchedule: hmcDefaults.fisherSchedule,
    pathfinderInit: pathfinderInitOf(algorithm, initStrategy ?? defaultInitStrategy()),
  };
}

/** The init strategy of NUTS and HMC when none is given (hmcDefaults.initStrategy). */
function defaultInitStrategy(): InitStrategy {
  return hmcDefaults.initStrategy === "pathfinder" ? initToPathfinder() : initToUniform();
}

/** The Pathfinder settings of an init strategy, or undefined for other strategies. */
function pathfinderInitOf(api: string, strategy: unknown): PathfinderInitSettings | undefined {
  if (strategy === "pathfinder") strategy = initToPathfinder();
  if (typeof strategy === "string") {
    throw new ArgumentError({
      message: `${api}: option "initStrategy" must be an init strategy (initToUniform(), initToMedian(), initToValue(...), initToPathfinder()) or "pathfinder", got "${strategy}"`,
      api,
      argument: "initStrategy",
    });
  }
  const s = strategy as InitStrategy | undefined;
  if (s?.kind !== "pathfinder") return undefined;
  return {
    numElboDraws: s.numElboDraws,
    elboPlateau: pathfinderDefaults.initElboPlateau,
    elboStride: pathfinderDefaults.initElboStride,
    lbfgs: {
      ...pathfinderDefaults.lbfgs,
      historySize: s.historySize,
      maxIterations: s.maxIterations,
      stall: pathfinderDefaults.initLbfgsStall,
    },
  };
}

/**
 * The No-U-Turn Sampler (Hoffman and Gelman 2014) as Stan runs it: multinomial sampling along
 * the trajectory, the generalized no-U-turn criterion and dual-averaging step size; by default
 * with a metric adapted from draws and gradients (low-rank up to 100 dimensions, diagonal above)
 * and Pathfinder starts (see `adaptation` and `initStrategy`).
 *
 * @example
 * const mcmc = new MCMC(new NUTS(model, { targetAcceptProb: 0.9 }), { numWarmup: 500, numSamples: 500 });
 */
export class NUTS<A extends unknown[]> extends HmcFamilySampler<A> {
  readonly name = "NUTS";
  constructor(model: Model<A, unknown>, options: NutsOptions = {}) {
    super(
      model,
      settingsOf("NUTS", decodeOptions("NUTS", NutsOptionsSchema, options)),
      options ?? {},
    );
  }
}

/**
 * Hamiltonian Monte Carlo with a fixed integration time, adapting step size and metric as NUTS does.
 *
 * @example
 * const mcmc = new MCMC(new HMC(model, { trajectoryLength: 2 }), { numWarmup: 500, numSamples: 500 });
 */
export class HMC<A extends unknown[]> extends HmcFamilySampler<A> {
  readonly name = "HMC";
  constructor(model: Model<A, unknown>, options: HmcOptions = {}) {
    super(model, settingsOf("HMC", decodeOptions("HMC", HmcOptionsSchema, options)), options ?? {});
  }
}
