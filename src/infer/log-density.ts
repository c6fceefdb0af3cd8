/**
 * Log densities of traces and of models at given values: `logDensity`, `pointLogProbs`.
 */
import { ModelError } from "../errors.js";
import { substitute } from "../handlers/substitute.js";
import { type Trace, trace } from "../handlers/trace.js";
import type { SampleSite } from "../primitives/messages.js";
import type { Model } from "../primitives/runtime.js";
import { scaleAndMask } from "../primitives/scale-mask.js";
import { type ArrayLike, tf, tidyValue } from "../tf.js";
import { ownValue, siteRecord } from "../util/records.js";

/** A site's elementwise log-probability with its scale and mask applied. */
export function siteLogProb(site: SampleSite): tf.Tensor {
  return scaleAndMask(site.fn.logProb(site.value), site.scale, site.mask);
}

/** The sum of every sample site's log-probability in a trace (observed sites included). */
export function traceLogDensity(tr: Trace): tf.Scalar {
  let total: tf.Tensor = tf.scalar(0);
  for (const site of tr.sampleSites()) total = tf.add(total, tf.sum(siteLogProb(site)));
  return total as tf.Scalar;
}

/** Runs `model` with latent sites set to `params` and returns its trace; a missing latent is an error. */
export function traceAt(
  api: string,
  model: Model<any[], unknown>,
  args: unknown[],
  params: Record<string, ArrayLike>,
): Trace {
  const tr = trace(
    substitute(model, (msg) => {
      if (msg.type === "sample" && !msg.isObserved && ownValue(params, msg.name) === undefined) {
        throw new ModelError({
          message: `${api}: no value for the latent site "${msg.name}"; give every latent site a value (got ${Object.keys(params).join(", ") || "none"})`,
          site: msg.name,
        });
      }
      return ownValue(params, msg.name);
    }),
  ).getTrace(...args);
  return tr;
}

/**
 * The log joint density of a model at constrained latent values (no Jacobian), observed
 * sites included.
 *
 * @example
 * logDensity(model, [], { z: 2.5 }); // log p(z) + log p(x | z)
 */
export function logDensity(
  model: Model<any[], unknown>,
  args: unknown[],
  params: Record<string, ArrayLike>,
): number {
  return tidyValue(() => traceLogDensity(traceAt("logDensity", model, args, params)).dataSync()[0]);
}

/**
 * Per-site log-probabilities (summed over each site) at constrained latent values, as PyMC's
 * `point_logps`: the first thing to look at when a start point is -inf or NaN.
 *
 * @example
 * pointLogProbs(model, [], { z: 2.5 }); // { z: -2.653, x: -4.044 }
 */
export function pointLogProbs(
  model: Model<any[], unknown>,
  args: unknown[],
  params: Record<string, ArrayLike>,
): Record<string, number> {
  return tidyValue(() => {
    const out = siteRecord<number>();
    for (const site of traceAt("pointLogProbs", model, args, params).sampleSites()) {
      out[site.name] = tf.sum(siteLogProb(site)).dataSync()[0];
    }
    return out;
  });
}
