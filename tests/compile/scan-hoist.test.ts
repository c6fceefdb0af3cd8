/**
 * Loop-invariant code motion of scan steps (compile/scan/hoist.ts): what moves to the prologue
 * and what stays in the step, read off the split graphs.
 */
import { describe, expect, it } from "vitest";
import { GraphBuilder } from "../../src/compile/graph.js";
import { hoist } from "../../src/compile/scan/hoist.js";

function ops(nodes: readonly { op: string }[]): string[] {
  return nodes.map((n) => n.op).filter((op) => op !== "Input" && op !== "Const");
}

describe("hoist", () => {
  // A step (x_t - mu) / sigma with x_t varying (input 0), mu and sigma invariant (inputs 1, 2).
  function step() {
    const b = new GraphBuilder();
    const x = b.input(0, []);
    const mu = b.input(1, []);
    const sigma = b.input(2, []);
    const log = b.add1("Log", [sigma], {}, [], "float32");
    const centred = b.add1("Sub", [x, mu], {}, [], "float32");
    const z = b.add1("RealDiv", [centred, sigma], {}, [], "float32");
    const out = b.add1("Sub", [z, log], {}, [], "float32");
    return b.build([x, mu, sigma], [-1, out]);
  }

  it("moves invariant work to the prologue and divides by a hoisted reciprocal", () => {
    const { prologue, step: loop } = hoist(step(), new Set([1, 2]));
    expect(ops(prologue.nodes).sort()).toEqual(["Log", "Reciprocal"]);
    expect(ops(loop.nodes).sort()).toEqual(["Multiply", "Sub", "Sub"]);
    // The step reads the two hoisted values as extra inputs.
    expect(loop.inputs).toHaveLength(5);
    expect(prologue.outputs).toHaveLength(3);
  });

  it("keeps a division whose divisor varies", () => {
    const { prologue, step: loop } = hoist(step(), new Set([1]));
    expect(ops(prologue.nodes)).toEqual([]);
    expect(ops(loop.nodes)).toContain("RealDiv");
  });
});
