/**
 * Kernels that make tensors from attributes alone (Fill, Range, LinSpace). They have no inputs,
 * so constant folding turns them into constants; these rules are what folding evaluates.
 */
import { sizeOf } from "../../util/shapes.js";
import type { GraphNode } from "../graph.js";
import { type CheckedRule, type KernelContext, literal, numberAttr } from "./rule.js";

function generator(element: (node: GraphNode) => string): CheckedRule {
  return {
    kind: "kernel",
    emit(node: GraphNode, ctx: KernelContext) {
      const out = ctx.local("out");
      const n = sizeOf(ctx.graph.values[node.outputs[0]].shape);
      return `const ${out} = ${ctx.array(node.outputs[0])};\nfor (let i = 0; i < ${n}; i++) ${out}[i] = ${element(node)};`;
    },
  };
}

const num = (node: GraphNode, name: string): number => numberAttr(node, name);

/** The creation rules, by tfjs kernel name. */
export const creationRules: Record<string, CheckedRule> = {
  Fill: generator((node) => literal(num(node, "value"))),
  Range: generator((node) => `${literal(num(node, "start"))} + i * ${literal(num(node, "step"))}`),
  LinSpace: generator((node) => {
    const start = num(node, "start");
    const count = num(node, "num");
    const step = count > 1 ? (num(node, "stop") - start) / (count - 1) : 0;
    return `${literal(start)} + i * ${literal(step)}`;
  }),
};
