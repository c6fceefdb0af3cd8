/**
 * A scan's step graph specialized to where its loop sits in the program: inputs that are
 * uniform constants there (the cotangent of a log-density summed into the objective is -1
 * everywhere) become constants, outputs nothing reads are dropped, and the graph is optimized
 * again before the loop-invariant part is hoisted. A gradient then costs what its terms need:
 * no work for a gradient nobody asks for (the data's), and constant factors folded.
 */
import type { Graph, GraphNode } from "../graph.js";
import { eliminateDeadNodes } from "../passes/dead-code.js";
import { optimize } from "../passes/index.js";
import { type HoistedStep, hoist } from "./hoist.js";

const cache = new WeakMap<Graph, Map<string, HoistedStep>>();

/**
 * The step graph with the given inputs fixed to numbers and outputs dropped, split into
 * prologue and step (`invariant`: the inputs that stay the same over the loop).
 *
 * @example
 * specialize(plan.backward, new Map([[5, -1]]), new Set([2]), new Set([3]));
 */
export function specialize(
  graph: Graph,
  constants: ReadonlyMap<number, number>,
  dropped: ReadonlySet<number>,
  invariant: ReadonlySet<number>,
): HoistedStep {
  const key = `${[...constants].map(([k, v]) => `${k}=${Object.is(v, -0) ? "-0" : v}`).join(",")}|${[...dropped].join(",")}`;
  let byKey = cache.get(graph);
  if (byKey === undefined) cache.set(graph, (byKey = new Map()));
  const known = byKey.get(key);
  if (known !== undefined) return known;
  const nodes: GraphNode[] = graph.nodes.map((node) => {
    const value = node.op === "Input" ? constants.get(Number(node.attrs.index)) : undefined;
    if (value === undefined) return node;
    const size = graph.values[node.outputs[0]].shape.reduce((n, d) => n * d, 1);
    return {
      op: "Const",
      inputs: [],
      outputs: node.outputs,
      attrs: { data: new Float64Array(size).fill(value) },
    };
  });
  const outputs = graph.outputs.map((v, k) => (k > 0 && dropped.has(k - 1) ? -1 : v));
  const optimized =
    constants.size > 0 || dropped.size > 0 ? optimize({ ...graph, nodes, outputs }) : graph;
  // Inputs turned constants keep their place among the inputs (as values nothing reads).
  const { prologue, step } = hoist(optimized, invariant);
  const split = { prologue: eliminateDeadNodes(prologue), step: eliminateDeadNodes(step) };
  byKey.set(key, split);
  return split;
}
