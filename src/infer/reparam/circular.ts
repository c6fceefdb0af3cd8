/**
 * `CircularReparam`: a circular site (VonMises, support [-pi, pi)) drawn on the whole real
 * line and wrapped, so that a sampler never meets the edge of the interval (NumPyro's
 * CircularReparam): `${site}_unwrapped` ~ ImproperUniform(real), the value is
 * ((u + pi) mod 2 pi) - pi, and the factor `${site}_factor` carries the site's log-density at
 * that value.
 */
import { circular, IndependentConstraint, real } from "../../dist/constraints.js";
import { ImproperUniform } from "../../dist/improper-uniform.js";
import { ModelError } from "../../errors.js";
import type { Reparam, RewrittenSite } from "../../handlers/reparam.js";
import { factor, sample } from "../../primitives/effects.js";
import type { Message } from "../../primitives/messages.js";
import { tf } from "../../tf.js";

/**
 * Draws a circular site unwrapped on the real line.
 *
 * @example
 * reparam(model, { config: { angle: CircularReparam() } }); // angle_unwrapped, then angle
 */
export function CircularReparam(): Reparam {
  return {
    name: "CircularReparam",
    *apply(site: RewrittenSite): Generator<Message, tf.Tensor, unknown> {
      const fn = site.fn;
      let support = fn.support;
      while (support instanceof IndependentConstraint) support = support.base;
      if (support !== circular) {
        throw new ModelError({
          message: `CircularReparam: site "${site.name}" has support "${fn.support.name}"; it needs a circular one (VonMises)`,
          site: site.name,
        });
      }
      const unwrapped = yield* sample(
        `${site.name}_unwrapped`,
        ImproperUniform(real, fn.batchShape, fn.eventShape),
      );
      const twoPi = 2 * Math.PI;
      const shifted = tf.add(unwrapped, Math.PI);
      // x mod 2 pi with a floor, differentiable almost everywhere (slope 1).
      const wrapped = tf.sub(shifted, tf.mul(twoPi, tf.floor(tf.div(shifted, twoPi))));
      const value = tf.sub(wrapped, Math.PI);
      yield* factor(`${site.name}_factor`, fn.logProb(value));
      return value;
    },
  };
}
