/**
 * The recorder: turns what the recording backend reports into a graph. Tensors are matched to
 * graph values by their dataId; a tensor never seen before is a constant (data), kept in float64
 * when `constant` made it; a kernel whose outputs share their data with an input (Identity,
 * Reshape, lossless Cast, ExpandDims, ...) adds no node, and a later use under another shape
 * becomes a Reshape (a row-major view).
 */
import type { DataId, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from "@tensorflow/tfjs-core";
import { opOfKernel } from "../custom-vjp/registry.js";
import { float64Of } from "../tf.js";
import { sizeOf } from "../util/shapes.js";
import type { RecordingBackend, RecordingListener } from "./backend.js";
import { type DType, type Graph, GraphBuilder } from "./graph.js";

/** A value read during tracing, of a tensor computed from the inputs. */
export interface ValueRead {
  /** The Tensor method that read (dataSync, arraySync, data, ...), or "readSync". */
  readonly method: string;
  /** The first stack frame outside tfjs and the compiler, if found. */
  readonly site: string | undefined;
}

/**
 * Records kernels into a graph. Attach it to the recording backend with `withRecordingBackend`.
 *
 * @example
 * const recorder = new Recorder(backend);
 * const x = recorder.placeholder(0, tf.tensor([1, 2]));
 */
export class Recorder implements RecordingListener {
  readonly builder = new GraphBuilder();
  /** Values read during tracing that depended on the inputs: such a trace is not compiled. */
  readonly reads: ValueRead[] = [];
  /** Problems that make the trace unusable, such as unsupported dtypes. */
  readonly problems: string[] = [];
  private readonly byData = new Map<DataId, number[]>();
  private readonly fromInputs = new Set<number>();
  private readonly inputIds: number[] = [];

  constructor(private readonly backend: RecordingBackend) {}

  /** Declares a tensor as objective input `index`. */
  placeholder(index: number, info: TensorInfo): number {
    const v = this.builder.input(index, info.shape);
    this.byData.set(info.dataId, [v]);
    this.fromInputs.add(v);
    this.inputIds[index] = v;
    return v;
  }

  /** The graph value of a tensor: a known value, a view of one, or a new constant. */
  resolve(info: TensorInfo): number {
    const known = this.byData.get(info.dataId);
    if (known !== undefined) {
      for (const v of known) if (sameShape(this.builder.values[v].shape, info.shape)) return v;
      const view = this.builder.reshape(known[0], info.shape);
      known.push(view);
      if (this.fromInputs.has(known[0])) this.fromInputs.add(view);
      return view;
    }
    const v = this.builder.constant(this.constantValues(info), info.shape, this.dtypeOf(info));
    this.byData.set(info.dataId, [v]);
    return v;
  }

  onKernel(
    kernelName: string,
    inputs: NamedTensorInfoMap,
    attrs: NamedAttrMap,
    outputs: TensorInfo[],
  ): void {
    const ids: number[] = [];
    for (const key of inputOrder(kernelName, inputs)) {
      const info = inputs[key];
      if (info != null) ids.push(this.resolve(info));
    }
    const fresh = outputs.filter((o) => !this.byData.has(o.dataId));
    if (fresh.length === 0) return; // every output is an input's data: a view, recorded on use
    if (fresh.length !== outputs.length) {
      this.problems.push(`kernel ${kernelName} returned some outputs that share an input's data`);
      return;
    }
    const outs = this.builder.add(
      kernelName,
      ids,
      copyAttrs(attrs),
      outputs.map((o) => ({ shape: o.shape.slice(), dtype: this.dtypeOf(o) })),
    );
    const dependent = ids.some((v) => this.fromInputs.has(v));
    outputs.forEach((o, i) => {
      this.byData.set(o.dataId, [outs[i]]);
      if (dependent) this.fromInputs.add(outs[i]);
    });
  }

  onRead(dataId: DataId): void {
    if (!this.dependsOnInputs(dataId)) return; // data: harmless
    this.reads.push(readSite(new Error().stack ?? ""));
  }

  /** Whether a tensor is a recorded value computed by a kernel (from the inputs or not). */
  isComputed(dataId: DataId): boolean {
    const known = this.byData.get(dataId);
    return known?.some((v) => this.builder.producer(v)?.op !== "Const") === true;
  }

  /** Whether a tensor is a recorded value computed from the inputs (not data). */
  dependsOnInputs(dataId: DataId): boolean {
    const known = this.byData.get(dataId);
    return known?.some((v) => this.fromInputs.has(v)) === true;
  }

  /** Marks the end of the objective: kernels recorded from now on compute its gradient. */
  startBackward(): void {
    this.builder.backward = true;
  }

  /** The finished graph, with the given objective and gradient values. */
  build(outputs: readonly number[]): Graph {
    return this.builder.build(this.inputIds, outputs);
  }

  private dtypeOf(info: TensorInfo): DType {
    const dtype = info.dtype;
    if (dtype === "float32" || dtype === "int32" || dtype === "bool") return dtype;
    this.problems.push(
      `a tensor of dtype ${dtype} (shape [${info.shape.join(",")}]); only float32, int32 and bool are compiled`,
    );
    return "float32";
  }

  private constantValues(info: TensorInfo): Float64Array {
    const exact = float64Of(info);
    const size = sizeOf(info.shape);
    if (exact !== undefined && exact.length === size) return exact;
    const stored = this.backend.storedValues(info);
    const values = Float64Array.from(stored);
    if (info.dtype === "float32")
      for (let i = 0; i < values.length; i++) values[i] = shortestDecimal(values[i]);
    return values;
  }
}

/**
 * The order in which a kernel's named inputs become node inputs: as tfjs ops build them, except
 * for custom ops, whose rules expect the op's inputs first and then `__output`, `__dy`.
 */
function inputOrder(kernelName: string, inputs: NamedTensorInfoMap): string[] {
  const op = opOfKernel(kernelName);
  if (op === undefined) return Object.keys(inputs);
  return [...op.inputNames, "__output", "__dy"].filter((name) => name in inputs);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function copyAttrs(attrs: NamedAttrMap): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(attrs)) copy[key] = deepCopy(value);
  return copy;
}

function deepCopy(value: unknown): unknown {
  return Array.isArray(value) ? value.map(deepCopy) : value;
}

/**
 * The decimal with the fewest significant digits (at most 6, so that a float32 computed by chance rarely qualifies) that rounds to the same float32,
 * or the value itself. Numbers that user code passes to tfjs ops (`tf.mul(x, 0.1)`) reach the
 * backend as float32; this recovers the double the user most likely wrote (0.1, not
 * 0.100000001490116). Values made with `constant` keep their exact float64 and skip this.
 *
 * @example
 * shortestDecimal(Math.fround(0.1)); // 0.1
 */
export function shortestDecimal(x: number): number {
  if (!Number.isFinite(x) || Number.isInteger(x)) return x;
  for (let digits = 1; digits <= 6; digits++) {
    const candidate = Number(x.toPrecision(digits));
    if (Math.fround(candidate) === x) return candidate;
  }
  return x;
}

/**
 * Where a value was read: the Tensor method and the first stack frame outside tfjs and the
 * compiler.
 *
 * @example
 * readSite(new Error().stack ?? ""); // { method: "dataSync", site: "model (/app/model.ts:12:5)" }
 */
export function readSite(stack: string): ValueRead {
  const lines = stack.split("\n").slice(1);
  let method = "readSync";
  let after = -1;
  lines.forEach((line, i) => {
    const m = /at (?:[\w$]+\.)?(?:Tensor|Variable)\.(\w+)/.exec(line);
    if (m !== null) {
      method = m[1];
      after = i;
    }
  });
  const rest = after >= 0 ? lines.slice(after + 1) : lines;
  const site = rest.find((line) => !/tfjs-|src[/\\]compile[/\\]|node:internal/.test(line));
  return { method, site: site?.trim().replace(/^at /, "") };
}
