/**
 * Leave-one-out cross-validation by Pareto smoothed importance sampling (PSIS-LOO): Vehtari,
 * Gelman and Gabry (2017), "Practical Bayesian model evaluation using leave-one-out
 * cross-validation and WAIC", Statistics and Computing 27, as the R package `loo` 2.5 computes
 * it. For each observation i the importance ratios 1 / p(y_i | theta_s) are smoothed (`psis`),
 * and elpd_loo_i = log sum_s w_is p(y_i | theta_s) with the normalized smoothed weights.
 */
import { ArgumentError } from "../errors.js";
import { sampleVariance } from "../infer/diagnostics/chains.js";
import { essOfChains } from "../infer/diagnostics/ess.js";
import { psis } from "../infer/diagnostics/psis.js";
import { normalQuantile } from "../infer/diagnostics/rank-normalize.js";
import { logSumExp } from "../util/log-sum-exp.js";
import {
  column,
  type LogLikInput,
  type LogLikMatrix,
  type LogLikOptions,
  logLikMatrix,
} from "./log-lik-matrix.js";
import { pointwiseSum } from "./pointwise-sum.js";

/** Options of `loo`. */
export interface LooOptions extends LogLikOptions {
  /**
   * Relative efficiency (ESS / draws) of each observation's likelihood draws, or one number for
   * all. Default: from the chains (see `numChains`), or 1 for independent draws.
   */
  rEff?: number | ArrayLike<number>;
}

/** What `loo` returns: R `loo`'s estimates, pointwise values and diagnostics. */
export interface LooResult {
  kind: "loo";
  /** Expected log pointwise predictive density, summed over observations, and its SE. */
  elpdLoo: number;
  seElpdLoo: number;
  /** Effective number of parameters: lpd - elpd_loo. */
  pLoo: number;
  sePLoo: number;
  /** -2 elpd_loo. */
  looic: number;
  seLooic: number;
  /** Monte Carlo standard error of elpd_loo. */
  mcseElpdLoo: number;
  numDraws: number;
  numObservations: number;
  /** Per observation (the observation shape flattened in row-major order). */
  pointwise: {
    elpdLoo: Float64Array;
    mcseElpdLoo: Float64Array;
    pLoo: Float64Array;
    looic: Float64Array;
    /** Pareto k of each observation's smoothed tail: above 0.7 its estimate is unreliable. */
    paretoK: Float64Array;
    /** PSIS effective sample size of each observation's weights. */
    nEff: Float64Array;
    rEff: Float64Array;
  };
  /** Set when some Pareto k exceed 0.7. */
  warning?: string;
}

/**
 * PSIS-LOO of a model from its pointwise log-likelihood draws (`logLikelihood`, or an
 * InferenceData with a log_likelihood group).
 *
 * @example
 * const ll = logLikelihood(eightSchools, mcmc.getSamples(), sigma, y);
 * const result = loo(ll.obs, { numChains: 2 });
 * result.elpdLoo; result.seElpdLoo; result.pointwise.paretoK;
 */
export function loo(logLik: LogLikInput, options: LooOptions = {}): LooResult {
  const m = logLikMatrix(logLik, options, "loo");
  const rEff = relativeEfficiency(m, options.rEff);
  const n = m.numObservations;
  const elpd = new Float64Array(n);
  const mcse = new Float64Array(n);
  const p = new Float64Array(n);
  const looic = new Float64Array(n);
  const paretoK = new Float64Array(n);
  const nEff = new Float64Array(n);
  const logS = Math.log(m.numDraws);
  for (let i = 0; i < n; i++) {
    const ll = column(m, i);
    const smoothed = psis(
      ll.map((v) => -v),
      rEff[i],
    );
    const terms = ll.map((v, s) => v + smoothed.logWeights[s]);
    elpd[i] = logSumExp(terms);
    p[i] = logSumExp(ll) - logS - elpd[i];
    looic[i] = -2 * elpd[i];
    paretoK[i] = smoothed.paretoK;
    nEff[i] = smoothed.nEff;
    mcse[i] = mcseElpd(ll, smoothed.logWeights, elpd[i], rEff[i]);
  }
  const e = pointwiseSum(elpd);
  const pl = pointwiseSum(p);
  const ic = pointwiseSum(looic);
  const high = paretoK.filter((k) => k > 0.7).length;
  return {
    kind: "loo",
    elpdLoo: e.estimate,
    seElpdLoo: e.se,
    pLoo: pl.estimate,
    sePLoo: pl.se,
    looic: ic.estimate,
    seLooic: ic.se,
    mcseElpdLoo: Math.sqrt(mcse.reduce((sum, v) => sum + v * v, 0)),
    numDraws: m.numDraws,
    numObservations: n,
    pointwise: { elpdLoo: elpd, mcseElpdLoo: mcse, pLoo: p, looic, paretoK, nEff, rEff },
    ...(high > 0
      ? {
          warning: `loo: ${high} of ${n} observations have Pareto k > 0.7; their PSIS-LOO estimates are unreliable (consider moment matching, exact LOO for them, or K-fold cross-validation)`,
        }
      : {}),
  };
}

/**
 * r_eff of each observation: the ESS of exp(log-likelihood) over the chains divided by the
 * number of draws, as R `loo`'s `relative_eff(exp(ll), chain_id)`; 1 (independent draws) when
 * the chains are not known.
 */
function relativeEfficiency(m: LogLikMatrix, given: LooOptions["rEff"]): Float64Array {
  const n = m.numObservations;
  if (given !== undefined) {
    const values =
      typeof given === "number" ? new Float64Array(n).fill(given) : Float64Array.from(given);
    if (values.length !== n || values.some((r) => !(r > 0) || !Number.isFinite(r))) {
      throw new ArgumentError({
        api: "loo",
        argument: "rEff",
        message: `loo: rEff must be a positive number or one positive number per observation (${n}), got ${typeof given === "number" ? given : `${values.length} values`}`,
      });
    }
    return values;
  }
  const numChains = m.numChains;
  if (numChains === undefined) return new Float64Array(n).fill(1);
  const perChain = m.numDraws / numChains;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const lik = column(m, i).map(Math.exp);
    const chains = Array.from({ length: numChains }, (_, c) =>
      lik.subarray(c * perChain, (c + 1) * perChain),
    );
    const ess = essOfChains(chains);
    out[i] = Number.isFinite(ess) ? ess / m.numDraws : 1;
  }
  return out;
}

/**
 * Monte Carlo SE of elpd_loo_i, as R loo's `mcse_elpd`: the variance of the expected
 * predictive density estimate, propagated to the log scale through 1000 normal quantiles.
 */
function mcseElpd(ll: Float64Array, lw: Float64Array, elpd: number, rEff: number): number {
  const epd = Math.exp(elpd);
  let varEpd = 0;
  for (let s = 0; s < ll.length; s++) varEpd += Math.exp(2 * lw[s]) * (Math.exp(ll[s]) - epd) ** 2;
  const sdEpd = Math.sqrt(varEpd);
  const count = 1000;
  const c = 3 / 8;
  const logs: number[] = [];
  for (let r = 1; r <= count; r++) {
    const z = epd + sdEpd * normalQuantile((r - c) / (count - 2 * c + 1));
    if (z > 0) logs.push(Math.log(z));
  }
  return Math.sqrt(sampleVariance(logs) / rEff);
}
