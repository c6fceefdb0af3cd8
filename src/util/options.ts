/**
 * Options validated with Effect Schema: decoding errors become an ArgumentError that names the
 * API, the option, the rule and the value received.
 */
import { Either, ParseResult, Schema } from "effect";
import { ArgumentError } from "../errors.js";

/** An integer >= min, whose error says so and shows the value received. */
export function integerAtLeast(min: number) {
  return Schema.Number.pipe(
    Schema.filter((n) => Number.isInteger(n) && n >= min, {
      message: (issue) => `must be an integer >= ${min}, got ${String(issue.actual)}`,
    }),
  );
}

/** A number in the open interval (low, high), whose error says so and shows the value received. */
export function numberBetween(low: number, high: number) {
  return Schema.Number.pipe(
    Schema.filter((n) => n > low && n < high, {
      message: (issue) => `must be in (${low}, ${high}), got ${String(issue.actual)}`,
    }),
  );
}

/**
 * Decodes `input` with `schema`, or throws an ArgumentError naming the first bad option.
 *
 * @example
 * import { Schema } from "effect";
 * const McmcOptionsSchema = Schema.Struct({ numWarmup: Schema.NonNegativeInt, numSamples: Schema.Int });
 * decodeOptions("MCMC", McmcOptionsSchema, { numWarmup: 100, numSamples: 10 }); // the options, typed
 * decodeOptions("MCMC", McmcOptionsSchema, { numWarmup: -1, numSamples: 10 });
 * // throws: ArgumentError: MCMC: option "numWarmup" must be an integer >= 0, got -1
 */
export function decodeOptions<A, I>(
  api: string,
  schema: Schema.Schema<A, I, never>,
  input: unknown,
): A {
  const result = Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "error" })(
    input ?? {},
  );
  if (Either.isRight(result)) return result.right;
  const issues = ParseResult.ArrayFormatter.formatErrorSync(result.left);
  const first = issues[0];
  const option = first.path.map(String).join(".");
  // Optional fields add "Expected undefined" to every union failure: that alternative says nothing.
  const sameOption = issues
    .filter((i) => i.path.map(String).join(".") === option)
    .map((i) => i.message)
    .filter((m, _, all) => all.length === 1 || !m.startsWith("Expected undefined"));
  const message =
    first._tag === "Unexpected"
      ? `${api}: unknown option "${option}"`
      : `${api}: option "${option}" ${sameOption.length > 1 ? `must be one of the allowed values (${sameOption.join("; ")})` : sameOption[0].replace(/^Expected /, "must be ")}`;
  throw new ArgumentError({ message, api, argument: option });
}
