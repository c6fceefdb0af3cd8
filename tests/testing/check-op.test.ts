/**
 * checkOp: correct rules pass over random inputs; a wrong rule fails at a shrunk, readable
 * input with the rule's and the differences' numbers; inputs outside an op's domain are
 * reported as such.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defineOp } from "../../src/compile/index.js";
import { cholesky, lgamma } from "../../src/index.js";
import { checkOp } from "../../src/testing/check-op.js";
import { readableDouble } from "../../src/testing/readable-number.js";

// sin(x) with the derivative sin(x) in place of cos(x).
const wrongSine = defineOp({
  name: "test.wrongSine",
  inputs: ["x"],
  forward: ([x]) => x.map(Math.sin),
  vjp: ([x], _s, _y, dy) => [x.map((v, i) => Math.sin(v) * dy[i])],
});

// x * y with both partial derivatives right.
const product = defineOp({
  name: "test.product",
  inputs: ["x", "y"],
  forward: ([x, y]) => x.map((v, i) => v * y[i]),
  vjp: ([x, y], _s, _y, dy) => [y.map((v, i) => v * dy[i]), x.map((v, i) => v * dy[i])],
});

describe("checkOp", () => {
  it("passes correct rules: elementwise ops of scalars and of vectors, by name or in order", () => {
    const byName = checkOp(product, {
      x: readableDouble({ min: -5, max: 5 }),
      y: fc.array(readableDouble({ min: -5, max: 5 }), { minLength: 3, maxLength: 3 }),
    });
    expect(byName.ok, byName.report).toBe(true);
    expect(byName.report).toBe(
      "checkOp(test.product): the check passed\n  ok   derivative rule matches central differences (50 inputs)",
    );
    const inOrder = checkOp(lgamma, [readableDouble({ min: 0.1, max: 50, scale: "log" })]);
    expect(inOrder.ok, inOrder.report).toBe(true);
  });

  it("passes a non-elementwise op (Cholesky) on positive definite matrices", () => {
    const matrices = fc
      .tuple(readableDouble({ min: 0.5, max: 3 }), readableDouble({ min: -0.9, max: 0.9 }))
      .map(([s, r]) => [
        [s * s, r * s],
        [r * s, 1],
      ]);
    const result = checkOp(cholesky, [matrices], { numRuns: 20 });
    expect(result.ok, result.report).toBe(true);
  });

  it("fails a wrong rule at a shrunk input, with both numbers", () => {
    const result = checkOp(wrongSine, { x: readableDouble({ min: -3, max: 3 }) });
    expect(result.ok).toBe(false);
    const [f] = result.failures;
    expect(f.site).toBe("x");
    // Shrunk to the simplest failing value, 0: the rule gives sin 0 = 0, the derivative is cos 0 = 1.
    expect(result.counterexample).toEqual({ x: 0 });
    expect(f.input).toBe("x=0");
    expect(f.message).toBe(
      "dtest.wrongSine/dx is 0 by the rule but 1 by central differences (relative error 1.00e+0 > 1e-5)",
    );
    expect(result.report).toMatch(/at input "x"/);
  });

  it("reports inputs outside the op's domain", () => {
    const result = checkOp(lgamma, [readableDouble({ min: -3, max: 3 })]);
    expect(result.ok).toBe(false);
    expect(result.failures[0].message).toMatch(/outside the op's domain/);
  });

  it("names a missing input arbitrary", () => {
    expect(() => checkOp(product, { x: readableDouble() })).toThrow(
      /no arbitrary for the input "y"; the op's inputs are x, y/,
    );
  });
});
