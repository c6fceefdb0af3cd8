/**
 * Single-path Pathfinder (Zhang, Carpenter, Gelman & Vehtari 2022, "Pathfinder: parallel
 * quasi-Newton variational inference", JMLR 23(306), algorithm 1) over a `GradientTarget`:
 * L-BFGS from a starting point towards a mode of the posterior; at every iterate a normal
 * approximation from the L-BFGS inverse Hessian (bfgs-gaussian.ts); for each, a Monte Carlo
 * estimate of the ELBO from `numElboDraws` draws; the approximation of largest ELBO is the
 * result, and `numDraws` draws are taken from it. Every evaluation of the target (in L-BFGS,
 * for the ELBOs and for the draws) is counted.
 */

import type { GradientTarget } from "../../potential-types.js";
import { foldIn, type Key } from "../../primitives/prng.js";
import {
  type BfgsGaussian,
  bfgsGaussian,
  type CurvaturePair,
  updateInverseHessianDiagonal,
} from "./bfgs-gaussian.js";
import { type LbfgsPath, type LbfgsSettings, lbfgs } from "./lbfgs.js";

/** Settings of one path. */
export interface SinglePathSettings {
  readonly lbfgs: LbfgsSettings;
  /** Draws behind each ELBO estimate (Stan: 25; the paper: 5). */
  readonly numElboDraws: number;
  /** Draws taken from the chosen approximation. */
  readonly numDraws: number;
  /**
   * Skip the ELBO estimates where the path has plateaued (see `ElboPlateau`); without it, as in
   * Stan and the paper, every iterate's ELBO is estimated.
   */
  readonly elboPlateau?: ElboPlateauSettings;
  /**
   * Estimate the ELBO at every `elboStride`-th iterate only, and at the last (default 1: every
   * iterate, as Stan and the paper do).
   */
  readonly elboStride?: number;
}

/** When a path has plateaued: `patience` iterates without progress by `minImprovement` nats. */
export interface ElboPlateauSettings {
  readonly patience: number;
  readonly minImprovement: number;
}

/** Draws from an approximation with the log densities of the target and of the approximation. */
export interface WeightedDraws {
  /** Row-major n x dim. */
  readonly draws: Float64Array;
  /** log p (unnormalized: -U) at each draw; -Infinity where U is not finite. */
  readonly logP: Float64Array;
  /** log q at each draw. */
  readonly logQ: Float64Array;
}

/** What one path found. */
export interface SinglePathResult {
  /** The approximation of largest ELBO; undefined when no iterate gave a usable one. */
  readonly approximation: BfgsGaussian | undefined;
  /** Its ELBO estimate (-Infinity without one). */
  readonly elbo: number;
  /** The ELBO estimate at each L-BFGS iterate 1..L (-Infinity where unusable, NaN if skipped). */
  readonly elboHistory: Float64Array;
  /** The iterate (1-based) of the chosen approximation; 0 without one. */
  readonly bestIteration: number;
  /** `numDraws` draws of the chosen approximation. */
  readonly draws: WeightedDraws;
  /** The ELBO draws of the chosen approximation. */
  readonly elboDraws: WeightedDraws;
  /** L-BFGS iterations. */
  readonly numIterations: number;
  /** Evaluations of the target, all told. */
  readonly numEvaluations: number;
  /** Why L-BFGS stopped. */
  readonly status: LbfgsPath["status"];
}

const EPSILON = 2.220446049250313e-16;

function emptyDraws(): WeightedDraws {
  return { draws: new Float64Array(0), logP: new Float64Array(0), logQ: new Float64Array(0) };
}

/** n draws of `q` with log p and log q. */
function drawWeighted(target: GradientTarget, q: BfgsGaussian, key: Key, n: number): WeightedDraws {
  const { draws, logDensity } = q.sample(key, n);
  const dim = target.dim;
  const gradient = new Float64Array(dim);
  const logP = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const u = target.valueAndGrad(draws.slice(k * dim, (k + 1) * dim), gradient);
    logP[k] = Number.isFinite(u) ? -u : Number.NEGATIVE_INFINITY;
  }
  return { draws, logP, logQ: logDensity };
}

function meanDifference(d: WeightedDraws): number {
  let sum = 0;
  for (let k = 0; k < d.logP.length; k++) sum += d.logP[k] - d.logQ[k];
  const elbo = sum / d.logP.length;
  return Number.isNaN(elbo) ? Number.NEGATIVE_INFINITY : elbo;
}

/**
 * Which iterates' ELBO to estimate when the ELBO plateaus before L-BFGS converges (as on the
 * HMM example, where it stops improving after about a third of the iterations). Every iterate's,
 * until `patience` iterates in a row made no progress: neither the ELBO up by more than
 * `minImprovement` nor U down by more than dim / 2 (the mean of U - U(mode) over a Gaussian
 * posterior) since the last progress. Then none, until U has come down by more than dim / 2 from
 * there: the path has moved on (out of a flat region around a saddle or local mode, where
 * L-BFGS can linger for a hundred iterations), and estimates resume. L-BFGS itself always runs to
 * convergence, and the last iterate's ELBO is always estimated: a plateau alone does not say
 * the path has reached the posterior's mass.
 *
 * @example
 * const plateau = new ElboPlateau({ patience: 2, minImprovement: 1 }, 4);
 * plateau.record(-10, 50);
 * plateau.record(-9.5, 49);
 * plateau.record(-9.8, 49);
 * [plateau.estimateAt(48.5), plateau.estimateAt(47)]; // [false, true]
 */
export class ElboPlateau {
  // ELBO and U where the path last made progress, and estimates since.
  private anchorElbo = Number.NEGATIVE_INFINITY;
  private anchorU = Number.POSITIVE_INFINITY;
  private stale = 0;

  constructor(
    private readonly settings: ElboPlateauSettings,
    private readonly dim: number,
  ) {}

  /** Whether to estimate the ELBO at an iterate where the potential is `u`. */
  estimateAt(u: number): boolean {
    return this.stale < this.settings.patience || this.movedOn(u);
  }

  /** Records the ELBO estimate at an iterate where the potential is `u`. */
  record(elbo: number, u: number): void {
    if (elbo > this.anchorElbo + this.settings.minImprovement || this.movedOn(u)) {
      this.anchorElbo = Math.max(elbo, this.anchorElbo);
      this.anchorU = u;
      this.stale = 0;
    } else {
      this.stale++;
    }
  }

  private movedOn(u: number): boolean {
    return u < this.anchorU - this.dim / 2;
  }
}

/**
 * Runs one path of Pathfinder from `start`.
 *
 * @example
 * const path = singlePathfinder(target, Float64Array.of(1, -1), PRNGKey(0), {
 *   lbfgs: pathfinderDefaults.lbfgs, numElboDraws: 25, numDraws: 1000,
 * });
 * path.elbo; path.draws.draws; // 1000 x dim draws of the best approximation
 */
export function singlePathfinder(
  target: GradientTarget,
  start: Float64Array,
  key: Key,
  settings: SinglePathSettings,
): SinglePathResult {
  const path = lbfgs(target, start, settings.lbfgs);
  const dim = target.dim;
  const numIterations = path.positions.length - 1;
  let numEvaluations = path.numEvaluations;
  const elboHistory = new Float64Array(numIterations).fill(Number.NEGATIVE_INFINITY);
  let alpha: Float64Array = new Float64Array(dim).fill(1);
  const window: CurvaturePair[] = [];
  let best: { q: BfgsGaussian; elbo: number; iteration: number; draws: WeightedDraws } | undefined;
  const stride = settings.elboStride ?? 1;
  const plateau =
    settings.elboPlateau === undefined ? undefined : new ElboPlateau(settings.elboPlateau, dim);
  for (let l = 1; l <= numIterations; l++) {
    const s = new Float64Array(dim);
    const y = new Float64Array(dim);
    let sy = 0;
    let yy = 0;
    for (let i = 0; i < dim; i++) {
      s[i] = path.positions[l][i] - path.positions[l - 1][i];
      y[i] = path.gradients[l][i] - path.gradients[l - 1][i];
      sy += s[i] * y[i];
      yy += y[i] * y[i];
    }
    if (sy > EPSILON * yy) {
      const next = updateInverseHessianDiagonal(alpha, s, y);
      if (next.every((a) => a > 0 && Number.isFinite(a))) alpha = next;
      window.push({ s, y });
      if (window.length > settings.lbfgs.historySize) window.shift();
    }
    // The last iterate's ELBO is always estimated: where L-BFGS converged.
    const skipped =
      l < numIterations &&
      (l % stride !== 0 || (plateau !== undefined && !plateau.estimateAt(path.values[l])));
    if (skipped) {
      elboHistory[l - 1] = Number.NaN;
      continue;
    }
    const q = bfgsGaussian(path.positions[l], path.gradients[l], alpha, window);
    if (q === undefined) continue;
    const draws = drawWeighted(target, q, foldIn(key, l), settings.numElboDraws);
    numEvaluations += settings.numElboDraws;
    const elbo = meanDifference(draws);
    elboHistory[l - 1] = elbo;
    plateau?.record(elbo, path.values[l]);
    if (elbo > (best?.elbo ?? Number.NEGATIVE_INFINITY)) best = { q, elbo, iteration: l, draws };
  }
  if (best === undefined) {
    return {
      approximation: undefined,
      elbo: Number.NEGATIVE_INFINITY,
      elboHistory,
      bestIteration: 0,
      draws: emptyDraws(),
      elboDraws: emptyDraws(),
      numIterations,
      numEvaluations,
      status: path.status,
    };
  }
  const draws =
    settings.numDraws > 0
      ? drawWeighted(target, best.q, foldIn(key, -1), settings.numDraws)
      : emptyDraws();
  numEvaluations += settings.numDraws;
  return {
    approximation: best.q,
    elbo: best.elbo,
    elboHistory,
    bestIteration: best.iteration,
    draws,
    elboDraws: best.draws,
    numIterations,
    numEvaluations,
    status: path.status,
  };
}
