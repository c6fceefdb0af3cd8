/**
 * Reductions over axes (Sum, Mean, Prod, Max, Min, All, Any) as accumulators that the emitter
 * fuses into the loop producing their input, and ArgMax / ArgMin as kernels of their own.
 */
import type { GraphNode } from "../graph.js";
import { type CheckedRule, type KernelRule, normalizeAxes, type ReductionRule } from "./rule.js";

function reduction(
  axisAttr: string,
  init: string,
  update: (acc: string, x: string) => string,
  finish?: (acc: string, count: number) => string,
): ReductionRule {
  return {
    kind: "reduction",
    init,
    update,
    finish,
    axes: (node, inputShape) => normalizeAxes(node.attrs[axisAttr], inputShape.length),
  };
}

// tfjs's cpu Max and Min let NaN win.
const maxUpdate = (acc: string, x: string) => `(${x} > ${acc} || ${x} !== ${x} ? ${x} : ${acc})`;
const minUpdate = (acc: string, x: string) => `(${x} < ${acc} || ${x} !== ${x} ? ${x} : ${acc})`;

/** ArgMax / ArgMin along one axis: the first index of the extreme value (int32). */
function argExtreme(better: string): KernelRule {
  return {
    kind: "kernel",
    emit(node: GraphNode, ctx) {
      const shape = ctx.graph.values[node.inputs[0]].shape;
      const [axis] = normalizeAxes(node.attrs.axis, shape.length);
      const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
      const n = shape[axis];
      const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
      const x = ctx.local("x");
      const out = ctx.local("out");
      return `const ${x} = ${ctx.array(node.inputs[0])}, ${out} = ${ctx.array(node.outputs[0])};
for (let o = 0; o < ${outer}; o++) for (let k = 0; k < ${inner}; k++) {
  let best = ${x}[o * ${n * inner} + k], at = 0;
  for (let j = 1; j < ${n}; j++) { const v = ${x}[(o * ${n} + j) * ${inner} + k]; if (v ${better} best) { best = v; at = j; } }
  ${out}[o * ${inner} + k] = at;
}`;
    },
  };
}

/** The reduction rules, by tfjs kernel name. */
export const reductionRules: Record<string, CheckedRule> = {
  Sum: reduction("axis", "0", (acc, x) => `${acc} + ${x}`),
  Mean: reduction(
    "axis",
    "0",
    (acc, x) => `${acc} + ${x}`,
    (acc, count) => `${acc} / ${count}`,
  ),
  Prod: reduction("axis", "1", (acc, x) => `${acc} * ${x}`),
  Max: reduction("reductionIndices", "-Infinity", maxUpdate),
  Min: reduction("axis", "Infinity", minUpdate),
  All: reduction("axis", "1", (acc, x) => `(${acc} !== 0 && ${x} !== 0 ? 1 : 0)`),
  Any: reduction("axis", "0", (acc, x) => `(${acc} !== 0 || ${x} !== 0 ? 1 : 0)`),
  ArgMax: argExtreme(">"),
  ArgMin: argExtreme("<"),
};
