/**
 * The open interface between samplers and the chain loop, in BlackJAX's style (Cabezas et al.
 * 2024, "BlackJAX: composable Bayesian inference in JAX"):
 *
 * - a **sampling algorithm** is `{ init(position, target, key) -> state, step(state, key) ->
 *   { state, info }, infoFields }`: `step` is the transition kernel, `state` what it carries
 *   from one iteration to the next, `info` what it reports about one transition; both are
 *   readonly records;
 * - its **tuning parameters** (a step size and a metric, a proposal scale) are bound when the
 *   algorithm is built, `(parameters) => SamplingAlgorithm`, so changing them is building
 *   another one (cheap: kernels keep their scratch buffers per target);
 * - a **warmup** is a record of three functions `{ init, update, final }` over a readonly warmup
 *   state that holds the parameters for the next transition. It only reads what the kernel
 *   reports, so warmup cannot change how a kernel samples.
 *
 * The chain loop (chain.ts) knows nothing else about an algorithm: a new sampler is a new
 * `(parameters) => SamplingAlgorithm` plus, if it tunes anything, a warmup record.
 */

import type { GradientTarget } from "../../potential-types.js";
import type { Key } from "../../primitives/prng.js";

/** What every kernel state carries: the target it samples, where it is and U there. */
export interface KernelState {
  /** The target this state belongs to (kernels evaluate it in `step`). */
  readonly target: GradientTarget;
  readonly position: Float64Array;
  /** U(position) = -log density. */
  readonly potentialEnergy: number;
}

/** The result of one transition. */
export interface Transition<S, I> {
  readonly state: S;
  readonly info: I;
}

/**
 * How one `info` field is stored per iteration: booleans as 0/1 bytes, small counts as bytes
 * or 32-bit words, anything else as float64.
 */
export type InfoFieldType = "bool" | "uint8" | "uint32" | "float64";

/** The per-iteration statistics a kernel reports, by name and storage type. */
export type InfoFields<I> = { readonly [K in keyof I]: InfoFieldType };

/**
 * A sampling algorithm with its parameters bound.
 *
 * @example
 * // Random-walk Metropolis with a fixed proposal (src/infer/rwm/random-walk.ts).
 * const algorithm = randomWalkAlgorithm()({ scale: 0.5, sd: Float64Array.of(1) });
 * const state = algorithm.init(Float64Array.of(0), target, PRNGKey(0));
 * const { state: next, info } = algorithm.step(state, PRNGKey(1));
 * info.acceptProb; // in [0, 1]
 */
export interface SamplingAlgorithm<S extends KernelState, I> {
  /** The fields of `info`, in column order, with how to store them. */
  readonly infoFields: InfoFields<I>;
  /** The carried state at `position` (a copy: the caller keeps its array). */
  init(position: Float64Array, target: GradientTarget, key: Key): S;
  /** One transition from `state`, with randomness from `key` only. */
  step(state: S, key: Key): Transition<S, I>;
}

/** An algorithm as a function of its tuning parameters. */
export type TunableAlgorithm<P, S extends KernelState, I> = (
  parameters: P,
) => SamplingAlgorithm<S, I>;

/** What every warmup state holds: the parameters of the next transition. */
export interface WarmupState<P> {
  readonly parameters: P;
  /**
   * Where the chain should (re)start, when the warmup chose a point of its own at `init` (a
   * Pathfinder-style initialization); undefined keeps the chain's initial point.
   */
  readonly start?: Float64Array;
}

/**
 * A warmup (adaptation) as a record of three functions over a state `W`. The chain loop calls
 * `init` once at the start of a chain, `update` after each warmup iteration, and `final` after
 * the last one (at once when the chain has no warmup iterations: a chain that continues from
 * adapted parameters). Each state is used once, by the next `update`, which may return a new
 * state or advance the one it was given in place and return it (Fisher adaptation does, to
 * allocate nothing per iteration).
 *
 * @example
 * // Dual averaging of the step size alone, as a warmup record (see nuts/warmup.ts for Stan's).
 * const warmup: Warmup<HmcParameters, HmcState, HmcInfo, MyWarmupState> = {
 *   init: (state, parameters, key) => ({ parameters, averaging: dualAveragingInit(parameters.stepSize) }),
 *   update: (w, iteration, state, info) => { ... return { ...w, parameters: { ...w.parameters, stepSize } }; },
 *   final: (w) => ({ ...w.parameters, stepSize: finalStepSize(w.averaging) }),
 * };
 */
export interface Warmup<P, S extends KernelState, I, W extends WarmupState<P>> {
  /** The warmup state at the chain's first state, from the initial parameters. */
  init(state: S, parameters: P, key: Key): W;
  /**
   * Learns from warmup iteration `iteration` (0-based, in order), whose transition gave `state`
   * and `info`; returns the state whose parameters the next iteration uses.
   */
  update(warmupState: W, iteration: number, state: S, info: I): W;
  /** The parameters sampling uses, once every warmup iteration has run. */
  final(warmupState: W): P;
  /** What to report about a warmup (schedule, number of metric updates, ...). */
  report?(warmupState: W): object;
}

/**
 * Everything the chain loop needs to run one chain of an algorithm: the algorithm, its initial
 * parameters and the warmup that tunes them (none: the parameters stay as they are).
 */
export interface ChainSetup<P, S extends KernelState, I, W extends WarmupState<P>> {
  readonly algorithm: TunableAlgorithm<P, S, I>;
  /** Parameters of the first transition (or of every transition, without warmup). */
  readonly parameters: P;
  readonly warmup?: Warmup<P, S, I, W>;
}

/** A chain setup with its types erased, as the driver holds it. */
export type AnyChainSetup = ChainSetup<any, any, any, any>;
