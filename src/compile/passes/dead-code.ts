/**
 * Dead-node elimination: keeps only the nodes that the outputs depend on.
 */
import type { Graph } from "../graph.js";

/**
 * The graph without nodes whose outputs nothing reads.
 *
 * @example
 * eliminateDeadNodes(graph).nodes.length <= graph.nodes.length; // true
 */
export function eliminateDeadNodes(graph: Graph): Graph {
  const live = new Set(graph.outputs.filter((v) => v >= 0));
  for (const v of graph.inputs) live.add(v);
  const kept = [];
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i];
    if (node.op !== "Input" && !node.outputs.some((v) => live.has(v))) continue;
    kept.push(node);
    for (const v of node.inputs) live.add(v);
  }
  kept.reverse();
  return { ...graph, nodes: kept };
}
