/**
 * The widely applicable information criterion (WAIC): Watanabe (2010), "Asymptotic equivalence
 * of Bayes cross validation and widely applicable information criterion in singular learning
 * theory", JMLR 11, in the form of Vehtari, Gelman and Gabry (2017), section 2.2, as the R
 * package `loo` 2.5 computes it: elpd_waic_i = lpd_i - p_waic_i with p_waic_i the sample
 * variance of the log-likelihood of observation i over the draws.
 */
import { sampleVariance } from "../infer/diagnostics/chains.js";
import { logSumExp } from "../util/log-sum-exp.js";
import { column, type LogLikInput, type LogLikOptions, logLikMatrix } from "./log-lik-matrix.js";
import { pointwiseSum } from "./pointwise-sum.js";

/** What `waic` returns: R `loo`'s estimates and pointwise values. */
export interface WaicResult {
  kind: "waic";
  elpdWaic: number;
  seElpdWaic: number;
  pWaic: number;
  sePWaic: number;
  /** -2 elpd_waic. */
  waic: number;
  seWaic: number;
  numDraws: number;
  numObservations: number;
  pointwise: { elpdWaic: Float64Array; pWaic: Float64Array; waic: Float64Array };
  /** Set when some p_waic exceed 0.4 (R loo's warning: try loo instead). */
  warning?: string;
}

/**
 * WAIC of a model from its pointwise log-likelihood draws.
 *
 * @example
 * const result = waic(logLikelihood(eightSchools, mcmc.getSamples(), sigma, y).obs);
 * result.elpdWaic; result.pWaic;
 */
export function waic(logLik: LogLikInput, options: LogLikOptions = {}): WaicResult {
  const m = logLikMatrix(logLik, options, "waic");
  const n = m.numObservations;
  const elpd = new Float64Array(n);
  const p = new Float64Array(n);
  const ic = new Float64Array(n);
  const logS = Math.log(m.numDraws);
  for (let i = 0; i < n; i++) {
    const ll = column(m, i);
    p[i] = sampleVariance(ll);
    elpd[i] = logSumExp(ll) - logS - p[i];
    ic[i] = -2 * elpd[i];
  }
  const e = pointwiseSum(elpd);
  const pw = pointwiseSum(p);
  const w = pointwiseSum(ic);
  const high = p.filter((v) => v > 0.4).length;
  return {
    kind: "waic",
    elpdWaic: e.estimate,
    seElpdWaic: e.se,
    pWaic: pw.estimate,
    sePWaic: pw.se,
    waic: w.estimate,
    seWaic: w.se,
    numDraws: m.numDraws,
    numObservations: n,
    pointwise: { elpdWaic: elpd, pWaic: p, waic: ic },
    ...(high > 0
      ? {
          warning: `waic: ${high} of ${n} observations have p_waic > 0.4; WAIC may be unreliable there, use loo`,
        }
      : {}),
  };
}
