/**
 * The parameter convergence check of ADVI, after PyMC's `CheckParametersConvergence`: every
 * `every` steps, compare the flat parameter vector with the one `every` steps before, by the
 * largest relative change (|x - x_prev| + 1e-6) / (|x_prev| + 1e-6) or the largest absolute
 * change |x - x_prev| (infinity norms), and stop when either falls below its tolerance.
 */
import { ArgumentError } from "../../errors.js";

/** Options of the convergence check. */
export interface ConvergenceOptions {
  /** Steps between checks (default 100). */
  every?: number;
  /** Stop when the largest relative change is below this (default 1e-3, PyMC's); 0 turns it off. */
  tolerance?: number;
  /** Stop when the largest absolute change is below this (default 0: off). */
  absoluteTolerance?: number;
}

/** The changes between two parameter vectors. */
export interface ParameterChange {
  /** max_i (|x_i - p_i| + 1e-6) / (|p_i| + 1e-6). */
  readonly maxRelative: number;
  /** max_i |x_i - p_i|. */
  readonly maxAbsolute: number;
}

const EPS = 1e-6;

/**
 * The largest relative and absolute changes from `previous` to `current`.
 *
 * @example
 * parameterChange(Float64Array.of(1.001), Float64Array.of(1)); // maxRelative ~ 1e-3, maxAbsolute 1e-3
 */
export function parameterChange(current: Float64Array, previous: Float64Array): ParameterChange {
  let maxRelative = 0;
  let maxAbsolute = 0;
  for (let i = 0; i < current.length; i++) {
    const diff = Math.abs(current[i] - previous[i]);
    maxAbsolute = Math.max(maxAbsolute, diff);
    maxRelative = Math.max(maxRelative, (diff + EPS) / (Math.abs(previous[i]) + EPS));
  }
  if (current.some((x) => !Number.isFinite(x))) return { maxRelative: NaN, maxAbsolute: NaN };
  return { maxRelative, maxAbsolute };
}

/**
 * A running convergence check: call `observe(step, params)` after every step.
 *
 * @example
 * const check = new ParameterConvergence({ every: 100, tolerance: 1e-3 });
 * for (let step = 0; step < 10_000; step++) {
 *   const params = Float64Array.of(1 + 1 / (step + 1)); // settling towards 1
 *   if (check.observe(step, params)) break; // converged
 * }
 */
export class ParameterConvergence {
  readonly every: number;
  readonly tolerance: number;
  readonly absoluteTolerance: number;
  private previous: Float64Array | undefined;
  /** The changes at the latest check. */
  last: ParameterChange | undefined;

  constructor(options: ConvergenceOptions = {}) {
    this.every = options.every ?? 100;
    this.tolerance = options.tolerance ?? 1e-3;
    this.absoluteTolerance = options.absoluteTolerance ?? 0;
    if (!Number.isInteger(this.every) || this.every < 1) {
      throw new ArgumentError({
        message: `advi: convergence.every must be a positive integer, got ${options.every}`,
        api: "advi",
        argument: "convergence.every",
      });
    }
    for (const [name, value] of [
      ["tolerance", this.tolerance],
      ["absoluteTolerance", this.absoluteTolerance],
    ] as const) {
      if (!(value >= 0 && Number.isFinite(value))) {
        throw new ArgumentError({
          message: `advi: convergence.${name} must be a nonnegative number, got ${value}`,
          api: "advi",
          argument: `convergence.${name}`,
        });
      }
    }
  }

  /**
   * Records the parameters after `step` updates; returns true when, at a check, they moved
   * less than a tolerance since the previous check.
   *
   * @example
   * const check = new ParameterConvergence({ every: 100, tolerance: 1e-3 });
   * check.observe(0, Float64Array.of(1)); // false: the first check only records
   * check.observe(100, Float64Array.of(1)); // true: nothing moved
   */
  observe(step: number, params: Float64Array): boolean {
    if (step % this.every !== 0) return false;
    const previous = this.previous;
    this.previous = params.slice();
    if (previous === undefined) return false;
    const change = parameterChange(params, previous);
    this.last = change;
    return (
      (this.tolerance > 0 && change.maxRelative < this.tolerance) ||
      (this.absoluteTolerance > 0 && change.maxAbsolute < this.absoluteTolerance)
    );
  }
}
