/**
 * Loop-invariant code motion for a scan step: the nodes of a step graph that depend on no
 * input that changes from step to step (only on the tensors the body reads from outside, and
 * on constants) are computed once before the loop, in a prologue, and enter the step as extra
 * inputs. In a density that is most of the parameter work: log(sigma), 1 / sigma, the
 * log-gamma terms of a Student-t's normalizer.
 *
 * A custom op's vector-Jacobian product is linear in its cotangent, which changes every step
 * while the op's inputs often do not (the log-gamma of a Student-t's degrees of freedom): for
 * elementwise ops it is rewritten as (the op's derivative: its VJP at a cotangent of ones) times
 * the cotangent, so that the derivative moves to the prologue too. Likewise a division by an
 * invariant value becomes a product with its reciprocal, computed once (a division costs several
 * times a product in the loop; the results differ by at most an ulp or so).
 */
import { opOfKernel } from "../../custom-vjp/registry.js";
import { sizeOf } from "../../util/shapes.js";
import { consumersOf, type Graph, type GraphNode } from "../graph.js";
import { rewriteGraph } from "../passes/rewrite.js";

/** A step graph split into what runs once and what runs every step. */
export interface HoistedStep {
  /** Inputs: the invariant inputs of the step graph, in order. Outputs: -1, then the hoisted values. */
  readonly prologue: Graph;
  /**
   * The step: the original inputs, then one input per hoisted value (in the prologue's output
   * order), and the original outputs.
   */
  readonly step: Graph;
}

/**
 * Splits `graph` (a step graph whose inputs `invariant` lists are the same at every step).
 *
 * @example
 * const { prologue, step } = hoist(plan.forward, new Set([2])); // input 2: a captured tensor
 */
export function hoist(original: Graph, invariant: ReadonlySet<number>): HoistedStep {
  const graph = reciprocalsOfInvariants(linearizeVjps(original, invariant), invariant);
  const { inPrologue } = invariantNodes(graph, invariant);
  // Hoisted: computed values of the prologue that the step reads or returns.
  const consumers = consumersOf(graph);
  const moved = new Set(inPrologue);
  const outputs = new Set(graph.outputs);
  const hoisted: number[] = [];
  for (const node of inPrologue) {
    for (const v of node.outputs) {
      const readByStep = (consumers.get(v) ?? []).some((c) => !moved.has(c));
      if (readByStep || outputs.has(v)) hoisted.push(v);
    }
  }
  const invariantInputs = graph.inputs.filter((_, k) => invariant.has(k));
  const prologueIndex = new Map(invariantInputs.map((v, k) => [v, k]));
  const prologueNodes: GraphNode[] = [];
  const stepNodes: GraphNode[] = [];
  for (const node of graph.nodes) {
    if (node.op === "Input") {
      const k = prologueIndex.get(node.outputs[0]);
      if (k !== undefined) prologueNodes.push({ ...node, attrs: { index: k } });
      stepNodes.push(node);
    } else if (node.op === "Const") {
      prologueNodes.push(node);
      stepNodes.push(node);
    } else if (moved.has(node)) {
      prologueNodes.push(node);
    } else {
      stepNodes.push(node);
    }
  }
  const n = graph.inputs.length;
  const hoistedInputs: GraphNode[] = hoisted.map((v, j) => ({
    op: "Input",
    inputs: [],
    outputs: [v],
    attrs: { index: n + j },
  }));
  return {
    prologue: {
      values: graph.values,
      nodes: prologueNodes,
      inputs: invariantInputs,
      outputs: [-1, ...hoisted],
    },
    step: {
      values: graph.values,
      nodes: [...hoistedInputs, ...stepNodes],
      inputs: [...graph.inputs, ...hoisted],
      outputs: graph.outputs.slice(),
    },
  };
}

/** The values that do not change from step to step, and the nodes computing them. */
function invariantNodes(
  graph: Graph,
  invariant: ReadonlySet<number>,
): { fixed: Set<number>; inPrologue: GraphNode[] } {
  const fixed = new Set<number>();
  const inPrologue: GraphNode[] = [];
  for (const node of graph.nodes) {
    if (node.op === "Const") {
      for (const v of node.outputs) fixed.add(v);
    } else if (node.op === "Input") {
      if (invariant.has(Number(node.attrs.index))) {
        for (const v of node.outputs) fixed.add(v);
      }
    } else if (node.inputs.every((v) => fixed.has(v))) {
      for (const v of node.outputs) fixed.add(v);
      inPrologue.push(node);
    }
  }
  return { fixed, inPrologue };
}

/**
 * VJPs of elementwise custom ops at invariant inputs and a varying cotangent of the inputs'
 * shape, rewritten as (VJP at a cotangent of ones) x cotangent.
 */
function linearizeVjps(graph: Graph, invariant: ReadonlySet<number>): Graph {
  const { fixed } = invariantNodes(graph, invariant);
  const candidate = (node: GraphNode): boolean => {
    const op = opOfKernel(node.op);
    if (op === undefined || op.vjpKernelName !== node.op || !op.elementwise) return false;
    const dy = node.inputs[node.inputs.length - 1];
    if (fixed.has(dy) || !node.inputs.slice(0, -1).every((v) => fixed.has(v))) return false;
    const shape = graph.values[dy].shape;
    return node.inputs.every((v) => graph.values[v].shape.join() === shape.join());
  };
  if (!graph.nodes.some(candidate)) return graph;
  return rewriteGraph(graph, (node, b) => {
    if (!candidate(node)) return undefined;
    const dy = node.inputs[node.inputs.length - 1];
    const info = b.values[dy];
    const ones = b.constant(new Float64Array(sizeOf(info.shape)).fill(1), info.shape, info.dtype);
    const derivatives = b.add(
      node.op,
      [...node.inputs.slice(0, -1), ones],
      node.attrs,
      node.outputs.map((v) => b.values[v]),
    );
    return derivatives.map((d, i) =>
      b.add1(
        "Multiply",
        [d, dy],
        {},
        b.values[node.outputs[i]].shape,
        b.values[node.outputs[i]].dtype,
      ),
    );
  });
}

/** Divisions of a varying value by an invariant one, rewritten as products with its reciprocal. */
function reciprocalsOfInvariants(graph: Graph, invariant: ReadonlySet<number>): Graph {
  const { fixed } = invariantNodes(graph, invariant);
  const candidate = (node: GraphNode): boolean =>
    node.op === "RealDiv" &&
    !fixed.has(node.inputs[0]) &&
    fixed.has(node.inputs[1]) &&
    graph.values[node.inputs[1]].dtype === "float32";
  if (!graph.nodes.some(candidate)) return graph;
  return rewriteGraph(graph, (node, b) => {
    if (!candidate(node)) return undefined;
    const [x, d] = node.inputs;
    const out = b.values[node.outputs[0]];
    const reciprocal = b.add1("Reciprocal", [d], {}, b.values[d].shape, b.values[d].dtype);
    return b.add1("Multiply", [x, reciprocal], {}, out.shape, out.dtype);
  });
}
