/**
 * Finding a starting point: Stan's default initialization, uniform(-radius, radius) in
 * unconstrained space (radius 2), retried up to 100 times until the potential energy and its
 * gradient are finite. The last failure is reported with the point and what was not finite, and
 * a hook lets callers add model-level detail (e.g. per-site log-probabilities).
 */
import { InitializationError } from "../../errors.js";
import type { GradientTarget } from "../../potential-types.js";
import { foldIn, type Key, uniform } from "../../primitives/prng.js";
import { mcmcDefaults } from "./defaults.js";

/** Options of `findInitialState`. */
export interface InitOptions {
  /** Half-width of the uniform box (default 2). */
  readonly radius?: number;
  /** Points to try (default 100). */
  readonly maxAttempts?: number;
  /** Adds a description of a failing point to the error message (e.g. per-site log-probs). */
  readonly describeFailure?: (position: Float64Array) => string;
}

/** A finite starting point, U and dU/dq there, and how many points were tried to find it. */
export interface InitialState {
  readonly position: Float64Array;
  readonly potentialEnergy: number;
  readonly gradient: Float64Array;
  readonly attempts: number;
}

function nonFiniteIndices(values: Float64Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) out.push(i);
  return out;
}

function isFiniteState(potentialEnergy: number, gradient: Float64Array): boolean {
  return Number.isFinite(potentialEnergy) && nonFiniteIndices(gradient).length === 0;
}

function failure(
  message: string,
  attempts: number,
  position: Float64Array,
  potentialEnergy: number,
  gradient: Float64Array,
  describeFailure: ((position: Float64Array) => string) | undefined,
): InitializationError {
  const bad = nonFiniteIndices(gradient);
  const what = [
    `potential energy ${potentialEnergy}`,
    bad.length > 0
      ? `non-finite gradient at indices [${bad.slice(0, 10).join(", ")}${bad.length > 10 ? ", ..." : ""}]`
      : "finite gradient",
  ].join(", ");
  const detail = describeFailure ? `\n${describeFailure(position)}` : "";
  return new InitializationError({
    message: `${message}; last point [${Array.from(position.slice(0, 10), (v) => v.toPrecision(4)).join(", ")}${position.length > 10 ? ", ..." : ""}]: ${what}${detail}`,
    attempts,
    position,
    potentialEnergy,
    nonFiniteGradient: bad,
  });
}

/**
 * A random finite starting state: uniform(-radius, radius) points (attempt k drawn with
 * `foldIn(key, k)`) until U and dU/dq are finite.
 *
 * @example
 * const start = findInitialState(target, PRNGKey(0));
 * start.position; // a Float64Array in [-2, 2]^dim
 */
export function findInitialState(
  target: GradientTarget,
  key: Key,
  options: InitOptions = {},
): InitialState {
  const radius = options.radius ?? mcmcDefaults.initRadius;
  const maxAttempts = options.maxAttempts ?? mcmcDefaults.initAttempts;
  const gradient = new Float64Array(target.dim);
  let position: Float64Array = new Float64Array(target.dim);
  let potentialEnergy = Number.NaN;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    position = uniform(foldIn(key, attempt - 1), target.dim, -radius, radius);
    potentialEnergy = target.valueAndGrad(Float64Array.from(position), gradient);
    if (isFiniteState(potentialEnergy, gradient)) {
      return { position, potentialEnergy, gradient, attempts: attempt };
    }
  }
  throw failure(
    `findInitialState: no point with finite potential energy and gradient in ${maxAttempts} attempts drawn uniformly from [-${radius}, ${radius}] in unconstrained space`,
    maxAttempts,
    position,
    potentialEnergy,
    gradient,
    options.describeFailure,
  );
}

/**
 * The state at a given unconstrained `position`, which must have a finite potential energy and
 * gradient.
 *
 * @example
 * const start = initialStateAt(target, Float64Array.of(0, 1));
 */
export function initialStateAt(
  target: GradientTarget,
  position: Float64Array,
  describeFailure?: (position: Float64Array) => string,
): InitialState {
  if (!(position instanceof Float64Array) || position.length !== target.dim) {
    throw new TypeError(
      `initialStateAt: initialPosition must be a Float64Array of length ${target.dim}, got ${position instanceof Float64Array ? `length ${position.length}` : typeof position}`,
    );
  }
  const copy = Float64Array.from(position);
  const gradient = new Float64Array(target.dim);
  const potentialEnergy = target.valueAndGrad(Float64Array.from(copy), gradient);
  if (!isFiniteState(potentialEnergy, gradient)) {
    throw failure(
      "initialStateAt: the given initial position does not have a finite potential energy and gradient",
      1,
      copy,
      potentialEnergy,
      gradient,
      describeFailure,
    );
  }
  return { position: copy, potentialEnergy, gradient, attempts: 1 };
}
