/**
 * A battery of objectives written as model code would write them, together covering every
 * kernel the compiled engine supports (the coverage test checks that).
 */
import { lgamma } from "../../src/custom-vjp/index.js";
import { tf } from "../../src/tf.js";
import { exact } from "./helpers.js";

/** One objective: a scalar tfjs function of inputs of the given shapes. */
export interface BatteryCase {
  readonly name: string;
  readonly fn: (...xs: tf.Tensor[]) => tf.Tensor;
  readonly shapes: number[][];
  /** Inputs that get gradients (default all). */
  readonly wrt?: number[];
  /** Input values are drawn from [lo, hi] (default [0.3, 0.7]). */
  readonly range?: [number, number];
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** log N(x | loc, scale) summed, as a distribution's logProb computes it. */
export function normalLogDensity(
  x: tf.Tensor,
  loc: tf.Tensor | number,
  scale: tf.Tensor | number,
): tf.Tensor {
  const z = tf.div(tf.sub(x, loc), scale);
  return tf.sum(
    tf.sub(tf.sub(tf.mul(-0.5, tf.square(z)), tf.log(scale)), exact([HALF_LOG_2PI], [])),
  );
}

const y = exact([0.5, -1.2, 2.0, 0.3, 1.1, -0.4]);
const X = exact(
  Array.from({ length: 24 }, (_, i) => Math.sin(1.3 * i) * 0.8),
  [6, 4],
);
const labels = exact([1, 0, 1, 1, 0, 0]);

export const battery: BatteryCase[] = [
  {
    name: "normal log density with data",
    fn: (mu, logSigma) => tf.neg(normalLogDensity(y, mu, tf.exp(logSigma))),
    shapes: [[], []],
  },
  {
    name: "softplus and sigmoid transforms with log-Jacobians",
    fn: (u) => {
      const positive = tf.softplus(u);
      const unit = tf.sigmoid(u);
      const logJacobian = tf.add(
        tf.sum(tf.log(tf.sigmoid(u))),
        tf.sum(tf.log(tf.mul(unit, tf.sub(1, unit)))),
      );
      return tf.add(tf.sum(tf.mul(positive, unit)), logJacobian);
    },
    shapes: [[5]],
    range: [-2, 2],
  },
  {
    name: "forward algorithm: logSumExp over states, looped over time",
    fn: (logits, emission) => {
      const logP = tf.logSoftmax(tf.reshape(logits, [3, 3]));
      const e = tf.reshape(emission, [4, 5, 3]);
      let alpha = tf.reshape(tf.slice(e, [0, 0, 0], [4, 1, 3]), [4, 3]);
      for (let t = 1; t < 5; t++) {
        const et = tf.reshape(tf.slice(e, [0, t, 0], [4, 1, 3]), [4, 3]);
        alpha = tf.add(tf.logSumExp(tf.add(tf.expandDims(alpha, 2), logP), 1), et);
      }
      return tf.sum(tf.logSumExp(alpha, 1));
    },
    shapes: [[9], [60]],
    range: [-1, 1],
  },
  {
    name: "logistic regression with matMul",
    fn: (alpha, beta) => {
      const eta = tf.add(alpha, tf.reshape(tf.matMul(X, tf.reshape(beta, [4, 1])), [6]));
      return tf.neg(tf.sum(tf.sub(tf.mul(labels, eta), tf.softplus(eta))));
    },
    shapes: [[], [4]],
    range: [-1, 1],
  },
  {
    name: "batched matMul with transposes",
    fn: (a, b) => {
      const A = tf.reshape(a, [2, 3, 4]);
      const B = tf.reshape(tf.concat([b, b], 0), [2, 4, 3]);
      const AB = tf.matMul(A, B); // [2, 3, 3]
      const BA = tf.matMul(B, A, true, true); // [2, 3, 3]
      const C = tf.matMul(tf.reshape(a, [6, 4]), tf.reshape(b, [3, 4]), false, true);
      return tf.add(tf.sum(tf.mul(AB, BA)), tf.sum(tf.square(C)));
    },
    shapes: [[24], [12]],
    range: [-1, 1],
  },
  {
    // tfjs's BatchMatMul gradient cannot reduce a broadcast batch: differentiate the batched side.
    name: "matMul broadcasting a matrix over a batch",
    fn: (a, b) => tf.sum(tf.square(tf.matMul(tf.reshape(a, [2, 3, 4]), tf.reshape(b, [4, 3])))),
    shapes: [[24], [12]],
    wrt: [0],
    range: [-1, 1],
  },
  {
    name: "gathers, one-hot and segment sums",
    fn: (theta, w) => {
      const groups = tf.tensor1d([0, 2, 1, 2, 0, 1, 1], "int32");
      const perItem = tf.gather(theta, groups);
      const rows = tf.gather(tf.reshape(w, [3, 2]), tf.tensor1d([2, 0, 2], "int32"), 0);
      const cols = tf.gather(tf.reshape(w, [3, 2]), tf.tensor1d([1, 1, 0], "int32"), 1);
      const hot = tf.oneHot(tf.cast(tf.floor(tf.mul(theta, 3)), "int32"), 3);
      const segments = tf.unsortedSegmentSum(perItem, groups, 3);
      // (tfjs differentiates gather indices computed from the inputs and fails: use one-hot.)
      const best = tf.sum(tf.mul(theta, tf.cast(tf.oneHot(tf.argMax(theta), 3), "float32")));
      const worst = tf.sum(tf.mul(theta, tf.cast(tf.oneHot(tf.argMin(theta), 3), "float32")));
      return tf.addN([
        tf.sum(tf.square(perItem)),
        tf.sum(tf.mul(rows, rows)),
        tf.sum(cols),
        tf.sum(tf.mul(tf.cast(hot, "float32"), tf.reshape(tf.tile(theta, [3]), [3, 3]))),
        tf.sum(tf.exp(segments)),
        tf.mul(best, worst),
      ]);
    },
    shapes: [[3], [6]],
  },
  {
    // NumPyro's imputation idiom x.at[idx].set(v), scatters that sum repeats, and N-d gathers.
    name: "tensorScatterUpdate, scatterND and gatherND",
    fn: (x, v, w) => {
      const rows = tf.tensor2d([[1], [4]], [2, 1], "int32");
      const filled = tf.tensorScatterUpdate(x, rows, v); // x with entries 1 and 4 from v
      const cells = tf.tensor2d(
        [
          [0, 1],
          [2, 0],
          [0, 1],
        ],
        [3, 2],
        "int32",
      ); // (0, 1) twice
      const grid = tf.scatterND(cells, tf.mul(w, w), [3, 2]);
      const picked = tf.gatherND(
        tf.reshape(filled, [3, 2]),
        tf.tensor2d(
          [
            [2, 1],
            [0, 1],
          ],
          [2, 2],
          "int32",
        ),
      );
      const slices = tf.gatherND(grid, tf.tensor2d([[0], [0], [2]], [3, 1], "int32")); // [3, 2]
      return tf.addN([
        tf.sum(tf.mul(filled, tf.range(1, 7))),
        tf.sum(tf.exp(grid)),
        tf.sum(tf.square(picked)),
        tf.sum(tf.mul(slices, tf.reshape(x, [3, 2]))),
      ]);
    },
    shapes: [[6], [2], [3]],
  },
  {
    name: "concat, slice, stack, unstack, split, pad, reverse, transpose, tile",
    fn: (a, b) => {
      const joined = tf.concat([a, b, a], 0); // [10]
      const middle = tf.slice(joined, [2], [5]);
      const stacked = tf.stack([a, tf.slice(b, [1], [3])], 1); // [3, 2]
      const [first, second] = tf.unstack(stacked, 1);
      const [p, q] = tf.split(b, [1, 3]);
      const padded = tf.pad(tf.reshape(a, [1, 3]), [
        [1, 0],
        [0, 2],
      ]);
      const flipped = tf.reverse(tf.reshape(b, [2, 2]), [0]);
      const turned = tf.transpose(tf.reshape(joined, [2, 5]));
      const tiled = tf.tile(tf.reshape(a, [3, 1]), [2, 2]);
      return tf.addN([
        tf.sum(tf.square(middle)),
        tf.sum(tf.mul(first, second)),
        tf.mul(tf.sum(p), tf.sum(q)),
        tf.sum(tf.exp(padded)),
        tf.sum(tf.mul(flipped, tf.reshape(b, [2, 2]))),
        tf.sum(tf.mul(turned, tf.reshape(tf.range(0, 10), [5, 2]))),
        tf.sum(tf.square(tiled)),
      ]);
    },
    shapes: [[3], [4]],
  },
  {
    name: "strided slices of a non-differentiated input (tfjs has no StridedSlice gradient)",
    fn: (x, data) => {
      const picked = tf.stridedSlice(tf.reshape(data, [4, 3]), [0, 2], [4, 0], [2, -1]);
      return tf.sum(tf.mul(tf.reshape(x, [2, 2]), picked));
    },
    shapes: [[4], [12]],
    wrt: [0],
  },
  {
    name: "cumulative sums, mean, max, min",
    fn: (x) => {
      const m = tf.reshape(x, [2, 3]);
      return tf.addN([
        tf.sum(tf.mul(tf.cumsum(m, 1), tf.cumsum(m, 1, true, true))),
        tf.mean(tf.square(m)),
        tf.sum(tf.mean(m, 0)),
        tf.sum(tf.max(m, 1)),
        tf.min(x),
      ]);
    },
    shapes: [[6]],
    range: [0.5, 1.5],
  },
  {
    // tfjs has no gradient for Cumprod, All and Any, and its Prod gradient calls chained ops
    // that this build of tfjs-core lacks: these act on an input that is not differentiated.
    name: "products, cumulative products, all and any",
    fn: (x, data) => {
      const m = tf.reshape(data, [2, 3]);
      const weight = tf.addN([
        tf.prod(data),
        tf.sum(tf.prod(m, 1)),
        tf.sum(tf.cumprod(data)),
        tf.cast(tf.all(tf.greater(data, 0.6)), "float32"),
        tf.cast(tf.any(tf.greater(data, 0.6)), "float32"),
      ]);
      return tf.mul(weight, tf.sum(tf.square(x)));
    },
    shapes: [[3], [6]],
    wrt: [0],
    range: [0.5, 1.5],
  },
  {
    // tfjs has no gradients for comparisons and logic (even under tf.where, it fails to
    // differentiate through the condition): they act on an input that is not differentiated.
    name: "where/select, comparisons and logic",
    fn: (x, data) => {
      const big = tf.greater(data, 0.5);
      const small = tf.lessEqual(data, 0.4);
      const mid = tf.logicalAnd(tf.logicalNot(tf.greater(data, 0.5)), tf.logicalNot(small));
      const either = tf.logicalOr(tf.less(data, 0.35), tf.greaterEqual(data, 0.65));
      const odd = tf.logicalXor(tf.greater(data, 0.5), tf.equal(data, data));
      const same = tf.notEqual(data, tf.mul(data, 2));
      const picked = tf.where(big, tf.square(x), tf.where(mid, tf.exp(x), tf.neg(x)));
      return tf.addN([
        tf.sum(picked),
        tf.sum(tf.where(either, x, tf.zerosLike(x))),
        tf.sum(tf.mul(tf.cast(odd, "float32"), x)),
        tf.sum(tf.mul(tf.cast(same, "float32"), tf.onesLike(x))),
      ]);
    },
    shapes: [[7], [7]],
    wrt: [0],
  },
  {
    name: "unary math",
    fn: (x) => {
      const h = tf.mul(0.5, x); // in (0.15, 0.35)
      return tf.addN([
        tf.sum(tf.abs(tf.sub(x, 0.5))),
        tf.sum(tf.acos(h)),
        tf.sum(tf.acosh(tf.add(x, 1))),
        tf.sum(tf.asin(h)),
        tf.sum(tf.asinh(x)),
        tf.sum(tf.atan(x)),
        tf.sum(tf.atanh(h)),
        tf.sum(tf.cos(x)),
        tf.sum(tf.cosh(x)),
        tf.sum(tf.expm1(x)),
        tf.sum(tf.log1p(x)),
        tf.sum(tf.sin(x)),
        tf.sum(tf.sinh(x)),
        tf.sum(tf.sqrt(x)),
        tf.sum(tf.rsqrt(x)),
        tf.sum(tf.tan(x)),
        tf.sum(tf.tanh(x)),
        tf.sum(tf.erf(x)),
        tf.sum(tf.reciprocal(x)),
        tf.sum(tf.mul(x, tf.sign(tf.sub(x, 0.5)))),
        tf.sum(tf.mul(x, tf.floor(tf.mul(x, 3)))),
        tf.sum(tf.mul(x, tf.ceil(tf.mul(x, 3)))),
        tf.sum(tf.mul(x, tf.round(tf.mul(x, 3)))),
      ]);
    },
    shapes: [[5]],
  },
  {
    name: "activations, clipping and steps",
    fn: (x) => {
      const centred = tf.sub(x, 0.5);
      return tf.addN([
        tf.sum(tf.relu(centred)),
        tf.sum(tf.relu6(tf.mul(centred, 20))),
        tf.sum(tf.elu(centred)),
        tf.sum(tf.selu(centred)),
        tf.sum(tf.leakyRelu(centred, 0.2)),
        tf.sum(tf.prelu(centred, exact([0.1, 0.2, 0.3, 0.4, 0.5]))),
        tf.sum(tf.clipByValue(x, 0.4, 0.6)),
        tf.sum(tf.mul(tf.step(centred, 0.25), x)),
        tf.sum(tf.where(tf.isFinite(tf.log(centred)), x, tf.neg(x))),
        tf.sum(tf.where(tf.isNaN(tf.log(centred)), x, tf.neg(x))),
        tf.sum(tf.where(tf.isInf(tf.div(1, tf.floor(x))), x, tf.neg(x))),
      ]);
    },
    shapes: [[5]],
  },
  {
    name: "binary math",
    fn: (a, b) => {
      return tf.addN([
        tf.sum(tf.pow(a, b)),
        tf.sum(tf.pow(a, 2)),
        tf.sum(tf.pow(a, 3)),
        tf.sum(tf.squaredDifference(a, b)),
        tf.sum(tf.maximum(a, b)),
        tf.sum(tf.minimum(a, b)),
        tf.sum(tf.atan2(a, b)),
        tf.sum(tf.mul(a, tf.floorDiv(tf.mul(a, 10), tf.mul(b, 3)))),
        tf.sum(tf.mul(b, tf.mod(tf.mul(a, 10), tf.mul(b, 3)))),
        tf.sum(tf.div(a, b)),
      ]);
    },
    shapes: [[4], [4]],
    range: [0.3, 0.9],
  },
  {
    name: "softmax, broadcastTo, fill, linspace",
    fn: (x) => {
      const p = tf.softmax(tf.reshape(x, [2, 3]));
      const grid = tf.linspace(0, 1, 3);
      const filled = tf.fill([2, 3], 0.25);
      const wide = tf.broadcastTo(tf.reshape(tf.slice(x, [0], [3]), [1, 3]), [2, 3]);
      return tf.sum(tf.mul(tf.add(p, filled), tf.mul(wide, grid)));
    },
    shapes: [[6]],
  },
  {
    name: "custom op lgamma (float64 rule from the registry)",
    fn: (x) => tf.sum(tf.mul(lgamma(tf.add(x, 1)), x)),
    shapes: [[4]],
    range: [0.5, 3],
  },
  {
    name: "SVI-like loss: gradients for the parameters, not the noise",
    fn: (params, noise) => {
      const loc = tf.slice(params, [0], [3]);
      const scale = tf.softplus(tf.slice(params, [3], [3]));
      const z = tf.add(loc, tf.mul(scale, noise));
      const logQ = tf.sum(tf.sub(tf.mul(-0.5, tf.square(noise)), tf.log(scale)));
      return tf.sub(logQ, normalLogDensity(z, 0, 1));
    },
    shapes: [[6], [3]],
    wrt: [0],
    range: [-1, 1],
  },
];
