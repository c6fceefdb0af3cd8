/**
 * The parameters SVI optimizes: every `param` site of the guide and the model, laid out in
 * one flat vector in the unconstrained space (through `bijectTo(constraint)`), reusing the
 * `FlatLayout` that potentials use for latent sites.
 */
import type { Trace } from "../../handlers/trace.js";
import type { Site } from "../../primitives/messages.js";
import { type Model, wrap } from "../../primitives/runtime.js";
import type { tf } from "../../tf.js";
import { ownValue, siteRecordOf } from "../../util/records.js";
import { FlatLayout } from "../layout.js";

type ParamSite = Extract<Site, { type: "param" }>;

/** The layout of the param sites of the given traces (first appearance of a name wins). */
export function paramLayoutOf(...traces: Trace[]): FlatLayout {
  return FlatLayout.of(
    firstParamSites(traces).map((site) => ({
      name: site.name,
      shape: site.value.shape,
      constraint: site.constraint,
      dependent: false,
    })),
  );
}

/** The constrained initial values of the param sites of the given traces. */
export function paramValuesOf(...traces: Trace[]): Record<string, tf.Tensor> {
  return siteRecordOf(firstParamSites(traces).map((site) => [site.name, site.value]));
}

/** The param sites of the traces, each name at its first appearance. */
function firstParamSites(traces: readonly Trace[]): ParamSite[] {
  const sites = new Map<string, ParamSite>();
  for (const tr of traces) {
    for (const site of tr.values()) {
      if (site.type === "param" && !sites.has(site.name)) sites.set(site.name, site);
    }
  }
  return [...sites.values()];
}

/** The param sites of a trace. */
export function paramSites(tr: Trace): ParamSite[] {
  return [...tr.values()].filter((s): s is ParamSite => s.type === "param");
}

/**
 * Gives `param` sites the given (constrained) values; other sites are left alone, unlike
 * `substitute`, which would also match a sample site of the same name.
 *
 * @example
 * const fitted = withParams(guide, { loc: tf.scalar(1.2) });
 */
export function withParams<A extends any[], R>(
  model: Model<A, R>,
  values: Readonly<Record<string, tf.Tensor>>,
): Model<A, R> {
  return wrap(model, () => ({
    process(msg) {
      if (msg.type !== "param") return;
      const value = ownValue(values, msg.name);
      if (value !== undefined) msg.value = value;
    },
  }));
}
