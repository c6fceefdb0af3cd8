/**
 * BatchMatMul, with transposes and broadcast batch dimensions. Rows of A contiguous: dot
 * products over k innermost; otherwise (A transposed) k outermost, accumulating rows of the
 * output, so that both operands stream through memory.
 */
import { sizeOf, stridesOf } from "../../util/shapes.js";
import { broadcastStrides } from "../emit/dims.js";
import type { CheckedRule } from "./rule.js";

const batchMatMul: CheckedRule = {
  kind: "kernel",
  emit(node, ctx) {
    const [aValue, bValue] = node.inputs;
    const aShape = ctx.graph.values[aValue].shape;
    const bShape = ctx.graph.values[bValue].shape;
    const outShape = ctx.graph.values[node.outputs[0]].shape;
    const transposeA = node.attrs.transposeA === true;
    const transposeB = node.attrs.transposeB === true;
    const M = outShape[outShape.length - 2];
    const N = outShape[outShape.length - 1];
    const K = transposeA ? aShape[aShape.length - 2] : aShape[aShape.length - 1];
    // A(i, k) = a[aBase + i * aI + k * aK], B(k, j) = b[bBase + k * bK + j * bJ].
    const aI = transposeA ? 1 : K;
    const aK = transposeA ? M : 1;
    const bK = transposeB ? 1 : N;
    const bJ = transposeB ? K : 1;

    const batchShape = outShape.slice(0, -2);
    const batches = sizeOf(batchShape);
    const baseOf = (shape: readonly number[], matrixSize: number): number[] => {
      const strides = broadcastStrides(shape.slice(0, -2), batchShape);
      const outStrides = stridesOf(batchShape);
      return Array.from({ length: batches }, (_, flat) =>
        strides.reduce(
          (acc, s, d) => acc + (Math.floor(flat / outStrides[d]) % batchShape[d]) * s * matrixSize,
          0,
        ),
      );
    };
    const a = ctx.local("a");
    const b = ctx.local("b");
    const out = ctx.local("out");
    let code = `const ${a} = ${ctx.array(aValue)}, ${b} = ${ctx.array(bValue)}, ${out} = ${ctx.array(node.outputs[0])};\n`;
    const term = (v: string, s: number): string => (s === 1 ? ` + ${v}` : ` + ${v} * ${s}`);
    const aAt = (i: string, k: string) => `${a}[ab${term(i, aI)}${term(k, aK)}]`;
    const bAt = (k: string, j: string) => `${b}[bb${term(k, bK)}${term(j, bJ)}]`;
    let body: string;
    if (aK === 1) {
      body = `for (let i = 0; i < ${M}; i++) for (let j = 0; j < ${N}; j++) {
  let acc = 0;
  for (let k = 0; k < ${K}; k++) acc += ${aAt("i", "k")} * ${bAt("k", "j")};
  ${out}[ob + i * ${N} + j] = acc;
}`;
    } else if (M > N) {
      // A transposed, with more rows than columns (the backward product X^T g of a regression):
      // the long i loop innermost, over contiguous A(i, k), with B(k, j) loaded once.
      body = `for (let t = 0; t < ${M * N}; t++) ${out}[ob + t] = 0;
for (let k = 0; k < ${K}; k++) for (let j = 0; j < ${N}; j++) {
  const bkj = ${bAt("k", "j")};
  for (let i = 0; i < ${M}; i++) ${out}[ob + i * ${N} + j] += ${aAt("i", "k")} * bkj;
}`;
    } else {
      body = `for (let t = 0; t < ${M * N}; t++) ${out}[ob + t] = 0;
for (let k = 0; k < ${K}; k++) for (let i = 0; i < ${M}; i++) {
  const aik = ${aAt("i", "k")};
  for (let j = 0; j < ${N}; j++) ${out}[ob + i * ${N} + j] += aik * ${bAt("k", "j")};
}`;
    }
    if (batches === 1) return `${code}{ const ab = 0, bb = 0, ob = 0;\n${body}\n}`;
    const aBases = ctx.table(baseOf(aShape, aShape.at(-1)! * aShape.at(-2)!));
    const bBases = ctx.table(baseOf(bShape, bShape.at(-1)! * bShape.at(-2)!));
    code += `for (let batch = 0; batch < ${batches}; batch++) {
const ab = ${aBases}[batch], bb = ${bBases}[batch], ob = batch * ${M * N};
${body}
}`;
    return code;
  },
};

/** The matrix-product rules, by tfjs kernel name. */
export const matmulRules: Record<string, CheckedRule> = {
  BatchMatMul: batchMatMul,
};
