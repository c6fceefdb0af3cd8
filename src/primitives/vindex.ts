/**
 * `vindex`: indexing that broadcasts, Pyro's `Vindex`. Models with enumerated discrete sites
 * (and batched runs: Predictive, particles, vmap) index parameters with tensors whose batch
 * dims must line up with the parameters' batch dims, which `tf.gather` does not do.
 */
import { ArgumentError } from "../errors.js";
import { tf } from "../tf.js";
import { broadcastShapes, formatShape, sizeOf } from "../util/shapes.js";

/**
 * The entries of `x` at `index` along `axis` (negative, default -1), broadcasting the dims of
 * `x` left of `axis` against the dims of `index`; dims right of `axis` are kept. With `x` of
 * shape [...batch, K, ...event] and `index` of shape [...idx] the result has shape
 * [...broadcast(batch, idx), ...event]: Pyro's `Vindex(x)[..., index, :]`.
 *
 * @example
 * const locs = constant([-2, 0, 2]);
 * const z = constant([2, 0, 0, 1], "int32");
 * vindex(locs, z); // locs[z], the shape of z
 * const transition = constant([[0.9, 0.1], [0.2, 0.8]]);
 * const x = constant([1, 0], "int32");
 * vindex(transition, x, -2); // the rows transition[x], shape [...x.shape, 2]
 */
export function vindex(x: tf.Tensor, index: tf.Tensor, axis = -1): tf.Tensor {
  if (!Number.isInteger(axis) || axis >= 0 || axis < -x.rank) {
    throw new ArgumentError({
      message: `vindex: axis must be a negative integer in [-${x.rank}, -1] for x of shape ${formatShape(x.shape)}, got ${axis}`,
      api: "vindex",
      argument: "axis",
    });
  }
  const at = x.rank + axis;
  const size = x.shape[at];
  const left = x.shape.slice(0, at);
  const right = x.shape.slice(at + 1);
  const i = index.dtype === "int32" ? index : tf.cast(index, "int32");
  const rows = sizeOf(left);
  // One gather from x seen as [rows * size, ...right]: the flat index of each result entry is
  // (its row among the left dims, broadcast) * size + its index.
  let flat = i;
  if (rows > 1) {
    const row = tf.reshape(tf.range(0, rows, 1, "int32"), left);
    flat = tf.add(tf.mul(row, tf.scalar(size, "int32")), i);
  }
  const batch = broadcastShapes(left, index.shape);
  const picked = tf.gather(tf.reshape(x, [rows * size, ...right]), tf.reshape(flat, [-1]), 0);
  return tf.reshape(picked, [...batch, ...right]);
}
