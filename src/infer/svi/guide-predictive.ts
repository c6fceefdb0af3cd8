/**
 * Predictive draws over a fitted guide: draws of the latent sites from the guide (with fitted
 * params) become the `posteriorSamples` of the existing `Predictive`, which then runs the model
 * for deterministic sites and fresh observations, as NumPyro's `Predictive(model, guide=...,
 * params=...)` does.
 */
import { ArgumentError } from "../../errors.js";
import { seed } from "../../handlers/seed.js";
import { trace } from "../../handlers/trace.js";
import { type Key, PRNGKey, split, toKey } from "../../primitives/prng.js";
import type { Model } from "../../primitives/runtime.js";
import { constant, tf, tidyValue } from "../../tf.js";
import { siteRecord } from "../../util/records.js";
import type { Draws } from "../draws.js";
import { Predictive } from "../predictive.js";
import type { SiteValues } from "./autoguide/base.js";
import { isAuxiliary } from "./elbo.js";
import { withParams } from "./params.js";

/** A guide that draws its own posterior samples (the autoguides). */
interface SelfSampling {
  samplePosterior(key: Key | number, n: number, params?: SiteValues): SiteValues;
}

function isSelfSampling(guide: unknown): guide is SelfSampling {
  return typeof (guide as Partial<SelfSampling>).samplePosterior === "function";
}

/**
 * `numSamples` draws of every latent (non-auxiliary) sample site of `guide` with the given
 * constrained `params`, leading dim numSamples. Autoguides draw in float64 through their
 * `samplePosterior`; other guides run once per draw through `Predictive` (batched with
 * `parallel: true`).
 *
 * @example
 * const { params } = svi.run(PRNGKey(0), 2000, data);
 * const draws = guideSamples(guide, [data], params, PRNGKey(1), 1000);
 */
export function guideSamples<A extends any[]>(
  guide: Model<A, unknown>,
  args: A,
  params: SiteValues,
  key: Key | number,
  numSamples: number,
  parallel = false,
): SiteValues {
  if (!Number.isInteger(numSamples) || numSamples < 1) {
    throw new ArgumentError({
      message: `guideSamples: numSamples must be a positive integer, got ${numSamples}`,
      api: "guideSamples",
      argument: "numSamples",
    });
  }
  const k = toKey(key, "guideSamples");
  if (isSelfSampling(guide)) return guide.samplePosterior(k, numSamples, params);
  return tidyValue(() => {
    const values = siteRecord<tf.Tensor>();
    for (const [name, d] of Object.entries(params)) {
      values[name] = tf.reshape(constant(d.data), d.shape);
    }
    const fitted = withParams(guide, values);
    const probe = trace(seed(fitted, PRNGKey(0))).getTrace(...args);
    const latent = probe
      .sampleSites()
      .filter((site) => !site.isObserved && !isAuxiliary(site))
      .map((site) => site.name);
    return new Predictive(fitted, { numSamples, returnSites: latent, parallel }).run(k, ...args);
  });
}

/** Options of `predictiveFromGuide`. */
export interface GuidePredictiveOptions {
  /** The fitted params (constrained), as `svi.run` or `svi.getParams` return them. */
  params: SiteValues;
  /** Number of draws. */
  numSamples: number;
  /** Sites to return (default: the model's deterministic sites and fresh observations). */
  returnSites?: string[];
  /** Run the guide and the model for all draws at once (default false); see `Predictive`. */
  parallel?: boolean;
}

/**
 * Posterior predictive draws from a fitted guide: latent draws from the guide feed
 * `Predictive` as posteriorSamples.
 *
 * @example
 * const { params } = svi.run(PRNGKey(0), 500, data);
 * const ppc = predictiveFromGuide(model, guide, { params, numSamples: 1000 }).run(PRNGKey(1), data);
 * ppc.obs.shape; // [1000, 4]: replicated data
 */
export function predictiveFromGuide<A extends any[]>(
  model: Model<A, unknown>,
  guide: Model<A, unknown>,
  options: GuidePredictiveOptions,
): { run(key: Key | number, ...args: A): Record<string, Draws> } {
  return {
    run(key: Key | number, ...args: A) {
      const [guideKey, modelKey] = split(toKey(key, "predictiveFromGuide.run"));
      const posteriorSamples = guideSamples(
        guide,
        args,
        options.params,
        guideKey,
        options.numSamples,
        options.parallel,
      );
      return new Predictive(model, {
        posteriorSamples,
        returnSites: options.returnSites,
        parallel: options.parallel,
      }).run(modelKey, ...args);
    },
  };
}
