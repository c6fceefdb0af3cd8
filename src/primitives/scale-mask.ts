/**
 * Combining the `scale` and `mask` fields of sample messages, which may be numbers, booleans
 * or tensors.
 */
import { type ArrayLike, constant, tf } from "../tf.js";

/** The product of an existing scale (null means 1) and a new factor. */
export function multiplyScale(
  scale: number | tf.Tensor | null,
  factor: number | tf.Tensor,
): number | tf.Tensor {
  if (scale === null) return factor;
  if (typeof scale === "number" && typeof factor === "number") return scale * factor;
  return tf.mul(scale, factor);
}

/** The conjunction of an existing mask (null means true) and a new one. */
export function combineMask(
  mask: boolean | tf.Tensor | null,
  extra: boolean | ArrayLike,
): boolean | tf.Tensor {
  const next = typeof extra === "boolean" ? extra : toBool(constant(extra));
  if (mask === null || mask === true) return next;
  if (mask === false || next === false) return false;
  if (next === true) return mask;
  return tf.logicalAnd(mask, next);
}

function toBool(t: tf.Tensor): tf.Tensor {
  return t.dtype === "bool" ? t : tf.notEqual(t, 0);
}

/** Applies a site's mask and scale to its elementwise log-probability. */
export function scaleAndMask(
  logProb: tf.Tensor,
  scale: number | tf.Tensor | null,
  mask: boolean | tf.Tensor | null,
): tf.Tensor {
  let out = logProb;
  if (mask === false) return tf.zerosLike(out);
  if (mask !== null && mask !== true) out = tf.where(mask, out, tf.zerosLike(out));
  if (scale !== null && scale !== 1) out = tf.mul(out, scale);
  return out;
}
