/**
 * Tagged error classes. Each message names the API, the site or argument, what was required
 * and what was received (STYLE.md habit 9). They are Effect `TaggedError`s, so they can be
 * thrown in plain code and matched by tag in Effect programs.
 */
import { Data } from "effect";

/** A model is malformed or used wrongly: a repeated site, a missing key, a bad shape, a typo. */
export class ModelError extends Data.TaggedError("ModelError")<{
  readonly message: string;
  readonly site?: string;
}> {}

/** A distribution parameter violates its constraint: names the family, parameter, rule and value. */
export class DistributionParameterError extends Data.TaggedError("DistributionParameterError")<{
  readonly message: string;
  readonly family: string;
  readonly parameter: string;
  readonly site?: string;
}> {}

/** An argument of a public function is invalid. */
export class ArgumentError extends Data.TaggedError("ArgumentError")<{
  readonly message: string;
  readonly api: string;
  readonly argument: string;
}> {}
