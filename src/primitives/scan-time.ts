/**
 * The time dimension of scanned values. A site inside a scan body becomes one site whose value
 * has a time dimension of the scan's length just left of the site's own dimensions (its batch
 * dimensions inside the body and its event dimensions), as in NumPyro: `[T, ...own]`. Batch
 * dimensions from outside the scan (vmap's) stay further left; there each step's value holds a
 * size-1 slot where time goes, so the steps are joined along that slot: `[N, 1, ...own]` per
 * step, `[N, T, ...own]` stacked.
 */
import { ModelError } from "../errors.js";
import { tf } from "../tf.js";
import { formatShape } from "../util/shapes.js";

/**
 * Joins per-step values along the time dimension, which lies left of the last `inner` dims:
 * into their size-1 slot when they have one, else as a new leading dimension.
 *
 * @example
 * stackTime([tf.scalar(1), tf.scalar(2)], 0).shape; // [2]
 * stackTime([tf.zeros([4, 1]), tf.zeros([4, 1])], 0).shape; // [4, 2]
 */
export function stackTime(
  values: readonly tf.Tensor[],
  inner: number,
  what = "a value",
): tf.Tensor {
  const shape = values[0].shape;
  for (let t = 1; t < values.length; t++) {
    if (!sameShape(values[t].shape, shape)) {
      throw new ModelError({
        message: `scan: ${what} has shape ${formatShape(values[t].shape)} at step ${t} but ${formatShape(shape)} at step 0; every step must give the same shape`,
      });
    }
  }
  const axis = shape.length - inner - 1;
  if (axis < 0) return tf.stack(values as tf.Tensor[], 0);
  if (shape[axis] !== 1) {
    throw new ModelError({
      message: `scan: ${what} of shape ${formatShape(shape)} has no room for the time dimension left of its last ${inner} dims (dim ${axis - shape.length} has size ${shape[axis]}, a batch dim from outside the scan?)`,
    });
  }
  return values.length === 1 ? values[0] : tf.concat(values as tf.Tensor[], axis);
}

/**
 * The per-step slices of a stacked value whose time dimension (of `length`) lies left of its
 * last `inner` dims, shaped as `stackTime` takes them; undefined when the value has no time
 * dimension (it then serves every step as it is).
 *
 * @example
 * splitTime(tf.zeros([3, 2]), 1, 3)?.map((x) => x.shape); // [[2], [2], [2]]
 */
export function splitTime(
  value: tf.Tensor,
  inner: number,
  length: number,
  what = "a value",
): tf.Tensor[] | undefined {
  const axis = timeAxis(value.shape, inner);
  if (axis < 0) return undefined;
  if (value.shape[axis] !== length) {
    throw new ModelError({
      message: `scan: ${what} of shape ${formatShape(value.shape)} has ${value.shape[axis]} entries along its time dimension (dim ${axis - value.rank}), but the scan has ${length} steps`,
    });
  }
  if (value.size === 0) {
    // A factor's empty values (tfjs cannot split what has no elements).
    const step = value.shape
      .map((n, i) => (i === axis ? 1 : n))
      .filter((_, i) => i > 0 || axis > 0);
    return new Array<tf.Tensor>(length).fill(tf.zeros(step));
  }
  return axis === 0 ? tf.unstack(value, 0) : tf.split(value, length, axis);
}

/** The index of the time dimension of a stacked value of `shape` (negative: none). */
export function timeAxis(shape: readonly number[], inner: number): number {
  return shape.length - inner - 1;
}

/** `shape` with leading 1s up to `rank` dims. */
export function padShape(shape: readonly number[], rank: number): number[] {
  return [...new Array<number>(Math.max(0, rank - shape.length)).fill(1), ...shape];
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * `x` with leading 1s up to `rank` dims (unchanged when it has as many or more).
 *
 * @example
 * reshapePadded(tf.zeros([3]), 2).shape; // [1, 3]
 */
export function reshapePadded(x: tf.Tensor, rank: number): tf.Tensor {
  return x.rank >= rank ? x : tf.reshape(x, padShape(x.shape, rank));
}

/**
 * The shape of `length` steps of shape `step` joined along `axis`: the size-1 dim `axis`
 * becomes `length`, or (`axis` < 0) a new leading dim of `length`.
 *
 * @example
 * stackedShape([4, 1], 1, 10); // [4, 10]
 * stackedShape([3], -1, 10); // [10, 3]
 */
export function stackedShape(step: readonly number[], axis: number, length: number): number[] {
  return axis < 0 ? [length, ...step] : step.map((n, i) => (i === axis ? length : n));
}
