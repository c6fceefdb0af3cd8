/**
 * Statistical checks for samplers, with fixed keys and tolerances from Monte Carlo error:
 * moments within z standard errors (the standard error of a sample variance uses the fourth
 * central moment), the Kolmogorov-Smirnov test for continuous laws and Pearson's chi-square
 * test for discrete ones.
 */
import gammainc from "@stdlib/math-base-special-gammainc";

/** Sample mean, variance (n - 1 denominator) and their Monte Carlo standard errors. */
export function moments(x: ArrayLike<number>): {
  mean: number;
  variance: number;
  meanError: number;
  varianceError: number;
} {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - mean;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  const variance = m2 / (n - 1);
  m4 /= n;
  const populationVariance = m2 / n;
  return {
    mean,
    variance,
    meanError: Math.sqrt(variance / n),
    varianceError: Math.sqrt(Math.max(m4 - populationVariance * populationVariance, 0) / n),
  };
}

/** Throws unless the sample mean and variance are within `z` standard errors of the truth. */
export function expectMoments(
  x: ArrayLike<number>,
  mean: number,
  variance: number,
  what: string,
  z = 4.5,
): void {
  const m = moments(x);
  const zMean = (m.mean - mean) / m.meanError;
  const zVariance = (m.variance - variance) / m.varianceError;
  if (!(Math.abs(zMean) <= z)) {
    throw new Error(
      `${what}: sample mean ${m.mean} vs ${mean} (z = ${zMean.toFixed(2)}, |z| > ${z})`,
    );
  }
  if (!(Math.abs(zVariance) <= z)) {
    throw new Error(
      `${what}: sample variance ${m.variance} vs ${variance} (z = ${zVariance.toFixed(2)}, |z| > ${z})`,
    );
  }
}

/** The Kolmogorov distribution's tail P(K > t). */
function kolmogorovTail(t: number): number {
  if (t < 0.2) return 1;
  let sum = 0;
  for (let k = 1; k < 100; k++) {
    const term = 2 * (k % 2 === 1 ? 1 : -1) * Math.exp(-2 * k * k * t * t);
    sum += term;
    if (Math.abs(term) < 1e-16) break;
  }
  return Math.min(1, Math.max(0, sum));
}

/**
 * The one-sample Kolmogorov-Smirnov test of draws `x` against the cdf `cdf` (applied to the
 * sorted draws): the statistic D and its asymptotic p-value with Stephens' (1970) correction.
 */
export function ksTest(
  x: ArrayLike<number>,
  cdf: (sorted: Float64Array) => ArrayLike<number>,
): { statistic: number; pValue: number } {
  const sorted = Float64Array.from(x).sort();
  const f = cdf(sorted);
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) d = Math.max(d, (i + 1) / n - f[i], f[i] - i / n);
  const sqrtN = Math.sqrt(n);
  return { statistic: d, pValue: kolmogorovTail(d * (sqrtN + 0.12 + 0.11 / sqrtN)) };
}

/** Throws if the KS test rejects at level `alpha` (default 1e-3). */
export function expectKS(
  x: ArrayLike<number>,
  cdf: (sorted: Float64Array) => ArrayLike<number>,
  what: string,
  alpha = 1e-3,
): void {
  const { statistic, pValue } = ksTest(x, cdf);
  if (!(pValue >= alpha)) {
    throw new Error(
      `${what}: Kolmogorov-Smirnov D = ${statistic.toFixed(4)}, p = ${pValue.toExponential(2)} < ${alpha}`,
    );
  }
}

/**
 * Pearson's chi-square test of integer draws against a mass function on lo..hi (mass outside
 * is lumped into the end bins); adjacent bins are merged until each expects at least 5.
 */
export function chiSquareTest(
  x: ArrayLike<number>,
  pmf: (k: number) => number,
  lo: number,
  hi: number,
): { statistic: number; degreesOfFreedom: number; pValue: number } {
  const n = x.length;
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const k = Math.min(hi, Math.max(lo, x[i]));
    if (!Number.isInteger(x[i])) throw new Error(`chiSquareTest: draw ${x[i]} is not an integer`);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const probabilities: number[] = [];
  let total = 0;
  for (let k = lo; k <= hi; k++) {
    const p = pmf(k);
    probabilities.push(p);
    total += p;
  }
  // Mass outside lo..hi goes to the end bins.
  probabilities[probabilities.length - 1] += Math.max(0, 1 - total);
  const bins: Array<{ expected: number; observed: number }> = [];
  let current = { expected: 0, observed: 0 };
  for (let k = lo; k <= hi; k++) {
    current.expected += n * probabilities[k - lo];
    current.observed += counts.get(k) ?? 0;
    if (current.expected >= 5) {
      bins.push(current);
      current = { expected: 0, observed: 0 };
    }
  }
  if (current.expected > 0 || current.observed > 0) {
    if (bins.length === 0) bins.push(current);
    else {
      bins[bins.length - 1].expected += current.expected;
      bins[bins.length - 1].observed += current.observed;
    }
  }
  let statistic = 0;
  for (const b of bins) statistic += (b.observed - b.expected) ** 2 / b.expected;
  const degreesOfFreedom = bins.length - 1;
  const pValue =
    degreesOfFreedom > 0 ? gammainc(statistic / 2, degreesOfFreedom / 2, true, true) : 1;
  return { statistic, degreesOfFreedom, pValue };
}

/** Throws if the chi-square test rejects at level `alpha` (default 1e-3). */
export function expectChiSquare(
  x: ArrayLike<number>,
  pmf: (k: number) => number,
  lo: number,
  hi: number,
  what: string,
  alpha = 1e-3,
): void {
  const r = chiSquareTest(x, pmf, lo, hi);
  if (!(r.pValue >= alpha)) {
    throw new Error(
      `${what}: chi-square ${r.statistic.toFixed(2)} on ${r.degreesOfFreedom} df, p = ${r.pValue.toExponential(2)} < ${alpha}`,
    );
  }
}
