/**
 * Helpers shared by distribution families: parameter conversion, noise tensors from keys, and
 * masking log-densities outside the support.
 */
import { type Key, normal, uniform } from "../primitives/prng.js";
import { type ArrayLike, constant, tf } from "../tf.js";
import { sizeOf } from "../util/shapes.js";

/** log(2 pi). */
export const LOG_2PI = Math.log(2 * Math.PI);

/** A float32 tensor parameter from any ArrayLike (float64 values kept for the compiled engine). */
export function param(x: ArrayLike): tf.Tensor {
  const t = constant(x);
  return t.dtype === "float32" ? t : tf.cast(t, "float32");
}

/** Standard normal noise of `shape` from `key`. */
export function normalNoise(key: Key, shape: readonly number[]): tf.Tensor {
  return tf.reshape(constant(normal(key, sizeOf(shape))), shape as number[]);
}

/** Uniform [0, 1) noise of `shape` from `key`. */
export function uniformNoise(key: Key, shape: readonly number[]): tf.Tensor {
  return tf.reshape(constant(uniform(key, sizeOf(shape))), shape as number[]);
}

/** `logProb` where `inSupport` holds and -Infinity elsewhere. */
export function negInfOutside(inSupport: tf.Tensor, logProb: tf.Tensor): tf.Tensor {
  return tf.where(inSupport, logProb, tf.fill(logProb.shape, Number.NEGATIVE_INFINITY));
}

/** `x` broadcast to `shape` (no-op when equal). */
export function broadcast(x: tf.Tensor, shape: readonly number[]): tf.Tensor {
  if (x.shape.length === shape.length && x.shape.every((d, i) => d === shape[i])) return x;
  return tf.broadcastTo(x, shape as number[]);
}
