/**
 * Storage: where each value lives in the emitted program. Inputs are read from the caller's
 * arrays, uniform constants become number literals, other constants shared arrays; values that
 * leave their loop get a preallocated Float64Array (views share their source's), and the rest
 * are locals inside their loop. A kernel marked in-place takes over its first input's buffer
 * when nothing else reads that buffer.
 */
import { sizeOf } from "../../util/shapes.js";
import { constantData, consumersOf, type Graph, type GraphNode, uniformValue } from "../graph.js";
import { ruleFor } from "../kernels/index.js";
import type { Step } from "./fusion.js";
import { loopOrder } from "./loop-order.js";

/** Where a value lives. */
export type Storage =
  | { readonly kind: "input"; readonly index: number }
  | { readonly kind: "literal"; readonly value: number }
  | { readonly kind: "constant"; readonly data: Float64Array }
  | { readonly kind: "buffer"; readonly buffer: number }
  | { readonly kind: "local" };

/** Storage of every value, the sizes of the buffers, and the in-place kernel nodes. */
export interface StoragePlan {
  readonly storage: Map<number, Storage>;
  readonly bufferSizes: number[];
  readonly inPlace: Set<GraphNode>;
}

/**
 * Decides storage for a planned program.
 *
 * @example
 * const plan = planStorage(graph, planSteps(graph));
 * plan.storage.get(graph.outputs[0]); // { kind: "buffer", buffer: 3 }
 */
export function planStorage(graph: Graph, steps: readonly Step[]): StoragePlan {
  const stepOfNode = new Map<GraphNode, number>();
  const roleOf = new Map<GraphNode, "member" | "reduction" | "epilogue">();
  const localReductionSteps = new Set<number>();
  const aliasesOf = new Map<number, number[]>(); // source value -> its aliasing views
  const aliasViews = new Set<number>();
  steps.forEach((step, i) => {
    if (step.kind === "kernel") {
      stepOfNode.set(step.node, i);
      return;
    }
    for (const [role, nodes] of [
      ["member", step.members],
      ["reduction", step.reductions],
      ["epilogue", step.epilogue],
    ] as const) {
      for (const n of nodes) {
        stepOfNode.set(n, i);
        roleOf.set(n, role);
      }
    }
    if (loopOrder(step.shape, step.axes).localAccumulators) localReductionSteps.add(i);
    for (const [view, source] of step.aliases) {
      aliasesOf.set(source, [...(aliasesOf.get(source) ?? []), view]);
      aliasViews.add(view);
    }
  });
  const outputs = new Set(graph.outputs);
  const readers = consumersOf(graph);
  const isView = (node: GraphNode) => ruleFor(node.op)?.kind === "view";
  /** Readers of a value and of the views that alias it in its loop nest; whether any is an output. */
  const effectiveReaders = (value: number): { readers: GraphNode[]; output: boolean } => {
    const readersHere = (readers.get(value) ?? []).filter((r) => !aliasViews.has(r.outputs[0]));
    let output = outputs.has(value);
    for (const view of aliasesOf.get(value) ?? []) {
      const more = effectiveReaders(view);
      readersHere.push(...more.readers);
      output ||= more.output;
    }
    return { readers: readersHere, output };
  };

  const storage = new Map<number, Storage>();
  const bufferSizes: number[] = [];
  const owners: number[][] = []; // values sharing each buffer
  const inPlace = new Set<GraphNode>();
  const newBuffer = (value: number): Storage => {
    bufferSizes.push(sizeOf(graph.values[value].shape));
    owners.push([value]);
    return { kind: "buffer", buffer: bufferSizes.length - 1 };
  };
  const materialize = (value: number): Storage => {
    const current = storage.get(value);
    if (current !== undefined && current.kind !== "local") return current;
    const s = newBuffer(value);
    storage.set(value, s);
    return s;
  };

  for (const node of graph.nodes) {
    const out = node.outputs[0];
    if (node.op === "Input") {
      storage.set(out, { kind: "input", index: Number(node.attrs.index) });
      continue;
    }
    if (node.op === "Const") {
      const data = constantData(node)!;
      const uniform = uniformValue(data);
      storage.set(
        out,
        uniform === undefined ? { kind: "constant", data } : { kind: "literal", value: uniform },
      );
      continue;
    }
    if (aliasViews.has(out)) {
      const source = storage.get(node.inputs[0])!;
      storage.set(out, source);
      if (source.kind === "buffer") owners[source.buffer].push(out);
      continue;
    }
    if (isView(node)) {
      const source = materialize(node.inputs[0]);
      storage.set(out, source);
      if (source.kind === "buffer") owners[source.buffer].push(out);
      continue;
    }
    const stepIndex = stepOfNode.get(node)!;
    const step = steps[stepIndex];
    if (step.kind === "loop") {
      // A value stays in a local when only its own loop nest reads it: members by later
      // members and reductions; reductions (accumulated in locals) and epilogue values by the
      // epilogue, directly or through aliasing reshapes.
      const role = roleOf.get(node);
      const readsLocally = (r: GraphNode) =>
        stepOfNode.get(r) === stepIndex &&
        !isView(r) &&
        (role === "member" || roleOf.get(r) === "epilogue");
      const canBeLocal = role !== "reduction" || localReductionSteps.has(stepIndex);
      const effective = effectiveReaders(out);
      const local = canBeLocal && !effective.output && effective.readers.every(readsLocally);
      storage.set(out, local ? { kind: "local" } : newBuffer(out));
      continue;
    }
    const rule = ruleFor(node.op);
    if (rule?.kind === "kernel" && rule.inPlace === true) {
      const first = node.inputs[0];
      const s = storage.get(first);
      const soleReader =
        (readers.get(first) ?? []).length === 1 &&
        !outputs.has(first) &&
        node.inputs.lastIndexOf(first) === 0;
      if (s?.kind === "buffer" && soleReader && owners[s.buffer].length === 1) {
        storage.set(out, s);
        owners[s.buffer] = [out]; // the input dies here: the output owns the buffer now
        inPlace.add(node);
        continue;
      }
    }
    for (const v of node.outputs) storage.set(v, newBuffer(v));
  }
  return { storage, bufferSizes, inPlace };
}
