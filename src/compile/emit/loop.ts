/**
 * Emits one fused loop step: a loop nest over the step's shape (reordered so that reductions
 * run innermost when worthwhile, and merged to as few loops as the operands allow) that loads
 * each operand at the outermost loop where it varies, computes every member there (so
 * loop-invariant work is hoisted), stores the values other steps read, accumulates the
 * reductions (in locals, or in the output buffer when the loop keeps memory order), and runs
 * the epilogue as soon as the accumulators are complete. Names inside the body depend only on
 * the step's structure, so steps that compute alike (the time steps of a recursion) share one
 * emitted function.
 */
import { sizeOf, stridesOf } from "../../util/shapes.js";
import type { Graph } from "../graph.js";
import { ruleFor } from "../kernels/index.js";
import { type ElementwiseRule, fillStatement, type ReductionRule } from "../kernels/rule.js";
import { broadcastStrides, collapse } from "./dims.js";
import type { LoopStep } from "./fusion.js";
import { loopOrder } from "./loop-order.js";
import type { Storage } from "./storage.js";

/** What the loop emitter needs from the program. */
export interface LoopContext {
  readonly graph: Graph;
  storage(value: number): Storage;
  /** A number as a literal (rounded to float32 when emulating float32). */
  literal(x: number): string;
  /** Round every computed value to float32 (to reproduce eager tfjs, for checking). */
  readonly float32: boolean;
}

/** A step as a function body over parameters `a0, a1, ...` and the values to pass for them. */
export interface StepCode {
  /** The value whose array each parameter receives. */
  readonly arrays: readonly number[];
  readonly body: string;
}

interface Operand {
  readonly value: number;
  strides: number[];
  pattern: number;
  /** The loop depth at which the operand is read or written. */
  level: number;
}

/**
 * The code of a loop step.
 *
 * @example
 * emitLoop(step, ctx).body; // "const x0 = a0[0]; ... for (let i0 = 0; i0 < 8; i0++) { ... }"
 */
export function emitLoop(step: LoopStep, ctx: LoopContext): StepCode {
  const { graph } = ctx;
  const shape = step.shape;
  const axes = step.axes ?? [];
  const { order, localAccumulators } = loopOrder(shape, step.axes);
  const memberIndex = new Map(step.members.map((n, j) => [n.outputs[0], j]));
  const sinkIndex = new Map(step.reductions.map((n, j) => [n.outputs[0], j]));
  const epilogueIndex = new Map(step.epilogue.map((n, j) => [n.outputs[0], j]));
  const isLocal = (v: number) => ctx.storage(v).kind === "local";
  const produced = (v: number) =>
    memberIndex.has(v) || sinkIndex.has(v) || epilogueIndex.has(v) || step.aliases.has(v);
  const kept = keptStrides(shape, axes);
  // Strides over the loop shape of a value read or written in the epilogue (reduced shape).
  const epilogueStrides = (v: number, within: readonly number[]) => {
    const own = broadcastStrides(graph.values[v].shape, within).filter((_, d) => within[d] !== 1);
    let next = 0;
    return shape.map((n, d) => (axes.includes(d) || n === 1 ? 0 : own[next++]));
  };

  const operands: Operand[] = [];
  const loads: Operand[] = [];
  const loadIndex = new Map<number, number>();
  const addLoad = (
    v: number,
    strides: number[],
    list: Operand[],
    names: Map<number, number>,
  ): void => {
    if (produced(v) || names.has(v) || ctx.storage(v).kind === "literal") return;
    names.set(v, list.length);
    list.push(operand(v, strides));
  };
  for (const node of step.members)
    for (const v of node.inputs)
      addLoad(v, broadcastStrides(graph.values[v].shape, shape), loads, loadIndex);
  for (const node of step.reductions) {
    const v = node.inputs[0];
    addLoad(v, broadcastStrides(graph.values[v].shape, shape), loads, loadIndex);
  }
  const epilogueLoads: Operand[] = [];
  const epilogueLoadIndex = new Map<number, number>();
  for (const node of step.epilogue) {
    const within = graph.values[node.outputs[0]].shape;
    // Loaded apart from the members' loads: the same value may broadcast differently here.
    for (const v of node.inputs)
      addLoad(v, epilogueStrides(v, within), epilogueLoads, epilogueLoadIndex);
  }
  const stores = step.members
    .filter((n) => !isLocal(n.outputs[0]))
    .map((n) => ({
      name: `t${memberIndex.get(n.outputs[0])}`,
      op: operand(n.outputs[0], stridesOf(shape)),
    }));
  const sinks = step.reductions.map((node, j) => ({
    node,
    j,
    rule: ruleFor(node.op) as ReductionRule,
    op: isLocal(node.outputs[0]) ? undefined : operand(node.outputs[0], kept),
  }));
  const epilogueStores = step.epilogue
    .filter((n) => !isLocal(n.outputs[0]))
    .map((n) => {
      const v = n.outputs[0];
      return {
        name: `u${epilogueIndex.get(v)}`,
        op: operand(v, epilogueStrides(v, graph.values[v].shape)),
      };
    });
  const sinkOps = sinks.flatMap((s) => (s.op === undefined ? [] : [s.op]));
  operands.push(
    ...loads,
    ...stores.map((s) => s.op),
    ...sinkOps,
    ...epilogueLoads,
    ...epilogueStores.map((s) => s.op),
  );
  const name = new Map(operands.map((o, k) => [o, `a${k}`]));

  // Loop nest: dimensions in loop order, merged where every operand allows.
  const permute = (strides: readonly number[]) => order.map((d) => strides[d]);
  const nest = collapse(permute(shape), [
    ...operands.map((o) => permute(o.strides)),
    permute(kept),
  ]);
  operands.forEach((o, i) => {
    o.strides = nest.strides[i];
  });
  const keptPattern = nest.strides[operands.length];
  const rank = nest.dims.length;
  const reducedDim = keptPattern.map((s, d) => s === 0 && sinks.length > 0 && nest.dims[d] > 1);
  let firstReduced = rank;
  while (firstReduced > 0 && reducedDim[firstReduced - 1]) firstReduced--;
  for (const o of loads) o.level = levelOf(o.strides);
  for (const s of stores) s.op.level = rank;
  for (const o of sinkOps) o.level = localAccumulators ? firstReduced : rank;
  for (const o of [...epilogueLoads, ...epilogueStores.map((s) => s.op)]) o.level = firstReduced;

  const { offsetAt, declarations } = planOffsets(operands, rank);
  const at = (o: Operand): string => `${name.get(o)}[${offsetAt(o)}]`;
  const round = (expr: string): string => (ctx.float32 ? `Math.fround(${expr})` : expr);
  /** The name of an argument in the loop body, or (`inEpilogue`) in the epilogue. */
  const argument = (value: number, inEpilogue = false): string => {
    let v = value;
    while (step.aliases.has(v)) v = step.aliases.get(v)!;
    const member = memberIndex.get(v);
    if (member !== undefined) return `t${member}`;
    const sink = sinkIndex.get(v);
    if (sink !== undefined) return `r${sink}`;
    const e = epilogueIndex.get(v);
    if (e !== undefined) return `u${e}`;
    const s = ctx.storage(v);
    if (s.kind === "literal") return ctx.literal(s.value);
    return inEpilogue ? `y${epilogueLoadIndex.get(v)}` : `x${loadIndex.get(v)}`;
  };

  // Members at the deepest level of their arguments.
  const level = new Map<number, number>();
  const loadsAt: string[][] = Array.from({ length: rank + 1 }, () => []);
  loads.forEach((o, k) => {
    level.set(o.value, o.level);
    loadsAt[o.level].push(`const x${k} = ${at(o)};`);
  });
  const membersAt: string[][] = Array.from({ length: rank + 1 }, () => []);
  step.members.forEach((node, j) => {
    const l = node.inputs.reduce((m, v) => Math.max(m, level.get(v) ?? 0), 0);
    level.set(node.outputs[0], l);
    const expr = (ruleFor(node.op) as ElementwiseRule).expr(
      node.inputs.map((v) => argument(v)),
      node,
    );
    membersAt[l].push(`const t${j} = ${round(expr)};`);
  });

  const count = sizeOf(axes.map((a) => shape[a]));
  const finish = (s: (typeof sinks)[number], acc: string): string =>
    round(s.rule.finish?.(acc, count) ?? acc);
  const epilogue = (): string[] => [
    ...epilogueLoads.map((o, k) => `const y${k} = ${at(o)};`),
    ...step.epilogue.map((node, j) => {
      const args = node.inputs.map((v) => argument(v, true));
      return `const u${j} = ${round((ruleFor(node.op) as ElementwiseRule).expr(args, node))};`;
    }),
    ...epilogueStores.map((s) => `${at(s.op)} = ${s.name};`),
  ];
  const lines: string[] = [];
  if (!localAccumulators)
    for (const s of sinks)
      if (s.op !== undefined) {
        const size = sizeOf(graph.values[s.node.outputs[0]].shape);
        lines.push(fillStatement(name.get(s.op)!, size, s.rule.init));
      }
  const emitLevel = (l: number): void => {
    lines.push(...declarations[l], ...loadsAt[l], ...membersAt[l]);
    if (localAccumulators && l === firstReduced)
      for (const s of sinks) lines.push(`let s${s.j} = ${s.rule.init};`);
    if (l < rank) {
      lines.push(`for (let i${l} = 0; i${l} < ${nest.dims[l]}; i${l}++) {`);
      emitLevel(l + 1);
      lines.push("}");
    } else {
      for (const s of sinks) {
        const x = argument(s.node.inputs[0]);
        if (localAccumulators) lines.push(`s${s.j} = ${s.rule.update(`s${s.j}`, x)};`);
        else if (s.op !== undefined) lines.push(`${at(s.op)} = ${s.rule.update(at(s.op), x)};`);
      }
      for (const s of stores) lines.push(`${at(s.op)} = ${s.name};`);
    }
    if (localAccumulators && l === firstReduced) {
      for (const s of sinks) {
        lines.push(`const r${s.j} = ${finish(s, `s${s.j}`)};`);
        if (s.op !== undefined) lines.push(`${at(s.op)} = r${s.j};`);
      }
      lines.push(...epilogue());
    }
  };
  emitLevel(0);
  if (!localAccumulators) {
    for (const s of sinks) {
      if (s.op === undefined || (s.rule.finish === undefined && !ctx.float32)) continue;
      const size = sizeOf(graph.values[s.op.value].shape);
      const a = name.get(s.op);
      lines.push(`for (let i = 0; i < ${size}; i++) ${a}[i] = ${finish(s, `${a}[i]`)};`);
    }
  }
  return { arrays: operands.map((o) => o.value), body: lines.join("\n") };
}

function operand(value: number, strides: number[]): Operand {
  return { value, strides, pattern: 0, level: 0 };
}

function levelOf(strides: readonly number[]): number {
  for (let d = strides.length - 1; d >= 0; d--) if (strides[d] !== 0) return d + 1;
  return 0;
}

/**
 * Running offsets, one per distinct stride pattern: `o<p>_<l>` holds the offset from the loops
 * outside depth `l`, declared at depth `l` only when an operand needs it that deep.
 */
function planOffsets(operands: readonly Operand[], rank: number) {
  const patterns = new Map<string, number>();
  const patternStrides: number[][] = [];
  const maxUse: number[] = [];
  for (const o of operands) {
    const key = o.strides.join(",");
    let p = patterns.get(key);
    if (p === undefined) {
      p = patternStrides.length;
      patterns.set(key, p);
      patternStrides.push(o.strides);
      maxUse.push(0);
    }
    o.pattern = p;
    maxUse[p] = Math.max(maxUse[p], o.level);
  }
  const offsets: string[][] = patternStrides.map(() => ["0"]);
  const declarations: string[][] = Array.from({ length: rank + 1 }, () => []);
  patternStrides.forEach((strides, p) => {
    for (let l = 1; l <= rank; l++) {
      const previous = offsets[p][l - 1];
      const s = strides[l - 1];
      const term = s === 1 ? `i${l - 1}` : `i${l - 1} * ${s}`;
      if (s === 0) offsets[p].push(previous);
      else if (previous === "0") offsets[p].push(term);
      else if (l <= maxUse[p]) {
        offsets[p].push(`o${p}_${l}`);
        declarations[l].push(`const o${p}_${l} = ${previous} + ${term};`);
      } else offsets[p].push(`${previous} + ${term}`);
    }
  });
  return { offsetAt: (o: Operand) => offsets[o.pattern][o.level], declarations };
}

/** Strides of a reduction's output within a loop over `shape`: 0 along the reduced axes. */
function keptStrides(shape: readonly number[], axes: readonly number[]): number[] {
  const kept = shape.filter((_, d) => !axes.includes(d));
  const own = stridesOf(kept);
  let next = 0;
  return shape.map((_, d) => (axes.includes(d) ? 0 : own[next++]));
}
