/**
 * The pass pipeline: expand softplus and sigmoid around a shared exp, then cancel logSumExp's
 * shift gradient, simplify, fold constants, merge common subexpressions and drop dead nodes,
 * repeated until the graph stops changing.
 */
import type { Graph } from "../graph.js";
import { eliminateCommonSubexpressions } from "./common-subexpressions.js";
import { eliminateDeadNodes } from "./dead-code.js";
import { foldConstants } from "./fold-constants.js";
import { cancelLogSumExpShift } from "./log-sum-exp.js";
import { expandLogisticFunctions } from "./logistic-functions.js";
import { simplify } from "./simplify.js";

/**
 * The optimized graph (same outputs, fewer and cheaper nodes).
 *
 * @example
 * optimize(trace.graph).nodes.length; // a third or less of the recorded kernels, typically
 */
export function optimize(graph: Graph): Graph {
  let current = expandLogisticFunctions(eliminateDeadNodes(graph));
  let signature = signatureOf(current);
  for (let round = 0; round < 8; round++) {
    const simplified = simplify(cancelLogSumExpShift(current));
    current = eliminateDeadNodes(eliminateCommonSubexpressions(foldConstants(simplified)));
    const next = signatureOf(current);
    if (next === signature) break;
    signature = next;
  }
  return current;
}

// The kernels in order: when a round leaves it unchanged, another round would too.
function signatureOf(graph: Graph): string {
  return graph.nodes.map((n) => n.op).join(",");
}
