/**
 * `advi`: automatic differentiation variational inference (Kucukelbir, Tran, Ranganath,
 * Gelman & Blei 2017, "Automatic differentiation variational inference", JMLR 18). The model's
 * latent sites are mapped to the unconstrained space, where a Gaussian (diagonal: mean-field;
 * dense: full-rank) is fitted by stochastic gradient ascent on the ELBO with reparameterized
 * gradients. The run stops when the variational parameters stop moving (PyMC's parameter
 * convergence check) or after `maxSteps`.
 *
 * Step sizes. By default Adam with a step size annealed exponentially from 0.1 to 2.5e-4 over
 * `maxSteps`: the final iterate of a noisy gradient method wanders by about the step size, so
 * the step size must end small for accurate means and scales. With `eta` the paper's adaptive
 * sequence (`ADVIStepSequence`) is used instead, and `eta: "adapt"` picks its scale from
 * 100, 10, 1, 0.1, 0.01 as Stan does; that sequence decays as 1/sqrt(k), so after 10^4 steps its
 * iterates still wander by about eta/100 (measured on eight schools: posterior sds 5-37% too
 * large at eta = 1 after 5000 steps).
 *
 * Summaries: `mean` and `sd` per latent site in the constrained space are the Gaussian's exact
 * moments for sites on the real line (identity transform), and Monte Carlo estimates from
 * `numSummaryDraws` draws for transformed sites (e.g. a scale's exp transform).
 */
import { ArgumentError } from "../../errors.js";
import { foldIn, type Key, split, toKey } from "../../primitives/prng.js";
import type { Model } from "../../primitives/runtime.js";
import { siteRecord } from "../../util/records.js";
import type { Draws } from "../draws.js";
import type { GaussianPosterior } from "../svi/autoguide/auto-continuous.js";
import { AutoDiagonalNormal } from "../svi/autoguide/auto-diagonal-normal.js";
import { AutoMultivariateNormal } from "../svi/autoguide/auto-multivariate-normal.js";
import type { AutoGuide, InitLoc, SiteValues } from "../svi/autoguide/base.js";
import type { LossEngine } from "../svi/engine.js";
import { Adam, type Optimizer } from "../svi/optimizers.js";
import { exponentialDecay } from "../svi/schedules.js";
import { SVI, type SVIProgress, type SVIState } from "../svi/svi.js";
import { TraceELBO } from "../svi/trace-elbo.js";
import {
  type ConvergenceOptions,
  type ParameterChange,
  ParameterConvergence,
} from "./convergence.js";
import { ADVIStepSequence, STEP_SCALES } from "./step-sequence.js";

/** Options of `advi`. */
export interface ADVIOptions {
  /** "meanfield" (diagonal Gaussian, the default) or "fullrank" (dense Gaussian). */
  method?: "meanfield" | "fullrank";
  /** Largest number of optimization steps (default 10000). */
  maxSteps?: number;
  /** The convergence check (default every 100 steps, relative tolerance 1e-3). */
  convergence?: ConvergenceOptions;
  /** Use the paper's step-size sequence with this scale, or "adapt" to pick it as Stan does. */
  eta?: number | "adapt";
  /** Steps per candidate eta when adapting (default 50, as Stan). */
  adaptSteps?: number;
  /** The optimizer (default: Adam annealed from 0.1 to 2.5e-4 over maxSteps; see above). */
  optimizer?: Optimizer;
  /** Draws per gradient (default 1, as the paper and Stan). */
  numParticles?: number;
  /** Draws of the ELBO estimates that compare candidate etas (default 100, as Stan). */
  numElboSamples?: number;
  /** Draws behind the Monte Carlo summaries of transformed sites (default 4000). */
  numSummaryDraws?: number;
  /** Initial location (default "uniform": uniform(-2, 2) unconstrained, as Stan and NumPyro). */
  initLoc?: InitLoc;
  /** Initial standard deviation of every coordinate (default 0.1, as the autoguides). */
  initScale?: number;
  /** Randomness of the whole run (default 0). */
  key?: Key | number;
  /** Progress of the main optimization. */
  onProgress?: (progress: SVIProgress) => void;
  /** Stops the run between steps; the approximation reached so far is returned. */
  signal?: AbortSignal;
  /** Loss engine (default eager tfjs); see svi/engine.ts. */
  engine?: LossEngine;
}

/** The fitted approximation. */
export interface ADVIApproximation {
  readonly method: "meanfield" | "fullrank";
  /** The autoguide that was fitted (AutoDiagonalNormal or AutoMultivariateNormal). */
  readonly guide: AutoGuide & { getPosterior(params?: SiteValues): GaussianPosterior };
  /** The fitted guide parameters (constrained). */
  readonly params: SiteValues;
  /** The Gaussian in the unconstrained space. */
  readonly posterior: GaussianPosterior;
  /** Posterior means by latent site, constrained (see the file comment for how). */
  readonly mean: SiteValues;
  /** Posterior standard deviations by latent site, constrained. */
  readonly sd: SiteValues;
  /** The single-sample ELBO estimate of every step (the negated loss). */
  readonly elboHistory: Float64Array;
  /** Steps made. */
  readonly numSteps: number;
  /** Whether the convergence check stopped the run. */
  readonly converged: boolean;
  /** Whether the abort signal stopped the run. */
  readonly aborted: boolean;
  /** The chosen (or given) eta of the paper's step-size sequence; undefined otherwise. */
  readonly eta: number | undefined;
  /** The parameter changes at the last convergence check. */
  readonly lastChange: ParameterChange | undefined;
  /** n draws of every latent site, constrained, leading dim n. */
  sample(key: Key | number, n: number): SiteValues;
}

/**
 * Fits a Gaussian approximation to the posterior of `model` given `args` by ADVI.
 *
 * @example
 * const approx = advi(eightSchools, [sigma, y], { method: "meanfield" });
 * approx.mean.tau; approx.sd.tau; // constrained summaries
 * approx.sample(PRNGKey(1), 1000).eta.shape; // [1000, 8]
 */
export function advi<A extends any[]>(
  model: Model<A, unknown>,
  args: A,
  options: ADVIOptions = {},
): ADVIApproximation {
  const method = options.method ?? "meanfield";
  if (method !== "meanfield" && method !== "fullrank") {
    throw new ArgumentError({
      message: `advi: method must be "meanfield" or "fullrank", got ${String(method)}`,
      api: "advi",
      argument: "method",
    });
  }
  const maxSteps = options.maxSteps ?? 10000;
  positiveInteger("maxSteps", maxSteps);
  const [initKey, adaptKey, runKey, summaryKey] = split(toKey(options.key ?? 0, "advi"), 4);
  const guideOptions = { initLoc: options.initLoc, initScale: options.initScale ?? 0.1 };
  const guide =
    method === "meanfield"
      ? AutoDiagonalNormal(model, guideOptions)
      : AutoMultivariateNormal(model, guideOptions);
  const loss = TraceELBO({ numParticles: options.numParticles ?? 1 });
  const sviFor = (optimizer: Optimizer) =>
    new SVI(model, guide, optimizer, loss, { engine: options.engine });

  let eta: number | undefined;
  let optimizer = options.optimizer;
  if (optimizer === undefined && options.eta !== undefined) {
    eta =
      options.eta === "adapt"
        ? selectEta(sviFor, model, guide, args, options, initKey, adaptKey)
        : options.eta;
    optimizer = ADVIStepSequence(eta);
  }
  optimizer ??= Adam(exponentialDecay(0.1, maxSteps, 0.0025));

  const svi = sviFor(optimizer);
  let state: SVIState = { ...svi.init(initKey, ...args), key: runKey };
  const check = new ParameterConvergence(options.convergence);
  const losses = new Float64Array(maxSteps);
  const every = Math.max(1, Math.floor(maxSteps / 100));
  let windowSum = 0;
  let converged = false;
  let steps = 0;
  while (steps < maxSteps && options.signal?.aborted !== true) {
    // A step with a non-finite loss or gradient is skipped (a large step size can overshoot).
    const { state: next, loss: value } = svi.stableUpdate(state, ...args);
    state = next;
    losses[steps++] = value;
    windowSum += value;
    if (options.onProgress !== undefined && steps % every === 0) {
      options.onProgress({
        step: steps,
        numSteps: maxSteps,
        loss: value,
        runningLoss: windowSum / every,
      });
      windowSum = 0;
    }
    if (check.observe(steps, state.params)) {
      converged = true;
      break;
    }
  }
  const params = svi.getParams(state);
  guide.setParams(params);
  const posterior = guide.getPosterior(params);
  const { mean, sd } = summaries(guide, posterior, options.numSummaryDraws ?? 4000, summaryKey);
  return {
    method,
    guide,
    params,
    posterior,
    mean,
    sd,
    elboHistory: losses.slice(0, steps).map((l) => -l),
    numSteps: steps,
    converged,
    aborted: !converged && steps < maxSteps,
    eta,
    lastChange: check.last,
    sample: (key, n) => guide.samplePosterior(key, n, params),
  };
}

// Stan's eta search: from the same start, run `adaptSteps` steps with each candidate scale
// (largest first), estimate the ELBO, and keep the best; stop early once a candidate is
// worse than the best so far.
function selectEta<A extends any[]>(
  sviFor: (optimizer: Optimizer) => SVI<A>,
  model: Model<A, unknown>,
  guide: AutoGuide,
  args: A,
  options: ADVIOptions,
  initKey: Key,
  adaptKey: Key,
): number {
  const adaptSteps = options.adaptSteps ?? 50;
  positiveInteger("adaptSteps", adaptSteps);
  const elboSvi = new SVI(
    model,
    guide,
    ADVIStepSequence(1),
    TraceELBO({ numParticles: options.numElboSamples ?? 100 }),
    { engine: options.engine },
  );
  let best = { eta: STEP_SCALES[STEP_SCALES.length - 1], elbo: Number.NEGATIVE_INFINITY };
  for (const [i, candidate] of STEP_SCALES.entries()) {
    const svi = sviFor(ADVIStepSequence(candidate));
    let state: SVIState = { ...svi.init(initKey, ...args), key: foldIn(adaptKey, i) };
    for (let s = 0; s < adaptSteps; s++) state = svi.stableUpdate(state, ...args).state;
    const elbo = -elboSvi.evaluate({ ...state, key: foldIn(adaptKey, 1000 + i) }, ...args);
    if (elbo > best.elbo) best = { eta: candidate, elbo };
    else if (Number.isFinite(best.elbo)) break;
  }
  return best.eta;
}

// Constrained means and sds: exact Gaussian moments for identity-transformed sites,
// Monte Carlo from draws for the others.
function summaries(
  guide: AutoGuide,
  posterior: GaussianPosterior,
  numDraws: number,
  key: Key,
): { mean: SiteValues; sd: SiteValues } {
  const sites = guide.latentSites();
  const needDraws = sites.some((s) => s.transform.name !== "identity");
  const draws = needDraws ? guide.samplePosterior(key, numDraws) : undefined;
  const mean: SiteValues = siteRecord();
  const sd: SiteValues = siteRecord();
  const dim = posterior.dim;
  sites.forEach((site, i) => {
    const { offset, size } = posterior.layout.sites[i];
    if (site.transform.name === "identity") {
      const m = posterior.loc.slice(offset, offset + size);
      const s = new Float64Array(size);
      for (let j = 0; j < size; j++)
        s[j] = Math.sqrt(posterior.covariance[(offset + j) * (dim + 1)]);
      mean[site.name] = { shape: site.shape.slice(), data: m };
      sd[site.name] = { shape: site.shape.slice(), data: s };
      return;
    }
    const d = (draws as SiteValues)[site.name];
    const moments = columnMoments(d, numDraws);
    mean[site.name] = { shape: site.shape.slice(), data: moments.mean };
    sd[site.name] = { shape: site.shape.slice(), data: moments.sd };
  });
  return { mean, sd };
}

function columnMoments(d: Draws, n: number): { mean: Float64Array; sd: Float64Array } {
  const size = d.data.length / n;
  const mean = new Float64Array(size);
  const sd = new Float64Array(size);
  for (let j = 0; j < size; j++) {
    let s = 0;
    for (let r = 0; r < n; r++) s += d.data[r * size + j];
    const m = s / n;
    let v = 0;
    for (let r = 0; r < n; r++) v += (d.data[r * size + j] - m) ** 2;
    mean[j] = m;
    sd[j] = Math.sqrt(v / (n - 1));
  }
  return { mean, sd };
}

function positiveInteger(argument: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new ArgumentError({
      message: `advi: ${argument} must be a positive integer, got ${value}`,
      api: "advi",
      argument,
    });
  }
}
