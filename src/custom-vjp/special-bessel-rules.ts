/**
 * Logarithms of the modified Bessel functions of the first kind, log I0(x) and log I1(x), as
 * float64 op rules (the VonMises normalizer; special-bessel.ts makes them ops). @stdlib has no
 * modified Bessel functions, so they are computed here in float64 from two classical expansions
 * (Abramowitz & Stegun 9.6.10 and 9.7.1; DLMF 10.25.2 and 10.40.1):
 *
 * - for |x| <= 30 the power series I_n(x) = sum_k (x/2)^(2k+n) / (k! (k+n)!), whose terms
 *   are all positive, summed relative to its first term so that log1p keeps full relative
 *   accuracy near x = 0 (about x/2 + 30 terms);
 * - for |x| > 30 the large-argument expansion
 *   I_n(x) ~ e^x / sqrt(2 pi x) sum_k (-1)^k a_k(n) / x^k, a_k(n) = prod_(j<=k) (4n^2 - (2j-1)^2) / (8j),
 *   whose terms decrease until k is about 2x, so that at x > 30 the first 40 terms give full
 *   float64 accuracy long before the expansion starts to diverge.
 *
 * Derivatives: d/dx log I0(x) = I1(x)/I0(x) and d/dx log I1(x) = I0(x)/I1(x) - 1/x
 * (DLMF 10.29.2).
 */
import gammalnF64 from "@stdlib/math-base-special-gammaln";
import type { OpDefinition } from "./registry.js";
import { defineRule } from "./rule.js";

const SERIES_LIMIT = 30;

/**
 * log I_n(|x|) in float64 for a non-negative integer order n (I_n is even or odd in x, so the
 * sign of x only matters for the sign of I_n, which this ignores).
 */
export function logBesselIF64(order: number, x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const ax = Math.abs(x);
  if (ax === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  if (ax <= SERIES_LIMIT) {
    if (ax === 0) return order === 0 ? 0 : Number.NEGATIVE_INFINITY;
    // sum_k r_k with r_0 = 1 and r_k = r_(k-1) (x/2)^2 / (k (k + n))
    const quarterSquare = (ax * ax) / 4;
    let term = 1;
    let rest = 0;
    for (let k = 1; k < 500; k++) {
      term *= quarterSquare / (k * (k + order));
      rest += term;
      if (term < 1e-17 * rest) break;
    }
    return order * Math.log(ax / 2) - gammalnF64(order + 1) + Math.log1p(rest);
  }
  const fourNSquared = 4 * order * order;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 40; k++) {
    const next = (term * -(fourNSquared - (2 * k - 1) ** 2)) / (8 * k * ax);
    if (Math.abs(next) > Math.abs(term)) break;
    term = next;
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return ax - 0.5 * Math.log(2 * Math.PI * ax) + Math.log(sum);
}

/** log I0(x) in float64. */
export function logBesselI0F64(x: number): number {
  return logBesselIF64(0, x);
}

/** log I1(|x|) in float64. */
export function logBesselI1F64(x: number): number {
  return logBesselIF64(1, x);
}

/** The float64 rule of `logBesselI0` (special-bessel.ts). */
export const logBesselI0Rule: OpDefinition = defineRule({
  name: "logBesselI0",
  inputs: ["x"],
  forward: ([x]) => x.map(logBesselI0F64),
  vjp: ([x], _shapes, y, dy) => [
    x.map((xi, i) => dy[i] * Math.sign(xi) * Math.exp(logBesselI1F64(xi) - y[i])),
  ],
});

/** The float64 rule of `logBesselI1` (special-bessel.ts). */
export const logBesselI1Rule: OpDefinition = defineRule({
  name: "logBesselI1",
  inputs: ["x"],
  forward: ([x]) => x.map(logBesselI1F64),
  vjp: ([x], _shapes, y, dy) => [
    x.map((xi, i) => dy[i] * (Math.exp(logBesselI0F64(xi) - y[i]) * Math.sign(xi) - 1 / xi)),
  ],
});
