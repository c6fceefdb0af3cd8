/**
 * Finite differences in float64: derivatives by the fourth-order central stencil
 * (f(x-2h) - 8 f(x-h) + 8 f(x+h) - f(x+2h)) / 12h, with the rounding noise of the quotient
 * (so that differences below it are not read as disagreement), numerical Jacobians by the
 * same stencil, and log|det| by LU with partial pivoting.
 */

/** One derivative compared with its finite-difference estimate. */
export interface DerivativeComparison {
  /** The coordinate (index into x). */
  readonly index: number;
  readonly analytic: number;
  readonly numeric: number;
  /** |analytic - numeric| / max(floor, |analytic|, |numeric|). */
  readonly relError: number;
}

/** Options of `compareGradient`. */
export interface GradientComparisonOptions {
  /** Coordinates to check (default: all). */
  readonly coordinates?: readonly number[];
  /** Step relative to max(1, |x_j|) (default 1e-4). */
  readonly relativeStep?: number;
  /** Relative error that passes (default 1e-5). */
  readonly rtol?: number;
  /** Absolute floor of the relative error's denominator (default 1e-8). */
  readonly atol?: number;
  /** Unit roundoff of f (default 2^-52, float64; 2^-23 for float32 functions). */
  readonly precision?: number;
}

/** The stencil's estimate of df/dx_j, and the rounding noise of that estimate. */
export function centralDerivative(
  f: (x: Float64Array) => number,
  x: Float64Array,
  j: number,
  h: number,
  precision = Number.EPSILON,
): { value: number; noise: number } {
  const saved = x[j];
  const at = (t: number) => {
    x[j] = saved + t;
    const v = f(x);
    x[j] = saved;
    return v;
  };
  const m2 = at(-2 * h);
  const m1 = at(-h);
  const p1 = at(h);
  const p2 = at(2 * h);
  const value = (m2 - 8 * m1 + 8 * p1 - p2) / (12 * h);
  const noise =
    (32 * precision * (Math.abs(m2) + 8 * Math.abs(m1) + 8 * Math.abs(p1) + Math.abs(p2))) /
    (12 * h);
  return { value, noise };
}

/**
 * Compares `grad` (the gradient of f at x) with finite differences, coordinate by coordinate,
 * and returns the worst coordinate and whether it passes.
 *
 * @example
 * const f = (x: Float64Array) => x[0] * x[0];
 * compareGradient(f, Float64Array.of(3), Float64Array.of(6)).ok; // true
 */
export function compareGradient(
  f: (x: Float64Array) => number,
  x: Float64Array,
  grad: Float64Array,
  options: GradientComparisonOptions = {},
): { ok: boolean; worst: DerivativeComparison } {
  const rtol = options.rtol ?? 1e-5;
  const atol = options.atol ?? 1e-8;
  const relativeStep = options.relativeStep ?? 1e-4;
  const precision = options.precision ?? Number.EPSILON;
  const point = x.slice();
  const coordinates = options.coordinates ?? Array.from(x, (_, j) => j);
  let worst: DerivativeComparison = {
    index: coordinates[0] ?? 0,
    analytic: 0,
    numeric: 0,
    relError: 0,
  };
  for (const j of coordinates) {
    const h = relativeStep * Math.max(1, Math.abs(point[j]));
    const { value, noise } = centralDerivative(f, point, j, h, precision);
    const a = grad[j];
    const floor = Math.max(atol, noise / rtol);
    const relError = Math.abs(a - value) / Math.max(floor, Math.abs(a), Math.abs(value));
    if (!(relError <= worst.relError)) worst = { index: j, analytic: a, numeric: value, relError };
  }
  return { ok: worst.relError <= rtol, worst };
}

/**
 * The Jacobian d y[outputs[i]] / d x[inputs[j]] of `f` at x, by the central stencil with step
 * `relativeStep` max(1, |x_j|). `complete` restores dependent coordinates of a perturbed x
 * (the last entry of a simplex, the upper triangle of a symmetric matrix).
 */
export function numericalJacobian(
  f: (x: Float64Array) => Float64Array,
  x: Float64Array,
  inputs: readonly number[],
  outputs: readonly number[],
  relativeStep = 1e-5,
  complete: (x: Float64Array) => void = () => {},
): number[][] {
  const jacobian = outputs.map(() => new Array<number>(inputs.length).fill(0));
  inputs.forEach((j, col) => {
    const h = relativeStep * Math.max(1, Math.abs(x[j]));
    const at = (t: number) => {
      const z = x.slice();
      z[j] += t;
      complete(z);
      return f(z);
    };
    const m2 = at(-2 * h);
    const m1 = at(-h);
    const p1 = at(h);
    const p2 = at(2 * h);
    outputs.forEach((k, row) => {
      jacobian[row][col] = (m2[k] - 8 * m1[k] + 8 * p1[k] - p2[k]) / (12 * h);
    });
  });
  return jacobian;
}

/**
 * log |det m| of a square matrix, by LU with partial pivoting in float64.
 *
 * @example
 * logAbsDet([[2, 0], [0, 3]]); // log 6
 */
export function logAbsDet(m: readonly (readonly number[])[]): number {
  const a = m.map((row) => row.slice());
  const n = a.length;
  let total = 0;
  for (let k = 0; k < n; k++) {
    let pivot = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i][k]) > Math.abs(a[pivot][k])) pivot = i;
    [a[k], a[pivot]] = [a[pivot], a[k]];
    if (a[k][k] === 0) return Number.NEGATIVE_INFINITY;
    total += Math.log(Math.abs(a[k][k]));
    for (let i = k + 1; i < n; i++) {
      const factor = a[i][k] / a[k][k];
      for (let j = k; j < n; j++) a[i][j] -= factor * a[k][j];
    }
  }
  return total;
}
