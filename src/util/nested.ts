/**
 * Nested arrays from row-major values: the form in which users write (and `constant` reads)
 * multi-dimensional data.
 */
import type { NestedNumbers } from "../tf.js";

/**
 * Row-major `values` as nested arrays of `shape` (a number for shape []).
 *
 * @example
 * toNested(Float64Array.of(1, 2, 3, 4), [2, 2]); // [[1, 2], [3, 4]]
 */
export function toNested(values: ArrayLike<number>, shape: readonly number[]): NestedNumbers {
  if (shape.length === 0) return values[0];
  if (shape.length === 1) return Array.from(values);
  const stride = values.length / shape[0];
  return Array.from({ length: shape[0] }, (_, i) =>
    toNested(Array.prototype.slice.call(values, i * stride, (i + 1) * stride), shape.slice(1)),
  );
}
