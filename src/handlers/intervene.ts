/**
 * `intervene`: Pyro's `do` operator (`do` is a reserved word in JavaScript).
 */
import type { Message } from "../primitives/messages.js";
import type { Model } from "../primitives/runtime.js";
import { siteConstant } from "../primitives/site-data.js";
import type { ArrayLike } from "../tf.js";
import { ownValue } from "../util/records.js";

/**
 * Sets sample sites to fixed values as if hard-coded: the model downstream sees the
 * intervention, while a fresh sample site of the same name is still drawn from the original
 * distribution and its value does not propagate. The dependency on the site's parents is cut.
 *
 * @example
 * const doZ = intervene(model, { z: 5 }); // x ~ Normal(z, 1) now centres on 5; "z" still drawn from its prior
 */
export function intervene<A extends any[], R>(
  model: Model<A, R>,
  data: Record<string, ArrayLike>,
): Model<A, R> {
  return function* intervened(...args: A) {
    const gen = model(...args);
    let next = gen.next();
    while (!next.done) {
      const msg = next.value;
      const value = msg.type === "sample" ? ownValue(data, msg.name) : undefined;
      if (value !== undefined && msg.type === "sample") {
        // The counterfactual site: drawn as before, seen by the outer handlers, not propagated.
        const fresh: Message = { ...msg, plates: [...msg.plates], value: null };
        yield fresh;
        msg.value = siteConstant(value, "intervene", msg.name);
      } else {
        yield msg;
      }
      next = gen.next();
    }
    return next.value;
  };
}
