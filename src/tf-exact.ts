/**
 * The `tf` that Tyche exports: tfjs-core's namespace, except that the functions that make
 * tensors from numbers keep those numbers' float64 values, as `constant` does. tfjs stores
 * float32, so `tf.scalar(0.5 * Math.log(2 * Math.PI))` from tfjs-core itself is off by about
 * 1e-8 relative; through this `tf` the compiled engine computes with the exact double.
 *
 * Kept in float64: `scalar`, `tensor`, `tensor1d` ... `tensor6d`, `fill`, `linspace` and
 * `range`, when the tensor is float32 and its values are given as numbers or nested arrays of
 * numbers. Not needed for `zeros`, `ones`, `eye`, `oneHot` and the `*Like` functions (their
 * values are exact in float32) nor for `variable` (which shares its initial value's data).
 * Typed arrays are taken as they are (a Float32Array has no float64 values to keep), and
 * numbers passed straight to ops (`tf.mul(x, 0.1)`) reach tfjs as float32: write
 * `tf.mul(x, tf.scalar(0.1))` where the last digits matter.
 *
 * Tyche's own modules use tfjs-core directly (src/tf.ts); this namespace is for model code.
 */
import * as core from "@tensorflow/tfjs-core";
import { rememberFloat64 } from "./tf.js";

export * from "@tensorflow/tfjs-core";

/** The float64 values of numbers or nested arrays of numbers; undefined for anything else. */
function numbersOf(values: unknown): Float64Array | undefined {
  if (typeof values === "number") return Float64Array.of(values);
  if (!Array.isArray(values)) return undefined;
  const out: number[] = [];
  const walk = (node: unknown): boolean => {
    if (typeof node === "number") {
      out.push(node);
      return true;
    }
    return Array.isArray(node) && node.every(walk);
  };
  return walk(values) ? Float64Array.from(out) : undefined;
}

/** `t` with the float64 values `values()` remembered, when it is float32 and they fit. */
function keep<T extends core.Tensor>(t: T, values: () => Float64Array | undefined): T {
  if (t.dtype !== "float32") return t;
  const exact = values();
  if (exact !== undefined && exact.length === t.size) rememberFloat64(t, exact);
  return t;
}

/**
 * tfjs's `scalar`, keeping the number's float64 value for the compiled engine.
 *
 * @example
 * const halfLog2Pi = tf.scalar(0.5 * Math.log(2 * Math.PI)); // exact in the compiled engine
 */
export const scalar: typeof core.scalar = (value, dtype) =>
  keep(core.scalar(value, dtype), () => numbersOf(value));

/**
 * tfjs's `tensor`, keeping the float64 values of numbers and nested arrays.
 *
 * @example
 * const y = tf.tensor([[0.1, 0.2], [0.3, 0.4]]); // float64 values kept
 */
export const tensor: typeof core.tensor = (values, shape, dtype) =>
  keep(core.tensor(values, shape, dtype), () => numbersOf(values));

/**
 * tfjs's `tensor1d`, keeping float64 values.
 *
 * @example
 * tf.tensor1d([0.1, 0.2, 0.3]);
 */
export const tensor1d: typeof core.tensor1d = (values, dtype) =>
  keep(core.tensor1d(values, dtype), () => numbersOf(values));

/**
 * tfjs's `tensor2d`, keeping float64 values.
 *
 * @example
 * tf.tensor2d([[0.9, 0.1], [0.2, 0.8]]);
 */
export const tensor2d: typeof core.tensor2d = (values, shape, dtype) =>
  keep(core.tensor2d(values, shape, dtype), () => numbersOf(values));

/**
 * tfjs's `tensor3d`, keeping float64 values.
 *
 * @example
 * tf.tensor3d([[[0.1], [0.2]]]);
 */
export const tensor3d: typeof core.tensor3d = (values, shape, dtype) =>
  keep(core.tensor3d(values, shape, dtype), () => numbersOf(values));

/**
 * tfjs's `tensor4d`, keeping float64 values.
 *
 * @example
 * tf.tensor4d([[[[0.1]]]]);
 */
export const tensor4d: typeof core.tensor4d = (values, shape, dtype) =>
  keep(core.tensor4d(values, shape, dtype), () => numbersOf(values));

/**
 * tfjs's `tensor5d`, keeping float64 values.
 *
 * @example
 * tf.tensor5d([[[[[0.1]]]]]);
 */
export const tensor5d: typeof core.tensor5d = (values, shape, dtype) =>
  keep(core.tensor5d(values, shape, dtype), () => numbersOf(values));

/**
 * tfjs's `tensor6d`, keeping float64 values.
 *
 * @example
 * tf.tensor6d([[[[[[0.1]]]]]]);
 */
export const tensor6d: typeof core.tensor6d = (values, shape, dtype) =>
  keep(core.tensor6d(values, shape, dtype), () => numbersOf(values));

/**
 * tfjs's `fill`, keeping the value's float64.
 *
 * @example
 * tf.fill([3], Math.PI);
 */
export const fill: typeof core.fill = (shape, value, dtype) =>
  keep(core.fill(shape, value, dtype), () =>
    typeof value === "number"
      ? new Float64Array(shape.reduce((n, d) => n * d, 1)).fill(value)
      : undefined,
  );

/**
 * tfjs's `linspace`, keeping the float64 points start + i (stop - start) / (num - 1).
 *
 * @example
 * tf.linspace(0, 1, 11); // 0, 0.1, ..., 1
 */
export const linspace: typeof core.linspace = (start, stop, num) =>
  keep(core.linspace(start, stop, num), () =>
    Float64Array.from({ length: num }, (_, i) =>
      num === 1 ? start : i === num - 1 ? stop : start + (i * (stop - start)) / (num - 1),
    ),
  );

/**
 * tfjs's `range`, keeping the float64 values start + i step.
 *
 * @example
 * tf.range(0, 1, 0.1); // 0, 0.1, ..., 0.9
 */
export const range: typeof core.range = (start, stop, step = 1, dtype = "float32") =>
  keep(core.range(start, stop, step, dtype), () => {
    const n = Math.max(0, Math.ceil((stop - start) / step));
    return Float64Array.from({ length: n }, (_, i) => start + i * step);
  });
