/**
 * Algebraic simplification of the patterns tfjs gradients produce: multiplications by ones,
 * additions of zeros, reductions and reshapes that change nothing, identity transposes and
 * slices, products with powers of two in a row, additions of negations, and Add-of-PadV2
 * chains (the gradients of slices) that become in-place region adds.
 * Every rule keeps values exactly (up to the sign of zero) but one: log(exp(x)) becomes x, the
 * exact value, where the two calls round (by an ulp or so) and exp overflows above 709 (the
 * gradient's own exp stays). It is a distribution's log-scale when the model gives the scale
 * as exp(s) (stochastic volatility): two transcendental calls per element saved.
 */
import { shapesEqual, sizeOf } from "../../util/shapes.js";
import {
  constantData,
  type Graph,
  type GraphBuilder,
  type GraphNode,
  uniformValue,
} from "../graph.js";
import { ruleFor } from "../kernels/index.js";
import { normalizeAxes } from "../kernels/rule.js";
import { rewriteGraph } from "./rewrite.js";

/**
 * The graph with trivial operations removed.
 *
 * @example
 * // mul(reshape(dy, [1]), ones([3])) becomes broadcastTo(dy, [3]), fused into its consumer
 * simplify(graph);
 */
export function simplify(graph: Graph): Graph {
  return rewriteGraph(graph, (node, b) => simplifyNode(node, b));
}

function simplifyNode(node: GraphNode, b: GraphBuilder): number | undefined {
  if (node.outputs.length !== 1) return undefined;
  const out = b.values[node.outputs[0]];
  const inShape = (i: number) => b.values[node.inputs[i]].shape;
  const uniform = (i: number): number | undefined => {
    const data = constantData(b.producer(node.inputs[i]));
    return data === undefined ? undefined : uniformValue(data);
  };
  /** The input, broadcast to the output's shape if needed (same size: a view). */
  const asOutput = (i: number): number => {
    const v = node.inputs[i];
    if (sizeOf(b.values[v].shape) === sizeOf(out.shape)) return v;
    return b.add1("BroadcastTo", [v], { shape: out.shape.slice() }, out.shape, out.dtype);
  };
  switch (node.op) {
    case "Reshape": {
      const source = b.producer(node.inputs[0]);
      if (source?.op === "Reshape") return b.reshape(source.inputs[0], out.shape);
      return shapesEqual(inShape(0), out.shape) ? node.inputs[0] : undefined;
    }
    case "Identity":
      return node.inputs[0];
    case "Cast":
      return losslessCast(b.values[node.inputs[0]].dtype, out.dtype) ? node.inputs[0] : undefined;
    case "Multiply":
      if (uniform(1) === 1) return asOutput(0);
      if (uniform(0) === 1) return asOutput(1);
      return scalingOfScaling(node, b);
    case "Add":
      if (isZero(uniform(1))) return asOutput(0);
      if (isZero(uniform(0))) return asOutput(1);
      return addOfNeg(node, b) ?? addOfPad(node, b);
    case "Sub":
      if (isZero(uniform(1))) return asOutput(0);
      if (isZero(uniform(0))) return b.add1("Neg", [asOutput(1)], {}, out.shape, out.dtype);
      return undefined;
    case "RealDiv":
      return uniform(1) === 1 ? asOutput(0) : undefined;
    case "Neg": {
      const source = b.producer(node.inputs[0]);
      return source?.op === "Neg" ? source.inputs[0] : undefined;
    }
    case "Log": {
      const source = b.producer(node.inputs[0]);
      return source?.op === "Exp" && out.dtype === "float32" ? source.inputs[0] : undefined;
    }
    case "ZerosLike":
    case "OnesLike":
    case "Fill":
      return b.constant(
        new Float64Array(sizeOf(out.shape)).fill(
          node.op === "ZerosLike" ? 0 : node.op === "OnesLike" ? 1 : Number(node.attrs.value),
        ),
        out.shape,
        out.dtype,
      );
    case "BroadcastTo":
      return shapesEqual(inShape(0), out.shape) ? node.inputs[0] : undefined;
    case "Tile":
      return tile(node, b);
    case "Select": {
      const condition = uniform(0);
      if (condition === undefined) return undefined;
      return asOutput(condition !== 0 ? 1 : 2);
    }
    case "Transpose": {
      const perm = node.attrs.perm as number[];
      const moved = perm.filter((p, i) => p !== i && inShape(0)[p] !== 1);
      return moved.length === 0 ? node.inputs[0] : undefined;
    }
    case "Slice":
    case "StridedSlice":
    case "PadV2":
    case "Concat":
    case "Pack":
    case "Reverse":
      // Same size in and out: nothing moves (a full slice, zero padding, one input, ...).
      return node.inputs.length === 1 &&
        sizeOf(inShape(0)) === sizeOf(out.shape) &&
        !reorders(node, inShape(0))
        ? node.inputs[0]
        : undefined;
    default: {
      const rule = ruleFor(node.op);
      if (rule?.kind !== "reduction") return undefined;
      const shape = inShape(0);
      const axes = rule.axes(node, shape);
      return axes.every((a) => shape[a] === 1) ? node.inputs[0] : undefined;
    }
  }
}

/** A power of two other than zero: a product with it is exact (short of overflow). */
function isPowerOfTwo(x: number | undefined): x is number {
  if (x === undefined || x === 0 || !Number.isFinite(x)) return false;
  const m = Math.abs(x) / 2 ** Math.floor(Math.log2(Math.abs(x)));
  return m === 1;
}

/**
 * (y * c1) * c2 with powers of two c1, c2 (a square's gradient 2x, halved by a Normal's -1/2):
 * y * (c1 c2), or y itself when c1 c2 = 1. Both products are exact, so this one is the same.
 */
function scalingOfScaling(node: GraphNode, b: GraphBuilder): number | undefined {
  const out = b.values[node.outputs[0]];
  const scalar = (v: number): number | undefined => {
    if (sizeOf(b.values[v].shape) !== 1) return undefined;
    const data = constantData(b.producer(v));
    return data === undefined ? undefined : data[0];
  };
  for (const [inner, outer] of [
    [0, 1],
    [1, 0],
  ]) {
    const c2 = scalar(node.inputs[outer]);
    const product = b.producer(node.inputs[inner]);
    if (!isPowerOfTwo(c2) || product?.op !== "Multiply") continue;
    for (const k of [0, 1]) {
      const c1 = scalar(product.inputs[k]);
      const y = product.inputs[1 - k];
      if (!isPowerOfTwo(c1) || !shapesEqual(b.values[y].shape, out.shape)) continue;
      if (c1 * c2 === 1) return y;
      const c = b.constant(Float64Array.of(c1 * c2), [], out.dtype);
      return b.add1("Multiply", [y, c], {}, out.shape, out.dtype);
    }
  }
  return undefined;
}

function isZero(x: number | undefined): boolean {
  return x === 0;
}

function losslessCast(from: string, to: string): boolean {
  return from === to || to === "float32" || (to === "int32" && from === "bool");
}

/** Reverse of a dimension longer than 1 reorders data even though the size is kept. */
function reorders(node: GraphNode, shape: readonly number[]): boolean {
  if (node.op !== "Reverse" && node.op !== "StridedSlice") return false;
  if (node.op === "StridedSlice") return (node.attrs.strides as number[]).some((s) => s !== 1);
  return normalizeAxes(node.attrs.dims, shape.length).some((d) => shape[d] > 1);
}

/** Tile that only repeats size-1 dimensions is a broadcast (fusable). */
function tile(node: GraphNode, b: GraphBuilder): number | undefined {
  const shape = b.values[node.inputs[0]].shape;
  const out = b.values[node.outputs[0]];
  const reps = node.attrs.reps as number[];
  if (reps.every((r, d) => r === 1 || shape[d] === 1)) {
    if (shapesEqual(shape, out.shape)) return node.inputs[0];
    return b.add1(
      "BroadcastTo",
      [node.inputs[0]],
      { shape: out.shape.slice() },
      out.shape,
      out.dtype,
    );
  }
  return undefined;
}

/** a + (-b) and (-b) + a: a - b (one operation fewer, the same value). */
function addOfNeg(node: GraphNode, b: GraphBuilder): number | undefined {
  const out = b.values[node.outputs[0]];
  for (const k of [1, 0]) {
    const neg = b.producer(node.inputs[k]);
    if (neg?.op !== "Neg") continue;
    return b.add1("Sub", [node.inputs[1 - k], neg.inputs[0]], {}, out.shape, out.dtype);
  }
  return undefined;
}

/** a + pad(d) with a of the output's shape: add d into a region of a. */
function addOfPad(node: GraphNode, b: GraphBuilder): number | undefined {
  const out = b.values[node.outputs[0]];
  for (const [padIndex, otherIndex] of [
    [1, 0],
    [0, 1],
  ]) {
    const pad = b.producer(node.inputs[padIndex]);
    const other = node.inputs[otherIndex];
    if (pad?.op !== "PadV2" || Number(pad.attrs.constantValue ?? 0) !== 0) continue;
    if (
      !shapesEqual(b.values[other].shape, out.shape) ||
      !shapesEqual(b.values[pad.outputs[0]].shape, out.shape)
    ) {
      continue;
    }
    return b.add1(
      "AddPadded",
      [other, pad.inputs[0]],
      { paddings: pad.attrs.paddings },
      out.shape,
      out.dtype,
    );
  }
  return undefined;
}
