/**
 * Custom ops in the compiled engine: opaque nodes whose float64 forward and vjp come from the
 * registry, for ops defined before or after the compiler first ran, elementwise (broadcast) or
 * not, with a vjp or with value and gradient together.
 */
import { describe, expect, it } from "vitest";
import { compileObjective } from "../../src/compile/index.js";
import { defineOp, lgamma } from "../../src/custom-vjp/index.js";
import { tf } from "../../src/tf.js";
import { eager, worstRelative } from "./helpers.js";

function compiledGradient(
  fn: (...xs: tf.Tensor[]) => tf.Tensor,
  shapes: number[][],
  q: Float64Array[],
) {
  const result = compileObjective(fn, shapes);
  if (!result.ok) throw new Error(result.reason);
  const grads = shapes.map((s) => new Float64Array(s.reduce((a, b) => a * b, 1)));
  const value = result.compiled.valueAndGrad(q, grads);
  return { compiled: result.compiled, value, grads };
}

describe("custom ops in the compiled engine", () => {
  it("calls the op's float64 forward and vjp from the registry on every call", () => {
    const { compiled } = compiledGradient(
      (x) => tf.sum(lgamma(x)),
      [[3]],
      [Float64Array.of(0.5, 2, 4)],
    );
    const stats = lgamma.definition.stats;
    const before = { ...stats };
    const grad = new Float64Array(3);
    const value = compiled.valueAndGrad([Float64Array.of(0.5, 2, 4)], [grad]);
    expect(stats.forwardCalls).toBe(before.forwardCalls + 1);
    expect(stats.vjpCalls).toBe(before.vjpCalls + 1);
    // log Gamma(0.5) + log Gamma(2) + log Gamma(4) and digammas, in float64.
    expect(value).toBeCloseTo(0.5 * Math.log(Math.PI) + 0 + Math.log(6), 13);
    expect(grad[1]).toBeCloseTo(1 - 0.5772156649015329, 13);
  });

  it("calls an op given on single numbers number by number, counting one call per array", () => {
    const cube = defineOp({
      name: "test.scalarCube",
      inputs: ["x"],
      scalar: { value: (x) => x ** 3, derivative: (x) => 3 * x * x },
    });
    const q = [Float64Array.of(0.5, -1, 2)];
    const { compiled, value, grads } = compiledGradient((x) => tf.sum(cube(x)), [[3]], q);
    expect(value).toBe(0.125 - 1 + 8);
    expect(Array.from(grads[0])).toEqual([0.75, 3, 12]);
    // No argument lists or result arrays: the emitted loop calls the number functions.
    expect(compiled.artifact.valueAndGrad.source).toContain(".scalar.value(");
    expect(compiled.artifact.valueAndGrad.source).not.toContain(".forward(");
    const before = { ...cube.definition.stats };
    compiled.valueAndGrad(q, grads);
    expect(cube.definition.stats.forwardCalls).toBe(before.forwardCalls + 1);
    expect(cube.definition.stats.vjpCalls).toBe(before.vjpCalls + 1);
    expect(() =>
      defineOp({
        name: "test.scalarPair",
        arity: 2,
        scalar: { value: (x) => x, derivative: () => 1 },
      }),
    ).toThrow(/scalar needs one input.*got 2 inputs/);
  });

  it("works for ops defined after the compiler first ran, broadcasting elementwise inputs", () => {
    const scaledCube = defineOp({
      name: "test.scaledCube",
      inputs: ["x", "scale"],
      forward: ([x, scale]) => x.map((v, i) => scale[i] * v ** 3),
      vjp: ([x, scale], _shapes, _y, dy) => [
        x.map((v, i) => dy[i] * 3 * scale[i] * v * v),
        x.map((v, i) => dy[i] * v ** 3),
      ],
    });
    const fn = (x: tf.Tensor, s: tf.Tensor) => tf.sum(scaledCube(x, s));
    const q = [Float64Array.of(0.5, -1, 2), Float64Array.of(1.5)];
    const { value, grads } = compiledGradient(fn, [[3], []], q);
    expect(value).toBeCloseTo(1.5 * (0.125 - 1 + 8), 12);
    expect(Array.from(grads[0])).toEqual([1.5 * 3 * 0.25, 1.5 * 3, 1.5 * 3 * 4]);
    expect(grads[1][0]).toBeCloseTo(0.125 - 1 + 8, 12); // summed over the broadcast
    const reference = eager(fn, [[3], []], q, [0, 1]);
    expect(worstRelative(grads[0], reference.grads[0])).toBeLessThan(1e-5);
  });

  it("works for ops with a shape of their own and for value-and-gradient ops", () => {
    const dot = defineOp({
      name: "test.selfDot",
      inputs: ["x"],
      outputShape: () => [],
      forward: ([x]) => Float64Array.of(x.reduce((s, v) => s + v * v, 0)),
      vjp: ([x], _shapes, _y, dy) => [x.map((v) => 2 * v * dy[0])],
    });
    const logCosh = defineOp({
      name: "test.sumLogCosh",
      inputs: ["x"],
      valueAndGrad: ([x]) => ({
        value: x.reduce((s, v) => s + Math.log(Math.cosh(v)), 0),
        grads: [x.map((v) => Math.tanh(v))],
      }),
    });
    const fn = (x: tf.Tensor) => tf.add(dot(x), tf.mul(3, logCosh(x)));
    const x = Float64Array.of(0.2, -0.7, 1.1);
    const { value, grads } = compiledGradient(fn, [[3]], [x]);
    const expected = Array.from(x).reduce((s, v) => s + v * v + 3 * Math.log(Math.cosh(v)), 0);
    expect(value).toBeCloseTo(expected, 13);
    Array.from(x).forEach((v, i) => {
      expect(grads[0][i]).toBeCloseTo(2 * v + 3 * Math.tanh(v), 13);
    });
  });
});
