/**
 * `pathfinder`: Pathfinder variational inference (Zhang, Carpenter, Gelman & Vehtari 2022,
 * "Pathfinder: parallel quasi-Newton variational inference", JMLR 23(306)) on a model. The
 * model's latent sites are mapped to the unconstrained space, where L-BFGS runs from random
 * starts; the normal approximations along each path are scored by their ELBO, the best of each
 * path is kept, and with several paths their draws are importance-resampled (PSIS). Draws come
 * back constrained, per site, with the deterministic sites computed from them.
 *
 * Pathfinder seeks the posterior's mass by optimization, so its approximations are those of a
 * mode-seeking (reverse-KL) fit: good starting points and first metrics for MCMC, and fair
 * approximations of near-Gaussian posteriors, but too narrow, or centred away from the bulk,
 * where the posterior's mode is far from its mass (hierarchical scales, funnels). The Pareto k
 * of the importance weights says so: above 0.7 the resampled draws are not to be trusted, and
 * `pathfinder` warns.
 */
import { Schema } from "effect";
import { withoutTensorValidation } from "../../dist/validation.js";
import type { EngineName } from "../../potential-types.js";
import { foldIn, type Key, toKey } from "../../primitives/prng.js";
import type { Model } from "../../primitives/runtime.js";
import { decodeOptions, integerAtLeast } from "../../util/options.js";
import type { Draws } from "../draws.js";
import { mcmcDefaults, pathfinderDefaults } from "../mcmc/defaults.js";
import { findInitialState } from "../mcmc/initial-state.js";
import { discoverModel, type Potential, potential } from "../potential.js";
import { Predictive } from "../predictive.js";
import type { BfgsGaussian } from "./bfgs-gaussian.js";
import { multiPathfinder, noApproximationError } from "./multi-path.js";
import { singlePathfinder } from "./single-path.js";

/** Options of `pathfinder`. */
export interface PathfinderOptions {
  /** Independent paths (default 4); with 1, the draws come from the single path's approximation. */
  numPaths?: number;
  /** Draws returned (default 1000). */
  numDraws?: number;
  /** Draws per path before importance resampling (default 1000; several paths only). */
  numDrawsPerPath?: number;
  /** Draws behind each ELBO estimate (default 25). */
  numElboDraws?: number;
  /** Importance-resample the pooled draws of several paths (default true). */
  importanceResampling?: boolean;
  /** L-BFGS curvature pairs kept (default 6). */
  historySize?: number;
  /** L-BFGS iterations at most (default 1000). */
  maxIterations?: number;
  /** The strong Wolfe curvature constant of the line search (default 0.9). */
  lineSearchCurvature?: number;
  /** Half-width of the uniform box of the paths' random starts (default 2). */
  initRadius?: number;
  /** Randomness of the whole run (default 0). */
  key?: Key | number;
  /** Which engine computes gradients (default: the compiled one when the model compiles). */
  engine?: EngineName;
}

/** One path's summary. */
export interface PathfinderPath {
  /** ELBO estimate of the path's chosen approximation. */
  readonly elbo: number;
  /** ELBO estimates along the path (one per L-BFGS iterate). */
  readonly elboHistory: Float64Array;
  /** The iterate (1-based) of the chosen approximation. */
  readonly bestIteration: number;
  readonly numIterations: number;
  readonly numEvaluations: number;
  /** Why L-BFGS stopped. */
  readonly status: string;
  /** The chosen normal approximation in the unconstrained space (undefined: none usable). */
  readonly approximation: BfgsGaussian | undefined;
}

/** What `pathfinder` returns. */
export interface PathfinderResult {
  /** Draws of every latent and deterministic site, constrained, leading dim `numDraws`. */
  readonly samples: Record<string, Draws>;
  /** The same draws unconstrained, row-major numDraws x dim. */
  readonly draws: Float64Array;
  readonly numDraws: number;
  /** The largest ELBO estimate over the paths. */
  readonly elbo: number;
  readonly paths: readonly PathfinderPath[];
  /**
   * Pareto k of the importance weights (several paths, resampled): above 0.7 the draws are not
   * reliable; -Infinity when all weights are equal (exact approximations); NaN without resampling.
   */
  readonly paretoK: number;
  /** Effective sample size of the importance weights; NaN without resampling. */
  readonly importanceEss: number;
  /** Evaluations of the log density and its gradient, all told. */
  readonly numEvaluations: number;
  /** The potential the run used (layout, engine, ...). */
  readonly potential: Potential;
}

const positive = Schema.Number.pipe(
  Schema.filter((n) => n > 0 && Number.isFinite(n), {
    message: (i) => `must be positive and finite, got ${String(i.actual)}`,
  }),
);
const curvature = Schema.Number.pipe(
  Schema.filter((n) => n > 1e-4 && n < 1, {
    message: (i) =>
      `must be in (1e-4, 1) (above the sufficient-decrease constant), got ${String(i.actual)}`,
  }),
);
const d = pathfinderDefaults;
const PathfinderOptionsSchema = Schema.Struct({
  numPaths: Schema.optionalWith(integerAtLeast(1), { default: () => d.numPaths }),
  numDraws: Schema.optionalWith(integerAtLeast(1), { default: () => d.numDraws }),
  numDrawsPerPath: Schema.optionalWith(integerAtLeast(1), { default: () => d.numDrawsPerPath }),
  numElboDraws: Schema.optionalWith(integerAtLeast(1), { default: () => d.numElboDraws }),
  importanceResampling: Schema.optionalWith(Schema.Boolean, {
    default: () => d.importanceResampling,
  }),
  historySize: Schema.optionalWith(integerAtLeast(1), { default: () => d.lbfgs.historySize }),
  maxIterations: Schema.optionalWith(integerAtLeast(1), { default: () => d.lbfgs.maxIterations }),
  lineSearchCurvature: Schema.optionalWith(curvature, {
    default: () => d.lbfgs.lineSearchCurvature,
  }),
  initRadius: Schema.optionalWith(positive, { default: () => mcmcDefaults.initRadius }),
  key: Schema.optional(Schema.Any),
  engine: Schema.optional(Schema.Literal("eager", "compiled")),
});

/**
 * Approximates the posterior of `model` given `args` by Pathfinder.
 *
 * @example
 * const fit = pathfinder(eightSchools, [sigma, y], { numPaths: 4, key: 1 });
 * fit.samples.mu.shape; // [1000]
 * fit.paretoK; // below 0.7: the importance-resampled draws can be trusted
 */
export function pathfinder<A extends any[]>(
  model: Model<A, unknown>,
  args: A,
  options: PathfinderOptions = {},
): PathfinderResult {
  const o = decodeOptions("pathfinder", PathfinderOptionsSchema, options);
  const key = toKey((o.key as Key | number | undefined) ?? 0, "pathfinder");
  const target = potential(model, args, { engine: o.engine });
  const lbfgs = {
    ...d.lbfgs,
    historySize: o.historySize,
    maxIterations: o.maxIterations,
    lineSearchCurvature: o.lineSearchCurvature,
  };
  const init = { radius: o.initRadius, maxAttempts: mcmcDefaults.initAttempts };
  let draws: Float64Array;
  let numDraws: number;
  let paretoK = Number.NaN;
  let importanceEss = Number.NaN;
  let numEvaluations: number;
  let paths: PathfinderPath[];
  if (o.numPaths === 1) {
    const start = findInitialState(target, foldIn(key, 0), init);
    const path = singlePathfinder(target, start.position, foldIn(key, 1), {
      lbfgs,
      numElboDraws: o.numElboDraws,
      numDraws: o.numDraws,
    });
    if (path.approximation === undefined) throw noApproximationError([path]);
    draws = path.draws.draws;
    numDraws = o.numDraws;
    numEvaluations = start.attempts + path.numEvaluations;
    paths = [summary(path)];
  } else {
    const result = multiPathfinder(target, key, {
      path: { lbfgs, numElboDraws: o.numElboDraws, numDraws: o.numDrawsPerPath },
      numPaths: o.numPaths,
      numDraws: o.numDraws,
      importanceResampling: o.importanceResampling,
      init,
    });
    ({ draws, numDraws, paretoK, importanceEss, numEvaluations } = result);
    paths = result.paths.map(summary);
    if (paretoK > 0.7) {
      console.warn(
        `pathfinder: the Pareto k of the importance weights is ${paretoK.toFixed(2)} (above 0.7), so the resampled draws are not reliable: the normal approximations miss much of the posterior. Use MCMC (Pathfinder can still give it starting points: initStrategy "pathfinder")`,
      );
    }
  }
  const latent = target.unravelBatch(draws, numDraws);
  return {
    samples: { ...latent, ...deterministicSites(model, args, latent) },
    draws,
    numDraws,
    elbo: Math.max(...paths.map((p) => p.elbo)),
    paths,
    paretoK,
    importanceEss,
    numEvaluations,
    potential: target,
  };
}

function summary(path: ReturnType<typeof singlePathfinder>): PathfinderPath {
  return {
    elbo: path.elbo,
    elboHistory: path.elboHistory,
    bestIteration: path.bestIteration,
    numIterations: path.numIterations,
    numEvaluations: path.numEvaluations,
    status: path.status,
    approximation: path.approximation,
  };
}

/** The deterministic sites of the model at the latent draws (a run of the model, as MCMC does). */
function deterministicSites<A extends any[]>(
  model: Model<A, unknown>,
  args: A,
  latent: Record<string, Draws>,
): Record<string, Draws> {
  const names = discoverModel(model, args).deterministic;
  if (names.length === 0) return {};
  const options = { posteriorSamples: latent, returnSites: [...names], resampleObserved: false };
  return withoutTensorValidation(() => {
    try {
      return new Predictive(model, options).run(0, ...args);
    } catch {
      return new Predictive(model, { ...options, parallel: false }).run(0, ...args);
    }
  });
}
