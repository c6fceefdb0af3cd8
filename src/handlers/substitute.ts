/**
 * `substitute`: sets site values without observing them.
 */
import type { Message } from "../primitives/messages.js";
import { type Model, wrap } from "../primitives/runtime.js";
import type { ArrayLike } from "../tf.js";
import { ownValue } from "../util/records.js";
import { siteValue } from "./site-value.js";

/**
 * Replaces the values of sample, param and deterministic sites with given ones; unlike
 * `condition`, latent sites stay latent. `data` is a record or a function of the message
 * (returning undefined to leave a site alone). Whole values given to a discrete site become
 * int32, as its draws are.
 *
 * @example
 * const fixed = substitute(model, { tau: 2.0 });
 */
export function substitute<A extends any[], R>(
  model: Model<A, R>,
  data: Record<string, ArrayLike> | ((msg: Message) => ArrayLike | undefined),
): Model<A, R> {
  const lookup = typeof data === "function" ? data : (msg: Message) => ownValue(data, msg.name);
  return wrap(model, () => ({
    process(msg) {
      if (msg.type === "plate") return;
      const value = lookup(msg);
      if (value !== undefined) msg.value = siteValue(msg, value, "substitute");
    },
  }));
}
