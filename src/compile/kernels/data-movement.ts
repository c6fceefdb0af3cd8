/**
 * Kernels that move data without arithmetic: transpose, slices, padding, concatenation,
 * stacking, splitting, reversal and tiling; plus Reshape, a view that emits nothing.
 */
import { tf } from "../../tf.js";
import { sizeOf, stridesOf } from "../../util/shapes.js";
import type { GraphNode } from "../graph.js";
import {
  type CheckedRule,
  fillStatement,
  integerListAttr,
  type KernelContext,
  type KernelRule,
  literal,
  normalizeAxes,
  numberAttr,
} from "./rule.js";
import { type StridedView, stridedCopy } from "./strided-copy.js";

function kernel(
  emit: (node: GraphNode, ctx: KernelContext) => string,
  inPlace = false,
): KernelRule {
  return { kind: "kernel", emit, inPlace };
}

const shapeOf = (ctx: KernelContext, value: number): readonly number[] =>
  ctx.graph.values[value].shape;

function contiguous(name: string, shape: readonly number[], offset = 0): StridedView {
  return { name, offset, strides: stridesOf(shape) };
}

function declare(ctx: KernelContext, value: number, prefix: string): [string, string] {
  const name = ctx.local(prefix);
  return [name, `const ${name} = ${ctx.array(value)};\n`];
}

/** Begin and size of a Slice, with tfjs's conventions (a number for rank 1, -1 = to the end). */
function sliceBounds(
  node: GraphNode,
  shape: readonly number[],
): { begin: number[]; size: number[] } {
  const asList = (name: string, fill: number): number[] =>
    integerListAttr(node, name)?.slice() ?? new Array(shape.length).fill(fill);
  const begin = asList("begin", 0);
  while (begin.length < shape.length) begin.push(0);
  const size = asList("size", -1);
  while (size.length < shape.length) size.push(-1);
  return { begin, size: size.map((s, d) => (s === -1 ? shape[d] - begin[d] : s)) };
}

const transpose = kernel((node, ctx) => {
  const shape = shapeOf(ctx, node.inputs[0]);
  const perm = integerListAttr(node, "perm") ?? [];
  const inStrides = stridesOf(shape);
  const [x, dx] = declare(ctx, node.inputs[0], "x");
  const [out, dout] = declare(ctx, node.outputs[0], "out");
  const dims = perm.map((p) => shape[p]);
  const source = { name: x, offset: 0, strides: perm.map((p) => inStrides[p]) };
  return dx + dout + stridedCopy(dims, contiguous(out, dims), source, "=");
});

const slice = kernel((node, ctx) => {
  const shape = shapeOf(ctx, node.inputs[0]);
  const { begin, size } = sliceBounds(node, shape);
  const strides = stridesOf(shape);
  const [x, dx] = declare(ctx, node.inputs[0], "x");
  const [out, dout] = declare(ctx, node.outputs[0], "out");
  const offset = ctx.number(begin.reduce((acc, b, d) => acc + b * strides[d], 0));
  return dx + dout + stridedCopy(size, contiguous(out, size), { name: x, offset, strides }, "=");
});

const stridedSlice = kernel((node, ctx) => {
  const shape = shapeOf(ctx, node.inputs[0]);
  const a = node.attrs as Record<string, never>;
  const info = tf.slice_util.sliceInfo(
    shape.slice(),
    a.begin,
    a.end,
    a.strides,
    a.beginMask,
    a.endMask,
    a.ellipsisMask,
    a.newAxisMask,
    a.shrinkAxisMask,
  );
  const inStrides = stridesOf(shape);
  const dims = info.finalShapeSparse;
  const offset = ctx.number(info.begin.reduce((acc, b, d) => acc + b * inStrides[d], 0));
  const source = { name: "", offset, strides: info.strides.map((s, d) => s * inStrides[d]) };
  const [x, dx] = declare(ctx, node.inputs[0], "x");
  const [out, dout] = declare(ctx, node.outputs[0], "out");
  return dx + dout + stridedCopy(dims, contiguous(out, dims), { ...source, name: x }, "=");
});

const reverse = kernel((node, ctx) => {
  const shape = shapeOf(ctx, node.inputs[0]);
  const axes = normalizeAxes(node.attrs.dims, shape.length);
  const strides = stridesOf(shape);
  const offset = axes.reduce((acc, d) => acc + (shape[d] - 1) * strides[d], 0);
  const [x, dx] = declare(ctx, node.inputs[0], "x");
  const [out, dout] = declare(ctx, node.outputs[0], "out");
  const source = { name: x, offset, strides: strides.map((s, d) => (axes.includes(d) ? -s : s)) };
  return dx + dout + stridedCopy(shape, contiguous(out, shape), source, "=");
});

/** Copies each input into its place along `axis` of the output (Concat, and Pack with a new axis). */
function joinAlong(node: GraphNode, ctx: KernelContext, axis: number, newAxis: boolean): string {
  const outShape = shapeOf(ctx, node.outputs[0]);
  const outStrides = stridesOf(outShape);
  const [out, dout] = declare(ctx, node.outputs[0], "out");
  let code = dout;
  let position = 0;
  for (const input of node.inputs) {
    const shape = shapeOf(ctx, input);
    const [x, dx] = declare(ctx, input, "x");
    const strides = newAxis ? outStrides.filter((_, d) => d !== axis) : outStrides;
    const target = { name: out, offset: position * outStrides[axis], strides };
    code += `${dx}${stridedCopy(shape, target, contiguous(x, shape), "=")}\n`;
    position += newAxis ? 1 : shape[axis];
  }
  return code;
}

const concat = kernel((node, ctx) => {
  const rank = shapeOf(ctx, node.outputs[0]).length;
  return joinAlong(node, ctx, normalizeAxes(node.attrs.axis, rank)[0], false);
});

const pack = kernel((node, ctx) => {
  const rank = shapeOf(ctx, node.outputs[0]).length;
  return joinAlong(node, ctx, normalizeAxes(node.attrs.axis, rank)[0], true);
});

/** Copies consecutive pieces along `axis` of the input into the outputs (Unpack, SplitV). */
function splitAlong(node: GraphNode, ctx: KernelContext, axis: number, dropAxis: boolean): string {
  const shape = shapeOf(ctx, node.inputs[0]);
  const strides = stridesOf(shape);
  const [x, dx] = declare(ctx, node.inputs[0], "x");
  let code = dx;
  let position = 0;
  for (const output of node.outputs) {
    const outShape = shapeOf(ctx, output);
    const [out, dout] = declare(ctx, output, "out");
    const dims = dropAxis
      ? [...outShape.slice(0, axis), 1, ...outShape.slice(axis)]
      : outShape.slice();
    const source = { name: x, offset: position * strides[axis], strides };
    code += `${dout}${stridedCopy(dims, contiguous(out, dims), source, "=")}\n`;
    position += dims[axis];
  }
  return code;
}

const unpack = kernel((node, ctx) => {
  const rank = shapeOf(ctx, node.inputs[0]).length;
  return splitAlong(node, ctx, normalizeAxes(node.attrs.axis, rank)[0], true);
});

const splitV = kernel((node, ctx) => {
  const rank = shapeOf(ctx, node.inputs[0]).length;
  return splitAlong(node, ctx, normalizeAxes(node.attrs.axis, rank)[0], false);
});

/** The `[before, after]` pairs of a padding, checked to be integers. */
function paddingsOf(node: GraphNode): number[][] {
  const paddings = node.attrs.paddings;
  if (
    !Array.isArray(paddings) ||
    !paddings.every((p) => Array.isArray(p) && p.every((x) => Number.isSafeInteger(x)))
  )
    throw new TypeError(`compile: kernel ${node.op}: attribute paddings must be integer pairs`);
  return paddings as number[][];
}

function padOffset(paddings: readonly (readonly number[])[], outShape: readonly number[]): number {
  const strides = stridesOf(outShape);
  return paddings.reduce((acc, [before], d) => acc + before * strides[d], 0);
}

const padV2 = kernel((node, ctx) => {
  const shape = shapeOf(ctx, node.inputs[0]);
  const outShape = shapeOf(ctx, node.outputs[0]);
  const paddings = paddingsOf(node);
  const [x, dx] = declare(ctx, node.inputs[0], "x");
  const [out, dout] = declare(ctx, node.outputs[0], "out");
  const target = {
    name: out,
    offset: ctx.number(padOffset(paddings, outShape)),
    strides: stridesOf(outShape),
  };
  const fill = `${fillStatement(out, sizeOf(outShape), literal(numberAttr(node, "constantValue", 0)))}\n`;
  return dx + dout + fill + stridedCopy(shape, target, contiguous(x, shape), "=");
});

/**
 * `a + pad(d, paddings)` for the Add-of-PadV2 chains that slice gradients build: adds `d` into
 * a region of `a`, in place when `a` is not needed afterwards.
 */
const addPadded = kernel((node, ctx) => {
  const [aValue, dValue] = node.inputs;
  const outShape = shapeOf(ctx, node.outputs[0]);
  const dShape = shapeOf(ctx, dValue);
  const [out, dout] = declare(ctx, node.outputs[0], "out");
  const [d, dd] = declare(ctx, dValue, "d");
  const paddings = paddingsOf(node);
  let code = dout + dd;
  if (!ctx.inPlace) {
    const [a, da] = declare(ctx, aValue, "a");
    code += `${da}for (let i = 0; i < ${sizeOf(outShape)}; i++) ${out}[i] = ${a}[i];\n`;
  }
  const target = {
    name: out,
    offset: ctx.number(padOffset(paddings, outShape)),
    strides: stridesOf(outShape),
  };
  return code + stridedCopy(dShape, target, contiguous(d, dShape), "+=");
}, true);

const tile = kernel((node, ctx) => {
  const shape = shapeOf(ctx, node.inputs[0]);
  const outShape = shapeOf(ctx, node.outputs[0]);
  const strides = stridesOf(shape);
  const [x, dx] = declare(ctx, node.inputs[0], "x");
  const [out, dout] = declare(ctx, node.outputs[0], "out");
  if (outShape.length === 0) return `${dx}${dout}${out}[0] = ${x}[0];`;
  let body = `${out}[k++] = ${x}[${outShape.map((_, d) => `s${d}`).join(" + ")}];`;
  for (let d = outShape.length - 1; d >= 0; d--) {
    const offset = `const s${d} = (i${d} % ${shape[d]}) * ${strides[d]};`;
    body = `for (let i${d} = 0; i${d} < ${outShape[d]}; i${d}++) { ${offset} ${body} }`;
  }
  return `${dx}${dout}let k = 0;\n${body}`;
});

/** The layout rules, by kernel name (AddPadded is the compiler's own). */
export const layoutRules: Record<string, CheckedRule> = {
  Reshape: { kind: "view" },
  Transpose: transpose,
  Slice: slice,
  StridedSlice: stridedSlice,
  Reverse: reverse,
  Concat: concat,
  Pack: pack,
  Unpack: unpack,
  SplitV: splitV,
  PadV2: padV2,
  AddPadded: addPadded,
  Tile: tile,
};
