/**
 * The values handlers give to sites (`substitute`, `condition`, and through them a potential's
 * fixed sites and Predictive's posterior draws). A discrete sample site draws int32 values, so
 * a value given to it becomes int32 too when it is whole: a substituted `z` then indexes arrays
 * (`tf.gather(locs, z)`) as a drawn one does. A fractional value stays float32, where the
 * site's logProb scores it -inf, rather than being truncated.
 */
import type { Message } from "../primitives/messages.js";
import { siteConstant } from "../primitives/site-data.js";
import { type ArrayLike, float64Of, tf } from "../tf.js";

/**
 * Whether a message is a sample site of a discrete distribution, whose draws are int32.
 *
 * @example
 * drawsIntegers(trace(seed(model, 0)).getTrace().get("z")); // true for z ~ Categorical(...)
 */
export function drawsIntegers(msg: Message): boolean {
  return msg.type === "sample" && msg.fn.isDiscrete;
}

/**
 * A handler's value for the site of `msg` as a tensor: int32 for a discrete sample site when
 * its values are known (numbers, arrays, or tensors made by `constant`) and whole; otherwise
 * as `constant` makes it. Other tensors are kept as given. A value that is not numbers is an
 * error naming `api` (the handler), the site and the value.
 *
 * @example
 * siteValue(zMessage, [0, 2, 1]).dtype; // "int32" when z is discrete
 */
export function siteValue(msg: Message, value: ArrayLike, api = "substitute"): tf.Tensor {
  const t = siteConstant(value, api, msg.name);
  if (t.dtype !== "float32" || !drawsIntegers(msg)) return t;
  const values = float64Of(t);
  if (values === undefined || values.length !== t.size || !values.every(isInt32)) return t;
  return tf.tensor(Int32Array.from(values), t.shape, "int32");
}

function isInt32(v: number): boolean {
  return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;
}
