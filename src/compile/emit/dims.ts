/**
 * Loop-nest shapes: strides of broadcast operands, and merging of adjacent loop dimensions that
 * every operand walks contiguously, so that most loops come out one or two deep.
 */
import { stridesOf } from "../../util/shapes.js";

/**
 * Strides of an operand of shape `shape` read inside a loop over `loopShape` (right-aligned
 * NumPy broadcasting): 0 along dimensions the operand broadcasts over.
 *
 * @example
 * broadcastStrides([3, 1], [2, 3, 4]); // [0, 1, 0]
 */
export function broadcastStrides(shape: readonly number[], loopShape: readonly number[]): number[] {
  const own = stridesOf(shape);
  const offset = loopShape.length - shape.length;
  return loopShape.map((_, j) => {
    const i = j - offset;
    return i < 0 || shape[i] === 1 ? 0 : own[i];
  });
}

/** A loop nest: sizes and, per operand, a stride per loop. */
export interface LoopNest {
  readonly dims: number[];
  readonly strides: number[][];
}

/**
 * Drops loops of size 1 and merges each loop into the next one when every operand's stride
 * allows it (outer stride = inner stride x inner size).
 *
 * @example
 * collapse([2, 3, 4], [[12, 4, 1], [0, 0, 0]]); // { dims: [24], strides: [[1], [0]] }
 */
export function collapse(
  dims: readonly number[],
  strides: readonly (readonly number[])[],
): LoopNest {
  const keep = dims.map((d) => d !== 1);
  let outDims = dims.filter((_, i) => keep[i]);
  let outStrides = strides.map((s) => s.filter((_, i) => keep[i]));
  for (let d = outDims.length - 2; d >= 0; d--) {
    const inner = outDims[d + 1];
    if (!outStrides.every((s) => s[d] === s[d + 1] * inner)) continue;
    outDims = [...outDims.slice(0, d), outDims[d] * inner, ...outDims.slice(d + 2)];
    outStrides = outStrides.map((s) => [...s.slice(0, d), s[d + 1], ...s.slice(d + 2)]);
  }
  return { dims: outDims, strides: outStrides };
}
