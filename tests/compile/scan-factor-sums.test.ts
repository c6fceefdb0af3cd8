/**
 * Invariant shifts and scales out of a scan's summed step outputs (compile/scan/factor-sums.ts):
 * the factored sums, with their shift and scale applied once, must equal the stepwise sums of
 * the original outputs, and the factored step must not read the invariants any more.
 */
import { describe, expect, it } from "vitest";
import { emitScalar } from "../../src/compile/emit/scalar.js";
import { type Graph, GraphBuilder } from "../../src/compile/graph.js";
import { affineTotal, factorSums } from "../../src/compile/scan/factor-sums.js";

// Inputs x, y (change every step) and h, k (the same at every step, named as locals).
const names = ["x", "y", "h", "k"];
const invariant = (input: number) => (input >= 2 ? names[input] : undefined);

function step(): Graph {
  const b = new GraphBuilder();
  const [x, y, h, k] = [0, 1, 2, 3].map((i) => b.input(i, []));
  const mul = (a: number, c: number) => b.add1("Multiply", [a, c], {}, [], "float32");
  const xh = mul(x, h);
  const half = b.constant(Float64Array.of(-0.5), [], "float32");
  // -0.5 (x h)^2 - k: a log density's shape.
  const density = b.add1(
    "Sub",
    [mul(half, b.add1("Square", [xh], {}, [], "float32")), k],
    {},
    [],
    "float32",
  );
  // -(x h) y: a gradient with respect to a parameter read by every step.
  const product = mul(b.add1("Neg", [xh], {}, [], "float32"), y);
  // k - (x h) x: the same step value as the density's, x^2, under another scale and shift.
  const square = b.add1("Sub", [k, mul(xh, x)], {}, [], "float32");
  // exp(x): nothing to factor.
  const exp = b.add1("Exp", [x], {}, [], "float32");
  return b.build([x, y, h, k], [-1, density, product, square, exp]);
}

/** A function of (x, y, h, k) returning the graph's outputs after the first. */
function evaluator(graph: Graph): (...args: number[]) => number[] {
  const code = emitScalar(graph, names, { prefix: "v", float32: false });
  return new Function(
    ...names,
    `${code.statements.join("\n")}\nreturn [${code.outputs.slice(1).join(", ")}];`,
  ) as (...args: number[]) => number[];
}

describe("factorSums", () => {
  const original = step();
  const { graph, forms } = factorSums(original, [1, 2, 3, 4], invariant);

  it("takes the invariants out of the step", () => {
    const readsInvariant = graph.nodes.some(
      (n) =>
        n.op !== "Input" && n.inputs.some((v) => v === graph.inputs[2] || v === graph.inputs[3]),
    );
    expect(readsInvariant).toBe(false);
    expect(forms.has(4)).toBe(false); // exp(x) is left alone
    expect(graph.outputs[4]).toBe(original.outputs[4]);
    // x^2 is summed once for the density and the third output.
    expect(graph.outputs[1]).toBe(graph.outputs[3]);
  });

  it("gives the stepwise sums of the original outputs", () => {
    const T = 37;
    const h = 0.7;
    const k = -1.3;
    const before = evaluator(original);
    const after = evaluator(graph);
    const stepwise = [0, 0, 0, 0];
    const factored = [0, 0, 0, 0];
    for (let t = 0; t < T; t++) {
      const x = Math.sin(1.7 * t + 0.2);
      const y = Math.cos(0.9 * t) - 0.4;
      before(x, y, h, k).forEach((v, j) => {
        stepwise[j] += v;
      });
      after(x, y, h, k).forEach((v, j) => {
        factored[j] += v;
      });
    }
    const totals = factored.map((sum, j) => {
      const expression = affineTotal(forms.get(j + 1), T, "sum");
      return new Function("h", "k", "sum", `return ${expression};`)(h, k, sum) as number;
    });
    for (let j = 0; j < 4; j++) expect(totals[j]).toBeCloseTo(stepwise[j], 12);
  });
});
