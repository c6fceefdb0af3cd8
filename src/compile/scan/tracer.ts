/**
 * How the compiled engine learns the structure of a scan (see src/primitives/scan.ts for the
 * model side). While `traceObjective` records, it installs this tracer; a scan then:
 * 1. runs its step 0 once with fresh copies of the carry and of row 0 of its inputs while a
 *    discovery listener stands in for the recorder: every tensor from outside that the body
 *    computes with (the recorder knows it as computed, e.g. a parameter from q) is "captured";
 *    a value read there means the body cannot be traced once;
 * 2. hands over a step function, which trace-step.ts records once, with its gradient, as two
 *    sub-graphs (ScanPlan);
 * 3. calls the TycheScan kernel on the carry, the sliced inputs and the captured tensors. The
 *    recorder records it as one node, and tfjs's tape calls TycheScanGrad for its gradient, so
 *    the recorded graph holds one loop node each way whatever the number of steps.
 */
import type { DataId, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from "@tensorflow/tfjs-core";
import type { ScanDiscovery, ScanTracer } from "../../primitives/scan-tracer.js";
import { tf } from "../../tf.js";
import type { RecordingBackend, RecordingListener } from "../backend.js";
import { type Recorder, readSite, type ValueRead } from "../recorder.js";
import { runScan } from "./kernels.js";
import { gatherRow, timeLayout } from "./plan.js";
import { traceStep } from "./trace-step.js";

/**
 * The tracer for a recording in progress.
 *
 * @example
 * withScanTracer(scanTracer(recorder, backend), () => objective(q));
 */
export function scanTracer(outer: Recorder, backend: RecordingBackend): ScanTracer {
  let discovery: Discovery | undefined;
  const copy = (x: tf.Tensor, row?: number, axis = 0): tf.Tensor => {
    const stored = backend.storedValues(x) as Float32Array | Int32Array | Uint8Array;
    let values: Float32Array | Int32Array | Uint8Array = stored.slice();
    let shape = x.shape;
    if (row !== undefined) {
      const layout = timeLayout(x.shape, axis);
      values = gatherRow(stored, layout, row);
      shape = axis === 0 ? x.shape.slice(1) : x.shape.map((n, i) => (i === axis ? 1 : n));
    }
    const t = tf.tensor(values, shape, x.dtype);
    discovery?.markCopy(t, outer.dependsOnInputs(x.dataId));
    return t;
  };
  return {
    startDiscovery() {
      discovery = new Discovery(outer, backend, () => {
        discovery = undefined;
      });
      return discovery;
    },
    copy,
    traceLoop(request) {
      const traced = traceStep(request, backend, copy, (x) => outer.dependsOnInputs(x.dataId));
      if (!traced.ok) return traced;
      const sliced = request.sliced.map((s) => s.tensor);
      const out = runScan(traced.plan, [...request.carry, ...sliced, ...request.captured]);
      const nc = request.carry.length;
      return { ok: true, carry: out.slice(1, 1 + nc), stacked: out.slice(1 + nc) };
    },
  };
}

/** Stands in for the recorder during a body's first run. */
class Discovery implements RecordingListener, ScanDiscovery {
  /** Tensors of the body that change from step to step (copies and what is computed from them). */
  private readonly varying = new Set<DataId>();
  /** Those among them that depend on the objective's inputs. */
  private readonly dependent = new Set<DataId>();
  private readonly captured = new Map<number, tf.Tensor>();
  private readonly reads: { read: ValueRead; silent: boolean }[] = [];
  private readonly previous: RecordingListener | undefined;

  constructor(
    private readonly outer: Recorder,
    private readonly backend: RecordingBackend,
    private readonly done: () => void,
  ) {
    this.previous = backend.listener;
    backend.listener = this;
  }

  markCopy(t: tf.Tensor, dependsOnInputs: boolean): void {
    this.varying.add(t.dataId);
    if (dependsOnInputs) this.dependent.add(t.dataId);
  }

  onKernel(
    _kernelName: string,
    inputs: NamedTensorInfoMap,
    _attrs: NamedAttrMap,
    outputs: TensorInfo[],
  ): void {
    let varying = false;
    let dependent = false;
    for (const key of Object.keys(inputs)) {
      const t = inputs[key];
      if (t == null) continue;
      if (this.varying.has(t.dataId)) {
        varying = true;
        dependent ||= this.dependent.has(t.dataId);
      } else if (this.outer.isComputed(t.dataId) && t instanceof tf.Tensor) {
        if (!this.captured.has(t.id)) this.captured.set(t.id, t);
        varying = true;
        dependent ||= this.outer.dependsOnInputs(t.dataId);
      }
    }
    for (const o of outputs) {
      if (varying) this.varying.add(o.dataId);
      if (dependent) this.dependent.add(o.dataId);
    }
  }

  onRead(dataId: DataId): void {
    if (!this.varying.has(dataId) && !this.outer.isComputed(dataId)) return;
    const silent = this.dependent.has(dataId) || this.outer.dependsOnInputs(dataId);
    this.reads.push({ read: readSite(new Error().stack ?? ""), silent });
  }

  pause(): void {
    this.backend.listener = this.previous;
  }

  resume(): void {
    this.backend.listener = this;
  }

  finish(): ReturnType<ScanDiscovery["finish"]> {
    this.backend.listener = this.previous;
    this.done();
    if (this.reads.length > 0) {
      const { read } = this.reads[0];
      const where = read.site === undefined ? "" : ` at ${read.site}`;
      return {
        ok: false,
        reason: `the body reads the value of a tensor (${read.method}${where}), so each step may differ`,
        silent: this.reads.every((r) => r.silent),
      };
    }
    return { ok: true, captured: [...this.captured.values()] };
  }
}
