/**
 * Softmax along the last axis, shifted by the row maximum. (tf.logSoftmax is not a kernel:
 * tfjs composes it from Max, Sub, Exp, Sum and Log, which the compiler fuses.)
 */
import { sizeOf } from "../../util/shapes.js";
import { type CheckedRule, normalizeAxes } from "./rule.js";

const softmax: CheckedRule = {
  kind: "kernel",
  check(node, graph) {
    const rank = graph.values[node.inputs[0]].shape.length;
    const [dim] = normalizeAxes(node.attrs.dim ?? -1, rank);
    return dim === rank - 1 ? undefined : `Softmax along axis ${dim}, not the last`;
  },
  emit(node, ctx) {
    const shape = ctx.graph.values[node.inputs[0]].shape;
    const n = shape.length === 0 ? 1 : shape[shape.length - 1];
    const rows = sizeOf(shape) / Math.max(n, 1);
    const x = ctx.local("x");
    const out = ctx.local("out");
    return `const ${x} = ${ctx.array(node.inputs[0])}, ${out} = ${ctx.array(node.outputs[0])};
for (let r = 0; r < ${rows}; r++) {
  const base = r * ${n};
  let max = -Infinity;
  for (let j = 0; j < ${n}; j++) { const v = ${x}[base + j]; if (v > max || v !== v) max = v; }
  let total = 0;
  for (let j = 0; j < ${n}; j++) { const e = Math.exp(${x}[base + j] - max); ${out}[base + j] = e; total += e; }
  for (let j = 0; j < ${n}; j++) ${out}[base + j] /= total;
}`;
  },
};

/** The softmax rules, by tfjs kernel name. */
export const softmaxRules: Record<string, CheckedRule> = {
  Softmax: softmax,
};
