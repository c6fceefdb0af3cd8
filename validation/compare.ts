/**
 * The comparison rule of tests/oracles/posteriordb/README.md ("How a test should compare"):
 *
 * 0. Health gate: R-hat <= 1.01 and bulk ESS >= 400 for every reference scalar, and no
 *    divergent transition.
 * 1. Mean: z = (m - mu_ref) / (sd_ref sqrt(1/ESS_bulk + 1/ref_ess_bulk)).
 * 2. Spread: z = (s - sd_ref) / (sd_ref sqrt((kurtosis - 1)/4 (1/ESS_sq + 1/ref_ess_bulk))),
 *    the delta-method MCSE of a standard deviation, with ESS_sq the ESS of (x - m)^2.
 * 3. Quantiles on the probability scale: for P in {0.05, 0.5, 0.95} and F = mean(x <= q_P_ref),
 *    z = (F - P) / sqrt(P (1 - P) (1/ESS_I + 1/ESS_ref)), with ESS_I the ESS of the indicator
 *    and ESS_ref the reference's tail ESS (5%, 95%) or bulk ESS (median).
 *
 * Every tolerance is a Monte Carlo standard error: the sd of the reference, never our own, so
 * that an over-dispersed sampler cannot loosen its own test; our ESS, never the draw count, so
 * that autocorrelation is not hidden.
 */
import { essBulk, essTail, rhat } from "../src/index.js";
import { essMean } from "../src/infer/index.js";
import type { ReferenceScalar } from "./posteriordb.js";

/** The statistics the rule compares. */
export const STATISTICS = ["mean", "sd", "q05", "q50", "q95"] as const;
export type Statistic = (typeof STATISTICS)[number];

/** One reference scalar's diagnostics and z-scores. */
export interface ScalarComparison {
  readonly name: string;
  readonly mean: number;
  readonly sd: number;
  readonly rhat: number;
  readonly essBulk: number;
  readonly essTail: number;
  readonly z: Record<Statistic, number>;
}

/** Options of `compareToReference`. */
export interface CompareOptions {
  /** Critical |z| (default 4.5: Bonferroni over the whole set's ~485 checks at 1%). */
  readonly zCrit?: number;
  /** Divergent transitions after warmup; the gate requires 0 (default 0). */
  readonly numDivergences?: number;
  /** Which statistics count toward the verdict (default all five). */
  readonly statistics?: readonly Statistic[];
  /** Which scalars count toward the verdict (default all). */
  readonly scalars?: readonly string[];
  /** Largest R-hat the gate allows (default 1.01). */
  readonly maxRhat?: number;
  /** Smallest bulk ESS the gate allows (default 400). */
  readonly minEssBulk?: number;
}

/** The verdict on one run. */
export interface Comparison {
  readonly scalars: ScalarComparison[];
  /** Whether the health gate passed, and why not. */
  readonly gatePassed: boolean;
  readonly gateFailures: string[];
  /** The largest |z| among the checked statistics, and where. */
  readonly worst: { readonly name: string; readonly statistic: Statistic; readonly z: number };
  /** Checks with |z| > zCrit, as "name statistic z". */
  readonly zFailures: string[];
  readonly minEssBulk: number;
  readonly maxRhat: number;
  readonly passed: boolean;
}

const QUANTILES: ReadonlyArray<readonly [Statistic, number, "q05" | "q50" | "q95"]> = [
  ["q05", 0.05, "q05"],
  ["q50", 0.5, "q50"],
  ["q95", 0.95, "q95"],
];

function mean(x: Float64Array): number {
  let s = 0;
  for (const v of x) s += v;
  return s / x.length;
}

function pooled(chains: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(chains.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chains) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/** ESS of a function of the draws (split chains, no ranks), or `fallback` when it is undefined. */
function essOf(
  chains: readonly Float64Array[],
  f: (x: number) => number,
  fallback: number,
): number {
  const ess = essMean(chains.map((c) => c.map(f)));
  return Number.isFinite(ess) ? ess : fallback;
}

/**
 * z-scores of one scalar's draws (one array per chain) against its reference statistics.
 *
 * @example
 * const row = compareScalar("mu", chains, reference.parameters.mu);
 * Math.abs(row.z.mean) <= 4.5;
 */
export function compareScalar(
  name: string,
  chains: readonly Float64Array[],
  ref: ReferenceScalar,
): ScalarComparison {
  const x = pooled(chains);
  const m = mean(x);
  let ss = 0;
  for (const v of x) ss += (v - m) ** 2;
  const s = Math.sqrt(ss / (x.length - 1));
  const bulk = essBulk(chains);
  const tail = essTail(chains);
  const essSquared = essOf(chains, (v) => (v - m) ** 2, Math.min(bulk, tail));
  const z = {} as Record<Statistic, number>;
  z.mean = (m - ref.mean) / (ref.sd * Math.sqrt(1 / bulk + 1 / ref.ref_ess_bulk));
  z.sd =
    (s - ref.sd) /
    (ref.sd * Math.sqrt(((ref.kurtosis - 1) / 4) * (1 / essSquared + 1 / ref.ref_ess_bulk)));
  for (const [statistic, p, key] of QUANTILES) {
    const q = ref[key];
    let below = 0;
    for (const v of x) if (v <= q) below++;
    const fraction = below / x.length;
    const essIndicator = essOf(chains, (v) => (v <= q ? 1 : 0), p === 0.5 ? bulk : tail);
    const essRef = p === 0.5 ? ref.ref_ess_bulk : ref.ref_ess_tail;
    z[statistic] = (fraction - p) / Math.sqrt(p * (1 - p) * (1 / essIndicator + 1 / essRef));
  }
  return { name, mean: m, sd: s, rhat: rhat(chains), essBulk: bulk, essTail: tail, z };
}

/**
 * Applies the rule to every reference scalar present in `chainsByScalar`.
 *
 * @example
 * const verdict = compareToReference(scalarChains(samples, scalars), reference.parameters, {
 *   numDivergences: mcmc.numDivergences,
 * });
 * verdict.passed;
 */
export function compareToReference(
  chainsByScalar: Record<string, readonly Float64Array[]>,
  reference: Record<string, ReferenceScalar>,
  options: CompareOptions = {},
): Comparison {
  const zCrit = options.zCrit ?? 4.5;
  const maxRhatAllowed = options.maxRhat ?? 1.01;
  const minEssAllowed = options.minEssBulk ?? 400;
  const statistics = options.statistics ?? STATISTICS;
  const checked = new Set(options.scalars ?? Object.keys(chainsByScalar));
  const scalars: ScalarComparison[] = [];
  for (const [name, chains] of Object.entries(chainsByScalar)) {
    const ref = reference[name];
    if (ref === undefined) throw new Error(`compareToReference: no reference for "${name}"`);
    scalars.push(compareScalar(name, chains, ref));
  }
  const counted = scalars.filter((s) => checked.has(s.name));
  const gateFailures: string[] = [];
  const divergences = options.numDivergences ?? 0;
  if (divergences > 0) gateFailures.push(`${divergences} divergences`);
  for (const s of counted) {
    // NaN (a constant chain) fails both comparisons.
    if (!(s.rhat <= maxRhatAllowed)) gateFailures.push(`${s.name} R-hat ${s.rhat.toFixed(3)}`);
    if (!(s.essBulk >= minEssAllowed))
      gateFailures.push(`${s.name} ESS_bulk ${s.essBulk.toFixed(0)}`);
  }
  let worst: Comparison["worst"] = { name: "", statistic: "mean", z: 0 };
  const zFailures: string[] = [];
  for (const s of counted) {
    for (const statistic of statistics) {
      const z = s.z[statistic];
      if (!(Math.abs(z) <= zCrit)) zFailures.push(`${s.name} ${statistic} z=${z.toFixed(2)}`);
      // A NaN z-score is the worst there is and stays so.
      if (!Number.isNaN(worst.z) && !(Math.abs(z) <= Math.abs(worst.z)))
        worst = { name: s.name, statistic, z };
    }
  }
  const minEssBulk = Math.min(...counted.map((s) => s.essBulk));
  const maxRhat = Math.max(...counted.map((s) => s.rhat));
  return {
    scalars,
    gatePassed: gateFailures.length === 0,
    gateFailures,
    worst,
    zFailures,
    minEssBulk,
    maxRhat,
    passed: gateFailures.length === 0 && zFailures.length === 0,
  };
}
