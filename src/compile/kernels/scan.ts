/**
 * Running sums and products along an axis (Cumsum, Cumprod), inclusive or exclusive, forwards
 * or in reverse.
 */
import { sizeOf } from "../../util/shapes.js";
import type { GraphNode } from "../graph.js";
import { type CheckedRule, type KernelContext, normalizeAxes } from "./rule.js";

function scan(init: string, operator: string): CheckedRule {
  return {
    kind: "kernel",
    emit(node: GraphNode, ctx: KernelContext) {
      const shape = ctx.graph.values[node.inputs[0]].shape;
      const [axis] = normalizeAxes(node.attrs.axis, shape.length);
      const outer = sizeOf(shape.slice(0, axis));
      const n = shape[axis];
      const inner = sizeOf(shape.slice(axis + 1));
      const exclusive = node.attrs.exclusive === true;
      const reverse = node.attrs.reverse === true;
      const x = ctx.local("x");
      const out = ctx.local("out");
      const step = exclusive
        ? `${out}[p] = acc; acc ${operator} ${x}[p];`
        : `acc ${operator} ${x}[p]; ${out}[p] = acc;`;
      const loop = reverse
        ? `for (let j = ${n - 1}; j >= 0; j--)`
        : `for (let j = 0; j < ${n}; j++)`;
      return `const ${x} = ${ctx.array(node.inputs[0])}, ${out} = ${ctx.array(node.outputs[0])};
for (let o = 0; o < ${outer}; o++) for (let k = 0; k < ${inner}; k++) {
  let acc = ${init};
  ${loop} { const p = (o * ${n} + j) * ${inner} + k; ${step} }
}`;
    },
  };
}

/** The scan rules, by tfjs kernel name. */
export const scanRules: Record<string, CheckedRule> = {
  Cumsum: scan("0", "+="),
  Cumprod: scan("1", "*="),
};
