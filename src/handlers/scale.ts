/**
 * `scale`: multiplies log-probabilities.
 */
import { ArgumentError } from "../errors.js";
import { type Model, wrap } from "../primitives/runtime.js";
import { multiplyScale } from "../primitives/scale-mask.js";
import { type ArrayLike, constant } from "../tf.js";

/**
 * Multiplies the log-probability of every sample site by `factor` (e.g. to weight a
 * likelihood, or to correct for minibatching by hand).
 *
 * @example
 * const tempered = scale(model, 0.5);
 */
export function scale<A extends any[], R>(
  model: Model<A, R>,
  factor: number | ArrayLike,
): Model<A, R> {
  if (typeof factor === "number" && !(factor > 0)) {
    throw new ArgumentError({
      message: `scale: factor must be positive, got ${factor}`,
      api: "scale",
      argument: "factor",
    });
  }
  return wrap(model, () => ({
    process(msg) {
      if (msg.type === "sample")
        msg.scale = multiplyScale(
          msg.scale,
          typeof factor === "number" ? factor : constant(factor),
        );
    },
  }));
}
