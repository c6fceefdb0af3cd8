/**
 * The passes and the emitter's building blocks on their own: logSumExp's shift gradient (and
 * when it must be kept), simplification, folding, common subexpressions, loop shapes, literals
 * and the runtime's special functions.
 */
import { describe, expect, it } from "vitest";
import { broadcastStrides, collapse } from "../../src/compile/emit/dims.js";
import { erf, floorMod, roundHalfEven } from "../../src/compile/emit/helpers.js";
import { loopOrder } from "../../src/compile/emit/loop-order.js";
import { GraphBuilder, kernelCounts } from "../../src/compile/graph.js";
import { compileObjective } from "../../src/compile/index.js";
import { literal } from "../../src/compile/kernels/rule.js";
import { optimize } from "../../src/compile/passes/index.js";
import { shortestDecimal } from "../../src/compile/recorder.js";
import { traceObjective } from "../../src/compile/trace.js";
import { tf } from "../../src/tf.js";
import { eager, worstRelative } from "./helpers.js";

function optimizedKernels(fn: (x: tf.Tensor) => tf.Tensor, shape: number[]) {
  const traced = traceObjective(
    fn,
    [shape],
    [0],
    [Float64Array.from({ length: shape[0] }, (_, i) => 0.1 * i)],
  );
  if (!traced.ok) throw new Error(traced.reason);
  return kernelCounts(optimize(traced.trace.graph));
}

function expectMatchesEager(fn: (x: tf.Tensor) => tf.Tensor, q: Float64Array) {
  const result = compileObjective(fn, [[q.length]]);
  if (!result.ok) throw new Error(result.reason);
  const grad = new Float64Array(q.length);
  const value = result.compiled.valueAndGrad([q], [grad]);
  const reference = eager(fn, [[q.length]], [q], [0]);
  expect(worstRelative([value], [reference.value])).toBeLessThan(1e-5);
  expect(worstRelative(grad, reference.grads[0])).toBeLessThan(1e-5);
}

describe("logSumExp's shift gradient", () => {
  it("is dropped when the max belongs to logSumExp alone", () => {
    const fn = (x: tf.Tensor) => tf.logSumExp(x);
    const kernels = optimizedKernels(fn, [4]);
    expect(kernels.Equal).toBeUndefined(); // no Max gradient mask left
    expectMatchesEager(fn, Float64Array.of(0.3, -1.2, 2.5, 0.7));
  });

  it("is kept when the same max is also used by the objective", () => {
    // tf.max with the same axes and keepDims is the same node as logSumExp's shift after CSE.
    const fn = (x: tf.Tensor) => tf.add(tf.logSumExp(x), tf.sum(tf.max(x, [0], true)));
    expect(optimizedKernels(fn, [4]).Equal).toBe(1);
    expectMatchesEager(fn, Float64Array.of(0.3, -1.2, 2.5, 0.7));
  });

  it("is kept when the shifted exponentials are used elsewhere", () => {
    const fn = (x: tf.Tensor) => {
      const m = tf.max(x, [0], true);
      const e = tf.exp(tf.sub(x, m));
      const lse = tf.add(tf.reshape(m, []), tf.log(tf.sum(e, [0])));
      return tf.add(lse, tf.sum(tf.mul(e, x)));
    };
    expect(optimizedKernels(fn, [4]).Equal).toBe(1);
    expectMatchesEager(fn, Float64Array.of(0.3, -1.2, 2.5, 0.7));
  });
});

describe("softplus and sigmoid through one exp", () => {
  // A Bernoulli likelihood with logits: the value needs softplus(x), its gradient sigmoid(x).
  const bernoulli = (x: tf.Tensor) => tf.sum(tf.neg(tf.softplus(x)));

  it("leave one Exp (shared by value and gradient) and no Softplus or Sigmoid", () => {
    const kernels = optimizedKernels(bernoulli, [5]);
    expect(kernels.Exp).toBe(1);
    expect(kernels.Softplus).toBeUndefined();
    expect(kernels.Sigmoid).toBeUndefined();
  });

  it("match the float64 formulas from -800 to 800, where exp(-x) alone overflows", () => {
    const q = Float64Array.of(-800, -40, -1, -1e-9, 0, 1e-9, 1, 40, 800);
    const result = compileObjective(bernoulli, [[q.length]]);
    if (!result.ok) throw new Error(result.reason);
    const grad = new Float64Array(q.length);
    const value = result.compiled.valueAndGrad([q], [grad]);
    // softplus(x) = log(1 + e^x) and its derivative 1 / (1 + e^-x), written two other ways:
    // the series log1p for |x| small is exact enough, and e^x for x << 0 is sigmoid itself.
    const softplus = (x: number) => (x > 30 ? x + Math.exp(-x) : Math.log1p(Math.exp(x)));
    const sigmoid = (x: number) => (x < -30 ? Math.exp(x) : 1 / (1 + Math.exp(-x)));
    let expected = 0;
    for (const x of q) expected -= softplus(x);
    expect(Math.abs(value - expected) / Math.abs(expected)).toBeLessThan(1e-15);
    q.forEach((x, i) => {
      const want = -sigmoid(x);
      expect(Math.abs(grad[i] - want)).toBeLessThanOrEqual(1e-15 * Math.abs(want));
    });
  });

  it("keeps sigmoid alone equal to eager tfjs", () => {
    expectMatchesEager((x) => tf.sum(tf.mul(tf.sigmoid(x), x)), Float64Array.of(-3, -0.5, 0, 2));
  });
});

describe("simplification, folding and merging", () => {
  it("turns the gradient of a sum into a broadcast and removes multiplications by ones", () => {
    const kernels = optimizedKernels((x) => tf.sum(tf.exp(x)), [3]);
    expect(kernels).toEqual({ Input: 1, Exp: 1, Sum: 1 }); // the gradient is exp(x) itself
  });

  it("folds constant subexpressions into float64 constants", () => {
    const kernels = optimizedKernels(
      (x) => tf.sum(tf.mul(x, tf.log(tf.add(tf.scalar(2), tf.scalar(3))))),
      [3],
    );
    expect(kernels.Log).toBeUndefined();
    expect(kernels.Add).toBeUndefined();
  });

  it("turns log(exp(x)) into x, the exact value (no overflow of exp above 709)", () => {
    // The gradient's graph keeps its own exp (1 / exp(x) times exp(x)); only the value is exact.
    const fn = (x: tf.Tensor) => tf.sum(tf.mul(tf.log(tf.exp(x)), x));
    expect(optimizedKernels(fn, [3]).Log).toBeUndefined();
    expectMatchesEager(fn, Float64Array.of(0.3, -1.2, 2.5));
    const result = compileObjective(fn, [[1]]);
    if (!result.ok) throw new Error(result.reason);
    expect(result.compiled.value([Float64Array.of(800)])).toBe(800 * 800);
  });

  it("merges products with powers of two and turns additions of negations into differences", () => {
    const b = new GraphBuilder();
    const x = b.input(0, [2]);
    const two = b.constant(Float64Array.of(2), [], "float32");
    const half = b.constant(Float64Array.of(0.5), [], "float32");
    const eight = b.constant(Float64Array.of(8), [], "float32");
    const three = b.constant(Float64Array.of(3), [], "float32");
    const unit = b.add1(
      "Multiply",
      [half, b.add1("Multiply", [x, two], {}, [2], "float32")],
      {},
      [2],
      "float32",
    );
    const quadruple = b.add1(
      "Multiply",
      [b.add1("Multiply", [two, x], {}, [2], "float32"), two],
      {},
      [2],
      "float32",
    );
    const inexact = b.add1(
      "Multiply",
      [b.add1("Multiply", [x, three], {}, [2], "float32"), eight],
      {},
      [2],
      "float32",
    );
    const negated = b.add1("Neg", [inexact], {}, [2], "float32");
    const difference = b.add1("Add", [quadruple, negated], {}, [2], "float32");
    const graph = optimize(b.build([x], [-1, unit, difference]));
    // x, 4x and (3x) 8: two products (3 is not a power of two), and a Sub for the Add of a Neg.
    expect(kernelCounts(graph)).toMatchObject({ Multiply: 3, Sub: 1 });
    expect(kernelCounts(graph).Neg).toBeUndefined();
    expect(kernelCounts(graph).Add).toBeUndefined();
    expect(graph.outputs[1]).toBe(x);
    expectMatchesEager(
      (t) => tf.sum(tf.add(tf.mul(tf.mul(t, 2), 0.25), tf.neg(tf.exp(t)))),
      Float64Array.of(0.3, -1.2),
    );
  });

  it("merges duplicate computations", () => {
    const kernels = optimizedKernels((x) => tf.add(tf.sum(tf.exp(x)), tf.sum(tf.exp(x))), [3]);
    expect(kernels.Exp).toBe(1);
  });

  it("removes what the outputs do not need", () => {
    const b = new GraphBuilder();
    const x = b.input(0, [2]);
    b.add1("Log", [x], {}, [2], "float32");
    const y = b.add1("Exp", [x], {}, [2], "float32");
    expect(kernelCounts(optimize(b.build([x], [y])))).toEqual({ Input: 1, Exp: 1 });
  });
});

describe("loop shapes", () => {
  it("computes broadcast strides", () => {
    expect(broadcastStrides([3, 1], [2, 3, 4])).toEqual([0, 1, 0]);
    expect(broadcastStrides([], [2, 3])).toEqual([0, 0]);
  });

  it("merges loops that every operand walks contiguously", () => {
    expect(
      collapse(
        [2, 3, 4],
        [
          [12, 4, 1],
          [0, 0, 0],
        ],
      ),
    ).toEqual({ dims: [24], strides: [[1], [0]] });
    expect(
      collapse(
        [2, 1, 3],
        [
          [3, 3, 1],
          [1, 0, 0],
        ],
      ),
    ).toEqual({
      dims: [2, 3],
      strides: [
        [3, 1],
        [1, 0],
      ],
    });
  });

  it("puts short reductions innermost and keeps long rows in memory order", () => {
    expect(loopOrder([70, 3, 3], [1])).toEqual({ order: [0, 2, 1], localAccumulators: true });
    expect(loopOrder([5000, 20], [0])).toEqual({ order: [0, 1], localAccumulators: false });
    expect(loopOrder([8, 5], [1])).toEqual({ order: [0, 1], localAccumulators: true });
  });
});

describe("literals and runtime helpers", () => {
  it("writes exact literals", () => {
    for (const x of [
      0.1,
      -0.5,
      1e-300,
      1 / 3,
      -0,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]) {
      expect(Object.is(new Function(`return ${literal(x)}`)(), x)).toBe(true);
    }
  });

  it("recovers short decimals from float32, and only those", () => {
    expect(shortestDecimal(Math.fround(0.1))).toBe(0.1);
    expect(shortestDecimal(Math.fround(-2.75e-3))).toBe(-2.75e-3);
    const irrational = Math.fround(Math.PI);
    expect(shortestDecimal(irrational)).toBe(irrational);
  });

  it("computes erf to about 1e-15", () => {
    const table: [number, number][] = [
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [1.5, 0.9661051464753106],
      [2, 0.9953222650189527],
      [3, 0.9999779095030014],
      [-1, -0.8427007929497149],
    ];
    for (const [x, want] of table) expect(Math.abs(erf(x) - want)).toBeLessThan(2e-15);
    expect(Math.abs(erf(5) - (1 - 1.5374597944280349e-12))).toBeLessThan(2e-16);
    expect(Number.isNaN(erf(Number.NaN))).toBe(true);
  });

  it("rounds half to even and takes floored remainders, as tfjs does", () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6].map(roundHalfEven)).toEqual([
      0, 2, 2, 0, -2, 2, 3,
    ]);
    expect([floorMod(-1, 3), floorMod(4, 3), floorMod(1, -3)]).toEqual([2, 1, -2]);
  });
});
