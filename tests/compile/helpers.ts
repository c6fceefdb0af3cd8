/**
 * Shared helpers of the compiled-engine tests: eager float32 references, points, comparisons.
 */
import { rememberFloat64, tf } from "../../src/tf.js";
import { sizeOf } from "../../src/util/shapes.js";

/** A float32 tensor that remembers exact float64 values (as `constant` does for users). */
export function exact(values: readonly number[] | Float64Array, shape?: number[]): tf.Tensor {
  const f64 = Float64Array.from(values);
  return rememberFloat64(tf.tensor(Float32Array.from(f64), shape ?? [f64.length]), f64);
}

/** Deterministic, distinct values in [lo, hi]. */
export function pointIn(shape: readonly number[], lo: number, hi: number, seed = 1): Float64Array {
  const golden = 0.6180339887498949;
  return Float64Array.from(
    { length: sizeOf(shape) },
    (_, i) => lo + (hi - lo) * (((i + seed) * golden) % 1),
  );
}

/** Eager tfjs value and gradients (float32) of `fn` at `inputs`, for the inputs in `wrt`. */
export function eager(
  fn: (...xs: tf.Tensor[]) => tf.Tensor,
  shapes: readonly number[][],
  inputs: readonly Float64Array[],
  wrt: readonly number[],
): { value: number; grads: Float64Array[] } {
  const engine = tf.engine();
  engine.startScope();
  try {
    const xs = inputs.map((x, i) => tf.tensor(Float32Array.from(x), shapes[i]));
    const { value, grads } = engine.gradients(
      () => fn(...xs),
      wrt.map((i) => xs[i]),
      undefined,
      true,
    );
    return {
      value: value.dataSync()[0],
      grads: wrt.map((input, k) =>
        grads[k] == null
          ? new Float64Array(sizeOf(shapes[input]))
          : Float64Array.from(grads[k].dataSync()),
      ),
    };
  } finally {
    engine.endScope();
  }
}

/**
 * The worst disagreement between a float64 result and a float32 one, relative to each element
 * (with a floor of `scaleFloor` times the largest element, for elements near zero).
 */
export function worstRelative(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  scaleFloor = 1e-4,
): number {
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    if (Object.is(got[i], want[i])) continue;
    const denominator = Math.max(Math.abs(want[i]), scaleFloor * scale, 1e-6);
    worst = Math.max(worst, Math.abs(got[i] - want[i]) / denominator);
  }
  return worst;
}
