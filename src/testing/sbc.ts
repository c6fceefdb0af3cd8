/**
 * `sbc`: simulation-based calibration (Talts, Betancourt, Simpson, Vehtari & Gelman 2018,
 * "Validating Bayesian inference algorithms with simulation-based calibration",
 * arXiv:1804.06788).
 *
 * For each simulation: draw parameters from the prior and data given them (the prior
 * predictive of `generator`, by default the model itself), fit the model to those data, and
 * rank each scalar parameter's prior draw among its posterior draws, thinned to about
 * independent draws by their effective sample size. If the fit is calibrated, the ranks are
 * uniform. Each scalar parameter gets two uniformity tests: Pearson's chi-square on binned
 * ranks, and the simultaneous ECDF band of Säilynoja, Bürkner & Vehtari (2022). Both run at
 * level alpha / (2 P) for P scalar parameters (Bonferroni), so the whole result raises a
 * false alarm with probability at most alpha.
 *
 * The data slot. `sbc` runs the model with `args` as given. The sample sites observed under
 * those args are the data: each simulation draws them afresh and conditions the model on
 * them with `condition`, which replaces the `obs` values in args. So pass the real data (or
 * any data of the right shape) where the model takes it; where the data argument is
 * optional (`y?: number[]`), pass undefined and name the data sites in `observed`.
 *
 * Fits run NUTS on the compiled potential. Long runs use worker threads (the library's
 * chain worker, one pool for all simulations; the main thread fits too while they are
 * busy): by default when the first fit says the run would take more than about 20 s on one
 * thread, since starting a worker costs seconds. Models that do not compile fit on the main
 * thread. A `fit` function replaces NUTS (SVI, ADVI, another sampler): it gets the
 * conditioned model and returns posterior draws. The draws, and so the ranks, are the same
 * whichever thread fits a simulation.
 */
import { condition } from "../handlers/condition.js";
import { seed as seedModel } from "../handlers/seed.js";
import { trace } from "../handlers/trace.js";
import type { Draws } from "../infer/draws.js";
import type { ChainResult } from "../infer/mcmc/chain.js";
import { ChainWorkerPool } from "../infer/mcmc/worker-pool.js";
import { type ChainOptions, chainJob, runChain } from "../infer/nuts/runner.js";
import { type Potential, potential } from "../infer/potential.js";
import { Predictive } from "../infer/predictive.js";
import { foldIn, type Key, split, toKey, uniform } from "../primitives/prng.js";
import type { Model } from "../primitives/runtime.js";
import { type NestedNumbers, tidyValue } from "../tf.js";
import { sizeOf } from "../util/shapes.js";
import {
  type CheckSummary,
  formatTolerance,
  type PropertyCheckResult,
  type PropertyFailure,
  propertyCheckResult,
} from "./check-result.js";
import { type ChiSquareResult, chiSquareUniformity, defaultBins } from "./chi-square.js";
import { formatNumber, nest } from "./distribution-case.js";
import { type EcdfTestResult, ecdfUniformity } from "./ecdf-band.js";
import { histogramChart, type RankHistogram, rankHistogram, sparkline } from "./rank-histogram.js";
import { fractionalRank, rankOf, thin, thinningStep } from "./rank-statistics.js";

/** A fit: posterior draws (leading dimension the draws, in order) of the conditioned model. */
export type SbcFit<A extends unknown[]> = (
  model: Model<A, unknown>,
  args: A,
  key: Key,
  simulation: number,
) => Record<string, Draws> | Promise<Record<string, Draws>>;

/** Options of `sbc`. */
export interface SbcOptions<A extends unknown[]> {
  /** The model's arguments, the data slot included (see the module comment). */
  readonly args: A;
  /** Number of simulations. */
  readonly simulations: number;
  /** Seed or key (default 0). */
  readonly seed?: number | Key;
  /** The model that draws parameters and data (default: the model itself; same site names). */
  readonly generator?: Model<A, unknown>;
  /** The data sites (default: the sites observed when the model runs with `args`). */
  readonly observed?: readonly string[];
  /** Latent sites to rank, each element a parameter (default: every continuous latent site). */
  readonly parameters?: readonly string[];
  /** Replaces NUTS: returns posterior draws of the conditioned model. */
  readonly fit?: SbcFit<A>;
  /** NUTS warmup iterations per simulation (default 500). */
  readonly numWarmup?: number;
  /** NUTS draws per simulation, before thinning (default 1000). */
  readonly numSamples?: number;
  /** NUTS target acceptance probability (default 0.8). */
  readonly targetAcceptProb?: number;
  /** NUTS maximum tree depth (default 10). */
  readonly maxTreeDepth?: number;
  /** "ess" (default): keep every ceil(S / min ESS)-th draw; a number: that thinning step. */
  readonly thin?: "ess" | number;
  /** Family-wise false-alarm probability of the whole result (default 0.01). */
  readonly alpha?: number;
  /** Bins of the chi-square test and histograms (default min(20, simulations / 5)). */
  readonly bins?: number;
  /** Evaluation points of the ECDF test (default min(simulations, 100)). */
  readonly ecdfPoints?: number;
  /**
   * Worker threads for NUTS fits: a number, true (cores - 1), false (none), or "auto"
   * (default): cores - 1 when the first fit says the run would take more than about 20 s on
   * one thread, none otherwise (starting a worker costs seconds).
   */
  readonly parallel?: boolean | number | "auto";
  /** Modules the workers import first (where the model's custom ops are defined). */
  readonly workerImports?: readonly string[];
  /** Called after each simulation's fit. */
  readonly onProgress?: (done: number, total: number) => void;
  /** The model's name in reports (default the generator function's name). */
  readonly name?: string;
}

/** One scalar parameter's ranks and uniformity tests. */
export interface SbcParameter {
  /** "mu", or "eta[3]" for element 3 of a vector site. */
  readonly name: string;
  readonly site: string;
  readonly index: number;
  /** Rank of the prior draw among the thinned posterior draws, per simulation. */
  readonly ranks: number[];
  /** Thinned posterior draws per simulation (ranks lie in 0..numDraws). */
  readonly numDraws: number[];
  /** (rank + v) / (numDraws + 1), v uniform in [0, 1): Uniform(0, 1) under calibration. */
  readonly fractionalRanks: Float64Array;
  readonly chiSquare: ChiSquareResult;
  readonly ecdf: EcdfTestResult;
  readonly histogram: RankHistogram;
  /** Whether both tests pass at the per-test level. */
  readonly ok: boolean;
}

/** One simulation's fit. */
export interface SbcSimulation {
  /** Thinning step used. */
  readonly thinning: number;
  /** Posterior draws kept after thinning. */
  readonly numDraws: number;
  /** Divergent transitions after warmup (NUTS fits). */
  readonly divergences: number;
}

/** What `sbc` found. */
export interface SbcResult extends PropertyCheckResult {
  readonly simulations: number;
  readonly alpha: number;
  /** The level of each test: alpha / (2 * parameters). */
  readonly testLevel: number;
  readonly parameters: readonly SbcParameter[];
  readonly perSimulation: readonly SbcSimulation[];
  /** Wall-clock seconds, and the worker threads used (0: main thread only). */
  readonly seconds: number;
  readonly workers: number;
  /** Every parameter's histogram as a bar chart. */
  readonly histograms: string;
}

/** The sites observed when the model runs with `args`. */
function observedSites<A extends unknown[]>(model: Model<A, unknown>, args: A): string[] {
  return tidyValue(() =>
    trace(seedModel(model, 0))
      .getTrace(...args)
      .sampleSites()
      .filter((s) => s.isObserved && s.fn.family !== "Unit")
      .map((s) => s.name),
  );
}

/**
 * Prior predictive draws of the generator, batched, or draw by draw when that fails (both
 * give the same draws for the same key).
 */
function priorDraws<A extends unknown[]>(
  generator: Model<A, unknown>,
  args: A,
  simulations: number,
  key: Key,
): Record<string, Draws> {
  try {
    return new Predictive(generator, { numSamples: simulations, parallel: true }).run(key, ...args);
  } catch {
    return new Predictive(generator, { numSamples: simulations, parallel: false }).run(
      key,
      ...args,
    );
  }
}

/** Row `i` of draws of leading dimension `n`, as Draws of the site's own shape. */
function row(d: Draws, i: number): Float64Array {
  const size = sizeOf(d.shape.slice(1));
  return d.data.subarray(i * size, (i + 1) * size);
}

/**
 * Runs simulation-based calibration and returns per-parameter ranks, uniformity tests
 * (chi-square and the simultaneous ECDF band) and histograms, with `ok` and a `report`.
 *
 * @example
 * import * as testing from "tyche/testing";
 * const result = await testing.sbc(eightSchools, {
 *   args: [sigma, y],           // y is the data slot: resampled in every simulation
 *   simulations: 100,
 *   numWarmup: 200,
 *   numSamples: 200,
 * });
 * console.log(result.report);   // per parameter: histogram, chi-square and ECDF p-values
 * expect(result.ok, result.report).toBe(true);
 */
export async function sbc<A extends unknown[]>(
  model: Model<A, unknown>,
  options: SbcOptions<A>,
): Promise<SbcResult> {
  const start = performance.now();
  const args = options.args;
  const simulations = options.simulations;
  if (!Number.isInteger(simulations) || simulations < 2) {
    throw new RangeError(`sbc: simulations must be an integer >= 2, got ${simulations}`);
  }
  const name = options.name ?? (model.name || "model");
  const [priorKey, fitKey, rankKey] = split(toKey(options.seed ?? 0, "sbc"), 3);
  const dataSites = options.observed ?? observedSites(model, args);
  if (dataSites.length === 0) {
    throw new RangeError(
      `sbc(${name}): the model observes no site when run with args; pass data in args (it is resampled each simulation) or name the data sites in options.observed`,
    );
  }
  const prior = priorDraws(options.generator ?? model, args, simulations, priorKey);
  for (const site of dataSites) {
    if (prior[site] === undefined) {
      throw new RangeError(
        `sbc(${name}): the generator has no site "${site}" to simulate data from; its sites are ${Object.keys(prior).join(", ")}`,
      );
    }
  }
  const conditioned = (i: number) =>
    condition(model, Object.fromEntries(dataSites.map((s) => [s, nestedRow(prior[s], i)])));

  // The parameters: every continuous latent site of the conditioned model (or those asked for).
  const firstTarget = potential(conditioned(0), args);
  const sites = (options.parameters ?? firstTarget.layout.sites.map((s) => s.name)).map((s) => {
    if (prior[s] === undefined) {
      throw new RangeError(
        `sbc(${name}): the generator draws no site "${s}"; give the generator the model's latent sites (it has ${Object.keys(prior).join(", ")})`,
      );
    }
    return { site: s, shape: prior[s].shape.slice(1) };
  });

  const { posteriors, workers } = await fitAll(
    options,
    conditioned,
    firstTarget,
    fitKey,
    simulations,
  );

  // Ranks per scalar parameter.
  const columns = sites.flatMap(({ site, shape }) =>
    Array.from({ length: Math.max(1, sizeOf(shape)) }, (_, index) => ({
      site,
      index,
      name: shape.length === 0 ? site : `${site}[${index}]`,
    })),
  );
  const numParams = columns.length;
  const ranks = columns.map(() => new Array<number>(simulations));
  const numDraws = columns.map(() => new Array<number>(simulations));
  const perSimulation: SbcSimulation[] = [];
  posteriors.forEach((post, i) => {
    const series = columns.map(({ site, index }) => {
      const d = post.draws[site];
      if (d === undefined) {
        throw new RangeError(`sbc(${name}): the fit returned no draws of "${site}"`);
      }
      const size = Math.max(1, sizeOf(d.shape.slice(1)));
      const n = d.shape[0];
      const out = new Float64Array(n);
      for (let k = 0; k < n; k++) out[k] = d.data[k * size + index];
      return out;
    });
    const step =
      options.thin === undefined || options.thin === "ess"
        ? thinningStep(series)
        : Math.max(1, Math.floor(options.thin));
    let kept = 0;
    columns.forEach(({ site, index }, c) => {
      const thinned = thin(series[c], step);
      kept = thinned.length;
      ranks[c][i] = rankOf(row(prior[site], i)[index], thinned);
      numDraws[c][i] = thinned.length;
    });
    perSimulation.push({ thinning: step, numDraws: kept, divergences: post.divergences });
  });

  const alpha = options.alpha ?? 0.01;
  const testLevel = alpha / (2 * numParams);
  const bins = options.bins ?? defaultBins(simulations);
  const jitter = uniform(rankKey, simulations * numParams);
  const parameters: SbcParameter[] = columns.map((col, c) => {
    const fractionalRanks = Float64Array.from(ranks[c], (r, i) =>
      fractionalRank(r, numDraws[c][i], jitter[c * simulations + i]),
    );
    const chiSquare = chiSquareUniformity(fractionalRanks, bins);
    const ecdf = ecdfUniformity(fractionalRanks, {
      alpha: testLevel,
      points: options.ecdfPoints ?? Math.min(simulations, 100),
    });
    return {
      ...col,
      ranks: ranks[c],
      numDraws: numDraws[c],
      fractionalRanks,
      chiSquare,
      ecdf,
      histogram: rankHistogram(fractionalRanks, bins),
      ok: chiSquare.pValue >= testLevel && ecdf.ok,
    };
  });

  const seconds = (performance.now() - start) / 1000;
  return summarize(name, {
    simulations,
    alpha,
    testLevel,
    parameters,
    perSimulation,
    seconds,
    workers,
  });
}

function nestedRow(d: Draws, i: number): NestedNumbers {
  return nest(Array.from(row(d, i)), d.shape.slice(1));
}

interface Posterior {
  readonly draws: Record<string, Draws>;
  readonly divergences: number;
}

/** Fits every simulation: the user's fit, or NUTS in worker threads where the model compiles. */
async function fitAll<A extends unknown[]>(
  options: SbcOptions<A>,
  conditioned: (i: number) => Model<A, unknown>,
  firstTarget: Potential,
  fitKey: Key,
  simulations: number,
): Promise<{ posteriors: Posterior[]; workers: number }> {
  const args = options.args;
  const posteriors: Posterior[] = [];
  let done = 0;
  const progress = () => options.onProgress?.(++done, simulations);
  if (options.fit !== undefined) {
    for (let i = 0; i < simulations; i++) {
      posteriors.push({
        draws: await options.fit(conditioned(i), args, foldIn(fitKey, i), i),
        divergences: 0,
      });
      progress();
    }
    return { posteriors, workers: 0 };
  }
  const chainOptions: ChainOptions = {
    numWarmup: options.numWarmup ?? 500,
    numSamples: options.numSamples ?? 1000,
    ...(options.targetAcceptProb === undefined
      ? {}
      : { targetAcceptProb: options.targetAcceptProb }),
    ...(options.maxTreeDepth === undefined ? {} : { maxTreeDepth: options.maxTreeDepth }),
  };
  const posteriorOf = (target: Potential, result: ChainResult): Posterior => ({
    draws: target.unravelBatch(
      result.draws.subarray(0, result.numDraws * target.dim),
      result.numDraws,
    ),
    divergences: result.numDivergences,
  });
  // The first two simulations on the main thread: the second (warm) one's time, potential
  // included, decides whether workers pay off.
  const warm = Math.min(2, simulations);
  let seconds = 0;
  for (let i = 0; i < warm; i++) {
    const started = performance.now();
    const target = i === 0 ? firstTarget : potential(conditioned(i), args);
    posteriors.push(posteriorOf(target, await runChain(target, chainOptions, foldIn(fitKey, i))));
    seconds = (performance.now() - started) / 1000;
    progress();
  }
  const cores = await availableCores();
  const requested =
    options.parallel === false
      ? 0
      : options.parallel === true
        ? Math.max(0, cores - 1)
        : typeof options.parallel === "number"
          ? Math.max(0, Math.floor(options.parallel))
          : seconds * simulations > AUTO_PARALLEL_SECONDS
            ? Math.max(0, cores - 1)
            : 0;
  const size = firstTarget.artifact === undefined ? 0 : Math.min(requested, simulations - warm);
  const pool =
    size > 0 ? await ChainWorkerPool.start(size, options.workerImports ?? []) : undefined;
  try {
    // Each simulation goes to a free worker; when every worker is busy the main thread fits
    // it itself, so that it never idles (and worker start-up overlaps with its own fits).
    const pending: Array<Promise<Posterior>> = [];
    const inWorkers = new Set<Promise<unknown>>();
    let warned = false;
    for (let i = warm; i < simulations; i++) {
      const target = potential(conditioned(i), args);
      const key = foldIn(fitKey, i);
      const onMainThread = () =>
        runChain(target, chainOptions, key).then((r) => posteriorOf(target, r));
      if (pool !== undefined && target.artifact !== undefined && inWorkers.size < size) {
        const job = pool
          .run({ artifact: target.artifact, key, ...chainJob(target, chainOptions) })
          .then(
            (r) => posteriorOf(target, r as ChainResult),
            (error: Error) => {
              if (!warned) {
                warned = true;
                console.warn(
                  `sbc: a worker thread could not fit simulation ${i} (${error.message}); fitting it on the main thread. A custom op defined outside the library needs its module in options.workerImports.`,
                );
              }
              return onMainThread();
            },
          );
        const tracked = job.finally(() => {
          inWorkers.delete(tracked);
          progress();
        });
        inWorkers.add(tracked);
        pending.push(tracked);
      } else {
        const result = await onMainThread();
        progress();
        pending.push(Promise.resolve(result));
      }
    }
    posteriors.push(...(await Promise.all(pending)));
  } finally {
    await pool?.close();
  }
  return { posteriors, workers: size };
}

/** Above this estimated single-thread time, parallel "auto" starts worker threads. */
const AUTO_PARALLEL_SECONDS = 20;

async function availableCores(): Promise<number> {
  const os = await import("node:os");
  return typeof os.availableParallelism === "function"
    ? os.availableParallelism()
    : os.cpus().length;
}

/** What the simulations measured, before the verdict and the report. */
type SbcMeasurements = Omit<SbcResult, keyof PropertyCheckResult | "histograms">;

function summarize(name: string, run: SbcMeasurements): SbcResult {
  const { simulations, alpha, testLevel, parameters, perSimulation, seconds, workers } = run;
  const subject = `sbc(${name})`;
  const checks: CheckSummary[] = parameters.map((p) => ({
    name: `${p.name.padEnd(10)} ${sparkline(p.histogram)}  chi-square p${formatP(p.chiSquare.pValue, "")}  ECDF p${formatP(p.ecdf.pValue, "")}`,
    ok: p.ok,
    runs: simulations,
    unit: "simulation",
  }));
  const failures: PropertyFailure[] = parameters
    .filter((p) => !p.ok)
    .map((p) => {
      const reasons: string[] = [];
      if (p.chiSquare.pValue < testLevel) {
        reasons.push(
          `the binned ranks are not uniform: chi-square ${formatNumber(p.chiSquare.statistic)} on ${p.chiSquare.df} degrees of freedom, p ${formatP(p.chiSquare.pValue)} < ${formatTolerance(testLevel)}`,
        );
      }
      if (!p.ecdf.ok && p.ecdf.firstOutside !== undefined) {
        const o = p.ecdf.firstOutside;
        reasons.push(
          `the rank ECDF leaves its simultaneous ${formatNumber(100 * (1 - testLevel))}% band: at ${formatNumber(o.z)} it is ${formatNumber(o.count / simulations)}, the band is ${formatNumber(o.lower / simulations)}..${formatNumber(o.upper / simulations)} (p ${formatP(p.ecdf.pValue)})`,
        );
      }
      return {
        check: "rank uniformity",
        site: p.name,
        siteKind: "parameter",
        input: `${simulations} simulations; ${shape(p)}`,
        message: `${reasons.join("; ")}\n${histogramChart(p.histogram)}`,
      };
    });
  const divergent = perSimulation.filter((s) => s.divergences > 0).length;
  const draws = perSimulation.map((s) => s.numDraws);
  const notes = [
    `${simulations} simulations in ${seconds.toFixed(1)} s${workers > 0 ? ` on ${workers} worker thread${workers > 1 ? "s" : ""}` : ""}; each test at level ${formatTolerance(testLevel)} (alpha ${alpha} over ${2 * parameters.length} tests)`,
    `posterior draws kept after thinning: ${Math.min(...draws)} to ${Math.max(...draws)} per simulation`,
  ];
  if (divergent > 0) notes.push(`${divergent} simulations had divergent transitions`);
  const histograms = parameters
    .map((p) => `${p.name}\n${histogramChart(p.histogram)}`)
    .join("\n\n");
  return { ...propertyCheckResult(subject, checks, failures, notes), ...run, histograms };
}

/**
 * Where the ranks pile up, from the mean and variance of the fractional ranks against those
 * of Uniform(0, 1) (1/2 and 1/12), whichever departs more in standard errors.
 */
function shape(p: SbcParameter): string {
  const u = p.fractionalRanks;
  const n = u.length;
  let mean = 0;
  for (const x of u) mean += x / n;
  let variance = 0;
  for (const x of u) variance += (x - mean) ** 2 / (n - 1);
  const biasZ = (mean - 0.5) / Math.sqrt(1 / (12 * n));
  // The variance of a sample variance of uniforms: (mu4 - sigma^4) / n = (1/80 - 1/144) / n.
  const spreadZ = (variance - 1 / 12) / Math.sqrt((1 / 80 - 1 / 144) / n);
  if (Math.abs(spreadZ) >= Math.abs(biasZ)) {
    return spreadZ > 0
      ? "ranks pile up at both ends: the posterior is too narrow (over-confident)"
      : "ranks pile up in the middle: the posterior is too wide (under-confident)";
  }
  return biasZ < 0
    ? "ranks pile up low: the posterior sits above the prior draw (biased upward)"
    : "ranks pile up high: the posterior sits below the prior draw (biased downward)";
}

/** "= 0.4290", "= 2.1e-6", or "< 1e-300" for a p-value that underflows; `space` around the sign. */
function formatP(p: number, space = " "): string {
  if (p === 0) return `<${space}1e-300`;
  return `=${space}${p < 1e-4 ? p.toExponential(1) : p.toFixed(4)}`;
}
