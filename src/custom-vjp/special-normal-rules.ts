/**
 * Tail-stable functions of the standard normal distribution, as op rules (special-normal.ts makes
 * them ops) over @stdlib's float64 erf, erfc and erfcinv: the complementary error function, log
 * Phi(x), the quantile Phi^-1(p), the log-mass log(Phi(b) - Phi(a)) and the quantile of a standard
 * normal truncated to (a, b). They serve TruncatedNormal, SkewNormal and the normal icdf, where
 * `1 - erf` in float32 (or even float64) would lose the tails.
 *
 * log Phi(x) for x < -20 uses the asymptotic series of Mills' ratio (Abramowitz & Stegun
 * 26.2.12): Phi(x) = phi(x)/|x| (1 - 1/x^2 + 3/x^4 - 15/x^6 + ...).
 */
import erfF64 from "@stdlib/math-base-special-erf";
import erfcF64 from "@stdlib/math-base-special-erfc";
import erfcinvF64 from "@stdlib/math-base-special-erfcinv";
import type { OpDefinition } from "./registry.js";
import { defineRule } from "./rule.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** log phi(x), the standard normal log-density. */
export function logNormalDensityF64(x: number): number {
  return -0.5 * x * x - HALF_LOG_2PI;
}

/** The asymptotic series 1 - 1/x^2 + 3/x^4 - ... of Phi(x) |x| / phi(x), for x < -20. */
function millsSeries(x: number): number {
  const inv2 = 1 / (x * x);
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 30; k++) {
    term *= -(2 * k - 1) * inv2;
    sum += term;
    if (Math.abs(term) < 1e-17) break;
  }
  return sum;
}

/** log Phi(x), the log of the standard normal cdf, accurate in both tails. */
export function logNdtrF64(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x > -1) return Math.log1p(-0.5 * erfcF64(x / Math.SQRT2));
  if (x > -20) return Math.log(0.5 * erfcF64(-x / Math.SQRT2));
  if (x === Number.NEGATIVE_INFINITY) return Number.NEGATIVE_INFINITY;
  return logNormalDensityF64(x) - Math.log(-x) + Math.log(millsSeries(x));
}

/** phi(x) / Phi(x), the derivative of log Phi(x). */
export function normalHazardRatioF64(x: number): number {
  if (x < -20) return -x / millsSeries(x);
  return Math.exp(logNormalDensityF64(x) - logNdtrF64(x));
}

/** Phi^-1(p), the standard normal quantile, accurate for small p. */
export function ndtriF64(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  return -Math.SQRT2 * erfcinvF64(2 * p);
}

/** log(exp(a) - exp(b)) for b <= a, without cancellation. */
function logDiffExp(a: number, b: number): number {
  if (b === Number.NEGATIVE_INFINITY) return a;
  const d = b - a;
  return a + (d > -Math.LN2 ? Math.log(-Math.expm1(d)) : Math.log1p(-Math.exp(d)));
}

/** log(Phi(b) - Phi(a)) for a < b, computed on the side of the smaller tail. */
export function logNormalMassF64(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.NaN;
  if (!(a < b)) return a === b ? Number.NEGATIVE_INFINITY : Number.NaN;
  if (a >= 0) return logDiffExp(logNdtrF64(-a), logNdtrF64(-b));
  if (b <= 0) return logDiffExp(logNdtrF64(b), logNdtrF64(a));
  // a < 0 < b: (Phi(b) - 1/2) + (1/2 - Phi(a)), two positive halves.
  return Math.log(0.5 * (erfF64(b / Math.SQRT2) + erfF64(-a / Math.SQRT2)));
}

/**
 * The q-quantile of a standard normal truncated to (a, b): the z with
 * (Phi(z) - Phi(a)) / (Phi(b) - Phi(a)) = q, computed on the side of the smaller tail.
 */
export function truncatedNormalQuantileF64(a: number, b: number, q: number): number {
  if (Number.isNaN(q) || q < 0 || q > 1) return Number.NaN;
  if (a >= 0) {
    // Upper tails: Phic(z) = Phic(a) - q (Phic(a) - Phic(b)), Phic(t) = Phi(-t).
    const ua = 0.5 * erfcF64(a / Math.SQRT2);
    const ub = 0.5 * erfcF64(b / Math.SQRT2);
    const tail = ua - q * (ua - ub);
    if (tail > 0) return -ndtriF64(tail);
    // Beyond float64 (a > 37): the exponential approximation of the far tail.
    return a - Math.log1p(-q * -Math.expm1(-a * (b - a))) / a;
  }
  if (b <= 0) return -truncatedNormalQuantileF64(-b, -a, 1 - q);
  const la = 0.5 * erfcF64(-a / Math.SQRT2);
  const lb = 0.5 * erfcF64(-b / Math.SQRT2);
  const p = la + q * (lb - la);
  return p < 0.5 ? ndtriF64(p) : -ndtriF64(1 - p);
}

/** The float64 rule of `erfc` (special-normal.ts). */
export const erfcRule: OpDefinition = defineRule({
  name: "erfc",
  inputs: ["x"],
  forward: ([x]) => x.map(erfcF64),
  vjp: ([x], _shapes, _y, dy) => [
    x.map((xi, i) => (-dy[i] * 2 * Math.exp(-xi * xi)) / Math.sqrt(Math.PI)),
  ],
});

/** The float64 rule of `logNdtr` (special-normal.ts). */
export const logNdtrRule: OpDefinition = defineRule({
  name: "logNdtr",
  inputs: ["x"],
  forward: ([x]) => x.map(logNdtrF64),
  vjp: ([x], _shapes, _y, dy) => [x.map((xi, i) => dy[i] * normalHazardRatioF64(xi))],
});

/** The float64 rule of `ndtri` (special-normal.ts). */
export const ndtriRule: OpDefinition = defineRule({
  name: "ndtri",
  inputs: ["p"],
  forward: ([p]) => p.map(ndtriF64),
  vjp: (_inputs, _shapes, z, dy) => [z.map((zi, i) => dy[i] * Math.exp(-logNormalDensityF64(zi)))],
});

/** The float64 rule of `logNormalMass` (special-normal.ts). */
export const logNormalMassRule: OpDefinition = defineRule({
  name: "logNormalMass",
  inputs: ["a", "b"],
  forward: ([a, b]) => a.map((ai, i) => logNormalMassF64(ai, b[i])),
  vjp: ([a, b], _shapes, y, dy) => [
    a.map((ai, i) => -dy[i] * Math.exp(logNormalDensityF64(ai) - y[i])),
    b.map((bi, i) => dy[i] * Math.exp(logNormalDensityF64(bi) - y[i])),
  ],
});

/** The float64 rule of `truncatedNormalQuantile` (special-normal.ts). */
export const truncatedNormalQuantileRule: OpDefinition = defineRule({
  name: "truncatedNormalQuantile",
  inputs: ["a", "b", "q"],
  forward: ([a, b, q]) => a.map((ai, i) => truncatedNormalQuantileF64(ai, b[i], q[i])),
  vjp: ([a, b, q], _shapes, z, dy) => {
    const da = new Float64Array(a.length);
    const db = new Float64Array(a.length);
    const dq = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) {
      const logPhiZ = logNormalDensityF64(z[i]);
      dq[i] = dy[i] * Math.exp(logNormalMassF64(a[i], b[i]) - logPhiZ);
      da[i] =
        a[i] === Number.NEGATIVE_INFINITY
          ? 0
          : dy[i] * (1 - q[i]) * Math.exp(logNormalDensityF64(a[i]) - logPhiZ);
      db[i] =
        b[i] === Number.POSITIVE_INFINITY
          ? 0
          : dy[i] * q[i] * Math.exp(logNormalDensityF64(b[i]) - logPhiZ);
    }
    return [da, db, dq];
  },
});

/** Nodes and weights of the n-point Gauss-Legendre rule on [-1, 1] (Newton on P_n). */
function gaussLegendre(n: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      // P_n(x) by the three-term recurrence, and P_n'(x) = n (x P_n - P_(n-1)) / (x^2 - 1)
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      derivative = (n * (x * p1 - p0)) / (x * x - 1);
      const step = p1 / derivative;
      x -= step;
      if (Math.abs(step) < 1e-16) break;
    }
    nodes[i] = x;
    weights[i] = 2 / ((1 - x * x) * derivative * derivative);
  }
  return { nodes, weights };
}

const GAUSS_LEGENDRE_40 = gaussLegendre(40);

/** Upper tail 1 - Phi(x), accurate for large x. */
function normalUpperTail(x: number): number {
  return 0.5 * erfcF64(x / Math.SQRT2);
}

/**
 * Owen's T function T(h, a) = (1/2pi) int_0^a exp(-h^2 (1 + x^2)/2) / (1 + x^2) dx
 * (Owen 1956), by 40-point Gauss-Legendre for |a| <= 1 and, for |a| > 1, the identity
 * T(h, a) = (Phi(h) Q(ah) + Phi(ah) Q(h))/2 - T(ah, 1/a) (h >= 0, a > 0; Q = 1 - Phi).
 */
export function owensTF64(h: number, a: number): number {
  if (Number.isNaN(h) || Number.isNaN(a)) return Number.NaN;
  if (a === 0) return 0;
  if (a < 0) return -owensTF64(h, -a);
  const absH = Math.abs(h);
  if (a > 1) {
    const ah = a * absH;
    if (a === Number.POSITIVE_INFINITY) return absH === 0 ? 0.25 : 0.5 * normalUpperTail(absH);
    const phiH = 1 - normalUpperTail(absH);
    const phiAH = 1 - normalUpperTail(ah);
    return (
      0.5 * (phiH * normalUpperTail(ah) + phiAH * normalUpperTail(absH)) - owensTF64(ah, 1 / a)
    );
  }
  const { nodes, weights } = GAUSS_LEGENDRE_40;
  const halfA = a / 2;
  let sum = 0;
  for (let i = 0; i < nodes.length; i++) {
    const x = halfA * (nodes[i] + 1);
    const onePlusX2 = 1 + x * x;
    sum += (weights[i] * Math.exp(-0.5 * absH * absH * onePlusX2)) / onePlusX2;
  }
  return (sum * halfA) / (2 * Math.PI);
}

/** The float64 rule of `owensT` (special-normal.ts). */
export const owensTRule: OpDefinition = defineRule({
  name: "owensT",
  inputs: ["h", "a"],
  forward: ([h, a]) => h.map((hi, i) => owensTF64(hi, a[i])),
  vjp: ([h, a], _shapes, _y, dy) => [
    h.map(
      (hi, i) =>
        -dy[i] * Math.exp(logNormalDensityF64(hi)) * 0.5 * erfF64((a[i] * hi) / Math.SQRT2),
    ),
    a.map((ai, i) => {
      const onePlusA2 = 1 + ai * ai;
      return (dy[i] * Math.exp(-0.5 * h[i] * h[i] * onePlusA2)) / (2 * Math.PI * onePlusA2);
    }),
  ],
});
