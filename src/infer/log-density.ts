/**
 * Log densities of traces and of models at given values: `logDensity`, `pointLogProbs`.
 */
import { ArgumentError, ModelError } from "../errors.js";
import { substitute } from "../handlers/substitute.js";
import { type Trace, trace } from "../handlers/trace.js";
import type { SampleSite } from "../primitives/messages.js";
import type { Model } from "../primitives/runtime.js";
import { scaleAndMask } from "../primitives/scale-mask.js";
import { siteConstant } from "../primitives/site-data.js";
import { type ArrayLike, describeValue, tf, tidyValue } from "../tf.js";
import { ownValue, siteRecord } from "../util/records.js";
import {
  type EnumerationSetup,
  enumerated,
  enumeratedLogJoint,
  enumeratedSiteGroup,
  enumerationSetup,
} from "./enum/log-joint.js";

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

/**
 * Runs `model` with latent sites set to `params` and returns its trace. A missing latent site,
 * a value that is not numbers, and a name that is no latent site (a typo, an observed site)
 * are errors; deterministic sites may be given (as in a draw from `getSamples`) and are
 * recomputed from the latent values. A site marked for enumeration may go without a value: the
 * run then enumerates it (see `enumeratedRunAt`).
 */
export function traceAt(
  api: string,
  model: Model<any[], unknown>,
  args: unknown[],
  params: Record<string, ArrayLike>,
): Trace {
  return enumeratedRunAt(api, model, args, params).trace;
}

/** `traceAt`'s run, under the enumeration handler when the model marks sites for enumeration. */
function enumeratedRunAt(
  api: string,
  model: Model<any[], unknown>,
  args: unknown[],
  params: Record<string, ArrayLike>,
): { trace: Trace; setup: EnumerationSetup } {
  if (params === null || typeof params !== "object") {
    throw new ArgumentError({
      message: `${api}: params must be a record from latent site names to values, got ${describeValue(params)}`,
      api,
      argument: "params",
    });
  }
  const given = substitute(model, (msg) => {
    if (msg.type !== "sample" || msg.isObserved) return undefined;
    const value = ownValue(params, msg.name);
    if (value === undefined) {
      // Enumerated sites without a value are summed out.
      if (msg.infer.enumerate !== undefined) return undefined;
      throw new ModelError({
        message: `${api}: no value for the latent site "${msg.name}"; give every latent site a value (got ${Object.keys(params).join(", ") || "none"})`,
        site: msg.name,
      });
    }
    return siteConstant(value, api, msg.name);
  });
  const setup = enumerationSetup(api, model, args);
  const tr = trace(setup.sites.length > 0 ? enumerated(given, setup) : given).getTrace(...args);
  for (const name of Object.keys(params)) {
    const site = tr.has(name) ? tr.get(name) : undefined;
    if (site?.type === "deterministic" || (site?.type === "sample" && !site.isObserved)) continue;
    const latent = tr
      .sampleSites()
      .filter((s) => !s.isObserved)
      .map((s) => s.name);
    const what =
      site?.type === "sample"
        ? `"${name}" is an observed site, whose value is the model's data`
        : `"${name}" is not a latent site of the model`;
    throw new ArgumentError({
      message: `${api}: ${what}; params take the latent sites (${latent.join(", ") || "none"})`,
      api,
      argument: name,
    });
  }
  return { trace: tr, setup };
}

/** The log density of a run from `enumeratedRunAt`: enumerated sites summed out. */
function densityOf(api: string, run: { trace: Trace; setup: EnumerationSetup }): tf.Scalar {
  return run.setup.sites.length > 0
    ? enumeratedLogJoint(api, run.trace, run.setup)
    : traceLogDensity(run.trace);
}

/**
 * The log joint density of a model at constrained latent values (no Jacobian), observed
 * sites included. Sites marked for enumeration without a value are summed out.
 *
 * @example
 * logDensity(model, [], { z: 2.5 }); // log p(z) + log p(x | z)
 */
export function logDensity(
  model: Model<any[], unknown>,
  args: unknown[],
  params: Record<string, ArrayLike>,
): number {
  return tidyValue(
    () => densityOf("logDensity", enumeratedRunAt("logDensity", model, args, params)).dataSync()[0],
  );
}

/**
 * Per-site log-probabilities (summed over each site) at constrained latent values, as PyMC's
 * `point_logps`: the first thing to look at when a start point is -inf or NaN. The sites that
 * depend on enumerated sites count together, as one entry "enumerated(...)".
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
    const run = enumeratedRunAt("pointLogProbs", model, args, params);
    const tr = run.trace;
    const group =
      run.setup.sites.length > 0 ? enumeratedSiteGroup("pointLogProbs", tr, run.setup) : [];
    let rest = 0;
    for (const site of tr.sampleSites()) {
      if (group.includes(site.name)) continue;
      out[site.name] = tf.sum(siteLogProb(site)).dataSync()[0];
      rest += out[site.name];
    }
    if (group.length > 0) {
      out[`enumerated(${group.join(", ")})`] = densityOf("pointLogProbs", run).dataSync()[0] - rest;
    }
    return out;
  });
}
