/**
 * What the forward loop keeps for the backward one. The traced step graph holds the step and
 * its vector-Jacobian product; the VJP reads intermediate values of the step (a residual, an
 * exp of the state). Values that change from step to step (the others are hoisted; see
 * hoist.ts) and cost a function call to compute (exp, log, a custom op) the forward loop
 * stores, per step, and the backward step reads them as inputs; a value of cheap arithmetic
 * (sums, products, quotients, comparisons) the backward step computes again from the step's
 * inputs and the stored values, which costs less than a store and a load (they took a third
 * of the stochastic-volatility gradient's time at T = 1000).
 */
import type { Graph, GraphNode, ValueInfo } from "../graph.js";
import { eliminateDeadNodes } from "../passes/dead-code.js";

/** The two step graphs of a scan and the per-step values passed from one to the other. */
export interface StepPair {
  /**
   * Inputs: carry, rows, captured. Outputs: -1, the step's outputs (next carry, stacked), then
   * the residuals.
   */
  readonly forward: Graph;
  /**
   * Inputs: carry, rows, captured, the cotangents of the step's outputs, then the residuals.
   * Outputs: -1, then the gradients (as in the joint graph).
   */
  readonly backward: Graph;
  /** One step of each residual. */
  readonly residuals: readonly ValueInfo[];
}

/**
 * Splits an optimized joint graph (inputs: the `inputs` step inputs, of which the first
 * `varying` change every step, then `cotangents` cotangent inputs; outputs: anything, then
 * `forwardCount` step outputs, then the gradients).
 *
 * @example
 * const { forward, backward, residuals } = splitResiduals(joint, 3, 2, 2, 2);
 */
export function splitResiduals(
  joint: Graph,
  inputs: number,
  varying: number,
  cotangents: number,
  forwardCount: number,
): StepPair {
  const forwardOutputs = joint.outputs.slice(1, 1 + forwardCount);
  const gradients = joint.outputs.slice(1 + forwardCount);
  const reach = (from: (index: number) => boolean): Set<number> => {
    const set = new Set<number>();
    for (const node of joint.nodes) {
      const seed = node.op === "Input" && from(Number(node.attrs.index));
      if (seed || node.inputs.some((v) => set.has(v))) for (const v of node.outputs) set.add(v);
    }
    return set;
  };
  const stepDependent = reach((i) => i < varying);
  const cotangentDependent = reach((i) => i >= inputs);
  const live = liveNodes(joint.nodes, gradients);
  const storable = (node: GraphNode | undefined, v: number): boolean =>
    node !== undefined &&
    node.backward !== true &&
    node.op !== "Input" &&
    node.op !== "Const" &&
    node.outputs.length === 1 &&
    stepDependent.has(v) &&
    !cotangentDependent.has(v);
  const producer = new Map<number, GraphNode>();
  for (const node of joint.nodes) for (const v of node.outputs) producer.set(v, node);
  const residuals: number[] = [];
  const recomputed = new Set<number>();
  const keep = (v: number): void => {
    const node = producer.get(v);
    if (node === undefined || residuals.includes(v) || recomputed.has(v) || !storable(node, v)) {
      return;
    }
    if (!CHEAP.has(node.op)) {
      residuals.push(v);
      return;
    }
    recomputed.add(v);
    for (const input of node.inputs) keep(input);
  };
  for (const node of joint.nodes) {
    if (node.backward !== true || !live.has(node)) continue;
    for (const v of node.inputs) keep(v);
  }
  const forward = eliminateDeadNodes({
    ...joint,
    nodes: joint.nodes.filter((node) => node.op !== "Input" || Number(node.attrs.index) < inputs),
    inputs: joint.inputs.slice(0, inputs),
    outputs: [-1, ...forwardOutputs, ...residuals],
  });
  const index = new Map(residuals.map((v, k) => [v, inputs + cotangents + k]));
  const backward = eliminateDeadNodes({
    ...joint,
    nodes: joint.nodes.map((node) => {
      const k = index.get(node.outputs[0]);
      return k === undefined
        ? node
        : { op: "Input", inputs: [], outputs: node.outputs, attrs: { index: k } };
    }),
    inputs: [...joint.inputs, ...residuals],
    outputs: [-1, ...gradients],
  });
  return { forward, backward, residuals: residuals.map((v) => joint.values[v]) };
}

/** Kernels that the backward step computes again rather than read from a stored row. */
const CHEAP = new Set([
  "Abs",
  "Add",
  "AddN",
  "BroadcastTo",
  "Cast",
  "Equal",
  "Greater",
  "GreaterEqual",
  "Identity",
  "Less",
  "LessEqual",
  "LogicalAnd",
  "LogicalNot",
  "LogicalOr",
  "Maximum",
  "Minimum",
  "Multiply",
  "Neg",
  "NotEqual",
  "RealDiv",
  "Reciprocal",
  "Reshape",
  "Select",
  "Sign",
  "Square",
  "SquaredDifference",
  "Sub",
]);

/** The nodes the given outputs depend on. */
function liveNodes(nodes: readonly GraphNode[], outputs: readonly number[]): Set<GraphNode> {
  const needed = new Set(outputs.filter((v) => v >= 0));
  const live = new Set<GraphNode>();
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    if (!node.outputs.some((v) => needed.has(v))) continue;
    live.add(node);
    for (const v of node.inputs) needed.add(v);
  }
  return live;
}
