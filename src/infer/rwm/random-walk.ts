/**
 * Random-walk Metropolis (Metropolis et al. 1953; Hastings 1970): propose q' = q + scale * sd * z
 * with z ~ N(0, I), accept with probability min(1, p(q') / p(q)). Its warmup adapts the
 * proposal: the scale by dual averaging towards an acceptance rate of 0.234 (the optimum for
 * high-dimensional targets, Roberts, Gelman & Gilks 1997), and the per-coordinate sd from the
 * variance of the first half of warmup's draws (Haario, Saksman & Tamminen 2001).
 *
 * It needs no gradient (the target's gradient is computed but unused) and is a baseline, not a
 * competitor to NUTS. It is written against the open sampling-algorithm interface only: the
 * chain loop, `MCMC`, worker threads and continuation run it without knowing it.
 */
import { Schema } from "effect";
import { ArgumentError } from "../../errors.js";
import type { EngineName, GradientTarget } from "../../potential-types.js";
import { normal, split, uniform } from "../../primitives/prng.js";
import type { Model } from "../../primitives/runtime.js";
import { decodeOptions, numberBetween } from "../../util/options.js";
import type { ChainPlan } from "../mcmc/chain.js";
import { type InitStrategy, initToUniform } from "../mcmc/init-strategies.js";
import type { McmcSampler } from "../mcmc/sampler.js";
import type {
  ChainSetup,
  InfoFields,
  KernelState,
  TunableAlgorithm,
  Warmup,
  WarmupState,
} from "../mcmc/sampling-algorithm.js";
import {
  currentStepSize,
  type DualAveragingState,
  dualAveragingInit,
  dualAveragingUpdate,
  finalStepSize,
} from "../nuts/dual-averaging.js";
import { WelfordEstimator } from "../nuts/welford.js";

/** The proposal: q' = q + scale * sd * z, z ~ N(0, I). */
export interface RandomWalkParameters {
  readonly scale: number;
  /** Per-coordinate scale of the proposal (`dim` entries). */
  readonly sd: Float64Array;
}

/** What one random-walk transition reports. */
export interface RandomWalkInfo {
  /** min(1, p(q') / p(q)). */
  readonly acceptProb: number;
  readonly accepted: boolean;
  readonly scale: number;
}

const infoFields: InfoFields<RandomWalkInfo> = {
  acceptProb: "float64",
  accepted: "bool",
  scale: "float64",
};

/** The energy U(q), discarding the gradient into a scratch array. */
function stateAt(target: GradientTarget, position: Float64Array): KernelState {
  const copy = Float64Array.from(position);
  const potentialEnergy = target.valueAndGrad(copy, new Float64Array(target.dim));
  return { target, position: copy, potentialEnergy };
}

/**
 * Random-walk Metropolis as a function of its proposal.
 *
 * @example
 * const rwm = randomWalkAlgorithm()({ scale: 0.5, sd: Float64Array.of(1) });
 * const { state, info } = rwm.step(rwm.init(Float64Array.of(0), target, PRNGKey(0)), PRNGKey(1));
 * info.accepted; // true or false
 */
export function randomWalkAlgorithm(): TunableAlgorithm<
  RandomWalkParameters,
  KernelState,
  RandomWalkInfo
> {
  return ({ scale, sd }) => ({
    infoFields,
    init: (position, target) => stateAt(target, position),
    step(state, key) {
      const [proposalKey, acceptKey] = split(key);
      const z = normal(proposalKey, state.position.length);
      for (let i = 0; i < z.length; i++) z[i] = state.position[i] + scale * sd[i] * z[i];
      const proposal = stateAt(state.target, z);
      const logRatio = state.potentialEnergy - proposal.potentialEnergy;
      const acceptProb = Number.isNaN(logRatio) ? 0 : Math.min(1, Math.exp(logRatio));
      const accepted = uniform(acceptKey, 1)[0] < acceptProb;
      return { state: accepted ? proposal : state, info: { acceptProb, accepted, scale } };
    },
  });
}

/** Warmup state of the random walk: dual averaging of log scale, and the draws' variance. */
export interface RandomWalkWarmupState extends WarmupState<RandomWalkParameters> {
  readonly averaging: DualAveragingState;
  /** Variance of the first half of warmup's draws, updated in place (used once). */
  readonly variance: WelfordEstimator;
}

/**
 * The random walk's warmup: dual averaging of the scale towards `targetAcceptProb` at every
 * iteration; at mid-warmup, the sd from the first half's draws and a restarted averaging.
 *
 * @example
 * const warmup = randomWalkAdaptation({ numWarmup: 1000, targetAcceptProb: 0.234 });
 */
export function randomWalkAdaptation(settings: {
  readonly numWarmup: number;
  readonly targetAcceptProb: number;
}): Warmup<RandomWalkParameters, KernelState, RandomWalkInfo, RandomWalkWarmupState> {
  const { numWarmup, targetAcceptProb } = settings;
  const middle = Math.floor(numWarmup / 2);
  return {
    init: (state, parameters) => ({
      parameters,
      averaging: dualAveragingInit(parameters.scale),
      variance: new WelfordEstimator(state.position.length, false),
    }),
    update(w, iteration, state, info) {
      const averaging = dualAveragingUpdate(w.averaging, info.acceptProb, { targetAcceptProb });
      let { sd } = w.parameters;
      if (iteration < middle) w.variance.add(state.position);
      if (iteration === middle - 1 && w.variance.numSamples >= 10) {
        sd = w.variance.regularizedCovariance().map(Math.sqrt);
        const scale = currentStepSize(averaging);
        return { ...w, averaging: dualAveragingInit(scale), parameters: { scale, sd } };
      }
      return { ...w, averaging, parameters: { scale: currentStepSize(averaging), sd } };
    },
    // Without an iteration since the last restart, the scale the averaging started from.
    final: (w) =>
      w.averaging.iteration === 0
        ? w.parameters
        : { ...w.parameters, scale: finalStepSize(w.averaging) },
  };
}

/** Settings of the random-walk sampler, resolved: plain data, what worker threads receive. */
export interface RandomWalkSettings {
  readonly scale: number;
  readonly adaptScale: boolean;
  readonly targetAcceptProb: number;
}

/**
 * The random walk's chain over `target`: its algorithm, a unit proposal of the given scale,
 * and its warmup. Worker threads import it from this module.
 *
 * @example
 * const run = new ChainRun(target, plan, chainSetup(settings, target, plan), PRNGKey(0));
 */
export function chainSetup(
  settings: RandomWalkSettings,
  target: GradientTarget,
  plan: ChainPlan,
): ChainSetup<RandomWalkParameters, KernelState, RandomWalkInfo, RandomWalkWarmupState> {
  return {
    algorithm: randomWalkAlgorithm(),
    parameters: { scale: settings.scale, sd: new Float64Array(target.dim).fill(1) },
    warmup: settings.adaptScale
      ? randomWalkAdaptation({
          numWarmup: plan.numWarmup,
          targetAcceptProb: settings.targetAcceptProb,
        })
      : undefined,
  };
}

/** Options of `RandomWalkMetropolis`. */
export interface RandomWalkOptions {
  /** Initial proposal scale (default 1; adapted during warmup unless `adaptScale: false`). */
  scale?: number;
  /** Adapt the proposal during warmup (default true). */
  adaptScale?: boolean;
  /** Acceptance rate that warmup aims at (default 0.234). */
  targetAcceptProb?: number;
  /** Where chains start (default `initToUniform()`). */
  initStrategy?: InitStrategy;
  /** Which engine computes the density (default: the compiled one when the model compiles). */
  engine?: EngineName;
}

const defaults = { scale: 1, adaptScale: true, targetAcceptProb: 0.234 };

const OptionsSchema = Schema.Struct({
  scale: Schema.optionalWith(
    Schema.Number.pipe(
      Schema.filter((n) => n > 0 && Number.isFinite(n), {
        message: (i) => `must be positive and finite, got ${String(i.actual)}`,
      }),
    ),
    { default: () => defaults.scale },
  ),
  adaptScale: Schema.optionalWith(Schema.Boolean, { default: () => defaults.adaptScale }),
  targetAcceptProb: Schema.optionalWith(numberBetween(0, 1), {
    default: () => defaults.targetAcceptProb,
  }),
  initStrategy: Schema.optional(Schema.Any),
  engine: Schema.optional(Schema.Literal("eager", "compiled")),
});

/**
 * Random-walk Metropolis on a model, for `MCMC`.
 *
 * @example
 * const mcmc = new MCMC(new RandomWalkMetropolis(model), { numWarmup: 1000, numSamples: 4000 });
 * await mcmc.run(PRNGKey(0), data);
 */
export class RandomWalkMetropolis<A extends unknown[]>
  implements McmcSampler<A, RandomWalkParameters>
{
  readonly name = "RWM";
  readonly module = import.meta.url;
  readonly settings: RandomWalkSettings;
  readonly options: { readonly engine?: EngineName; readonly initStrategy: InitStrategy };

  constructor(
    readonly model: Model<A, unknown>,
    options: RandomWalkOptions = {},
  ) {
    const { initStrategy, engine, ...settings } = decodeOptions(
      "RandomWalkMetropolis",
      OptionsSchema,
      options,
    );
    const strategy = initStrategy as InitStrategy | string | undefined;
    if (
      strategy === "pathfinder" ||
      (strategy as InitStrategy | undefined)?.kind === "pathfinder"
    ) {
      throw new ArgumentError({
        message:
          'RandomWalkMetropolis: option "initStrategy" Pathfinder starts NUTS and HMC chains only (it also sets their metric); use initToUniform(), initToMedian() or initToValue(...)',
        api: "RandomWalkMetropolis",
        argument: "initStrategy",
      });
    }
    this.settings = settings;
    this.options = { engine, initStrategy: (initStrategy as InitStrategy) ?? initToUniform() };
  }

  chainSetup(target: GradientTarget, plan: ChainPlan) {
    return chainSetup(this.settings, target, plan);
  }
}
