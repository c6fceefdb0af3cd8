/**
 * The scan loop as tfjs kernels, so that a model recorded on the recording backend can call
 * it like any op: TycheScan (the loop) and TycheScanGrad (its gradient, which tfjs's tape calls
 * when it differentiates the objective). Both run on the cpu backend (the recording backend
 * shadows it) by the very code the compiled engine emits for them, in float32 emulation, so the
 * values they give while recording are what the first-call check expects.
 */
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import type { KernelConfig, NamedAttrMap, NamedTensorMap, TensorInfo } from "@tensorflow/tfjs-core";
import { tf } from "../../tf.js";
import { sizeOf } from "../../util/shapes.js";
import { instantiate, type RunFunction } from "../emit/instantiate.js";
import { emitProgram } from "../emit/program.js";
import { GraphBuilder, type ValueInfo } from "../graph.js";
import { forwardInputs, forwardOutputs, gradientOutputs, type ScanPlan } from "./plan.js";

/** The loop kernel's name. */
export const SCAN_KERNEL = "TycheScan";
/** Its gradient kernel's name. */
export const SCAN_GRAD_KERNEL = "TycheScanGrad";

function gradientInputs(plan: ScanPlan): ValueInfo[] {
  // Carries, cotangents of the last carry and of the stacked outputs, residuals: the forward
  // outputs' shapes in their order.
  return [...forwardInputs(plan), ...forwardOutputs(plan)];
}

const programs = new WeakMap<ScanPlan, Map<string, RunFunction>>();

/** The emitted program of one kernel node (float32 emulation), made once per plan. */
function programOf(plan: ScanPlan, kernel: string): RunFunction {
  let byKernel = programs.get(plan);
  if (byKernel === undefined) programs.set(plan, (byKernel = new Map()));
  let run = byKernel.get(kernel);
  if (run === undefined) {
    const ins = kernel === SCAN_KERNEL ? forwardInputs(plan) : gradientInputs(plan);
    const outs = kernel === SCAN_KERNEL ? forwardOutputs(plan) : gradientOutputs(plan);
    const b = new GraphBuilder();
    const inputs = ins.map((v, i) => b.input(i, v.shape));
    const outputs = b.add(kernel, inputs, { plan }, outs);
    run = instantiate(emitProgram(b.build(inputs, [-1, ...outputs]), { float32: true }));
    byKernel.set(kernel, run);
  }
  return run;
}

function typed(values: Float64Array, dtype: ValueInfo["dtype"]) {
  if (dtype === "int32") return Int32Array.from(values);
  if (dtype === "bool") return Uint8Array.from(values);
  return Float32Array.from(values);
}

function kernelFunc(kernel: string): KernelConfig["kernelFunc"] {
  return ({ inputs, attrs, backend }) => {
    const plan = (attrs as unknown as { plan: ScanPlan }).plan;
    const cpu = backend as MathBackendCPU;
    const values = Object.keys(inputs).map((key) =>
      Float64Array.from(
        cpu.data.get((inputs[key] as TensorInfo).dataId).values as ArrayLike<number>,
      ),
    );
    const infos = kernel === SCAN_KERNEL ? forwardOutputs(plan) : gradientOutputs(plan);
    const outs = infos.map((info) => new Float64Array(sizeOf(info.shape)));
    programOf(plan, kernel)(values, outs);
    return infos.map((info, k) =>
      cpu.makeTensorInfo(info.shape.slice(), info.dtype, typed(outs[k], info.dtype)),
    );
  };
}

for (const kernel of [SCAN_KERNEL, SCAN_GRAD_KERNEL]) {
  if (tf.getKernel(kernel, "cpu") === undefined) {
    tf.registerKernel({ kernelName: kernel, backendName: "cpu", kernelFunc: kernelFunc(kernel) });
  }
}

if (tf.getGradient(SCAN_KERNEL) === undefined) {
  tf.registerGradient({
    kernelName: SCAN_KERNEL,
    saveAllInputs: true,
    // Every output (a plan has at most this many): the carries and residuals are read back.
    outputsToSave: new Array<boolean>(4096).fill(true),
    gradFunc: (dy, saved, attrs) => {
      const plan = (attrs as unknown as { plan: ScanPlan }).plan;
      const dys = Array.isArray(dy) ? dy : [dy];
      const n = forwardInputs(plan).length;
      const nc = plan.carry.length;
      const ns = plan.stacked.length;
      const outputs = saved.slice(n);
      const args = [
        ...saved.slice(0, n),
        outputs[0],
        ...dys.slice(1, 1 + nc + ns),
        ...outputs.slice(1 + nc + ns),
      ];
      // Each input's gradient runs the whole backward loop; the copies in the recorded graph
      // are one node after common-subexpression elimination.
      const grads: Record<string, () => tf.Tensor> = {};
      for (let i = 0; i < n; i++) {
        grads[String(i)] = () => runKernel(SCAN_GRAD_KERNEL, args, plan)[i];
      }
      return grads;
    },
  });
}

function runKernel(kernel: string, inputs: tf.Tensor[], plan: ScanPlan): tf.Tensor[] {
  const out = tf
    .engine()
    .runKernel(kernel, inputs as unknown as NamedTensorMap, { plan } as unknown as NamedAttrMap);
  return Array.isArray(out) ? (out as tf.Tensor[]) : [out as tf.Tensor];
}

/**
 * Runs a traced scan over its inputs (carry leaves, sliced inputs, captured tensors) on the
 * current backend: returns the carries, the last carry's leaves and the stacked outputs.
 *
 * @example
 * const [carries, last, ys] = runScan(plan, [init, xs, rho]);
 */
export function runScan(plan: ScanPlan, inputs: readonly tf.Tensor[]): tf.Tensor[] {
  return runKernel(SCAN_KERNEL, inputs.slice(), plan);
}
