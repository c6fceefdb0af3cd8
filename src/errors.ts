/**
 * Tagged error classes. Each message names the API, the site or argument, what was required
 * and what was received (STYLE.md habit 9). They are Effect `TaggedError`s, so they can be
 * thrown in plain code and matched by tag in Effect programs.
 */
import { Cause, Data, Effect, Exit } from "effect";

/**
 * A model is malformed or used wrongly: a repeated site, a missing key, a bad shape, a typo.
 *
 * @example
 * function* twice() {
 *   yield* sample("x", Normal(0, 1));
 *   yield* sample("x", Normal(0, 1));
 * }
 * try {
 *   trace(seed(twice, 0)).getTrace();
 * } catch (error) {
 *   if (error instanceof ModelError) console.log(error.site); // "x": the repeated site
 * }
 */
export class ModelError extends Data.TaggedError("ModelError")<{
  readonly message: string;
  readonly site?: string;
}> {}

/**
 * A distribution parameter violates its constraint: names the family, parameter, rule and value.
 *
 * @example
 * function* model() {
 *   yield* sample("x", Normal(0, -1)); // checked when the site is sampled
 * }
 * try {
 *   trace(seed(model, 0)).getTrace();
 * } catch (error) {
 *   if (error instanceof DistributionParameterError) console.log(error.message);
 *   // Normal: scale must be positive, got -1 (site "x")
 * }
 */
export class DistributionParameterError extends Data.TaggedError("DistributionParameterError")<{
  readonly message: string;
  readonly family: string;
  readonly parameter: string;
  readonly site?: string;
}> {}

/**
 * A computation with valid inputs gave NaN: the message names the API, the inputs and where
 * (a log-density whose float32 evaluation overflowed, for example).
 *
 * @example
 * try {
 *   Gamma(6e37, 1e36).logProb(0.1); // valid, but float32 overflows: Infinity - Infinity
 * } catch (error) {
 *   if (error instanceof NumericalError) console.log(error.api); // "Gamma.logProb"
 * }
 */
export class NumericalError extends Data.TaggedError("NumericalError")<{
  readonly message: string;
  readonly api: string;
}> {}

/**
 * An argument of a public function is invalid.
 *
 * @example
 * try {
 *   mcmcProgressBar({ chains: 0, total: 100 });
 * } catch (error) {
 *   // mcmcProgressBar chains
 *   if (error instanceof ArgumentError) console.log(error.api, error.argument);
 * }
 */
export class ArgumentError extends Data.TaggedError("ArgumentError")<{
  readonly message: string;
  readonly api: string;
  readonly argument: string;
}> {}

/**
 * No finite starting point was found for a chain, or a given one is not finite.
 *
 * @example
 * function* impossible() {
 *   yield* sample("s", HalfNormal(1));
 *   yield* factor("wall", Number.NEGATIVE_INFINITY);
 * }
 * try {
 *   await new MCMC(new NUTS(impossible), { numWarmup: 10, numSamples: 10 }).run(PRNGKey(0));
 * } catch (error) {
 *   if (error instanceof InitializationError) console.log(error.attempts); // 100
 * }
 */
export class InitializationError extends Data.TaggedError("InitializationError")<{
  readonly message: string;
  /** Points tried. */
  readonly attempts: number;
  /** The last point tried (unconstrained). */
  readonly position: Float64Array;
  /** U at that point. */
  readonly potentialEnergy: number;
  /** Indices of non-finite gradient entries at that point. */
  readonly nonFiniteGradient: readonly number[];
}> {}

/**
 * The initial step-size heuristic ran off to 0 or past 1e7 (an improper or discontinuous target).
 *
 * @example
 * try {
 *   findReasonableStepSize(flatTarget, state, metric, 1, PRNGKey(0));
 * } catch (error) {
 *   if (error instanceof StepSizeSearchError) console.log(error.stepSize); // > 1e7
 * }
 */
export class StepSizeSearchError extends Data.TaggedError("StepSizeSearchError")<{
  readonly message: string;
  readonly stepSize: number;
}> {}

/**
 * Metric adaptation produced a non-finite inverse mass matrix.
 *
 * @example
 * await mcmc.run(PRNGKey(0)).catch((e) => e instanceof MetricAdaptationError && e.iteration);
 */
export class MetricAdaptationError extends Data.TaggedError("MetricAdaptationError")<{
  readonly message: string;
  readonly iteration: number;
}> {}

/**
 * A worker thread failed to run a chain; `cause` is what it threw (its tagged class kept when
 * it has one).
 *
 * @example
 * try {
 *   await mcmc.run(PRNGKey(0), data); // chainMethod: "parallel"
 * } catch (error) {
 *   if (error instanceof WorkerError) console.log(error.chain, error.cause);
 * }
 */
export class WorkerError extends Data.TaggedError("WorkerError")<{
  readonly message: string;
  /** The chain (0-based) whose worker failed. */
  readonly chain: number;
  readonly cause?: unknown;
}> {}

/**
 * An object was used while it was busy: `MCMC.run` called while a run is in progress.
 *
 * @example
 * const mcmc = new MCMC(new NUTS(eightSchools), { numWarmup: 50, numSamples: 50, progressBar: false });
 * const first = mcmc.run(PRNGKey(0), sigma, y);
 * await mcmc.run(PRNGKey(1), sigma, y).catch((e) => e instanceof RunInProgressError); // true
 * await first;
 */
export class RunInProgressError extends Data.TaggedError("RunInProgressError")<{
  readonly message: string;
  readonly api: string;
}> {}

/**
 * Runs an Effect as a Promise that rejects with the error itself (a tagged class keeps its
 * class and `_tag`), where `Effect.runPromise` would wrap it in a `FiberFailure`. The Promise
 * facades of the library use it.
 *
 * @example
 * import { Effect } from "effect";
 * await runToPromise(Effect.fail(new ArgumentError({ message: "bad", api: "f", argument: "x" })))
 *   .catch((e) => e instanceof ArgumentError); // true
 */
export async function runToPromise<A, E>(effect: Effect.Effect<A, E>): Promise<A> {
  const exit = await Effect.runPromiseExit(effect);
  if (Exit.isSuccess(exit)) return exit.value;
  throw Cause.squash(exit.cause);
}

// The tagged classes by tag, so that an error rebuilt from plain data (sent by a worker thread)
// gets its class back.
const taggedClasses: Record<string, new (fields: never) => Error> = {
  ModelError,
  DistributionParameterError,
  ArgumentError,
  InitializationError,
  StepSizeSearchError,
  MetricAdaptationError,
  WorkerError,
  RunInProgressError,
};

/**
 * The error of a tag with its message and data fields (sent from a worker thread as plain
 * data), or undefined for a tag that is not one of the library's.
 *
 * @example
 * const e = reviveTaggedError("ModelError", "bad site", { site: "x" });
 * e instanceof ModelError; // true
 */
export function reviveTaggedError(
  tag: string,
  message: string,
  fields: Record<string, unknown>,
): Error | undefined {
  const Class = taggedClasses[tag];
  if (Class === undefined) return undefined;
  const { _tag, ...data } = fields;
  return new Class({ ...data, message } as never);
}
