/**
 * Pathfinder as the initialization of an HMC-family chain (Zhang, Carpenter, Gelman & Vehtari
 * 2022, section 5: Pathfinder draws as MCMC initializations): a warmup record that wraps
 * another one (Stan's windowed adaptation, fisher-diag, low-rank). At `init` it runs a single
 * Pathfinder path from the chain's initial point, moves the chain to one of the chosen
 * approximation's ELBO draws (picked by importance weight, so no extra evaluation is needed)
 * and starts the wrapped warmup there with the approximation's covariance as the first inverse
 * mass matrix (its diagonal, or all of it for a dense metric). The wrapped warmup then runs as
 * it would; its report gains what Pathfinder did.
 *
 * When no path gives a usable approximation, the chain keeps its own start and metric and the
 * report says so (`used: false`, with L-BFGS's status).
 */
import { foldIn, type Key, uniform } from "../../primitives/prng.js";
import type { Warmup, WarmupState } from "../mcmc/sampling-algorithm.js";
import type { HmcInfo, HmcParameters, HmcState } from "../nuts/kernel.js";
import type { LbfgsSettings } from "./lbfgs.js";
import { type SinglePathResult, type SinglePathSettings, singlePathfinder } from "./single-path.js";

/** Settings of Pathfinder as an initialization (defaults: pathfinderDefaults in mcmc/defaults.ts). */
export interface PathfinderInitSettings {
  readonly lbfgs: LbfgsSettings;
  /** Draws behind each ELBO estimate (also the candidates for the start). */
  readonly numElboDraws: number;
  /** Where the path's ELBO estimates pause (see `SinglePathSettings.elboPlateau`). */
  readonly elboPlateau: SinglePathSettings["elboPlateau"];
  /** Estimate the ELBO at every `elboStride`-th iterate (see `SinglePathSettings.elboStride`). */
  readonly elboStride?: number;
}

/** What the Pathfinder initialization of a chain did. */
export interface PathfinderInitReport {
  /** Whether the chain started from Pathfinder's draw and metric. */
  readonly used: boolean;
  /** Evaluations of the potential and its gradient by Pathfinder. */
  readonly numEvaluations: number;
  /** L-BFGS iterations, and why L-BFGS stopped. */
  readonly numIterations: number;
  readonly status: SinglePathResult["status"];
  /** ELBO estimate of the chosen approximation. */
  readonly elbo: number;
}

/** A warmup state that also carries the Pathfinder report. */
export type WithPathfinder<W> = W & { readonly pathfinder: PathfinderInitReport };

/** One of `n` candidates by weights exp(logWeight) (non-finite weights count as 0). */
function pickByWeight(logWeights: Float64Array, key: Key): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const w of logWeights) if (Number.isFinite(w)) max = Math.max(max, w);
  if (!Number.isFinite(max)) return -1;
  const weights = logWeights.map((w) => (Number.isFinite(w) ? Math.exp(w - max) : 0));
  let total = 0;
  for (const w of weights) total += w;
  let u = uniform(key, 1)[0] * total;
  for (let k = 0; k < weights.length; k++) {
    u -= weights[k];
    if (u <= 0 && weights[k] > 0) return k;
  }
  return weights.findLastIndex((w) => w > 0);
}

/** The approximation's covariance as a first inverse mass matrix, or undefined if unusable. */
function firstMetric(path: SinglePathResult, dense: boolean): Float64Array | undefined {
  const q = path.approximation;
  if (q === undefined) return undefined;
  const metric = dense ? q.covariance() : q.covarianceDiagonal();
  if (!metric.every(Number.isFinite)) return undefined;
  const dim = q.dim;
  for (let i = 0; i < dim; i++) {
    if (!(metric[dense ? i * dim + i : i] > 0)) return undefined;
  }
  return metric;
}

/**
 * `warmup` preceded by a Pathfinder path from the chain's initial point.
 *
 * @example
 * const warmup = withPathfinderInit(windowAdaptation(settings), {
 *   lbfgs: pathfinderDefaults.lbfgs, numElboDraws: 5,
 *   elboPlateau: pathfinderDefaults.initElboPlateau,
 * });
 */
export function withPathfinderInit<W extends WarmupState<HmcParameters>>(
  warmup: Warmup<HmcParameters, HmcState, HmcInfo, W>,
  settings: PathfinderInitSettings,
): Warmup<HmcParameters, HmcState, HmcInfo, WithPathfinder<W>> {
  return {
    init(state, parameters, key) {
      const { target } = state;
      const path = singlePathfinder(target, state.position, foldIn(key, 0x7066), {
        lbfgs: settings.lbfgs,
        numElboDraws: settings.numElboDraws,
        numDraws: 0,
        elboPlateau: settings.elboPlateau,
        elboStride: settings.elboStride,
      });
      const report = {
        used: false,
        numEvaluations: path.numEvaluations,
        numIterations: path.numIterations,
        status: path.status,
        elbo: path.elbo,
      };
      const { draws, logP, logQ } = path.elboDraws;
      const chosen = pickByWeight(
        logP.map((p, k) => p - logQ[k]),
        foldIn(key, 0x7067),
      );
      const metric = firstMetric(path, parameters.denseMass);
      if (chosen < 0 || metric === undefined) {
        return { ...warmup.init(state, parameters, key), pathfinder: report };
      }
      const dim = target.dim;
      const position = draws.slice(chosen * dim, (chosen + 1) * dim);
      const gradient = new Float64Array(dim);
      const potentialEnergy = target.valueAndGrad(Float64Array.from(position), gradient);
      if (!(Number.isFinite(potentialEnergy) && gradient.every(Number.isFinite))) {
        return { ...warmup.init(state, parameters, key), pathfinder: report };
      }
      const start: HmcState = { target, position, potentialEnergy, gradient };
      const inner = warmup.init(
        start,
        {
          stepSize: parameters.stepSize,
          inverseMassMatrix: metric,
          denseMass: parameters.denseMass,
        },
        key,
      );
      return {
        ...inner,
        start: position,
        pathfinder: { ...report, used: true, numEvaluations: report.numEvaluations + 1 },
      };
    },
    update(w, iteration, state, info) {
      const next = warmup.update(w, iteration, state, info);
      // Warmups that advance their state in place return it, report included.
      return next === w ? w : { ...next, pathfinder: w.pathfinder };
    },
    final: (w) => warmup.final(w),
    report: (w) => ({ ...(warmup.report?.(w) ?? {}), pathfinder: w.pathfinder }),
  };
}
