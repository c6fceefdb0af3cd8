/**
 * Emits one fused loop step: a loop nest over the step's shape (merged to as few loops as the
 * operands allow) that loads each operand at the outermost loop where it varies, computes every
 * member there (so loop-invariant work is hoisted), stores the values other steps read, and
 * accumulates the reductions: in locals when the reduced loops are innermost, in the output
 * buffer otherwise.
 */
import { stridesOf } from "../../util/shapes.js";
import type { Graph } from "../graph.js";
import { ruleFor } from "../kernels/index.js";
import type { ElementwiseRule, ReductionRule } from "../kernels/rule.js";
import { broadcastStrides, collapse, product } from "./dims.js";
import type { LoopStep } from "./fusion.js";
import type { Storage } from "./storage.js";

/** What the loop emitter needs from the program. */
export interface LoopContext {
  readonly graph: Graph;
  storage(value: number): Storage;
  /** An expression for the array holding a value stored in an array. */
  array(value: number): string;
  /** A number as a literal (rounded to float32 when emulating float32). */
  literal(x: number): string;
  /** Round every computed value to float32 (to reproduce eager tfjs, for checking). */
  readonly float32: boolean;
}

interface Operand {
  readonly name: string;
  strides: number[];
  pattern: number;
  /** The loop depth at which the operand is read or written. */
  level: number;
}

/**
 * The statements of a loop step (to be wrapped in a block by the caller).
 *
 * @example
 * emitLoop(step, ctx); // "const a3 = in0; ... for (let i0 = 0; i0 < 8; i0++) { ... }"
 */
export function emitLoop(step: LoopStep, ctx: LoopContext): string {
  const { graph } = ctx;
  const shape = step.shape;
  const memberOutputs = new Set(step.members.map((n) => n.outputs[0]));
  const loads = new Map<number, Operand>();
  const addLoad = (v: number): void => {
    if (memberOutputs.has(v) || loads.has(v) || ctx.storage(v).kind === "literal") return;
    loads.set(v, operand(`a${v}`, broadcastStrides(graph.values[v].shape, shape)));
  };
  for (const node of step.members) node.inputs.forEach(addLoad);
  for (const node of step.reductions) addLoad(node.inputs[0]);
  const stored = step.members
    .map((n) => n.outputs[0])
    .filter((v) => ctx.storage(v).kind !== "local");
  const stores = stored.map((v) => ({ value: v, op: operand(`a${v}`, stridesOf(shape)) }));
  const axes = step.axes ?? [];
  const reductionStrides = keptStrides(shape, axes);
  const sinks = step.reductions.map((node) => ({
    node,
    rule: ruleFor(node.op) as ReductionRule,
    value: node.outputs[0],
    op: operand(`a${node.outputs[0]}`, reductionStrides),
  }));

  const operands = [...loads.values(), ...stores.map((s) => s.op), ...sinks.map((s) => s.op)];
  const nest = collapse(
    shape,
    operands.map((o) => o.strides),
  );
  operands.forEach((o, i) => {
    o.strides = nest.strides[i];
  });
  const rank = nest.dims.length;
  const levelOf = (strides: readonly number[]): number => {
    for (let d = strides.length - 1; d >= 0; d--) if (strides[d] !== 0) return d + 1;
    return 0;
  };
  const reduced =
    sinks.length > 0 ? sinks[0].op.strides.map((s, d) => s === 0 && nest.dims[d] > 1) : [];
  let firstReduced = rank;
  while (firstReduced > 0 && reduced[firstReduced - 1]) firstReduced--;
  const localAccumulators = sinks.length > 0 && !reduced.slice(0, firstReduced).some((r) => r);
  for (const o of loads.values()) o.level = levelOf(o.strides);
  for (const s of stores) s.op.level = rank;
  for (const s of sinks) s.op.level = localAccumulators ? firstReduced : rank;

  // Offsets: one running offset per distinct stride pattern.
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
      if (s === 0) {
        offsets[p].push(previous);
        continue;
      }
      const term = s === 1 ? `i${l - 1}` : `i${l - 1} * ${s}`;
      if (previous === "0") {
        offsets[p].push(term);
      } else if (l <= maxUse[p]) {
        offsets[p].push(`o${p}_${l}`);
        declarations[l].push(`const o${p}_${l} = ${previous} + ${term};`);
      } else {
        offsets[p].push(`${previous} + ${term}`);
      }
    }
  });
  const at = (o: Operand): string => `${o.name}[${offsets[o.pattern][o.level]}]`;

  // Values: loads, members (at the deepest level of their arguments), literals.
  const round = (expr: string): string => (ctx.float32 ? `Math.fround(${expr})` : expr);
  const level = new Map<number, number>();
  const argument = (v: number): string => {
    if (memberOutputs.has(v)) return `t${v}`;
    const s = ctx.storage(v);
    return s.kind === "literal" ? ctx.literal(s.value) : `x${v}`;
  };
  for (const [v, o] of loads) level.set(v, o.level);
  const membersAt: string[][] = Array.from({ length: rank + 1 }, () => []);
  for (const node of step.members) {
    const l = node.inputs.reduce((m, v) => Math.max(m, level.get(v) ?? 0), 0);
    level.set(node.outputs[0], l);
    const expr = (ruleFor(node.op) as ElementwiseRule).expr(node.inputs.map(argument), node);
    membersAt[l].push(`const t${node.outputs[0]} = ${round(expr)};`);
  }
  const loadsAt: string[][] = Array.from({ length: rank + 1 }, () => []);
  for (const [v, o] of loads) loadsAt[o.level].push(`const x${v} = ${at(o)};`);

  const count = product(axes.map((a) => shape[a]));
  const finish = (s: (typeof sinks)[number], acc: string): string =>
    round(s.rule.finish?.(acc, count) ?? acc);
  const lines = [...loads.keys(), ...stored, ...sinks.map((s) => s.value)].map(
    (v) => `const a${v} = ${ctx.array(v)};`,
  );
  if (!localAccumulators) for (const s of sinks) lines.push(`${s.op.name}.fill(${s.rule.init});`);

  const emitLevel = (l: number): void => {
    lines.push(...declarations[l], ...loadsAt[l], ...membersAt[l]);
    if (localAccumulators && l === firstReduced)
      for (const s of sinks) lines.push(`let acc${s.value} = ${s.rule.init};`);
    if (l < rank) {
      lines.push(`for (let i${l} = 0; i${l} < ${nest.dims[l]}; i${l}++) {`);
      emitLevel(l + 1);
      lines.push("}");
    } else {
      for (const s of sinks) {
        const x = argument(s.node.inputs[0]);
        if (localAccumulators) lines.push(`acc${s.value} = ${s.rule.update(`acc${s.value}`, x)};`);
        else lines.push(`${at(s.op)} = ${s.rule.update(at(s.op), x)};`);
      }
      for (const s of stores) lines.push(`${at(s.op)} = t${s.value};`);
    }
    if (localAccumulators && l === firstReduced)
      for (const s of sinks) lines.push(`${at(s.op)} = ${finish(s, `acc${s.value}`)};`);
  };
  emitLevel(0);
  if (!localAccumulators) {
    for (const s of sinks) {
      if (s.rule.finish === undefined && !ctx.float32) continue;
      const size = product(graph.values[s.value].shape);
      lines.push(
        `for (let i = 0; i < ${size}; i++) ${s.op.name}[i] = ${finish(s, `${s.op.name}[i]`)};`,
      );
    }
  }
  return lines.join("\n");
}

function operand(name: string, strides: number[]): Operand {
  return { name, strides, pattern: 0, level: 0 };
}

/** Strides of a reduction's output within a loop over `shape`: 0 along the reduced axes. */
function keptStrides(shape: readonly number[], axes: readonly number[]): number[] {
  const kept = shape.filter((_, d) => !axes.includes(d));
  const own = stridesOf(kept);
  let next = 0;
  return shape.map((_, d) => (axes.includes(d) ? 0 : own[next++]));
}
