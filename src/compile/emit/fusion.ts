/**
 * Fusion: groups the graph's nodes into steps. A loop step runs, in one loop nest over its
 * shape, elementwise nodes of that shape (its members), reductions of that shape over the same
 * axes, and elementwise nodes over the reduced shape that read the reductions' results (its
 * epilogue); a kernel step is one node with loops of its own. Each new step is placed right
 * after the last step it depends on, so that later nodes find more to fuse with.
 */
import { shapesEqual } from "../../util/shapes.js";
import type { Graph, GraphNode } from "../graph.js";
import { ruleFor } from "../kernels/index.js";
import type { ReductionRule } from "../kernels/rule.js";
import { loopOrder } from "./loop-order.js";

/** Elementwise nodes and reductions sharing one loop nest over `shape`. */
export interface LoopStep {
  readonly kind: "loop";
  /** The loop's shape: every member's output shape and every reduction's input shape. */
  readonly shape: readonly number[];
  readonly members: GraphNode[];
  readonly reductions: GraphNode[];
  /** Elementwise nodes over the kept shape, run once each reduction is complete. */
  readonly epilogue: GraphNode[];
  /** The axes of `shape` that the reductions reduce (all reductions share them). */
  axes: readonly number[] | undefined;
  /**
   * Reshapes of reduction or epilogue results that only add or drop size-1 dimensions: inside
   * the epilogue they are the same element as their source (view value to source value).
   */
  readonly aliases: Map<number, number>;
}

/** A node emitted by its own rule. */
export interface KernelStep {
  readonly kind: "kernel";
  readonly node: GraphNode;
}

/** A unit of emitted code. */
export type Step = LoopStep | KernelStep;

/** Where in its step a value is computed, which decides who may read it in the same step. */
type Phase = "member" | "reduction" | "epilogue" | "done";

interface Availability {
  readonly step: Step;
  readonly phase: Phase;
}

/**
 * Groups nodes into steps (greedily, in topological order).
 *
 * @example
 * planSteps(graph).map((s) => s.kind); // ["kernel", "loop", "loop", ...]
 */
export function planSteps(graph: Graph): Step[] {
  const steps: Step[] = [];
  const index = new Map<Step, number>();
  const available = new Map<number, Availability>();

  const insertAfter = (last: Step | undefined, step: Step): Step => {
    const at = last === undefined ? 0 : index.get(last)! + 1;
    steps.splice(at, 0, step);
    for (let i = at; i < steps.length; i++) index.set(steps[i], i);
    return step;
  };
  const loopsByShape = new Map<string, LoopStep[]>();
  const newLoop = (last: Step | undefined, shape: readonly number[]): LoopStep => {
    const step: LoopStep = {
      kind: "loop",
      shape: shape.slice(),
      members: [],
      reductions: [],
      epilogue: [],
      axes: undefined,
      aliases: new Map(),
    };
    insertAfter(last, step);
    const key = shape.join(",");
    loopsByShape.set(key, [...(loopsByShape.get(key) ?? []), step]);
    return step;
  };
  /** The last loop of this shape at or after `last` that the node may join. */
  const latestLoop = (
    shape: readonly number[],
    last: Step | undefined,
    deps: Availability[],
    ok: (s: LoopStep) => boolean,
  ): LoopStep | undefined => {
    const from = last === undefined ? 0 : index.get(last)!;
    let best: LoopStep | undefined;
    for (const s of loopsByShape.get(shape.join(",")) ?? []) {
      const at = index.get(s)!;
      if (at < from || (best !== undefined && at < index.get(best)!) || !ok(s)) continue;
      // Values the step computes after its loop (reductions, epilogue) are not readable inside it.
      if (deps.some((d) => d.step === s && d.phase !== "member")) continue;
      best = s;
    }
    return best;
  };

  for (const node of graph.nodes) {
    if (node.op === "Input" || node.op === "Const") continue;
    const rule = ruleFor(node.op);
    if (rule === undefined) throw new Error(`compile: internal error: no rule for ${node.op}`);
    const deps = node.inputs
      .map((v) => available.get(v))
      .filter((a): a is Availability => a !== undefined);
    let last: Step | undefined;
    for (const d of deps)
      if (last === undefined || index.get(d.step)! > index.get(last)!) last = d.step;
    switch (rule.kind) {
      case "view": {
        const [input] = node.inputs;
        const source = available.get(input);
        if (source === undefined) break;
        const sameElements = shapesEqual(
          squeeze(graph.values[input].shape),
          squeeze(graph.values[node.outputs[0]].shape),
        );
        const isResult = source.phase === "reduction" || source.phase === "epilogue";
        if (source.step.kind === "loop" && isResult && sameElements) {
          source.step.aliases.set(node.outputs[0], input);
          available.set(node.outputs[0], source);
        } else {
          available.set(node.outputs[0], { step: source.step, phase: "done" });
        }
        break;
      }
      case "elementwise": {
        const shape = graph.values[node.outputs[0]].shape;
        if (last?.kind === "loop" && fitsEpilogue(last, shape, deps)) {
          last.epilogue.push(node);
          available.set(node.outputs[0], { step: last, phase: "epilogue" });
          break;
        }
        const step = latestLoop(shape, last, deps, () => true) ?? newLoop(last, shape);
        step.members.push(node);
        available.set(node.outputs[0], { step, phase: "member" });
        break;
      }
      case "reduction": {
        const shape = graph.values[node.inputs[0]].shape;
        const axes = (rule as ReductionRule).axes(node, shape);
        const compatible = (s: LoopStep) => s.axes === undefined || shapesEqual(s.axes, axes);
        const step = latestLoop(shape, last, deps, compatible) ?? newLoop(last, shape);
        step.reductions.push(node);
        step.axes = axes;
        available.set(node.outputs[0], { step, phase: "reduction" });
        break;
      }
      case "kernel": {
        const step = insertAfter(last, { kind: "kernel", node });
        for (const v of node.outputs) available.set(v, { step, phase: "done" });
        break;
      }
    }
  }
  return steps;
}

/**
 * Whether an elementwise node of `shape` can run in the epilogue of `step`: it reads a result of
 * the step's reductions (or epilogue) and nothing else of the step, its shape is the reduced
 * shape, and the step accumulates in locals (so results exist inside the loop nest).
 */
function fitsEpilogue(
  step: LoopStep,
  shape: readonly number[],
  deps: readonly Availability[],
): boolean {
  if (step.reductions.length === 0 || step.axes === undefined) return false;
  const own = deps.filter((d) => d.step === step);
  if (own.length === 0 || own.some((d) => d.phase !== "reduction" && d.phase !== "epilogue"))
    return false;
  if (!loopOrder(step.shape, step.axes).localAccumulators) return false;
  const axes = step.axes;
  const kept = step.shape.filter((_, d) => !axes.includes(d));
  return shapesEqual(squeeze(kept), squeeze(shape));
}

/** The shape without its size-1 dimensions. */
function squeeze(shape: readonly number[]): number[] {
  return shape.filter((d) => d !== 1);
}
