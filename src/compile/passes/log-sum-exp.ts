/**
 * The max shift of tf.logSumExp has no gradient. tfjs computes
 * logSumExp(x) = m + log(sum(exp(x - m))) with m = max(x), and differentiates through m too:
 * the cotangent reaching m is g - sum(g * softmax(x)), zero in exact arithmetic (rounding noise
 * in floating point), which then flows back through the Max gradient, g_m * (x == m). When m
 * is used by nothing but the logSumExp itself, that term is exactly zero: this pass replaces it
 * by zeros, and the computation of g_m becomes dead code. (NumPyro's logsumexp stops the
 * gradient at the shift for the same reason.)
 */
import { consumersOf, type Graph, type GraphNode, producersOf } from "../graph.js";
import { normalizeAxes } from "../kernels/rule.js";
import { rewriteGraph } from "./rewrite.js";

/**
 * The graph with the gradient through logSumExp's max shift replaced by zeros, wherever the
 * shift is private to a logSumExp.
 *
 * @example
 * // the Equal mask and the cancelling sums of tf.logSumExp's gradient disappear
 * cancelLogSumExpShift(graph);
 */
export function cancelLogSumExpShift(graph: Graph): Graph {
  const producers = producersOf(graph);
  const consumers = consumersOf(graph);
  /** The value a chain of reshapes views. */
  const source = (v: number): number => {
    let current = v;
    for (let node = producers.get(current); node?.op === "Reshape"; node = producers.get(current)) {
      current = node.inputs[0];
    }
    return current;
  };
  /** The forward (non-gradient) readers of a value, looking through reshapes. */
  const forwardReaders = (v: number): GraphNode[] =>
    (consumers.get(v) ?? [])
      .filter((n) => n.backward !== true)
      .flatMap((n) => (n.op === "Reshape" ? forwardReaders(n.outputs[0]) : [n]));
  const only = (v: number, op: string): GraphNode | undefined => {
    const readers = forwardReaders(v);
    return readers.length === 1 && readers[0].op === op ? readers[0] : undefined;
  };

  const isPrivateShift = (max: GraphNode): boolean => {
    if (max.backward === true || max.attrs.keepDims !== true) return false;
    const x = source(max.inputs[0]);
    const rank = graph.values[max.inputs[0]].shape.length;
    const axes = normalizeAxes(max.attrs.reductionIndices, rank);
    const m = max.outputs[0];
    const readers = forwardReaders(m);
    const sub = readers.find(
      (n) => n.op === "Sub" && source(n.inputs[0]) === x && source(n.inputs[1]) === m,
    );
    const add = readers.find((n) => n.op === "Add");
    if (readers.length !== 2 || sub === undefined || add === undefined) return false;
    const exp = only(sub.outputs[0], "Exp");
    const sum = exp && only(exp.outputs[0], "Sum");
    if (sum === undefined || normalizeAxes(sum.attrs.axis, rank).join() !== axes.join())
      return false;
    const log = only(sum.outputs[0], "Log");
    if (log === undefined || only(log.outputs[0], "Add") !== add) return false;
    const operands = add.inputs.map(source);
    return operands.includes(m) && operands.includes(log.outputs[0]);
  };
  const shifts = new Map<number, number>(); // max output -> its input's source
  for (const node of graph.nodes) {
    if (node.op === "Max" && isPrivateShift(node))
      shifts.set(node.outputs[0], source(node.inputs[0]));
  }
  if (shifts.size === 0) return graph;

  /** Whether a value is the Max gradient's mask (x == m) of a private shift. */
  const isShiftMask = (v: number): boolean => {
    const equal = producers.get(source(v));
    if (equal?.op !== "Equal") return false;
    const [a, b] = equal.inputs.map(source);
    return (shifts.get(b) === a && a !== undefined) || (shifts.get(a) === b && b !== undefined);
  };
  return rewriteGraph(graph, (node, b) => {
    if (node.op !== "Multiply" || node.backward !== true || !node.inputs.some(isShiftMask))
      return undefined;
    const out = b.values[node.outputs[0]];
    return b.constant(new Float64Array(out.shape.reduce((n, d) => n * d, 1)), out.shape, out.dtype);
  });
}
