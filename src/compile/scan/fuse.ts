/**
 * Two rewrites of the optimized objective graph around its scan loops, so that the emitted
 * loops do less than one pass per kernel:
 * - a stacked output of single numbers that only a Sum to one number reads (a per-step log
 *   density) is summed inside the forward loop: the TycheScan node lists it in `summed` and
 *   outputs the total, and the Sum goes;
 * - where the backward step does not need the carry's cotangent (AR(1): the carry is observed
 *   data), each step's vector-Jacobian product needs nothing from later steps, so TycheScan and
 *   TycheScanGrad become one TycheScanFused loop forward in time over the plan's joint graph:
 *   no carries or residuals stored and read back, no second loop.
 * Both cut stores and loads per step, which cost more than the arithmetic of a small step.
 */
import { sizeOf } from "../../util/shapes.js";
import { consumersOf, type Graph, type GraphNode } from "../graph.js";
import { eliminateDeadNodes } from "../passes/dead-code.js";
import type { ScanPlan } from "./plan.js";

/** The fused loop kernel's name. */
export const SCAN_FUSED_KERNEL = "TycheScanFused";

/**
 * The graph with stacked log densities summed in their loop and, where the carry's cotangent is
 * not needed, each scan's two loops fused into one.
 *
 * @example
 * fuseScanLoops(graph).nodes.length <= graph.nodes.length; // true
 */
export function fuseScanLoops(graph: Graph): Graph {
  if (!graph.nodes.some((n) => n.op === "TycheScan")) return graph;
  return fuseForwardAndBackward(sumStackedInLoop(graph));
}

function planOf(node: GraphNode): ScanPlan {
  return node.attrs.plan as ScanPlan;
}

function sumStackedInLoop(graph: Graph): Graph {
  const consumers = consumersOf(graph);
  const outputs = new Set(graph.outputs);
  const removed = new Set<GraphNode>();
  const replaced = new Map<GraphNode, GraphNode>();
  for (const node of graph.nodes) {
    if (node.op !== "TycheScan") continue;
    const plan = planOf(node);
    const nc = plan.carry.length;
    const summed: number[] = [];
    const nodeOutputs = node.outputs.slice();
    plan.stacked.forEach((row, k) => {
      const v = node.outputs[1 + nc + k];
      const readers = consumers.get(v) ?? [];
      const sum = readers[0];
      if (
        sizeOf(row.shape) !== 1 ||
        outputs.has(v) ||
        readers.length !== 1 ||
        sum.op !== "Sum" ||
        sizeOf(graph.values[sum.outputs[0]].shape) !== 1 ||
        row.dtype !== "float32"
      ) {
        return;
      }
      summed.push(k);
      nodeOutputs[1 + nc + k] = sum.outputs[0];
      removed.add(sum);
    });
    if (summed.length > 0) {
      replaced.set(node, { ...node, outputs: nodeOutputs, attrs: { ...node.attrs, summed } });
    }
  }
  if (replaced.size === 0) return graph;
  const nodes = graph.nodes.flatMap((n) => (removed.has(n) ? [] : [replaced.get(n) ?? n]));
  return { ...graph, nodes };
}

function fuseForwardAndBackward(graph: Graph): Graph {
  const position = new Map<number, number>();
  graph.nodes.forEach((node, i) => {
    for (const v of node.outputs) position.set(v, i);
  });
  const read = new Set(graph.outputs);
  for (const node of graph.nodes) for (const v of node.inputs) read.add(v);
  const fused = new Map<GraphNode, GraphNode[]>();
  const gone = new Set<GraphNode>();
  graph.nodes.forEach((backward) => {
    if (backward.op !== "TycheScanGrad") return;
    const plan = planOf(backward);
    const forwardAt = position.get(backward.inputs[inputCount(plan)]) ?? -1;
    const forward = graph.nodes[forwardAt];
    if (forward?.op !== "TycheScan" || planOf(forward) !== plan || fused.has(forward)) return;
    if (!fusable(graph, plan, forward, forwardAt, backward, position, read)) return;
    const cotangents = cotangentInputs(plan, backward);
    // Constants defined after the forward node move before it (they read nothing).
    const moved = cotangents.flatMap((v) => {
      const at = position.get(v) ?? -1;
      return at > forwardAt ? [graph.nodes[at]] : [];
    });
    for (const node of moved) gone.add(node);
    fused.set(forward, [
      ...new Set(moved),
      {
        op: SCAN_FUSED_KERNEL,
        inputs: [...forward.inputs, ...cotangents],
        outputs: [...forward.outputs, ...backward.outputs],
        attrs: forward.attrs,
      },
    ]);
    gone.add(backward);
  });
  if (fused.size === 0) return graph;
  const nodes = graph.nodes.flatMap((n) => (gone.has(n) ? [] : (fused.get(n) ?? [n])));
  return eliminateDeadNodes({ ...graph, nodes });
}

/** TycheScan's input count: carry leaves, sliced inputs, captured tensors. */
function inputCount(plan: ScanPlan): number {
  return plan.carry.length + plan.rows.length + plan.captured.length;
}

/** TycheScanGrad's inputs dLastCarry.. and dStacked.. */
function cotangentInputs(plan: ScanPlan, backward: GraphNode): number[] {
  const start = inputCount(plan) + 1;
  return backward.inputs.slice(start, start + plan.carry.length + plan.stacked.length);
}

/**
 * Whether one forward loop can run both: the backward node reads the forward node's own inputs
 * and outputs, its cotangents are known before the forward node runs, the gradient of the
 * initial carry is not read, and the joint step reads no cotangent of the next carry for the
 * outputs that are read.
 */
function fusable(
  graph: Graph,
  plan: ScanPlan,
  forward: GraphNode,
  forwardAt: number,
  backward: GraphNode,
  position: ReadonlyMap<number, number>,
  read: ReadonlySet<number>,
): boolean {
  const n = inputCount(plan);
  const nc = plan.carry.length;
  const ns = plan.stacked.length;
  if (forward.inputs.some((v, i) => backward.inputs[i] !== v)) return false;
  const residuals = backward.inputs.slice(n + 1 + nc + ns);
  if (residuals.some((v, k) => forward.outputs[1 + nc + ns + k] !== v)) return false;
  // Constants are data of the program, wherever their node sits.
  const early = cotangentInputs(plan, backward).every((v) => {
    const at = position.get(v) ?? -1;
    return at < forwardAt || graph.nodes[at].op === "Const";
  });
  if (!early) return false;
  if (backward.outputs.slice(0, nc).some((v) => read.has(v))) return false;
  const { joint } = plan;
  const wanted = joint.outputs.map((v, k) => {
    if (k === 0) return -1;
    if (k <= nc + ns) return v; // the next carry and the stacked rows
    return read.has(backward.outputs[k - 1 - nc - ns]) ? v : -1;
  });
  const live = eliminateDeadNodes({ ...joint, outputs: wanted });
  const nextCarryCotangents = new Set(joint.inputs.slice(n, n + nc));
  return !live.nodes.some((node) => node.inputs.some((v) => nextCarryCotangents.has(v)));
}
