/**
 * Tagged error classes. Each message names the API, the site or argument, what was required
 * and what was received (STYLE.md habit 9). They are Effect `TaggedError`s, so they can be
 * thrown in plain code and matched by tag in Effect programs.
 */
import { Data } from "effect";

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
