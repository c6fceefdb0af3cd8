/**
 * The parameters SVI optimizes: every `param` site of the guide and the model, laid out in
 * one flat vector in the unconstrained space (through `bijectTo(constraint)`), reusing the
 * `FlatLayout` that potentials use for latent sites.
 */
import { bijectTo } from "../../dist/biject-to.js";
import type { Trace } from "../../handlers/trace.js";
import type { Site } from "../../primitives/messages.js";
import { type Model, wrap } from "../../primitives/runtime.js";
import type { tf } from "../../tf.js";
import { sizeOf } from "../../util/shapes.js";
import { FlatLayout, type SiteLayout } from "../layout.js";

type ParamSite = Extract<Site, { type: "param" }>;

/** The layout of the param sites of the given traces (first appearance of a name wins). */
export function paramLayoutOf(...traces: Trace[]): FlatLayout {
  const seen = new Set<string>();
  const sites: SiteLayout[] = [];
  let offset = 0;
  for (const tr of traces) {
    for (const site of tr.values()) {
      if (site.type !== "param" || seen.has(site.name)) continue;
      seen.add(site.name);
      const transform = bijectTo(site.constraint);
      const shape = site.value.shape.slice();
      const unconstrainedShape = transform.inverseShape(shape);
      const size = sizeOf(unconstrainedShape);
      sites.push({
        name: site.name,
        shape,
        unconstrainedShape,
        offset,
        size,
        transform,
        dependent: false,
      });
      offset += size;
    }
  }
  return new FlatLayout(sites);
}

/** The constrained initial values of the param sites of the given traces. */
export function paramValuesOf(...traces: Trace[]): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const tr of traces) {
    for (const site of tr.values()) {
      if (site.type === "param" && out[site.name] === undefined) out[site.name] = site.value;
    }
  }
  return out;
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
      const value = values[msg.name];
      if (value !== undefined) msg.value = value;
    },
  }));
}
