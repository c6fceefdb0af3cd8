/**
 * Vector transforms: stick-breaking onto the simplex, and the ordered and positive-ordered
 * vector transforms, as in the Stan Reference Manual ("Constraint transforms": unit simplex,
 * ordered vector, positive ordered vector) and NumPyro. All act on the last dimension.
 */
import { constant, tf } from "../tf.js";
import { callable } from "../util/callable.js";
import { orderedVector, positiveOrderedVector, realVector, simplex } from "./constraints.js";
import { softplusF64, Transform } from "./transforms.js";
import { sliceLast } from "./util.js";

/** log(K - 1 - k) for k = 0..K-2: the offsets that center the stick-breaking map at 1/K. */
function stickOffsets(k1: number): tf.Tensor {
  return constant(Float64Array.from({ length: k1 }, (_, k) => Math.log(k1 - k)));
}

class StickBreakingTransformClass extends Transform {
  readonly name = "stickBreaking";
  readonly domain = realVector;
  readonly codomain = simplex;

  forward(x: tf.Tensor): tf.Tensor {
    const k1 = x.shape[x.rank - 1];
    const u = tf.sub(x, stickOffsets(k1));
    const logZ = tf.neg(tf.softplus(tf.neg(u)));
    const logOneMinusZ = tf.neg(tf.softplus(u));
    const logRemaining = tf.cumsum(logOneMinusZ, logOneMinusZ.rank - 1, true);
    const head = tf.exp(tf.add(logZ, logRemaining));
    const last = tf.exp(tf.sum(logOneMinusZ, -1, true));
    return tf.concat([head, last], -1);
  }
  inverse(y: tf.Tensor): tf.Tensor {
    const k = y.shape[y.rank - 1];
    const head = sliceLast(y, 0, k - 1);
    // sum_(j>k) y_j, summed from the end for accuracy
    const rest = sliceLast(tf.cumsum(y, y.rank - 1, true, true), 0, k - 1);
    return tf.add(tf.sub(tf.log(head), tf.log(rest)), stickOffsets(k - 1));
  }
  logAbsDetJacobian(x: tf.Tensor, _y?: tf.Tensor): tf.Tensor {
    // sum_k log z_k + log(1 - z_k) + log(remaining stick before k)
    const k1 = x.shape[x.rank - 1];
    const u = tf.sub(x, stickOffsets(k1));
    const logZ = tf.neg(tf.softplus(tf.neg(u)));
    const logOneMinusZ = tf.neg(tf.softplus(u));
    const logRemaining = tf.cumsum(logOneMinusZ, logOneMinusZ.rank - 1, true);
    return tf.sum(tf.add(tf.add(logZ, logOneMinusZ), logRemaining), -1);
  }
  override forwardShape(shape: readonly number[]): number[] {
    return [...shape.slice(0, -1), shape[shape.length - 1] + 1];
  }
  override inverseShape(shape: readonly number[]): number[] {
    return [...shape.slice(0, -1), shape[shape.length - 1] - 1];
  }
  override forwardF64(x: Float64Array, shape: readonly number[]): Float64Array {
    const k1 = shape[shape.length - 1];
    const blocks = k1 === 0 ? 0 : x.length / k1;
    const out = new Float64Array(blocks * (k1 + 1));
    for (let b = 0; b < blocks; b++) {
      let logRemaining = 0;
      for (let k = 0; k < k1; k++) {
        const u = x[b * k1 + k] - Math.log(k1 - k);
        out[b * (k1 + 1) + k] = Math.exp(-softplusF64(-u) + logRemaining);
        logRemaining -= softplusF64(u);
      }
      out[b * (k1 + 1) + k1] = Math.exp(logRemaining);
    }
    return out;
  }
  override inverseF64(y: Float64Array, shape: readonly number[]): Float64Array {
    const k = shape[shape.length - 1];
    const blocks = y.length / k;
    const out = new Float64Array(blocks * (k - 1));
    for (let b = 0; b < blocks; b++) {
      let rest = 0;
      for (let j = k - 1; j >= 1; j--) {
        rest += y[b * k + j];
        out[b * (k - 1) + j - 1] = Math.log(y[b * k + j - 1]) - Math.log(rest) + Math.log(k - j);
      }
    }
    return out;
  }
}

/**
 * Stick-breaking from R^(K-1) onto the K-simplex (Stan Reference Manual, "Unit simplex"):
 * z_k = sigmoid(x_k - log(K-1-k)), y_k = z_k (1 - y_0 - ... - y_(k-1)), y_(K-1) the rest.
 * Computed in log space: log y_k = log z_k + sum_(j<k) log(1 - z_j), with
 * log z = -softplus(-u) and log(1 - z) = -softplus(u), so that no x overflows.
 *
 * @example
 * StickBreakingTransform().forward(tf.zeros([2])); // [1/3, 1/3, 1/3]
 */
export const StickBreakingTransform = callable(StickBreakingTransformClass);
export type StickBreakingTransform = StickBreakingTransformClass;

class OrderedTransformClass extends Transform {
  readonly name = "ordered";
  readonly domain = realVector;
  readonly codomain = orderedVector;

  forward(x: tf.Tensor): tf.Tensor {
    const k = x.shape[x.rank - 1];
    if (k <= 1) return x;
    const steps = tf.concat([sliceLast(x, 0, 1), tf.exp(sliceLast(x, 1, k - 1))], -1);
    return tf.cumsum(steps, steps.rank - 1);
  }
  inverse(y: tf.Tensor): tf.Tensor {
    const k = y.shape[y.rank - 1];
    if (k <= 1) return y;
    const gaps = tf.sub(sliceLast(y, 1, k - 1), sliceLast(y, 0, k - 1));
    return tf.concat([sliceLast(y, 0, 1), tf.log(gaps)], -1);
  }
  logAbsDetJacobian(x: tf.Tensor, _y?: tf.Tensor): tf.Tensor {
    const k = x.shape[x.rank - 1];
    if (k <= 1) return tf.zeros(x.shape.slice(0, -1));
    return tf.sum(sliceLast(x, 1, k - 1), -1);
  }
  override forwardF64(x: Float64Array, shape: readonly number[]): Float64Array {
    const k = shape[shape.length - 1];
    const out = new Float64Array(x.length);
    for (let start = 0; start < x.length; start += k) {
      out[start] = x[start];
      for (let j = 1; j < k; j++) out[start + j] = out[start + j - 1] + Math.exp(x[start + j]);
    }
    return out;
  }
  override inverseF64(y: Float64Array, shape: readonly number[]): Float64Array {
    const k = shape[shape.length - 1];
    const out = new Float64Array(y.length);
    for (let start = 0; start < y.length; start += k) {
      out[start] = y[start];
      for (let j = 1; j < k; j++) out[start + j] = Math.log(y[start + j] - y[start + j - 1]);
    }
    return out;
  }
}

/**
 * From R^K onto strictly increasing vectors (Stan Reference Manual, "Ordered vector"):
 * y_0 = x_0, y_k = y_(k-1) + exp(x_k); log|det| = x_1 + ... + x_(K-1).
 *
 * @example
 * OrderedTransform().forward(tf.tensor([0, 0, 0])); // [0, 1, 2]
 */
export const OrderedTransform = callable(OrderedTransformClass);
export type OrderedTransform = OrderedTransformClass;

class PositiveOrderedTransformClass extends Transform {
  readonly name = "positiveOrdered";
  readonly domain = realVector;
  readonly codomain = positiveOrderedVector;

  forward(x: tf.Tensor): tf.Tensor {
    return tf.cumsum(tf.exp(x), x.rank - 1);
  }
  inverse(y: tf.Tensor): tf.Tensor {
    const k = y.shape[y.rank - 1];
    if (k <= 1) return tf.log(y);
    const gaps = tf.sub(sliceLast(y, 1, k - 1), sliceLast(y, 0, k - 1));
    return tf.log(tf.concat([sliceLast(y, 0, 1), gaps], -1));
  }
  logAbsDetJacobian(x: tf.Tensor, _y?: tf.Tensor): tf.Tensor {
    return tf.sum(x, -1);
  }
  override forwardF64(x: Float64Array, shape: readonly number[]): Float64Array {
    const k = shape[shape.length - 1];
    const out = new Float64Array(x.length);
    for (let start = 0; start < x.length; start += k) {
      let total = 0;
      for (let j = 0; j < k; j++) out[start + j] = total += Math.exp(x[start + j]);
    }
    return out;
  }
  override inverseF64(y: Float64Array, shape: readonly number[]): Float64Array {
    const k = shape[shape.length - 1];
    const out = new Float64Array(y.length);
    for (let start = 0; start < y.length; start += k) {
      out[start] = Math.log(y[start]);
      for (let j = 1; j < k; j++) out[start + j] = Math.log(y[start + j] - y[start + j - 1]);
    }
    return out;
  }
}

/**
 * From R^K onto strictly increasing positive vectors as Stan does ("Positive ordered
 * vector"): y_k = exp(x_0) + ... + exp(x_k), log|det| = x_0 + ... + x_(K-1). (NumPyro
 * composes ordered with exp instead, which overflows once the running sum passes 88.)
 *
 * @example
 * PositiveOrderedTransform().forward(tf.tensor([0, 0, 0])); // [1, 2, 3]
 */
export const PositiveOrderedTransform = callable(PositiveOrderedTransformClass);
export type PositiveOrderedTransform = PositiveOrderedTransformClass;
