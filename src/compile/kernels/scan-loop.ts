/**
 * The loop kernels of a scan traced once (src/compile/scan): TycheScan runs the step forward
 * over time, keeping the carry entering each step; TycheScanGrad runs the step's
 * vector-Jacobian product backward over time from those carries (recomputing each step's
 * intermediates, so memory grows with T only by one carry per step). What does not change from
 * step to step runs once before the loop (hoist.ts). A step of single numbers is inlined into
 * the loop as straight-line code over locals (emit/scalar.ts), its sums over the steps with
 * their invariant shifts and scales applied after the loop (factor-sums.ts); any other step is
 * a step program (emitProgram's `step` option) whose input arrays the loop fills and whose
 * outputs it copies.
 */
import { sizeOf } from "../../util/shapes.js";
import { emitScalar, isScalarGraph } from "../emit/scalar.js";
import type { Graph, GraphNode } from "../graph.js";
import { type AffineSum, affineTotal, factorSums } from "../scan/factor-sums.js";
import type { HoistedStep } from "../scan/hoist.js";
import { carrySize, invariantInputs, type ScanPlan, type TimeLayout } from "../scan/plan.js";
import { specialize } from "../scan/specialize.js";
import { type CheckedRule, fillStatement, type KernelContext, literal } from "./rule.js";

/** Where a step input comes from: `array[at ...]`, every iteration or once before the loop. */
interface Source {
  readonly array: string;
  readonly at: string;
  readonly size: number;
  readonly once: boolean;
  /** The graph value behind `array`, if it is one (a uniform constant then reads as a literal). */
  readonly value?: number;
  /** For a row with dims left of its time dimension: where its entries lie (`at` unused). */
  readonly layout?: TimeLayout;
  /**
   * The loop-carried number this input is (a carry, or its cotangent going backward): inlined
   * steps keep it in a local of this name, set from `init` before the loop and by the sink
   * that names it, rather than read it back from memory each step.
   */
  readonly carried?: { readonly name: string; readonly init: string };
  /** A number this input always is (`array` then only fills a step program's input). */
  readonly literal?: number;
}

/** Where a step output goes: stored or added into `array[at ...]`; undefined: dropped. */
interface Sink {
  readonly array: string;
  readonly at: string;
  readonly size: number;
  readonly op: "=" | "+=";
  /** What to write when the output is absent (a gradient that is identically zero). */
  readonly zeroIfAbsent?: boolean;
  /** For a row with dims left of its time dimension: where its entries lie (`at` unused). */
  readonly layout?: TimeLayout;
  /** The local of a loop-carried input this output sets (inlined steps; see Source.carried). */
  readonly carried?: string;
  /** With `carried`: store into `array[at]` only once, after the loop (inlined steps). */
  readonly storeAfter?: boolean;
}

/** Whether a row is scattered over `outer` blocks (else it is contiguous at `at`). */
function strided(layout: TimeLayout | undefined): layout is TimeLayout {
  return layout !== undefined && layout.outer > 1;
}

/** Statements copying row t of an array laid out as `layout` into or out of a compact array. */
function rowCopy(
  compact: string,
  full: string,
  layout: TimeLayout,
  into: "compact" | "full",
  op = "=",
): string {
  const { outer, length, inner } = layout;
  const c = `${compact}[o * ${inner} + i]`;
  const f = `${full}[(o * ${length} + t) * ${inner} + i]`;
  const body = into === "compact" ? `${c} = ${f};` : `${f} ${op} ${c};`;
  return `for (let o = 0; o < ${outer}; o++) for (let i = 0; i < ${inner}; i++) ${body}`;
}

/** `n` elements from `src[srcAt ...]` into `dst[dstAt ...]`, as statements. */
function copy(dst: string, dstAt: string, src: string, srcAt: string, n: number, op = "="): string {
  if (n === 0) return "";
  const at = (base: string, i: string) => (base === "0" ? i : `${base} + ${i}`);
  if (n === 1) return `${dst}[${dstAt}] ${op} ${src}[${srcAt}];`;
  return `for (let i = 0; i < ${n}; i++) ${dst}[${at(dstAt, "i")}] ${op} ${src}[${at(srcAt, "i")}];`;
}

/**
 * A loop over `header` that runs the step graph `graph` of `plan` with its inputs from
 * `sources` and its outputs (after the first, which is unused) into `sinks`. Inputs that are
 * uniform constants here and outputs without a sink are specialized away first.
 */
function emitLoop(
  ctx: KernelContext,
  plan: ScanPlan,
  graph: Graph,
  sources: readonly Source[],
  sinks: readonly (Sink | undefined)[],
  header: string,
): string[] {
  const constants = new Map<number, number>();
  sources.forEach((s, k) => {
    const uniform = s.literal ?? (s.value === undefined ? undefined : ctx.uniform(s.value));
    if (uniform !== undefined) constants.set(k, uniform);
  });
  const dropped = new Set(sinks.flatMap((s, k) => (s === undefined ? [k] : [])));
  const split = specialize(graph, constants, dropped, invariantInputs(plan));
  const { prologue, step } = split;
  const hoisted = prologue.outputs.length - 1;
  const onceSources = sources.flatMap((s, k) => (s.once ? [k] : []));
  if (isScalarGraph(step)) {
    const lines: string[] = [];
    const inputs = sources.map((_, k) => `x${k}`);
    for (const k of onceSources) lines.push(`const x${k} = ${sources[k].array}[0];`);
    for (let j = 0; j < hoisted; j++) inputs.push(`h${j}`);
    if (hoisted > 0) lines.push(...emitPrologue(ctx, split, sources, onceSources));
    // Sums over the steps (gradients of captured tensors) accumulate in locals, with their
    // invariant shifts and scales applied after the loop; sums of the same value share one.
    const summed = sinks.map((sink, k) => sink?.op === "+=" && step.outputs[k + 1] >= 0);
    const { graph: inlined, forms } = ctx.float32
      ? { graph: step, forms: new Map<number, AffineSum>() }
      : factorSums(
          step,
          summed.flatMap((s, k) => (s ? [k + 1] : [])),
          (k) =>
            k >= sources.length ? `h${k - sources.length}` : sources[k].once ? `x${k}` : undefined,
        );
    const sum = summed.map((s, k) =>
      s ? summed.findIndex((t, j) => t && inlined.outputs[j + 1] === inlined.outputs[k + 1]) : -1,
    );
    sinks.forEach((_, k) => {
      if (sum[k] === k) lines.push(`let s${k} = 0;`);
    });
    for (const s of sources)
      if (s.carried !== undefined) lines.push(`let ${s.carried.name} = ${s.carried.init};`);
    lines.push(`${header} {`);
    sources.forEach((s, k) => {
      if (s.once) return;
      const read =
        s.carried?.name ??
        (s.literal !== undefined
          ? literal(s.literal)
          : s.value === undefined
            ? `${s.array}[${s.at}]`
            : ctx.element(s.value, s.at));
      lines.push(`const x${k} = ${read};`);
    });
    const code = emitScalar(inlined, inputs, { prefix: "v", float32: ctx.float32 });
    lines.push(...code.statements);
    sinks.forEach((sink, k) => {
      if (sink === undefined) return;
      const present = step.outputs[k + 1] >= 0;
      const value = present ? code.outputs[k + 1] : sink.zeroIfAbsent === true ? "0" : undefined;
      if (summed[k]) {
        if (sum[k] === k) lines.push(`s${k} += ${value};`);
      } else if (value !== undefined) {
        if (sink.carried !== undefined) lines.push(`${sink.carried} = ${value};`);
        if (sink.storeAfter !== true || sink.carried === undefined) {
          lines.push(`${sink.array}[${sink.at}] ${sink.op} ${sink.carried ?? value};`);
        }
      }
    });
    lines.push("}");
    sinks.forEach((sink, k) => {
      if (sink === undefined) return;
      if (summed[k]) {
        const total = affineTotal(forms.get(k + 1), plan.length, `s${sum[k]}`);
        lines.push(`${sink.array}[${sink.at}] += ${total};`);
      } else if (sink.carried !== undefined && sink.storeAfter === true) {
        lines.push(`${sink.array}[${sink.at}] = ${sink.carried};`);
      }
    });
    return lines;
  }
  const body = ctx.subprogram(step);
  const lines: string[] = [];
  const n = sources.length;
  lines.push(`const S = ${body}, SI = S.I, SO = S.O, step = S.step;`);
  const inputs = Array.from({ length: n + hoisted }, (_, k) => `i${k}`);
  const outputs = sinks.map((_, k) => `o${k}`);
  lines.push(
    `const ${[...inputs.map((name, k) => `${name} = SI[${k}]`), ...outputs.map((name, k) => `${name} = SO[${k + 1}]`)].join(", ")};`,
  );
  for (const k of onceSources) lines.push(`${inputs[k]}.set(${sources[k].array});`);
  if (hoisted > 0) {
    lines.push(`const P = ${ctx.subprogram(prologue)}, PI = P.I, PO = P.O;`);
    onceSources.forEach((k, i) => {
      lines.push(`PI[${i}].set(${sources[k].array});`);
    });
    lines.push("P.step();");
    for (let j = 0; j < hoisted; j++) lines.push(`${inputs[n + j]}.set(PO[${j + 1}]);`);
  }
  lines.push(`${header} {`);
  sources.forEach((s, k) => {
    if (s.once) return;
    lines.push(
      strided(s.layout)
        ? rowCopy(inputs[k], s.array, s.layout, "compact")
        : copy(inputs[k], "0", s.array, s.at, s.size),
    );
  });
  lines.push("step();");
  sinks.forEach((sink, k) => {
    if (sink === undefined) return;
    const from = step.outputs[k + 1] >= 0 ? outputs[k] : sink.zeroIfAbsent === true ? "Z" : "";
    if (from === "") return;
    lines.push(
      strided(sink.layout)
        ? rowCopy(from, sink.array, sink.layout, "full", sink.op)
        : copy(sink.array, sink.at, from, "0", sink.size, sink.op),
    );
  });
  lines.push("}");
  if (sinks.some((s, k) => s?.zeroIfAbsent === true && step.outputs[k + 1] < 0)) {
    const size = Math.max(...sinks.map((s) => s?.size ?? 0));
    lines.unshift(`const Z = ${ctx.scratch(size)};`);
  }
  return lines;
}

/** The prologue of a scalar step, run once: its hoisted values into locals h0, h1, ... */
function emitPrologue(
  ctx: KernelContext,
  split: HoistedStep,
  sources: readonly Source[],
  onceSources: readonly number[],
): string[] {
  const { prologue } = split;
  const hoisted = prologue.outputs.length - 1;
  if (isScalarGraph(prologue)) {
    const code = emitScalar(
      prologue,
      onceSources.map((k) => `x${k}`),
      { prefix: "p", float32: ctx.float32 },
    );
    return [
      ...code.statements,
      ...Array.from({ length: hoisted }, (_, j) => `const h${j} = ${code.outputs[j + 1]};`),
    ];
  }
  const lines = [`const P = ${ctx.subprogram(prologue)}, PI = P.I, PO = P.O;`];
  onceSources.forEach((k, i) => {
    lines.push(`PI[${i}].set(${sources[k].array});`);
  });
  lines.push("P.step();");
  for (let j = 0; j < hoisted; j++) lines.push(`const h${j} = PO[${j + 1}][0];`);
  return lines;
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

/** The sources and sinks of the forward step (joint graph: its first inputs and outputs). */
interface LoopParts {
  readonly sources: Source[];
  readonly sinks: (Sink | undefined)[];
  /** Statements before the loop and after it. */
  readonly before: string[];
  readonly after: string[];
}

function sizes(xs: readonly { shape: readonly number[] }[]): number[] {
  return xs.map((x) => sizeOf(x.shape));
}

/**
 * The forward step's inputs (carry, rows, captured) and outputs (next carry into `carries`,
 * stacked rows or their totals, and residuals when `residuals` says so).
 */
function forwardParts(
  node: GraphNode,
  ctx: KernelContext,
  plan: ScanPlan,
  residuals: boolean,
): LoopParts {
  const T = plan.length;
  const nc = plan.carry.length;
  const nr = plan.rows.length;
  const cs = carrySize(plan);
  const offsets = carryOffsets(plan);
  const inputs = node.inputs.map((v) => ctx.array(v));
  const outputs = node.outputs.map((v) => ctx.array(v));
  const carries = outputs[0];
  const carrySizes = sizes(plan.carry);
  // Without a reader of every step's carry (no backward loop), the carry lives in row 0.
  const keepCarries = ctx.used(node.outputs[0]);
  const summed = new Set((node.attrs.summed as number[] | undefined) ?? []);
  const sources: Source[] = [
    ...carrySizes.map((n, j) => ({
      array: carries,
      at: keepCarries ? `t * ${cs} + ${offsets[j]}` : `${offsets[j]}`,
      size: n,
      once: false,
      carried: { name: `c${j}`, init: `${carries}[${offsets[j]}]` },
    })),
    ...sizes(plan.rows).map((n, r) => ({
      array: inputs[nc + r],
      at: `t * ${n}`,
      size: n,
      once: false,
      layout: plan.rowLayouts[r],
    })),
    ...plan.captured.map((c, k) => ({
      array: inputs[nc + nr + k],
      at: "0",
      size: sizeOf(c.shape),
      once: true,
    })),
  ];
  const used = (k: number) => ctx.used(node.outputs[1 + nc + k]);
  const before = carrySizes.map((n, j) => copy(carries, `${offsets[j]}`, inputs[j], "0", n));
  const sinks: (Sink | undefined)[] = [
    ...carrySizes.map((n, j) => ({
      array: carries,
      at: keepCarries ? `(t + 1) * ${cs} + ${offsets[j]}` : `${offsets[j]}`,
      size: n,
      op: "=" as const,
      carried: `c${j}`,
      storeAfter: !keepCarries,
    })),
    ...sizes([...plan.stacked, ...(residuals ? plan.residuals : [])]).map((n, k) => {
      if (!used(k)) return undefined;
      const array = outputs[1 + nc + k];
      if (summed.has(k)) {
        before.push(`${array}[0] = 0;`);
        return { array, at: "0", size: n, op: "+=" as const };
      }
      return { array, at: `t * ${n}`, size: n, op: "=" as const, layout: plan.stackedLayouts[k] };
    }),
  ];
  const after = carrySizes.map((n, j) =>
    copy(outputs[1 + j], "0", carries, `${(keepCarries ? T * cs : 0) + offsets[j]}`, n),
  );
  return { sources, sinks, before, after };
}

/**
 * Sinks of the gradients of rows and captured tensors (`grads[k]`: the node's output for
 * TycheScan's input k), and the statements zeroing them first where needed.
 */
function gradientSinks(
  ctx: KernelContext,
  plan: ScanPlan,
  grads: readonly number[],
  present: readonly boolean[],
): { sinks: (Sink | undefined)[]; before: string[] } {
  const nc = plan.carry.length;
  const nr = plan.rows.length;
  const used = (k: number) => ctx.used(grads[k]);
  const array = (k: number) => ctx.array(grads[k]);
  const zero = (k: number) =>
    fillStatement(array(k), sizeOf(ctx.graph.values[grads[k]].shape), "0");
  const rowSizes = sizes(plan.rows);
  const capturedSizes = sizes(plan.captured);
  const before = [
    ...rowSizes.map((_, r) => (present[nc + r] || !used(nc + r) ? "" : zero(nc + r))),
    ...capturedSizes.map((_, k) => (used(nc + nr + k) ? zero(nc + nr + k) : "")),
  ];
  const sinks: (Sink | undefined)[] = [
    ...rowSizes.map((n, r) =>
      used(nc + r)
        ? {
            array: array(nc + r),
            at: `t * ${n}`,
            size: n,
            op: "=" as const,
            layout: plan.rowLayouts[r],
          }
        : undefined,
    ),
    ...capturedSizes.map((n, k) =>
      used(nc + nr + k)
        ? { array: array(nc + nr + k), at: "0", size: n, op: "+=" as const }
        : undefined,
    ),
  ];
  return { sinks, before };
}

function emitForward(node: GraphNode, ctx: KernelContext): string {
  const plan = planOf(node);
  const { sources, sinks, before, after } = forwardParts(node, ctx, plan, true);
  const header = `for (let t = 0; t < ${plan.length}; t++)`;
  const lines = [...before, ...emitLoop(ctx, plan, plan.forward, sources, sinks, header), ...after];
  return lines.filter((l) => l !== "").join("\n");
}

/**
 * TycheScanFused: the joint step forward in time. Its inputs are TycheScan's, then the
 * cotangents of the last carry (unused: fuse.ts fuses only where the step needs no carry
 * cotangent) and of the stacked outputs; its outputs TycheScan's, then TycheScanGrad's.
 */
function emitFused(node: GraphNode, ctx: KernelContext): string {
  const plan = planOf(node);
  const nc = plan.carry.length;
  const n = nc + plan.rows.length + plan.captured.length;
  const forwardOutputs = 1 + nc + plan.stacked.length + plan.residuals.length;
  const forward = forwardParts(node, ctx, plan, false);
  const zeros = ctx.scratch(Math.max(1, ...sizes(plan.carry)));
  const cotangents: Source[] = [
    ...sizes(plan.carry).map((size) => ({
      array: zeros,
      at: "0",
      size,
      once: false,
      literal: 0,
    })),
    ...sizes(plan.stacked).map((size, k) => ({
      array: ctx.array(node.inputs[n + nc + k]),
      at: `t * ${size}`,
      size,
      once: false,
      value: node.inputs[n + nc + k],
      layout: plan.stackedLayouts[k],
    })),
  ];
  const grads = node.outputs.slice(forwardOutputs);
  const present = plan.joint.outputs.slice(1 + nc + plan.stacked.length).map((v) => v >= 0);
  const gradient = gradientSinks(ctx, plan, grads, present);
  const header = `for (let t = 0; t < ${plan.length}; t++)`;
  const sources = [...forward.sources, ...cotangents];
  const sinks = [...forward.sinks, ...sizes(plan.carry).map(() => undefined), ...gradient.sinks];
  const lines = [
    ...forward.before,
    ...gradient.before,
    ...emitLoop(ctx, plan, plan.joint, sources, sinks, header),
    ...forward.after,
  ];
  return lines.filter((l) => l !== "").join("\n");
}

function emitBackward(node: GraphNode, ctx: KernelContext): string {
  const plan = planOf(node);
  const T = plan.length;
  const nc = plan.carry.length;
  const nr = plan.rows.length;
  const nk = plan.captured.length;
  const cs = carrySize(plan);
  const offsets = carryOffsets(plan);
  const inputs = node.inputs.map((v) => ctx.array(v));
  const grads = node.outputs.map((v) => ctx.array(v));
  const carries = inputs[nc + nr + nk];
  const dLast = (j: number) => inputs[nc + nr + nk + 1 + j];
  const dStacked = (k: number) => inputs[nc + nr + nk + 1 + nc + k];
  const residual = (k: number) => inputs[nc + nr + nk + 1 + nc + plan.stacked.length + k];
  const g = ctx.scratch(Math.max(cs, 1));
  const carrySizes = sizes(plan.carry);
  const present = plan.backward.outputs.slice(1).map((v) => v >= 0);
  const sources: Source[] = [
    ...carrySizes.map((n, j) => ({
      array: carries,
      at: `t * ${cs} + ${offsets[j]}`,
      size: n,
      once: false,
    })),
    ...sizes(plan.rows).map((n, r) => ({
      array: inputs[nc + r],
      at: `t * ${n}`,
      size: n,
      once: false,
      value: node.inputs[nc + r],
      layout: plan.rowLayouts[r],
    })),
    ...sizes(plan.captured).map((n, k) => ({
      array: inputs[nc + nr + k],
      at: "0",
      size: n,
      once: true,
    })),
    ...carrySizes.map((n, j) => ({
      array: g,
      at: `${offsets[j]}`,
      size: n,
      once: false,
      carried: { name: `g${j}`, init: `${g}[${offsets[j]}]` },
    })),
    ...sizes(plan.stacked).map((n, k) => ({
      array: dStacked(k),
      at: `t * ${n}`,
      size: n,
      once: false,
      value: node.inputs[nc + nr + nk + 1 + nc + k],
      layout: plan.stackedLayouts[k],
    })),
    ...sizes(plan.residuals).map((n, k) => ({
      array: residual(k),
      at: `t * ${n}`,
      size: n,
      once: false,
    })),
  ];
  const gradient = gradientSinks(ctx, plan, node.outputs, present);
  const sinks: (Sink | undefined)[] = [
    ...carrySizes.map((n, j) => ({
      array: g,
      at: `${offsets[j]}`,
      size: n,
      op: "=" as const,
      zeroIfAbsent: true,
      carried: `g${j}`,
      storeAfter: true,
    })),
    ...gradient.sinks,
  ];
  const lines = [
    ...carrySizes.map((n, j) => copy(g, `${offsets[j]}`, dLast(j), "0", n)),
    ...gradient.before,
    ...emitLoop(ctx, plan, plan.backward, sources, sinks, `for (let t = ${T - 1}; t >= 0; t--)`),
    ...carrySizes.map((n, j) => copy(grads[j], "0", g, `${offsets[j]}`, n)),
  ];
  return lines.filter((l) => l !== "").join("\n");
}

/** The loop rules, by kernel name. */
export const scanLoopRules: Record<string, CheckedRule> = {
  TycheScan: { kind: "kernel", emit: emitForward },
  TycheScanGrad: { kind: "kernel", emit: emitBackward },
  TycheScanFused: { kind: "kernel", emit: emitFused },
};
