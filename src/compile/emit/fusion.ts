/**
 * Fusion: groups the graph's nodes into steps. A loop step runs elementwise nodes of one output
 * shape in a single loop, with any reductions of that shape over the same axes as its sinks; a
 * kernel step is one node with loops of its own. Steps come out in an order where every step
 * reads only what earlier steps (or itself, elementwise) produced.
 */
import { shapesEqual } from "../../util/shapes.js";
import type { Graph, GraphNode } from "../graph.js";
import { ruleFor } from "../kernels/index.js";
import type { ReductionRule } from "../kernels/rule.js";

/** Elementwise nodes and reductions sharing one loop over `shape`. */
export interface LoopStep {
  readonly kind: "loop";
  /** The loop's shape: every member's output shape and every reduction's input shape. */
  readonly shape: readonly number[];
  readonly members: GraphNode[];
  readonly reductions: GraphNode[];
  /** The axes of `shape` that the reductions reduce (all reductions share them). */
  axes: readonly number[] | undefined;
}

/** A node emitted by its own rule. */
export interface KernelStep {
  readonly kind: "kernel";
  readonly node: GraphNode;
}

/** A unit of emitted code. */
export type Step = LoopStep | KernelStep;

// Where a value becomes readable: inside step `step`'s loop (an elementwise member), or only
// once step `step` has finished (reductions, kernels, views).
interface Availability {
  readonly step: number;
  readonly inLoop: boolean;
}

/**
 * Groups nodes into steps (greedily, in topological order).
 *
 * @example
 * planSteps(graph).map((s) => s.kind); // ["kernel", "loop", "loop", ...]
 */
export function planSteps(graph: Graph): Step[] {
  const steps: Step[] = [];
  const available = new Map<number, Availability>();
  const latestLoop = new Map<string, number>();

  const newLoop = (shape: readonly number[]): number => {
    steps.push({
      kind: "loop",
      shape: shape.slice(),
      members: [],
      reductions: [],
      axes: undefined,
    });
    latestLoop.set(shapeKey(shape), steps.length - 1);
    return steps.length - 1;
  };
  const isLoopOf = (index: number, shape: readonly number[]): boolean => {
    const step = steps[index];
    return step?.kind === "loop" && shapesEqual(step.shape, shape);
  };

  for (const node of graph.nodes) {
    if (node.op === "Input" || node.op === "Const") continue;
    const rule = ruleFor(node.op);
    if (rule === undefined) throw new Error(`compile: internal error: no rule for ${node.op}`);
    const deps = node.inputs
      .map((v) => available.get(v))
      .filter((a): a is Availability => a !== undefined);
    const last = deps.reduce((m, a) => Math.max(m, a.step), -1);
    switch (rule.kind) {
      case "view": {
        const source = available.get(node.inputs[0]);
        if (source !== undefined)
          available.set(node.outputs[0], { step: source.step, inLoop: false });
        break;
      }
      case "elementwise": {
        const shape = graph.values[node.outputs[0]].shape;
        let target = last < 0 ? (latestLoop.get(shapeKey(shape)) ?? -1) : last;
        const blocked = deps.some((a) => a.step === target && !a.inLoop);
        if (target < 0 || blocked || !isLoopOf(target, shape)) target = newLoop(shape);
        (steps[target] as LoopStep).members.push(node);
        available.set(node.outputs[0], { step: target, inLoop: true });
        break;
      }
      case "reduction": {
        const shape = graph.values[node.inputs[0]].shape;
        const axes = (rule as ReductionRule).axes(node, shape);
        let target = last < 0 ? (latestLoop.get(shapeKey(shape)) ?? -1) : last;
        const fits = (index: number): boolean => {
          if (!isLoopOf(index, shape) || deps.some((a) => a.step === index && !a.inLoop))
            return false;
          const step = steps[index] as LoopStep;
          return step.axes === undefined || shapesEqual(step.axes, axes);
        };
        if (target < 0 || !fits(target)) target = newLoop(shape);
        const step = steps[target] as LoopStep;
        step.reductions.push(node);
        step.axes = axes;
        available.set(node.outputs[0], { step: target, inLoop: false });
        break;
      }
      case "kernel": {
        steps.push({ kind: "kernel", node });
        for (const v of node.outputs) available.set(v, { step: steps.length - 1, inLoop: false });
        break;
      }
    }
  }
  return steps;
}

function shapeKey(shape: readonly number[]): string {
  return shape.join(",");
}
