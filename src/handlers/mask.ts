/**
 * `mask`: zeroes log-probabilities where a mask is false.
 */
import { type Model, wrap } from "../primitives/runtime.js";
import { combineMask } from "../primitives/scale-mask.js";
import type { ArrayLike } from "../tf.js";

/**
 * Zeroes the log-probability of sample sites where `maskValue` is false (broadcast against
 * each site's batch shape); `false` removes them from the density altogether.
 *
 * @example
 * const observed = [true, true, false, true]; // the third entry of `data` is missing
 * const partial = mask(model, observed); // its log-probability counts for nothing
 * trace(seed(partial, 0)).getTrace(data);
 */
export function mask<A extends any[], R>(
  model: Model<A, R>,
  maskValue: boolean | ArrayLike,
): Model<A, R> {
  return wrap(model, () => ({
    process(msg) {
      if (msg.type === "sample") msg.mask = combineMask(msg.mask, maskValue);
    },
  }));
}
