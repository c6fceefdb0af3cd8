/**
 * The simultaneous confidence band for the empirical CDF of uniform values, and the test it
 * gives, after Säilynoja, Bürkner & Vehtari (2022), "Graphical test for discrete uniformity
 * and its applications in goodness-of-fit evaluation and multiple sample comparison",
 * Statistics and Computing 32:32, section 2.2 (the simulation method).
 *
 * At K evaluation points z_i = i / K (i = 1, ..., K - 1), the count c_i of n uniform values
 * below z_i is Binomial(n, z_i). For a sample, the smallest two-sided tail probability over
 * the points, gamma = min_i 2 min(F(c_i), 1 - F(c_i - 1)), measures its worst departure.
 * Simulating gamma for many uniform samples and taking its alpha quantile gamma* gives a
 * band: at each z_i the counts whose two-sided tail probability exceeds gamma*. The whole
 * ECDF lies inside it with probability about 1 - alpha (simultaneously, not pointwise), and
 * the test passes when it does. The p-value is the fraction of simulated gammas at or below
 * the observed one.
 */

/** A simultaneous 1 - alpha band for the ECDF of n uniform values at K points. */
export interface EcdfBand {
  readonly n: number;
  /** Evaluation points z_i = i / K, i = 1..K-1. */
  readonly z: number[];
  /** Smallest and largest counts inside the band at each z_i (divide by n for the ECDF). */
  readonly lower: number[];
  readonly upper: number[];
  readonly alpha: number;
  /**
   * The adjusted pointwise level gamma*: counts whose two-sided tail probability exceeds it
   * are inside the band (the alpha quantile of the simulated minimum tail probabilities).
   */
  readonly gamma: number;
  /** Simulated minimum tail probabilities, sorted (for p-values). */
  readonly simulated: Float64Array;
}

/** What `ecdfUniformity` found. */
export interface EcdfTestResult {
  /** Whether the ECDF lies inside the band at every point. */
  readonly ok: boolean;
  /** Fraction of simulated uniform samples at least as extreme (by the minimum tail probability). */
  readonly pValue: number;
  /** Counts below each z_i. */
  readonly counts: number[];
  /** The minimum two-sided tail probability of the observed counts. */
  readonly minTailProbability: number;
  /** The first evaluation point outside the band, when there is one. */
  readonly firstOutside?: {
    readonly z: number;
    readonly count: number;
    readonly lower: number;
    readonly upper: number;
  };
  readonly band: EcdfBand;
}

/** Lower cdf F(c) and upper tail 1 - F(c - 1) of Binomial(n, p), for c = 0..n. */
function binomialTails(n: number, p: number): { cdf: Float64Array; upper: Float64Array } {
  const logPmf = new Float64Array(n + 1);
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  let logChoose = 0;
  for (let c = 0; c <= n; c++) {
    if (c > 0) logChoose += Math.log((n - c + 1) / c);
    logPmf[c] = logChoose + c * logP + (n - c) * logQ;
  }
  const pmf = logPmf.map(Math.exp);
  const cdf = new Float64Array(n + 1);
  const upper = new Float64Array(n + 1);
  let total = 0;
  for (let c = 0; c <= n; c++) cdf[c] = total += pmf[c];
  total = 0;
  for (let c = n; c >= 0; c--) upper[c] = total += pmf[c];
  return { cdf, upper };
}

/** Two-sided tail probabilities 2 min(F(c), 1 - F(c - 1)) for c = 0..n, per point. */
function tailTables(n: number, z: readonly number[]): Float64Array[] {
  return z.map((p) => {
    const { cdf, upper } = binomialTails(n, p);
    return cdf.map((f, c) => Math.min(1, 2 * Math.min(f, upper[c])));
  });
}

function minTail(counts: readonly number[], tables: readonly Float64Array[]): number {
  let smallest = 1;
  for (let i = 0; i < counts.length; i++) smallest = Math.min(smallest, tables[i][counts[i]]);
  return smallest;
}

/** Counts of `values` below each z_i = i / K. */
function countsBelow(values: ArrayLike<number>, k: number): number[] {
  const bins = new Array<number>(k).fill(0);
  for (let i = 0; i < values.length; i++) {
    bins[Math.min(k - 1, Math.max(0, Math.floor(values[i] * k)))]++;
  }
  const counts: number[] = [];
  let total = 0;
  for (let i = 0; i < k - 1; i++) counts.push((total += bins[i]));
  return counts;
}

/**
 * A small fast generator of uniforms (mulberry32) for the band's simulations: millions of
 * draws, where quality needs are modest and the seed is fixed.
 */
function uniforms(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Counts below each z_i of one simulated sample of n uniforms. */
function simulatedCounts(next: () => number, n: number, k: number, bins: Int32Array): number[] {
  bins.fill(0);
  for (let i = 0; i < n; i++) bins[Math.floor(next() * k)]++;
  const counts: number[] = [];
  let total = 0;
  for (let i = 0; i < k - 1; i++) counts.push((total += bins[i]));
  return counts;
}

/** Simulations for a level alpha: enough that about 50 simulated values fall below gamma*. */
export function defaultSimulations(alpha: number): number {
  return Math.max(4000, Math.ceil(50 / alpha));
}

const bands = new Map<string, { band: EcdfBand; tables: Float64Array[] }>();

/**
 * The simultaneous 1 - alpha band for the ECDF of n uniform values at K points, from
 * `numSimulations` simulated samples (default max(4000, 50 / alpha); fixed seed; cached per
 * (n, K, alpha, numSimulations)).
 *
 * @example
 * const band = ecdfBand(100, 20, 0.05);
 * band.lower[9] / 100; // lower edge of the ECDF at z = 0.5
 */
export function ecdfBand(
  n: number,
  k: number,
  alpha: number,
  numSimulations = defaultSimulations(alpha),
): EcdfBand {
  return bandWithTables(n, k, alpha, numSimulations).band;
}

function bandWithTables(
  n: number,
  k: number,
  alpha: number,
  numSimulations: number,
): { band: EcdfBand; tables: Float64Array[] } {
  const id = `${n}/${k}/${alpha}/${numSimulations}`;
  const cached = bands.get(id);
  if (cached !== undefined) return cached;
  const z = Array.from({ length: k - 1 }, (_, i) => (i + 1) / k);
  const tables = tailTables(n, z);
  const next = uniforms(20220332);
  const bins = new Int32Array(k);
  const simulated = new Float64Array(numSimulations);
  for (let m = 0; m < numSimulations; m++) {
    simulated[m] = minTail(simulatedCounts(next, n, k, bins), tables);
  }
  simulated.sort();
  // gamma*: the largest simulated value v with at most alpha M simulated values <= v, so that
  // rejecting when the observed value is <= gamma* has level at most alpha despite ties.
  let gamma = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < numSimulations; j++) {
    let end = j;
    while (end + 1 < numSimulations && simulated[end + 1] === simulated[j]) end++;
    if (end + 1 > alpha * numSimulations) break;
    gamma = simulated[j];
    j = end;
  }
  const lower = tables.map((t) => t.findIndex((v) => v > gamma));
  const upper = tables.map((t) => {
    for (let c = n; c >= 0; c--) if (t[c] > gamma) return c;
    return -1;
  });
  const entry = { band: { n, z, lower, upper, alpha, gamma, simulated }, tables };
  bands.set(id, entry);
  return entry;
}

/**
 * Tests whether values in [0, 1) are uniform: their ECDF at K points against the
 * simultaneous 1 - alpha band (Säilynoja et al. 2022).
 *
 * @example
 * // fractionalRanks: ranks of prior draws among posterior draws, in [0, 1]
 * ecdfUniformity(fractionalRanks, { alpha: 0.01 }).ok;
 */
export function ecdfUniformity(
  values: ArrayLike<number>,
  options: {
    readonly alpha?: number;
    readonly points?: number;
    readonly numSimulations?: number;
  } = {},
): EcdfTestResult {
  const n = values.length;
  const k = options.points ?? Math.min(n, 100);
  const alpha = options.alpha ?? 0.01;
  const { band, tables } = bandWithTables(
    n,
    k,
    alpha,
    options.numSimulations ?? defaultSimulations(alpha),
  );
  const counts = countsBelow(values, k);
  const observed = minTail(counts, tables);
  let atOrBelow = 0;
  for (const g of band.simulated) if (g <= observed) atOrBelow++;
  const outside = counts.findIndex((c, i) => c < band.lower[i] || c > band.upper[i]);
  return {
    ok: outside === -1,
    pValue: (atOrBelow + 1) / (band.simulated.length + 1),
    counts,
    minTailProbability: observed,
    firstOutside:
      outside === -1
        ? undefined
        : {
            z: band.z[outside],
            count: counts[outside],
            lower: band.lower[outside],
            upper: band.upper[outside],
          },
    band,
  };
}
