/**
 * The skeleton every pass shares: rebuild the graph node by node, letting the pass replace a
 * node by a value (existing or newly built) that equals the node's output.
 */
import { sizeOf } from "../../util/shapes.js";
import { type Graph, GraphBuilder, type GraphNode } from "../graph.js";

/** Decides a node's fate: a value that replaces its outputs, or undefined to keep it. */
export type NodeRewrite = (
  node: GraphNode,
  builder: GraphBuilder,
) => readonly number[] | number | undefined;

/**
 * Rebuilds `graph`, giving each node (with inputs already rewritten) to `rewrite`. A
 * replacement of another shape but the same size is reshaped to the node's output shape.
 *
 * @example
 * const noIdentities = rewriteGraph(graph, (node) => (node.op === "Identity" ? node.inputs[0] : undefined));
 */
export function rewriteGraph(graph: Graph, rewrite: NodeRewrite): Graph {
  const builder = new GraphBuilder(graph.values);
  const replaced = new Map<number, number>();
  const resolve = (v: number): number => replaced.get(v) ?? v;
  for (const original of graph.nodes) {
    const node = { ...original, inputs: original.inputs.map(resolve) };
    builder.backward = original.backward === true; // nodes made in its place inherit its phase
    const result = rewrite(node, builder);
    if (result === undefined) {
      builder.push(node);
      continue;
    }
    const values = typeof result === "number" ? [result] : result;
    node.outputs.forEach((out, i) => {
      const target = builder.values[out];
      const value = values[i];
      const got = builder.values[value];
      if (sizeOf(got.shape) !== sizeOf(target.shape)) {
        throw new Error(`compile: internal error: ${node.op} replaced by a value of another size`);
      }
      replaced.set(out, builder.reshape(value, target.shape));
    });
  }
  return builder.build(
    graph.inputs,
    graph.outputs.map((v) => (v < 0 ? v : resolve(v))),
  );
}
