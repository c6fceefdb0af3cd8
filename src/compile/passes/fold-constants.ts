/**
 * Constant folding: every node whose inputs are all constants is computed once, in float64, by
 * the same emitted code that would compute it per call, and replaced by a constant. Broadcasts
 * of non-uniform constants are left alone: folding them would only make bigger constants.
 */
import { sizeOf } from "../../util/shapes.js";
import { instantiate } from "../emit/instantiate.js";
import { emitProgram } from "../emit/program.js";
import { constantData, type Graph, GraphBuilder, type GraphNode, uniformValue } from "../graph.js";
import { rewriteGraph } from "./rewrite.js";

const EXPANDING = new Set(["BroadcastTo", "Tile"]);

/**
 * The graph with its constant subexpressions evaluated.
 *
 * @example
 * // log(2 * pi) written as tf.log(tf.mul(2, Math.PI)) becomes one float64 constant
 * foldConstants(graph);
 */
export function foldConstants(graph: Graph): Graph {
  const known = new Map<number, GraphNode>(); // constant values and their Const nodes
  const foldable: GraphNode[] = [];
  for (const node of graph.nodes) {
    if (node.op === "Const") {
      known.set(node.outputs[0], node);
      continue;
    }
    if (node.op === "Input" || !node.inputs.every((v) => known.has(v))) continue;
    if (EXPANDING.has(node.op)) {
      const data = constantData(known.get(node.inputs[0]));
      if (data === undefined || uniformValue(data) === undefined) continue;
    }
    foldable.push(node);
    for (const v of node.outputs) known.set(v, node);
  }
  if (foldable.length === 0) return graph;

  // Evaluate all folded values at once: a program over the constant subgraph.
  const targets = foldable.flatMap((n) => n.outputs);
  const sub = new GraphBuilder(graph.values);
  for (const node of graph.nodes) if (known.get(node.outputs[0]) === node) sub.push(node);
  const run = instantiate(emitProgram(sub.build([], [-1, ...targets])));
  const results = targets.map((v) => new Float64Array(sizeOf(graph.values[v].shape)));
  run([], results);
  const foldedValues = new Map(targets.map((v, i) => [v, results[i]]));

  return rewriteGraph(graph, (node, b) => {
    if (!foldedValues.has(node.outputs[0])) return undefined;
    return node.outputs.map((v) =>
      b.constant(foldedValues.get(v)!, graph.values[v].shape, graph.values[v].dtype),
    );
  });
}
