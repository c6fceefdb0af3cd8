/**
 * Indexing kernels: GatherV2, its gradient UnsortedSegmentSum, and OneHot. Indices are read as
 * float64 integers; out-of-range indices read NaN (gather) or are dropped (segment sums, one-hot).
 */
import { sizeOf } from "../../util/shapes.js";
import { constantData, type Graph, type GraphNode, producersOf } from "../graph.js";
import { type CheckedRule, literal, normalizeAxes, numberAttr, sizeAttr } from "./rule.js";

const shapeOf = (graph: Graph, value: number): readonly number[] => graph.values[value].shape;

const gatherV2: CheckedRule = {
  kind: "kernel",
  check(node, graph) {
    if (Number(node.attrs.batchDims ?? 0) !== 0) return "GatherV2 with batchDims > 0";
    const data = constantData(producersOf(graph).get(node.inputs[1]));
    if (data !== undefined) {
      const shape = shapeOf(graph, node.inputs[0]);
      const [axis] = normalizeAxes(node.attrs.axis, shape.length);
      const bad = data.find((i) => !(Number.isInteger(i) && i >= 0 && i < shape[axis]));
      if (bad !== undefined) return `GatherV2 index ${bad} outside [0, ${shape[axis]})`;
    }
    return undefined;
  },
  emit(node, ctx) {
    const [xValue, indexValue] = node.inputs;
    const shape = shapeOf(ctx.graph, xValue);
    const [axis] = normalizeAxes(node.attrs.axis, shape.length);
    const outer = sizeOf(shape.slice(0, axis));
    const inner = sizeOf(shape.slice(axis + 1));
    const n = sizeOf(shapeOf(ctx.graph, indexValue));
    const size = shape[axis];
    const x = ctx.local("x");
    const out = ctx.local("out");
    const head = `const ${x} = ${ctx.array(xValue)}, ${out} = ${ctx.array(node.outputs[0])};\n`;
    const index = ctx.element(indexValue, "j");
    if (inner === 1) {
      return `${head}for (let o = 0; o < ${outer}; o++) for (let j = 0; j < ${n}; j++) ${out}[o * ${n} + j] = ${x}[o * ${size} + ${index}];`;
    }
    return `${head}for (let o = 0; o < ${outer}; o++) for (let j = 0; j < ${n}; j++) {
  const s = (o * ${size} + ${index}) * ${inner}, t = (o * ${n} + j) * ${inner};
  for (let k = 0; k < ${inner}; k++) ${out}[t + k] = ${x}[s + k];
}`;
  },
};

const unsortedSegmentSum: CheckedRule = {
  kind: "kernel",
  emit(node, ctx) {
    const [xValue, idsValue] = node.inputs;
    const n = sizeOf(shapeOf(ctx.graph, idsValue));
    const inner = sizeOf(shapeOf(ctx.graph, xValue)) / Math.max(n, 1);
    const segments = sizeAttr(node, "numSegments");
    const x = ctx.local("x");
    const out = ctx.local("out");
    return `const ${x} = ${ctx.array(xValue)}, ${out} = ${ctx.array(node.outputs[0])};
${out}.fill(0);
for (let j = 0; j < ${n}; j++) {
  const s = ${ctx.element(idsValue, "j")};
  if (s >= 0 && s < ${segments}) for (let k = 0; k < ${inner}; k++) ${out}[s * ${inner} + k] += ${x}[j * ${inner} + k];
}`;
  },
};

const oneHot: CheckedRule = {
  kind: "kernel",
  emit(node: GraphNode, ctx) {
    const indexValue = node.inputs[0];
    const n = sizeOf(shapeOf(ctx.graph, indexValue));
    const depth = sizeAttr(node, "depth");
    const out = ctx.local("out");
    return `const ${out} = ${ctx.array(node.outputs[0])};
${out}.fill(${literal(numberAttr(node, "offValue", 0))});
for (let j = 0; j < ${n}; j++) {
  const s = ${ctx.element(indexValue, "j")};
  if (s >= 0 && s < ${depth}) ${out}[j * ${depth} + s] = ${literal(numberAttr(node, "onValue", 1))};
}`;
  },
};

/** The indexing rules, by tfjs kernel name. */
export const gatherRules: Record<string, CheckedRule> = {
  GatherV2: gatherV2,
  UnsortedSegmentSum: unsortedSegmentSum,
  OneHot: oneHot,
};
