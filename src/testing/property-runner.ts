/**
 * Runs a fast-check property and keeps what a report needs: the shrunk counterexample, the
 * input as first found, the number of shrinking steps and the failure thrown at the shrunk
 * input. Predicates signal failure by throwing a `Counterexample` (carrying the site and the
 * disagreeing numbers) and skip inputs with `fc.pre`.
 */
import fc from "fast-check";

/** Thrown by a predicate: the failing site and the numbers that disagree. */
export class Counterexample extends Error {
  constructor(
    message: string,
    readonly site?: string,
  ) {
    super(message);
    this.name = "Counterexample";
  }
}

/** What a property run found. */
export interface PropertyOutcome<T> {
  readonly ok: boolean;
  /** Inputs that ran the predicate to the end or to a failure. */
  readonly runs: number;
  /** Inputs skipped by `fc.pre`. */
  readonly skipped: number;
  /** Whether fast-check gave up because (almost) every input was skipped. */
  readonly tooManySkips?: boolean;
  /** The shrunk failing input. */
  readonly counterexample?: T;
  /** The failing input as first generated. */
  readonly original?: T;
  readonly numShrinks: number;
  /** The failure at the shrunk input: a Counterexample, or any error the predicate threw. */
  readonly error?: unknown;
}

/** Options of `runProperty`. */
export interface RunPropertyOptions {
  readonly numRuns: number;
  readonly seed: number;
}

/**
 * Checks `predicate` on `numRuns` inputs of `arbitrary` and shrinks a failure.
 *
 * @example
 * const outcome = runProperty(fc.double(), (x) => { if (x > 1) throw new Counterexample("too big"); }, { numRuns: 50, seed: 0 });
 */
export function runProperty<T>(
  arbitrary: fc.Arbitrary<T>,
  predicate: (value: T) => void,
  options: RunPropertyOptions,
): PropertyOutcome<T> {
  const details = fc.check(
    fc.property(arbitrary, (value) => {
      predicate(value);
    }),
    {
      numRuns: options.numRuns,
      seed: options.seed,
      verbose: fc.VerbosityLevel.Verbose,
      maxSkipsPerRun: 20,
    },
  );
  if (!details.failed) {
    return { ok: true, runs: details.numRuns, skipped: details.numSkips, numShrinks: 0 };
  }
  if (details.counterexample === null) {
    return {
      ok: true,
      runs: details.numRuns,
      skipped: details.numSkips,
      numShrinks: 0,
      tooManySkips: true,
    };
  }
  const counterexample = details.counterexample[0];
  const original = details.failures.length > 0 ? details.failures[0][0] : counterexample;
  return {
    ok: false,
    runs: details.numRuns,
    skipped: details.numSkips,
    counterexample,
    original,
    numShrinks: details.numShrinks,
    error: details.errorInstance,
  };
}

/** The message of whatever a predicate threw. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
