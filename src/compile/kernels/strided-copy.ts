/**
 * One loop nest that moves data between two strided views of flat arrays. Transpose, slices,
 * padding, concatenation, stacking and reversal are all this with different offsets and strides.
 */
import { collapse } from "../emit/dims.js";

/** A strided view: element (i0, i1, ...) is `name[offset + i0 * strides[0] + ...]`. */
export interface StridedView {
  readonly name: string;
  /** A number, or an expression (such as a function argument). */
  readonly offset: number | string;
  readonly strides: readonly number[];
}

/**
 * Statements that assign (or add) every element of `source` to `target` over `dims`.
 * Loop variables are named `i0`, `i1`, ...; wrap the result in a block.
 *
 * @example
 * stridedCopy([2, 3], { name: "out", offset: 0, strides: [3, 1] }, { name: "x", offset: 0, strides: [1, 2] }, "=");
 */
export function stridedCopy(
  dims: readonly number[],
  target: StridedView,
  source: StridedView,
  operator: "=" | "+=",
): string {
  if (dims.some((d) => d === 0)) return "";
  const nest = collapse(dims, [target.strides, source.strides]);
  const [ts, ss] = nest.strides;
  const rank = nest.dims.length;
  const index = (base: number | string, strides: readonly number[]): string => {
    const terms = strides
      .map((s, d) => (s === 0 ? "" : s === 1 ? `i${d}` : `i${d} * ${s}`))
      .filter((t) => t !== "");
    if (base !== 0 || terms.length === 0) terms.unshift(String(base));
    return terms.join(" + ");
  };
  let code = `${target.name}[${index(target.offset, ts)}] ${operator} ${source.name}[${index(source.offset, ss)}];`;
  for (let d = rank - 1; d >= 0; d--)
    code = `for (let i${d} = 0; i${d} < ${nest.dims[d]}; i${d}++) ${code}`;
  return code;
}
