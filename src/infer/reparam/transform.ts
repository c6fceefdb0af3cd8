/**
 * `TransformReparam`: a site drawn from a TransformedDistribution T(base) becomes a draw of
 * the base, `${site}_base`, and the deterministic T of it: the sampler then works on the base
 * (NumPyro's TransformReparam). Often paired with LocScaleReparam on the base site.
 */
import { TransformedDistribution } from "../../dist/transformed-distribution.js";
import { ModelError } from "../../errors.js";
import type { Reparam, RewrittenSite } from "../../handlers/reparam.js";
import { sample } from "../../primitives/effects.js";
import type { Message } from "../../primitives/messages.js";
import type { tf } from "../../tf.js";
import { rewrap, unwrap } from "./unwrap.js";

/**
 * Draws a transformed site through its base distribution.
 *
 * @example
 * // x ~ exp(N(0, 1)): draw x_base ~ N(0, 1), x = exp(x_base)
 * reparam(model, { config: { x: TransformReparam() } });
 */
export function TransformReparam(): Reparam {
  return {
    name: "TransformReparam",
    *apply(site: RewrittenSite): Generator<Message, tf.Tensor, unknown> {
      const { base: fn, expandShape, eventRank } = unwrap(site.fn);
      if (!(fn instanceof TransformedDistribution)) {
        throw new ModelError({
          message: `TransformReparam: site "${site.name}" has a ${fn.family} distribution; it needs a TransformedDistribution (possibly expanded or toEvent-ed)`,
          site: site.name,
        });
      }
      // The base's event rank: the site's, less what the transforms add.
      let baseEventRank = eventRank;
      for (const t of [...fn.transforms].reverse()) {
        baseEventRank += t.domain.eventDim - t.codomain.eventDim;
      }
      // The base's batch dims that the transforms read as event dims stay as they are.
      const baseExpand = [...expandShape, ...fn.base.batchShape.slice(fn.batchShape.length)];
      let x = yield* sample(`${site.name}_base`, rewrap(fn.base, baseExpand, baseEventRank));
      for (const t of fn.transforms) x = t.forward(x);
      return x;
    },
  };
}
