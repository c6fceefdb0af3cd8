/**
 * Random variate generators in float64 JavaScript, driven by counter-based keys: element i of
 * a draw uses its own stream of uniforms, threefry2x32 of (foldIn(key, i), counter), so draws
 * are reproducible and independent of how many uniforms a rejection loop consumed elsewhere.
 *
 * Algorithms:
 * - gamma: Marsaglia & Tsang (2000), "A simple method for generating gamma variables",
 *   ACM TOMS 26(3), with the boost G(a) = G(a + 1) U^(1/a) for a < 1 (their section 6),
 *   carried out in log space so that tiny shapes do not underflow;
 * - Poisson: inversion by sequential search for rates below 10, otherwise PTRS, the
 *   transformed rejection with squeeze of Hörmann (1993), "The transformed rejection method
 *   for generating Poisson random variables", Insurance: Math. and Econ. 12;
 * - binomial: inversion for n min(p, 1-p) < 10, otherwise BTRS of Hörmann (1993), "The
 *   generation of binomial random variates", J. Statist. Comput. Simul. 46;
 * - von Mises: Best & Fisher (1979), "Efficient simulation of the von Mises distribution",
 *   Applied Statistics 28(2), with the wrapped-Cauchy envelope's parameter computed without
 *   cancellation for small concentrations;
 * - beta and Dirichlet through gammas; normal by Box-Muller.
 *
 * No loop can run forever: where an algorithm degenerates in float64 it is replaced by its
 * limit (von Mises by the normal N(0, 1/kappa) above VON_MISES_NORMAL_LIMIT, where the
 * Best-Fisher envelope's parameter rounds to 1 and nothing is ever accepted), infinite
 * parameters give their limits, and every rejection loop stops after MAX_REJECTIONS tries with
 * an error naming the sampler and its parameters. Each loop accepts with probability above
 * 1/2 per try in float64 for every finite parameter, so the bound is never reached by chance.
 */
import lgammaF64 from "@stdlib/math-base-special-gammaln";
import { foldIn, type Key, threefry2x32 } from "../primitives/prng.js";

/**
 * Rejections after which a sampler gives up (each try accepts with probability above 1/2, so
 * reaching this bound means the algorithm degenerated, never bad luck).
 */
export const MAX_REJECTIONS = 10_000;

/**
 * Concentration above which von Mises draws come from the normal limit N(0, 1/kappa). The
 * normal's error is O(1/kappa) (the quartic term of kappa cos x); Best-Fisher's float64
 * rounding error grows like kappa * 2^-53 (its envelope parameter is 1 + O(1/kappa)), so the
 * two errors cross near 1e8; at 1e7 both are below 1e-7, far below what any sample can detect.
 */
export const VON_MISES_NORMAL_LIMIT = 1e7;

function gaveUp(sampler: string, params: string): Error {
  return new Error(
    `${sampler}: the rejection sampler accepted nothing in ${MAX_REJECTIONS} tries (${params}); this is a bug, please report it`,
  );
}

/** A stream of uniforms (0, 1) and normals from one key. */
export class RandomStream {
  private counter = 0;
  private spareNormal: number | undefined;
  private readonly words = new Uint32Array(2);
  constructor(private readonly key: Key) {}

  /** A uniform variate in the open interval (0, 1), from 53 random bits. */
  uniform(): number {
    threefry2x32(this.key[0], this.key[1], 0, this.counter++, this.words);
    return ((this.words[0] >>> 5) * 67108864 + (this.words[1] >>> 6) + 0.5) / 9007199254740992;
  }

  /** A standard normal variate (Box-Muller; the second of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const theta = 2 * Math.PI * this.uniform();
    this.spareNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }
}

/** The stream of element `i` of a draw made with `key`. */
export function streamOf(key: Key, i: number): RandomStream {
  return new RandomStream(foldIn(key, i));
}

/** Fills n values, element i from its own stream. */
export function drawEach(
  key: Key,
  n: number,
  draw: (s: RandomStream, i: number) => number,
): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = draw(streamOf(key, i), i);
  return out;
}

/**
 * log of a standard gamma variate with shape `a` (Marsaglia & Tsang 2000; boosted for a < 1).
 * Returned as a log so that shapes like 1e-3, whose draws underflow, stay usable.
 */
export function logStandardGamma(a: number, s: RandomStream): number {
  if (!(a > 0)) return Number.NaN;
  if (a === Number.POSITIVE_INFINITY) return a;
  if (a < 1) {
    // G(a) = G(a + 1) U^(1/a)
    return logStandardGamma(a + 1, s) + Math.log(s.uniform()) / a;
  }
  const d = a - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (let tries = 0; tries < MAX_REJECTIONS; tries++) {
    const x = s.normal();
    let v = 1 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    const u = s.uniform();
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return Math.log(d) + Math.log(v);
    if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return Math.log(d) + Math.log(v);
  }
  throw gaveUp("gamma sampler", `shape ${a}`);
}

/** A Beta(a, b) variate, G_a / (G_a + G_b) computed from log-gammas. */
export function betaVariate(a: number, b: number, s: RandomStream): number {
  const la = logStandardGamma(a, s);
  const lb = logStandardGamma(b, s);
  // 1 / (1 + exp(lb - la)) without overflow
  const d = lb - la;
  return d > 0 ? Math.exp(-d) / (1 + Math.exp(-d)) : 1 / (1 + Math.exp(d));
}

/** A Poisson variate with mean `rate`: inversion below 10, PTRS (Hörmann 1993) above. */
export function poissonVariate(rate: number, s: RandomStream): number {
  if (!(rate >= 0)) return Number.NaN;
  if (rate === 0 || rate === Number.POSITIVE_INFINITY) return rate;
  if (rate < 10) {
    let k = 0;
    let p = Math.exp(-rate);
    let cdf = p;
    const u = s.uniform();
    while (u > cdf && k < 1000) {
      k++;
      p *= rate / k;
      cdf += p;
    }
    return k;
  }
  const sqrtRate = Math.sqrt(rate);
  const logRate = Math.log(rate);
  const b = 0.931 + 2.53 * sqrtRate;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (let tries = 0; tries < MAX_REJECTIONS; tries++) {
    const u = s.uniform() - 0.5;
    const v = s.uniform();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + rate + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (
      Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <=
      -rate + k * logRate - lgammaF64(k + 1)
    )
      return k;
  }
  throw gaveUp("Poisson sampler", `rate ${rate}`);
}

/** A Binomial(n, p) variate: inversion for n min(p, 1-p) < 10, BTRS (Hörmann 1993) above. */
export function binomialVariate(n: number, p: number, s: RandomStream): number {
  if (!(p >= 0 && p <= 1) || !(n >= 0) || n === Number.POSITIVE_INFINITY) return Number.NaN;
  if (n === 0 || p === 0) return 0;
  if (p === 1) return n;
  if (p > 0.5) return n - binomialVariate(n, 1 - p, s);
  const q = 1 - p;
  if (n * p < 10) {
    // Sequential search: pmf(k+1) = pmf(k) (n - k)/(k + 1) p/q.
    const ratio = p / q;
    let pmf = Math.exp(n * Math.log1p(-p));
    let cdf = pmf;
    let k = 0;
    const u = s.uniform();
    // pmf > 0: once the terms underflow the tail is below 2^-1074 (rounding can keep cdf
    // under u forever, and n may be huge).
    while (u > cdf && k < n && pmf > 0) {
      pmf *= ((n - k) / (k + 1)) * ratio;
      cdf += pmf;
      k++;
    }
    return k;
  }
  const spq = Math.sqrt(n * p * q);
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const vr = 0.92 - 4.2 / b;
  const alpha = (2.83 + 5.1 / b) * spq;
  const lpq = Math.log(p / q);
  const m = Math.floor((n + 1) * p);
  const h = lgammaF64(m + 1) + lgammaF64(n - m + 1);
  for (let tries = 0; tries < MAX_REJECTIONS; tries++) {
    const u = s.uniform() - 0.5;
    const v = s.uniform();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + c);
    if (k < 0 || k > n) continue;
    if (us >= 0.07 && v <= vr) return k;
    const lhs = Math.log((v * alpha) / (a / (us * us) + b));
    if (lhs <= h - lgammaF64(k + 1) - lgammaF64(n - k + 1) + (k - m) * lpq) return k;
  }
  throw gaveUp("binomial sampler", `totalCount ${n}, probs ${p}`);
}

/**
 * A von Mises variate centered at 0 with concentration `kappa` (Best & Fisher 1979), in
 * [-pi, pi]. Concentrations below 1e-8 give a uniform angle, concentrations above
 * VON_MISES_NORMAL_LIMIT a normal one with variance 1/kappa (the limit as kappa grows).
 */
export function vonMisesVariate(kappa: number, s: RandomStream): number {
  if (!(kappa >= 0)) return Number.NaN;
  if (kappa < 1e-8) return Math.PI * (2 * s.uniform() - 1);
  if (kappa > VON_MISES_NORMAL_LIMIT) return s.normal() / Math.sqrt(kappa);
  // tau = 1 + sqrt(1 + 4 kappa^2); rho = (tau - sqrt(2 tau)) / (2 kappa), rewritten without
  // cancellation: rho = 2 kappa tau / ((sqrt(1 + 4 kappa^2) + 1)(tau + sqrt(2 tau))).
  const root = Math.sqrt(1 + 4 * kappa * kappa);
  const tau = 1 + root;
  const rho = (2 * kappa * tau) / ((root + 1) * (tau + Math.sqrt(2 * tau)));
  const r = (1 + rho * rho) / (2 * rho);
  for (let tries = 0; tries < MAX_REJECTIONS; tries++) {
    const z = Math.cos(Math.PI * s.uniform());
    const f = (1 + r * z) / (r + z);
    const c = kappa * (r - f);
    const u2 = s.uniform();
    if (c * (2 - c) - u2 > 0 || Math.log(c / u2) + 1 - c >= 0) {
      const angle = Math.acos(Math.max(-1, Math.min(1, f)));
      return s.uniform() < 0.5 ? -angle : angle;
    }
  }
  throw gaveUp("von Mises sampler", `concentration ${kappa}`);
}
