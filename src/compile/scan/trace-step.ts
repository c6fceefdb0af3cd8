/**
 * Traces one step of a scan body, once, as a sub-graph: the body runs under tfjs's gradient
 * tape on the recording backend with placeholders for the carry, the rows of the sliced
 * inputs and the tensors it reads from outside, and the objective is the dot product of its
 * outputs with cotangent placeholders, so that the recorded graph holds both the step and its
 * vector-Jacobian product (the same construction as `traceObjective`, one level down). Both
 * are optimized and checked against what tfjs computed while recording.
 */

import { stackedShape } from "../../primitives/scan-time.js";
import type { TracedLoopRequest } from "../../primitives/scan-tracer.js";
import { tf } from "../../tf.js";
import { sizeOf } from "../../util/shapes.js";
import type { RecordingBackend } from "../backend.js";
import { checkAgainstTrace } from "../check.js";
import { instantiate } from "../emit/instantiate.js";
import { emitProgram } from "../emit/program.js";
import { type DType, type Graph, NO_VALUE, type ValueInfo } from "../graph.js";
import { unsupportedReason } from "../kernels/index.js";
import { optimize } from "../passes/index.js";
import { Recorder } from "../recorder.js";
import { makePlan, type ScanPlan, timeLayout } from "./plan.js";
import { splitResiduals } from "./residuals.js";

/** A traced step, or why there is none (silent: the unrolled recording fails for the same cause). */
export type StepTrace =
  | { ok: true; plan: ScanPlan }
  | { ok: false; reason: string; silent: boolean };

/**
 * Traces `request.step` with a recorder of its own on `backend`; `copy` makes the placeholders.
 *
 * @example
 * const traced = traceStep(request, backend, (x, row) => freshCopy(x, row));
 */
export function traceStep(
  request: TracedLoopRequest,
  backend: RecordingBackend,
  copy: (x: tf.Tensor, row?: number, axis?: number) => tf.Tensor,
  dependsOnInputs: (x: tf.Tensor) => boolean,
): StepTrace {
  const previous = backend.listener;
  const rec = new Recorder(backend);
  backend.listener = rec;
  try {
    return traceWith(rec, backend, request, copy, dependsOnInputs);
  } catch (error) {
    return {
      ok: false,
      reason: `the body threw while traced once: ${(error as Error).message}`,
      silent: false,
    };
  } finally {
    backend.listener = previous;
  }
}

function traceWith(
  rec: Recorder,
  backend: RecordingBackend,
  request: TracedLoopRequest,
  copy: (x: tf.Tensor, row?: number, axis?: number) => tf.Tensor,
  dependsOnInputs: (x: tf.Tensor) => boolean,
): StepTrace {
  const carry = request.carry.map((c) => copy(c));
  const rows = request.sliced.map((s) => copy(s.tensor, 0, s.axis));
  const inputs = [...carry, ...rows, ...request.captured];
  inputs.forEach((t, i) => {
    rec.placeholder(i, t);
  });
  const at = inputs.map((t) => Float64Array.from(backend.storedValues(t)));
  const wrt = inputs.flatMap((t, i) => (t.dtype === "float32" ? [i] : []));

  let forwardIds: number[] = [];
  let outputs: ValueInfo[] = [];
  let shadowForward: Float64Array[] = [];
  const cotangents: Float64Array[] = [];
  const objective = (): tf.Tensor => {
    const out = request.step(carry, rows);
    if (out.carry.length !== carry.length)
      throw new Error("the carry changed its number of leaves");
    out.carry.forEach((c, j) => {
      if (c.shape.join() !== carry[j].shape.join() || c.dtype !== carry[j].dtype) {
        throw new Error(
          `the carry's leaf ${j} changed from ${carry[j].dtype} [${carry[j].shape}] to ${c.dtype} [${c.shape}]`,
        );
      }
    });
    const flat = [...out.carry, ...out.stacked];
    forwardIds = flat.map((t) => rec.resolve(t));
    shadowForward = flat.map((t) => Float64Array.from(backend.storedValues(t)));
    outputs = flat.map((t) => ({ shape: t.shape.slice(), dtype: dtypeOf(t) }));
    const terms: tf.Tensor[] = [];
    flat.forEach((o, k) => {
      const values = Float32Array.from(pseudoRandom(o.size, k));
      const ct = tf.tensor(values, o.shape, "float32");
      rec.placeholder(inputs.length + k, ct);
      cotangents.push(Float64Array.from(values));
      if (o.dtype === "float32") terms.push(tf.sum(tf.mul(o, ct)));
    });
    const dot = terms.length === 0 ? tf.scalar(0) : terms.length === 1 ? terms[0] : tf.addN(terms);
    rec.startBackward();
    return dot;
  };
  let value: tf.Tensor;
  let grads: Array<tf.Tensor | null | undefined> = [];
  if (wrt.length > 0) {
    const result = tf.engine().gradients(
      objective,
      wrt.map((i) => inputs[i]),
      undefined,
      true,
    );
    value = result.value;
    grads = result.grads;
  } else {
    value = objective();
  }
  if (rec.reads.length > 0) {
    const read = rec.reads[0];
    return {
      ok: false,
      reason: `the body reads the value of a tensor (${read.method}${read.site === undefined ? "" : ` at ${read.site}`})`,
      silent: true,
    };
  }
  if (rec.problems.length > 0) return { ok: false, reason: rec.problems[0], silent: true };

  const gradIds = inputs.map((t, i) => {
    const k = wrt.indexOf(i);
    const g = k < 0 ? undefined : grads[k];
    return g == null ? NO_VALUE : rec.builder.reshape(rec.resolve(g), t.shape);
  });
  const shadowGrads = inputs.map((t, i) => {
    const k = wrt.indexOf(i);
    const g = k < 0 ? undefined : grads[k];
    return g == null ? new Float64Array(t.size) : Float64Array.from(backend.storedValues(g));
  });
  const joint = rec.build([rec.resolve(value), ...gradIds]);
  const unsupported = unsupportedReason(joint);
  if (unsupported !== undefined) return { ok: false, reason: unsupported, silent: true };

  const n = inputs.length;
  const forwardGraph: Graph = {
    ...joint,
    nodes: joint.nodes.filter((node) => node.op !== "Input" || Number(node.attrs.index) < n),
    inputs: joint.inputs.slice(0, n),
    outputs: [NO_VALUE, ...forwardIds],
  };
  // Gradients only for inputs that depend on the objective's inputs (through the carry too).
  const sources = [...request.carry, ...request.sliced.map((s) => s.tensor), ...request.captured];
  const needed = differentiable(
    forwardGraph,
    sources.map((t) => t.dtype === "float32" && dependsOnInputs(t)),
    carry.length,
    forwardIds,
  );
  const optimized = optimize({
    ...joint,
    outputs: [NO_VALUE, ...forwardIds, ...gradIds.map((g, i) => (needed[i] ? g : NO_VALUE))],
  });
  const nc = carry.length;
  const pair = splitResiduals(optimized, n, nc + rows.length, cotangents.length, forwardIds.length);
  // The forward step against tfjs (its residuals are checked through the gradient they feed).
  const residualValues = pair.residuals.map((r) => new Float64Array(sizeOf(r.shape)));
  instantiate(emitProgram(pair.forward, { float32: true }))(
    at.map((x) => x.map(Math.fround)),
    [...shadowForward.map((x) => new Float64Array(x.length)), ...residualValues],
  );
  const problem =
    check("the step", pair.forward, at, 0, [...shadowForward, ...residualValues]) ??
    check(
      "the step's gradient",
      pair.backward,
      [...at, ...cotangents, ...residualValues],
      0,
      shadowGrads.map((g, i) => (needed[i] ? g : new Float64Array(g.length))),
    );
  if (problem !== undefined) return { ok: false, reason: problem, silent: false };

  const info = (t: tf.Tensor): ValueInfo => ({ shape: t.shape.slice(), dtype: dtypeOf(t) });
  const stacked = outputs.slice(nc);
  const stackedFull = stacked.map((o, k) => ({
    shape: stackedShape(o.shape, request.stackedAxes[k], request.length),
    dtype: o.dtype,
  }));
  return {
    ok: true,
    plan: makePlan({
      length: request.length,
      carry: carry.map(info),
      rows: rows.map(info),
      rowsFull: request.sliced.map((s) => info(s.tensor)),
      rowLayouts: request.sliced.map((s) => timeLayout(s.tensor.shape, s.axis)),
      captured: request.captured.map(info),
      stacked,
      stackedFull,
      stackedLayouts: stackedFull.map((f, k) =>
        timeLayout(f.shape, Math.max(0, request.stackedAxes[k])),
      ),
      residuals: pair.residuals,
      forward: pair.forward,
      backward: pair.backward,
      joint: optimized,
    }),
  };
}

/**
 * Which inputs of a step need gradients: those depending on the objective's inputs, and carry
 * leaves that the step computes from such inputs (the carry entering a step is the one the
 * step before returned).
 */
function differentiable(
  graph: Graph,
  dependent: readonly boolean[],
  carryLeaves: number,
  nextCarry: readonly number[],
): boolean[] {
  const needed = dependent.slice();
  for (;;) {
    const reached = new Set(graph.inputs.filter((_, i) => needed[i]));
    for (const node of graph.nodes) {
      if (node.inputs.some((v) => reached.has(v))) for (const v of node.outputs) reached.add(v);
    }
    let changed = false;
    for (let j = 0; j < carryLeaves; j++) {
      if (
        !needed[j] &&
        reached.has(nextCarry[j]) &&
        graph.values[graph.inputs[j]].dtype === "float32"
      ) {
        needed[j] = true;
        changed = true;
      }
    }
    if (!changed) return needed;
  }
}

function check(
  what: string,
  graph: Graph,
  at: Float64Array[],
  shadowValue: number,
  shadowGrads: Float64Array[],
): string | undefined {
  const problem = checkAgainstTrace(graph, { graph, at, shadowValue, shadowGrads });
  return problem === undefined ? undefined : `${what}: ${problem}`;
}

function dtypeOf(t: tf.Tensor): DType {
  if (t.dtype === "float32" || t.dtype === "int32" || t.dtype === "bool") return t.dtype;
  throw new Error(`a tensor of dtype ${t.dtype}; only float32, int32 and bool are compiled`);
}

/** Fixed values in [0.3, 0.7] (no ties, no symmetry that could hide a transposed index). */
function pseudoRandom(n: number, salt: number): Float64Array {
  let state = (0x85ebca6b * (salt + 1)) >>> 0;
  return Float64Array.from({ length: n }, () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    state ^= state >>> 13;
    return 0.3 + (0.4 * (state >>> 0)) / 4294967296;
  });
}
