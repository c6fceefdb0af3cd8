/**
 * Shape arithmetic and broadcasting over plain row-major arrays, shared by custom ops,
 * distributions and the compiled engine.
 */

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** NumPy broadcasting of shapes, or undefined when they do not broadcast. */
export function tryBroadcastShapes(
  ...shapes: ReadonlyArray<readonly number[]>
): number[] | undefined {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = rank - s.length + i;
      const d = s[i];
      if (out[j] === 1) out[j] = d;
      else if (d !== 1 && d !== out[j]) return undefined;
    }
  }
  return out;
}

/** NumPy broadcasting of shapes; throws naming the shapes when they do not broadcast. */
export function broadcastShapes(...shapes: ReadonlyArray<readonly number[]>): number[] {
  const out = tryBroadcastShapes(...shapes);
  if (out === undefined) {
    throw new Error(`shapes ${shapes.map(formatShape).join(", ")} do not broadcast`);
  }
  return out;
}

/** `[2,3]` as text, for error messages. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}

/** Whether two shapes are equal. */
export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Repeats `values` (of `shape`) to `target`, which `shape` must broadcast to. */
export function broadcastTo(
  values: Float64Array,
  shape: readonly number[],
  target: readonly number[],
): Float64Array {
  if (shapesEqual(shape, target)) return values;
  const size = sizeOf(target);
  const out = new Float64Array(size);
  if (values.length === 1) return out.fill(values[0]);
  const srcStrides = alignedStrides(shape, target);
  const rank = target.length;
  const index = new Array<number>(rank).fill(0);
  let src = 0;
  for (let i = 0; i < size; i++) {
    out[i] = values[src];
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      src += srcStrides[d];
      if (index[d] < target[d]) break;
      src -= srcStrides[d] * index[d];
      index[d] = 0;
    }
  }
  return out;
}

/** Sums `values` (of the broadcast shape `from`) down to `to`, the reverse of `broadcastTo`. */
export function sumTo(
  values: Float64Array,
  from: readonly number[],
  to: readonly number[],
): Float64Array {
  if (shapesEqual(from, to)) return values;
  const out = new Float64Array(sizeOf(to));
  const dstStrides = alignedStrides(to, from);
  const rank = from.length;
  const index = new Array<number>(rank).fill(0);
  let dst = 0;
  for (let i = 0; i < values.length; i++) {
    out[dst] += values[i];
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      dst += dstStrides[d];
      if (index[d] < from[d]) break;
      dst -= dstStrides[d] * index[d];
      index[d] = 0;
    }
  }
  return out;
}

// Strides of `shape` laid against the (longer or equal) `target`: 0 where `shape` broadcasts.
function alignedStrides(shape: readonly number[], target: readonly number[]): number[] {
  const own = stridesOf(shape);
  const offset = target.length - shape.length;
  return target.map((_, j) => {
    const i = j - offset;
    return i < 0 || shape[i] === 1 ? 0 : own[i];
  });
}
