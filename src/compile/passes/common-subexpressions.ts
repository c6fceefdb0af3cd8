/**
 * Common-subexpression elimination: nodes with the same kernel, inputs, attributes and output
 * types compute the same values (every kernel here is deterministic), so one is kept.
 */
import { type Graph, type GraphNode, uniformValue } from "../graph.js";
import { rewriteGraph } from "./rewrite.js";

/**
 * The graph with duplicate computations merged.
 *
 * @example
 * // exp(x) computed twice becomes one Exp node read twice
 * eliminateCommonSubexpressions(graph);
 */
export function eliminateCommonSubexpressions(graph: Graph): Graph {
  const seen = new Map<string, readonly number[]>();
  const dataIds = new Map<Float64Array, number>();
  const keyOf = (node: GraphNode): string | undefined => {
    const types = node.outputs
      .map((v) => `${graph.values[v].dtype}[${graph.values[v].shape.join(",")}]`)
      .join(";");
    if (node.op === "Input") return undefined;
    if (node.op === "Const") {
      const data = node.attrs.data as Float64Array;
      const uniform = uniformValue(data);
      if (uniform !== undefined) return `Const|${Object.is(uniform, -0) ? "-0" : uniform}|${types}`;
      let id = dataIds.get(data);
      if (id === undefined) dataIds.set(data, (id = dataIds.size));
      return `Const#${id}|${types}`;
    }
    return `${node.op}|${node.inputs.join(",")}|${JSON.stringify(node.attrs)}|${types}`;
  };
  return rewriteGraph(graph, (node) => {
    const key = keyOf(node);
    if (key === undefined) return undefined;
    const previous = seen.get(key);
    if (previous !== undefined) return previous;
    seen.set(key, node.outputs);
    return undefined;
  });
}
