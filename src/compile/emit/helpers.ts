/**
 * Helpers that emitted code calls for the few operations JavaScript lacks. They are part of the
 * library, not of the compiled artifact, so a worker that rebuilds an artifact gets them from
 * its own import of this module.
 */
import { sumTo } from "../../util/shapes.js";

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const ONE_OVER_SQRT_PI = 1 / Math.sqrt(Math.PI);

/**
 * The error function in float64: its Maclaurin series below |x| = 2, where at most one digit
 * cancels, and the Laplace continued fraction of erfc (modified Lentz) above, where it
 * converges in under 60 steps. Relative error about 1e-15.
 *
 * @example
 * erf(1); // 0.8427007929497149
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  const ax = Math.abs(x);
  if (ax < 2) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 60; n++) {
      term *= -x2 / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
    }
    return sum * TWO_OVER_SQRT_PI;
  }
  const tail = erfcContinuedFraction(ax);
  return x > 0 ? 1 - tail : tail - 1;
}

// erfc(x) for x >= 2 as exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))).
function erfcContinuedFraction(x: number): number {
  if (x > 27) return 0;
  let f = x;
  let c = f;
  let d = 0;
  for (let n = 1; n < 200; n++) {
    const a = n / 2;
    d = 1 / (x + a * d);
    c = x + a / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (Math.exp(-x * x) * ONE_OVER_SQRT_PI) / f;
}

/**
 * Rounds half to even, as tfjs's Round kernel does.
 *
 * @example
 * roundHalfEven(2.5); // 2
 */
export function roundHalfEven(x: number): number {
  const base = Math.floor(x);
  const frac = x - base;
  if (frac < 0.5) return base;
  if (frac > 0.5) return base + 1;
  return base % 2 === 0 ? base : base + 1;
}

/**
 * The remainder with the divisor's sign, as tfjs's Mod kernel computes it.
 *
 * @example
 * floorMod(-1, 3); // 2
 */
export function floorMod(a: number, b: number): number {
  const rem = a % b;
  if ((a < 0 && b < 0) || (a >= 0 && b >= 0)) return rem;
  return (rem + b) % b;
}

/**
 * Writes `values` (of broadcast shape `from`) summed down to shape `to` into `out`.
 *
 * @example
 * sumToInto(Float64Array.of(1, 2, 3, 4), [2, 2], [2], out); // out = [4, 6]
 */
export function sumToInto(
  values: Float64Array,
  from: readonly number[],
  to: readonly number[],
  out: Float64Array,
): void {
  out.set(sumTo(values, from, to));
}

/**
 * Copies a custom op's result into its preallocated buffer, checking its length.
 *
 * @example
 * copyResult("lgamma", result, out);
 */
export function copyResult(
  opName: string,
  result: ArrayLike<number> | null | undefined,
  out: Float64Array,
): void {
  if (result === null || result === undefined) {
    out.fill(0);
    return;
  }
  if (result.length !== out.length) {
    throw new Error(
      `${opName}: returned ${result.length} values where ${out.length} were expected`,
    );
  }
  out.set(result);
}

/** Every helper, by the name emitted code uses (`R_<name>`). */
export const runtime = { erf, roundHalfEven, floorMod, sumToInto, copyResult } as const;

/** Names of the runtime helpers. */
export type RuntimeHelper = keyof typeof runtime;
