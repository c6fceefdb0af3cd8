/**
 * Indexing kernels: GatherV2, its gradient UnsortedSegmentSum, OneHot, and the N-d family
 * GatherNd, ScatterNd and TensorScatterUpdate. Indices are read as float64 integers;
 * out-of-range indices read NaN (gathers) or are dropped (segment sums, one-hot, scatters).
 */
import { sizeOf } from "../../util/shapes.js";
import { constantData, type Graph, type GraphNode, producersOf } from "../graph.js";
import {
  type CheckedRule,
  fillStatement,
  type KernelContext,
  literal,
  normalizeAxes,
  numberAttr,
  sizeAttr,
} from "./rule.js";

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
${fillStatement(out, segments * inner, "0")}
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
${fillStatement(out, n * depth, literal(numberAttr(node, "offValue", 0)))}
for (let j = 0; j < ${n}; j++) {
  const s = ${ctx.element(indexValue, "j")};
  if (s >= 0 && s < ${depth}) ${out}[j * ${depth} + s] = ${literal(numberAttr(node, "onValue", 1))};
}`;
  },
};

// The N-d kernels address slices of a target of shape `shape` by index vectors of length K
// (the last dim of `indices`): vector j names the slice of size prod(shape[K:]) at
// sum_d index[j, d] * stride_d, the strides of shape[:K] in slices.
interface NdLayout {
  /** Number of index vectors. */
  readonly count: number;
  /** Length K of each index vector. */
  readonly depth: number;
  /** Elements per addressed slice. */
  readonly slice: number;
  /** shape[:K]. */
  readonly outer: readonly number[];
}

function ndLayout(targetShape: readonly number[], indicesShape: readonly number[]): NdLayout {
  const depth = indicesShape[indicesShape.length - 1] ?? 0;
  return {
    count: sizeOf(indicesShape.slice(0, -1)),
    depth,
    slice: sizeOf(targetShape.slice(depth)),
    outer: targetShape.slice(0, depth),
  };
}

// Statements that set `position` to the slice number index vector `j` names, or -1 when out of range.
function slicePosition(ctx: KernelContext, indexValue: number, layout: NdLayout): string {
  const parts = layout.outer.map((size, d) => {
    const v = `i${d}`;
    return `const ${v} = ${ctx.element(indexValue, `j * ${layout.depth} + ${d}`)};
if (!(${v} >= 0 && ${v} < ${size})) position = -1; else if (position >= 0) position = position * ${size} + ${v};`;
  });
  return `let position = 0;\n${parts.join("\n")}`;
}

const gatherNd: CheckedRule = {
  kind: "kernel",
  emit(node, ctx) {
    const [xValue, indexValue] = node.inputs;
    const layout = ndLayout(shapeOf(ctx.graph, xValue), shapeOf(ctx.graph, indexValue));
    const x = ctx.local("x");
    const out = ctx.local("out");
    const s = layout.slice;
    return `const ${x} = ${ctx.array(xValue)}, ${out} = ${ctx.array(node.outputs[0])};
for (let j = 0; j < ${layout.count}; j++) {
  ${slicePosition(ctx, indexValue, layout)}
  for (let k = 0; k < ${s}; k++) ${out}[j * ${s} + k] = position < 0 ? NaN : ${x}[position * ${s} + k];
}`;
  },
};

// ScatterNd sums updates into zeros; TensorScatterUpdate overwrites a copy of the tensor (the
// last update of a repeated index wins, as in tfjs's cpu kernel).
function scatterRule(mode: "sum" | "update"): CheckedRule {
  return {
    kind: "kernel",
    emit(node, ctx) {
      const [indexValue, updatesValue] =
        mode === "sum" ? node.inputs : [node.inputs[1], node.inputs[2]];
      const outShape = shapeOf(ctx.graph, node.outputs[0]);
      const layout = ndLayout(outShape, shapeOf(ctx.graph, indexValue));
      const u = ctx.local("u");
      const out = ctx.local("out");
      const s = layout.slice;
      const init =
        mode === "sum"
          ? fillStatement(out, sizeOf(outShape), "0")
          : `{ const t = ${ctx.array(node.inputs[0])}; for (let k = 0; k < ${sizeOf(outShape)}; k++) ${out}[k] = t[k]; }`;
      return `const ${u} = ${ctx.array(updatesValue)}, ${out} = ${ctx.array(node.outputs[0])};
${init}
for (let j = 0; j < ${layout.count}; j++) {
  ${slicePosition(ctx, indexValue, layout)}
  if (position >= 0) for (let k = 0; k < ${s}; k++) ${out}[position * ${s} + k] ${mode === "sum" ? "+=" : "="} ${u}[j * ${s} + k];
}`;
    },
  };
}

/** The indexing rules, by tfjs kernel name. */
export const gatherRules: Record<string, CheckedRule> = {
  GatherV2: gatherV2,
  UnsortedSegmentSum: unsortedSegmentSum,
  OneHot: oneHot,
  GatherNd: gatherNd,
  ScatterNd: scatterRule("sum"),
  TensorScatterUpdate: scatterRule("update"),
};
