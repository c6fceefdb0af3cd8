/**
 * Multi-path Pathfinder (Zhang, Carpenter, Gelman & Vehtari 2022, "Pathfinder: parallel
 * quasi-Newton variational inference", JMLR 23(306), algorithm 2) over a `GradientTarget`:
 * independent single paths from uniform(-radius, radius) starts, their draws pooled, and
 * importance resampling of the pool with Pareto-smoothed weights log p - log q (PSIS: Vehtari,
 * Simpson, Gelman, Yao & Gabry 2024) to `numDraws` draws, with replacement, as Stan does.
 * Resampling corrects the approximations towards the posterior and lets paths that found
 * different modes or poor local optima count by their weight; the fitted Pareto k says how
 * reliable that correction is (above 0.7, not reliable).
 */
import { ModelError } from "../../errors.js";
import type { GradientTarget } from "../../potential-types.js";
import { foldIn, type Key, uniform } from "../../primitives/prng.js";
import { psis } from "../diagnostics/psis.js";
import { findInitialState } from "../mcmc/initial-state.js";
import { type SinglePathResult, type SinglePathSettings, singlePathfinder } from "./single-path.js";

/** Settings of multi-path Pathfinder. */
export interface MultiPathSettings {
  /** Settings of each path; its `numDraws` is the number of draws per path. */
  readonly path: SinglePathSettings;
  readonly numPaths: number;
  /** Draws returned after resampling. */
  readonly numDraws: number;
  /** Importance-resample the pooled draws (true), or return them all unweighted (false). */
  readonly importanceResampling: boolean;
  /** Random starts: uniform(-radius, radius), up to `maxAttempts` tries per path. */
  readonly init: { readonly radius: number; readonly maxAttempts: number };
}

/** What multi-path Pathfinder produced. */
export interface MultiPathResult {
  /** Row-major numDraws x dim (all pooled draws without resampling). */
  readonly draws: Float64Array;
  readonly numDraws: number;
  readonly paths: readonly SinglePathResult[];
  /**
   * Pareto k of the importance weights: above 0.7 unreliable; -Infinity when every weight is
   * the same (an exact approximation); NaN without resampling.
   */
  readonly paretoK: number;
  /** Effective sample size of the importance weights (NaN without resampling). */
  readonly importanceEss: number;
  readonly numEvaluations: number;
}

/**
 * Indices of `n` draws with replacement, with probabilities exp(logWeights) (which sum to 1),
 * by inverting the cumulative weights at sorted uniforms.
 */
function resampleIndices(logWeights: Float64Array, n: number, key: Key): Uint32Array {
  const u = uniform(key, n).sort();
  const out = new Uint32Array(n);
  let cumulative = Math.exp(logWeights[0]);
  let j = 0;
  for (let k = 0; k < n; k++) {
    while (u[k] > cumulative && j < logWeights.length - 1) cumulative += Math.exp(logWeights[++j]);
    out[k] = j;
  }
  // Sorted uniforms give sorted indices: shuffle the order back (Fisher-Yates).
  const shuffle = uniform(foldIn(key, 1), n);
  for (let k = n - 1; k > 0; k--) {
    const swap = Math.floor(shuffle[k] * (k + 1));
    [out[k], out[swap]] = [out[swap], out[k]];
  }
  return out;
}

/**
 * The error of a run in which no path found a usable approximation.
 *
 * @example
 * noApproximationError([]).message; // "pathfinder: none of the 0 paths found a usable ..."
 */
export function noApproximationError(paths: readonly SinglePathResult[]): ModelError {
  return new ModelError({
    message: `pathfinder: none of the ${paths.length} paths found a usable normal approximation (L-BFGS stopped with: ${[...new Set(paths.map((p) => p.status))].join(", ")}); the posterior may be improper, or its log density not finite near the starts`,
  });
}

/**
 * Runs `numPaths` paths and resamples their pooled draws.
 *
 * @example
 * const result = multiPathfinder(target, PRNGKey(0), {
 *   path: { lbfgs: pathfinderDefaults.lbfgs, numElboDraws: 25, numDraws: 1000 },
 *   numPaths: 4, numDraws: 1000, importanceResampling: true, init: { radius: 2, maxAttempts: 100 },
 * });
 * result.paretoK; // below 0.7: the resampled draws are reliable
 */
export function multiPathfinder(
  target: GradientTarget,
  key: Key,
  settings: MultiPathSettings,
): MultiPathResult {
  const dim = target.dim;
  const paths: SinglePathResult[] = [];
  let numEvaluations = 0;
  for (let p = 0; p < settings.numPaths; p++) {
    const pathKey = foldIn(key, p);
    const start = findInitialState(target, foldIn(pathKey, 0), settings.init);
    numEvaluations += start.attempts;
    const path = singlePathfinder(target, start.position, foldIn(pathKey, 1), settings.path);
    numEvaluations += path.numEvaluations;
    paths.push(path);
  }
  const usable = paths.filter((p) => p.approximation !== undefined);
  if (usable.length === 0) throw noApproximationError(paths);
  // The pool: draws with a finite log density.
  const logRatios: number[] = [];
  const pooledDraws: Float64Array[] = [];
  for (const path of usable) {
    const { draws, logP, logQ } = path.draws;
    for (let k = 0; k < logP.length; k++) {
      if (!Number.isFinite(logP[k])) continue;
      pooledDraws.push(draws.subarray(k * dim, (k + 1) * dim));
      logRatios.push(logP[k] - logQ[k]);
    }
  }
  if (pooledDraws.length === 0) {
    throw new ModelError({
      message:
        "pathfinder: the log density is not finite at any draw of the approximations; the posterior may be improper",
    });
  }
  if (!settings.importanceResampling) {
    const draws = new Float64Array(pooledDraws.length * dim);
    pooledDraws.forEach((d, k) => draws.set(d, k * dim));
    return {
      draws,
      numDraws: pooledDraws.length,
      paths,
      paretoK: Number.NaN,
      importanceEss: Number.NaN,
      numEvaluations,
    };
  }
  // Equal weights (an exact approximation) leave no tail to fit: k is then -Infinity.
  const spread = Math.max(...logRatios) - Math.min(...logRatios);
  const smoothed =
    spread <= 1e-9 * Math.max(1, Math.abs(logRatios[0]))
      ? {
          logWeights: new Float64Array(logRatios.length).fill(-Math.log(logRatios.length)),
          paretoK: Number.NEGATIVE_INFINITY,
          nEff: logRatios.length,
        }
      : psis(logRatios);
  const indices = resampleIndices(smoothed.logWeights, settings.numDraws, foldIn(key, -1));
  const draws = new Float64Array(settings.numDraws * dim);
  indices.forEach((index, k) => draws.set(pooledDraws[index], k * dim));
  return {
    draws,
    numDraws: settings.numDraws,
    paths,
    paretoK: smoothed.paretoK,
    importanceEss: smoothed.nEff,
    numEvaluations,
  };
}
