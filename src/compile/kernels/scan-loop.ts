/**
 * The loop kernels of a scan traced once (src/compile/scan): TycheScan runs the step program
 * forward over time, keeping the carry entering each step; TycheScanGrad runs the step's
 * vector-Jacobian product backward over time from those carries (recomputing each step's
 * intermediates, so memory grows with T only by one carry per step). Both programs are
 * inlined into the emitted source as step programs; per iteration the loop copies the carry
 * and the rows into the program's input arrays and the outputs out of its output arrays.
 */
import { sizeOf } from "../../util/shapes.js";
import type { GraphNode } from "../graph.js";
import { carrySize, type ScanPlan } from "../scan/plan.js";
import type { CheckedRule, KernelContext } from "./rule.js";

/** `n` elements from `src[srcAt ...]` to `dst[dstAt ...]`, as statements (`op`: "=" or "+="). */
function copy(dst: string, dstAt: string, src: string, srcAt: string, n: number, op = "="): string {
  if (n === 0) return "";
  const at = (base: string, i: string) => (base === "0" ? i : `${base} + ${i}`);
  if (n === 1) return `${dst}[${dstAt}] ${op} ${src}[${srcAt}];`;
  return `for (let i = 0; i < ${n}; i++) ${dst}[${at(dstAt, "i")}] ${op} ${src}[${at(srcAt, "i")}];`;
}

/** Offsets of the carry's leaves in one row of `carries`. */
function carryOffsets(plan: ScanPlan): number[] {
  const offsets: number[] = [];
  let at = 0;
  for (const leaf of plan.carry) {
    offsets.push(at);
    at += sizeOf(leaf.shape);
  }
  return offsets;
}

function planOf(node: GraphNode): ScanPlan {
  return node.attrs.plan as ScanPlan;
}

function emitForward(node: GraphNode, ctx: KernelContext): string {
  const plan = planOf(node);
  const T = plan.length;
  const nc = plan.carry.length;
  const nr = plan.rows.length;
  const nk = plan.captured.length;
  const cs = carrySize(plan);
  const offsets = carryOffsets(plan);
  const body = ctx.subprogram(plan.forward);
  const inputs = node.inputs.map((v) => ctx.array(v));
  const outputs = node.outputs.map((v) => ctx.array(v));
  const carries = outputs[0];
  const lines: string[] = [];
  const bodyIn = Array.from({ length: nc + nr + nk }, (_, k) => `i${k}`);
  const bodyOut = Array.from({ length: nc + plan.stacked.length }, (_, k) => `o${k}`);
  lines.push(`const I = ${body}.I, O = ${body}.O, step = ${body}.step;`);
  lines.push(
    `const ${[...bodyIn.map((n, k) => `${n} = I[${k}]`), ...bodyOut.map((n, k) => `${n} = O[${k + 1}]`)].join(", ")};`,
  );
  for (let k = 0; k < nk; k++) lines.push(`${bodyIn[nc + nr + k]}.set(${inputs[nc + nr + k]});`);
  plan.carry.forEach((leaf, j) => {
    lines.push(copy(carries, `${offsets[j]}`, inputs[j], "0", sizeOf(leaf.shape)));
  });
  lines.push(`for (let t = 0; t < ${T}; t++) {`);
  plan.carry.forEach((leaf, j) => {
    lines.push(copy(bodyIn[j], "0", carries, `t * ${cs} + ${offsets[j]}`, sizeOf(leaf.shape)));
  });
  plan.rows.forEach((row, r) => {
    const n = sizeOf(row.shape);
    lines.push(copy(bodyIn[nc + r], "0", inputs[nc + r], `t * ${n}`, n));
  });
  lines.push("step();");
  plan.carry.forEach((leaf, j) => {
    lines.push(
      copy(carries, `(t + 1) * ${cs} + ${offsets[j]}`, bodyOut[j], "0", sizeOf(leaf.shape)),
    );
  });
  plan.stacked.forEach((s, k) => {
    const n = sizeOf(s.shape);
    lines.push(copy(outputs[1 + nc + k], `t * ${n}`, bodyOut[nc + k], "0", n));
  });
  lines.push("}");
  plan.carry.forEach((leaf, j) => {
    lines.push(copy(outputs[1 + j], "0", carries, `${T * cs + offsets[j]}`, sizeOf(leaf.shape)));
  });
  return lines.filter((l) => l !== "").join("\n");
}

function emitBackward(node: GraphNode, ctx: KernelContext): string {
  const plan = planOf(node);
  const T = plan.length;
  const nc = plan.carry.length;
  const nr = plan.rows.length;
  const nk = plan.captured.length;
  const ns = plan.stacked.length;
  const cs = carrySize(plan);
  const offsets = carryOffsets(plan);
  const body = ctx.subprogram(plan.backward);
  const present = plan.backward.outputs.slice(1).map((v) => v >= 0);
  const inputs = node.inputs.map((v) => ctx.array(v));
  const grads = node.outputs.map((v) => ctx.array(v));
  const carries = inputs[nc + nr + nk];
  const dLast = (j: number) => inputs[nc + nr + nk + 1 + j];
  const dStacked = (k: number) => inputs[nc + nr + nk + 1 + nc + k];
  const g = ctx.scratch(Math.max(cs, 1));
  const bodyIn = Array.from({ length: nc + nr + nk + nc + ns }, (_, k) => `i${k}`);
  const bodyOut = Array.from({ length: nc + nr + nk }, (_, k) => `o${k}`);
  const lines: string[] = [];
  lines.push(`const I = ${body}.I, O = ${body}.O, step = ${body}.step;`);
  lines.push(
    `const ${[...bodyIn.map((n, k) => `${n} = I[${k}]`), ...bodyOut.map((n, k) => `${n} = O[${k + 1}]`)].join(", ")};`,
  );
  for (let k = 0; k < nk; k++) lines.push(`${bodyIn[nc + nr + k]}.set(${inputs[nc + nr + k]});`);
  plan.carry.forEach((leaf, j) => {
    lines.push(copy(g, `${offsets[j]}`, dLast(j), "0", sizeOf(leaf.shape)));
  });
  plan.rows.forEach((_, r) => {
    if (!present[nc + r]) lines.push(`${grads[nc + r]}.fill(0);`);
  });
  for (let k = 0; k < nk; k++) lines.push(`${grads[nc + nr + k]}.fill(0);`);
  lines.push(`for (let t = ${T - 1}; t >= 0; t--) {`);
  plan.carry.forEach((leaf, j) => {
    const n = sizeOf(leaf.shape);
    lines.push(copy(bodyIn[j], "0", carries, `t * ${cs} + ${offsets[j]}`, n));
    lines.push(copy(bodyIn[nc + nr + nk + j], "0", g, `${offsets[j]}`, n));
  });
  plan.rows.forEach((row, r) => {
    const n = sizeOf(row.shape);
    lines.push(copy(bodyIn[nc + r], "0", inputs[nc + r], `t * ${n}`, n));
  });
  plan.stacked.forEach((s, k) => {
    const n = sizeOf(s.shape);
    lines.push(copy(bodyIn[nc + nr + nk + nc + k], "0", dStacked(k), `t * ${n}`, n));
  });
  lines.push("step();");
  plan.carry.forEach((leaf, j) => {
    const n = sizeOf(leaf.shape);
    if (present[j]) lines.push(copy(g, `${offsets[j]}`, bodyOut[j], "0", n));
    else if (n > 0) lines.push(`${g}.fill(0, ${offsets[j]}, ${offsets[j] + n});`);
  });
  plan.rows.forEach((row, r) => {
    const n = sizeOf(row.shape);
    if (present[nc + r]) lines.push(copy(grads[nc + r], `t * ${n}`, bodyOut[nc + r], "0", n));
  });
  plan.captured.forEach((c, k) => {
    if (present[nc + nr + k])
      lines.push(copy(grads[nc + nr + k], "0", bodyOut[nc + nr + k], "0", sizeOf(c.shape), "+="));
  });
  lines.push("}");
  plan.carry.forEach((leaf, j) => {
    lines.push(copy(grads[j], "0", g, `${offsets[j]}`, sizeOf(leaf.shape)));
  });
  return lines.filter((l) => l !== "").join("\n");
}

/** The loop rules, by kernel name. */
export const scanLoopRules: Record<string, CheckedRule> = {
  TycheScan: { kind: "kernel", emit: emitForward },
  TycheScanGrad: { kind: "kernel", emit: emitBackward },
};
