/**
 * Running a model at a point of its flat unconstrained space: each latent site takes its
 * slice of q through the transform onto its support. The transform is built at the site from
 * the distribution the model gives there, so supports that depend on other parameters
 * (garch's 0 < beta1 < 1 - alpha1) are right at every point, as NumPyro's unconstrained
 * substitution does.
 */
import { bijectTo } from "../dist/biject-to.js";
import { ModelError } from "../errors.js";
import { type Trace, trace } from "../handlers/trace.js";
import type { Model } from "../primitives/runtime.js";
import { wrap } from "../primitives/runtime.js";
import { tf } from "../tf.js";
import { siteRecord } from "../util/records.js";
import type { FlatLayout } from "./layout.js";

/** The trace at q, and the log-abs-det-Jacobian of each latent site's transform. */
export interface UnconstrainedTrace {
  readonly trace: Trace;
  readonly logDetJacobians: Record<string, tf.Tensor>;
}

/**
 * Runs `model` with its latent sites set from the flat unconstrained tensor `q`.
 *
 * @example
 * const layout = FlatLayout.of([{ name: "z", shape: [], constraint: constraints.real, dependent: false }]);
 * const { trace, logDetJacobians } = traceAtUnconstrained(model, [data], layout, tf.zeros([layout.dim]));
 */
export function traceAtUnconstrained<A extends unknown[]>(
  model: Model<A, unknown>,
  args: A,
  layout: FlatLayout,
  q: tf.Tensor,
): UnconstrainedTrace {
  const sites = new Map(layout.sites.map((s) => [s.name, s]));
  const logDetJacobians = siteRecord<tf.Tensor>();
  const atPoint = wrap(model, () => ({
    process(msg) {
      if (msg.type !== "sample" || msg.isObserved || msg.value !== null) return;
      const site = sites.get(msg.name);
      if (site === undefined) {
        throw new ModelError({
          message: `potential: the latent site "${msg.name}" did not appear when the model was first run; models with a changing set of latent sites are not supported`,
          site: msg.name,
        });
      }
      const transform = site.dependent ? bijectTo(msg.fn.support) : site.transform;
      const u = tf.reshape(tf.slice(q, [site.offset], [site.size]), site.unconstrainedShape);
      const x = transform.forward(u);
      logDetJacobians[msg.name] = tf.sum(transform.logAbsDetJacobian(u, x));
      msg.value = x;
    },
  }));
  return { trace: trace(atPoint).getTrace(...args), logDetJacobians };
}
