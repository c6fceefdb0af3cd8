/**
 * Helpers shared by distribution families: parameter conversion, noise tensors from keys, and
 * masking log-densities outside the support.
 */
import { DistributionParameterError } from "../errors.js";
import { type Key, normal, uniform } from "../primitives/prng.js";
import { type ArrayLike, constant, readFloat64, tf } from "../tf.js";
import { broadcastTo as broadcastToValues, sizeOf } from "../util/shapes.js";

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

/** The float64 values of a parameter broadcast to `shape` (exact for constants). */
export function valuesAt(t: tf.Tensor, shape: readonly number[]): Float64Array {
  return broadcastToValues(readFloat64(t), t.shape, shape);
}

/** A float32 tensor of `shape` from float64 values, keeping the float64 values for the compiled engine. */
export function fromValues(values: Float64Array, shape: readonly number[]): tf.Tensor {
  return tf.reshape(constant(values), shape as number[]);
}

/**
 * An int32 tensor of `shape` from whole-number draws: discrete families draw int32, as
 * NumPyro's do, so that a draw indexes arrays (`tf.gather(locs, z)`). A draw that int32 cannot
 * hold (NaN, or beyond 2^31 - 1) is an error naming the family and the parameter to check.
 *
 * @example
 * fromIntegers(Float64Array.of(0, 2, 1), [3], "Categorical", "probs"); // int32 [0, 2, 1]
 */
export function fromIntegers(
  values: Float64Array,
  shape: readonly number[],
  family: string,
  parameter: string,
): tf.Tensor {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= -2147483648 && v <= 2147483647)) {
      throw new DistributionParameterError({
        message: `${family}: a draw of ${v} cannot be held in int32, the dtype of discrete draws; check ${parameter}`,
        family,
        parameter,
      });
    }
    out[i] = v;
  }
  return tf.tensor(out, shape as number[], "int32");
}

// The helpers below compare at the broadcast shape of both arguments: tf.where tiles a smaller
// condition, and the gradient of Tile costs two kernels per element (a 20,000-element site
// took 40,000 kernels per gradient).

/** Zeros of the broadcast shape of `a` and `b`. */
function zerosOfBoth(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.add(tf.zerosLike(a), tf.zerosLike(b));
}

/** `x * log(y)` with 0 where x is 0 (so that 0 log 0 = 0), as scipy's xlogy. */
export function xlogy(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  const full = zerosOfBoth(x, y);
  const zero = tf.equal(tf.add(x, full), 0);
  const safeY = tf.where(zero, tf.onesLike(full), tf.add(full, y));
  return tf.where(zero, full, tf.mul(x, tf.log(safeY)));
}

/**
 * `x * y` with 0 where x is 0, so that 0 * Infinity = 0: `mulOrZero(a - 1, tf.log(x))` is
 * xlogy with the logarithm of data left where the compiled engine folds it into a constant.
 */
export function mulOrZero(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  // y is replaced where x is 0 (not the product), so that the gradient in x stays finite.
  const full = zerosOfBoth(x, y);
  const zero = tf.equal(tf.add(x, full), 0);
  return tf.mul(x, tf.where(zero, full, tf.add(full, y)));
}

/** `x * log1p(y)` with 0 where x is 0. */
export function xlog1py(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  const full = zerosOfBoth(x, y);
  const zero = tf.equal(tf.add(x, full), 0);
  const safeY = tf.where(zero, full, tf.add(full, y));
  return tf.where(zero, full, tf.mul(x, tf.log1p(safeY)));
}

/** The last-dimension slice [begin, begin + size) of `x`. */
export function sliceLast(x: tf.Tensor, begin: number, size: number): tf.Tensor {
  return tf.slice(
    x,
    x.shape.map((_, i) => (i === x.rank - 1 ? begin : 0)),
    x.shape.map((d, i) => (i === x.rank - 1 ? size : d)),
  );
}

/**
 * The entropy -sum_k p(k) log p(k) of a discrete distribution on 0..count-1, from its
 * log-mass function, for a batch of rank `batchRank` (terms with p(k) = 0 count as 0).
 */
export function entropyBySum(
  logProbOf: (k: tf.Tensor) => tf.Tensor,
  count: number,
  batchRank: number,
): tf.Tensor {
  const k = tf.reshape(tf.range(0, count), [count, ...new Array<number>(batchRank).fill(1)]);
  const lp = logProbOf(k);
  const finite = tf.isFinite(lp);
  const safe = tf.where(finite, lp, tf.zerosLike(lp));
  return tf.neg(tf.sum(tf.where(finite, tf.mul(tf.exp(safe), safe), tf.zerosLike(safe)), 0));
}

/** Whether a value is a whole number in the support's sense (for -inf outside the support). */
export function isInteger(x: tf.Tensor): tf.Tensor {
  return tf.equal(x, tf.floor(x));
}

/**
 * Batched matrix product with NumPy broadcasting of the batch dims. The batch dims are
 * broadcast explicitly first: tfjs's BatchMatMul broadcasts in its forward pass but its
 * gradient does not sum the broadcast dims back.
 */
export function batchMatMul(
  a: tf.Tensor,
  b: tf.Tensor,
  transposeA = false,
  transposeB = false,
): tf.Tensor {
  const batch = tf.broadcast_util.assertAndGetBroadcastShape(
    a.shape.slice(0, -2),
    b.shape.slice(0, -2),
  );
  const a2 = broadcast(a, [...batch, ...a.shape.slice(-2)]);
  const b2 = broadcast(b, [...batch, ...b.shape.slice(-2)]);
  return tf.matMul(a2, b2, transposeA, transposeB);
}

/**
 * Elementwise maximum whose gradient is right under broadcasting: tfjs's Maximum and Minimum
 * gradients return dy in the broadcast shape without summing it back to each input's shape,
 * so both inputs are broadcast explicitly first.
 */
export function maximum(a: tf.Tensor, b: tf.Tensor | number): tf.Tensor {
  const bt = typeof b === "number" ? tf.scalar(b) : b;
  const shape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, bt.shape);
  return tf.maximum(broadcast(a, shape), broadcast(bt, shape));
}

/** Elementwise minimum, broadcast explicitly (see `maximum`). */
export function minimum(a: tf.Tensor, b: tf.Tensor | number): tf.Tensor {
  const bt = typeof b === "number" ? tf.scalar(b) : b;
  const shape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, bt.shape);
  return tf.minimum(broadcast(a, shape), broadcast(bt, shape));
}

/**
 * A scalar tensor holding `x` whose float64 value the compiled engine keeps. Irrational
 * constants (log 2 pi, pi, log 2, Euler's gamma) go through it: a plain JS number given to a
 * tfjs op reaches the compiled float64 engine rounded to float32.
 *
 * @example
 * const scale = tf.scalar(2);
 * tf.add(tf.log(scale), exact(0.5 * Math.log(2 * Math.PI))); // the constant kept in float64
 */
export function exact(x: number): tf.Tensor {
  return constant(x);
}
