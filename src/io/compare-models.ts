/**
 * Model comparison by expected log predictive density, as R `loo`'s `loo_compare` (Vehtari,
 * Gelman and Gabry 2017, section 5.2): models ranked by elpd, each with its difference from the
 * best and the standard error of that difference, sqrt(N) times the standard deviation of the
 * pointwise differences.
 */
import { ArgumentError } from "../errors.js";
import { sampleVariance } from "../infer/diagnostics/chains.js";
import { isInferenceData } from "./inference-data.js";
import type { LogLikInput } from "./log-lik-matrix.js";
import { type LooResult, loo } from "./loo.js";
import type { WaicResult } from "./waic.js";

/** One model's row of `compareModels`, best model first. */
export interface ModelComparison {
  name: string;
  /** elpd_loo (or elpd_waic) and its standard error. */
  elpd: number;
  se: number;
  /** elpd minus the best model's elpd (0 for the best). */
  elpdDiff: number;
  /** Standard error of that difference (0 for the best). */
  seDiff: number;
  /** p_loo (or p_waic). */
  p: number;
  /** The model's loo or waic result. */
  result: LooResult | WaicResult;
}

/**
 * Ranks models fitted to the same observations by elpd. Each entry is a `loo` or `waic`
 * result (all of one kind), or log-likelihood draws, for which `loo` is computed.
 *
 * @example
 * // eight schools (fitted as `mcmc`) against complete pooling: one effect for every school
 * function* pooled(sigma: number[], y?: number[]) {
 *   const mu = yield* sample("mu", Normal(0, 5));
 *   yield* plate("J", sigma.length, function* () {
 *     yield* sample("obs", Normal(mu, tf.tensor(sigma)), { obs: y });
 *   });
 * }
 * const fit = new MCMC(new NUTS(pooled), { numWarmup: 100, numSamples: 100, numChains: 2, progressBar: false });
 * await fit.run(PRNGKey(1), sigma, y);
 * const table = compareModels({
 *   hierarchical: loo(logLikelihood(eightSchools, mcmc.getSamples(), sigma, y).obs, { numChains: 2 }),
 *   pooled: loo(logLikelihood(pooled, fit.getSamples(), sigma, y).obs, { numChains: 2 }),
 * });
 * table[0].name; // the best model
 * table[1].elpdDiff; table[1].seDiff;
 */
export function compareModels(
  models: Record<string, LooResult | WaicResult | LogLikInput>,
): ModelComparison[] {
  const entries = Object.entries(models).map(([name, value]) => {
    const result = isResult(value) ? value : loo(value);
    const pointwise = result.kind === "loo" ? result.pointwise.elpdLoo : result.pointwise.elpdWaic;
    const elpd = result.kind === "loo" ? result.elpdLoo : result.elpdWaic;
    const se = result.kind === "loo" ? result.seElpdLoo : result.seElpdWaic;
    const p = result.kind === "loo" ? result.pLoo : result.pWaic;
    return { name, result, pointwise, elpd, se, p };
  });
  if (entries.length < 2) {
    throw new ArgumentError({
      api: "compareModels",
      argument: "models",
      message: `compareModels: needs at least two models, got ${entries.length}`,
    });
  }
  const kinds = new Set(entries.map((e) => e.result.kind));
  if (kinds.size > 1) {
    throw new ArgumentError({
      api: "compareModels",
      argument: "models",
      message: `compareModels: every model must be compared by the same criterion, got both loo and waic results`,
    });
  }
  const n = entries[0].pointwise.length;
  for (const e of entries) {
    if (e.pointwise.length !== n) {
      throw new ArgumentError({
        api: "compareModels",
        argument: e.name,
        message: `compareModels: every model must have the same observations; "${entries[0].name}" has ${n}, "${e.name}" has ${e.pointwise.length}`,
      });
    }
  }
  // Stable: ties keep the order given, as R's order().
  const ranked = entries.slice().sort((a, b) => b.elpd - a.elpd);
  const best = ranked[0];
  return ranked.map((e) => {
    const diffs = e.pointwise.map((v, i) => v - best.pointwise[i]);
    let elpdDiff = 0;
    for (const d of diffs) elpdDiff += d;
    const seDiff = e === best ? 0 : Math.sqrt(n * sampleVariance(diffs));
    return { name: e.name, elpd: e.elpd, se: e.se, elpdDiff, seDiff, p: e.p, result: e.result };
  });
}

function isResult(value: unknown): value is LooResult | WaicResult {
  if (isInferenceData(value)) return false;
  const kind = (value as { kind?: unknown }).kind;
  return kind === "loo" || kind === "waic";
}
