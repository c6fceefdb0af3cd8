/**
 * The recording backend: a tfjs backend that runs every kernel exactly as the cpu backend does
 * (shadow execution, so shapes and float32 values are right) and reports each kernel it runs,
 * and each value read, to a listener. The compiled engine traces objectives on it.
 */

import { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import type {
  DataId,
  KernelFunc,
  NamedAttrMap,
  NamedTensorInfoMap,
  TensorInfo,
} from "@tensorflow/tfjs-core";
import { tf } from "../tf.js";

/** The name under which the recording backend is registered with tfjs. */
export const RECORDING_BACKEND = "tyche-recorder";

/** Receives what the recording backend sees. */
export interface RecordingListener {
  /** A kernel ran (at top level: kernels that other kernels call internally are not reported). */
  onKernel(
    kernelName: string,
    inputs: NamedTensorInfoMap,
    attrs: NamedAttrMap,
    outputs: TensorInfo[],
  ): void;
  /** User code read the values of a tensor (`dataSync`, `arraySync`, `data`, ...). */
  onRead(dataId: DataId): void;
}

/** The cpu backend, plus a listener and a count of the kernels now running. */
export class RecordingBackend extends MathBackendCPU {
  listener: RecordingListener | undefined;
  /** How many recording kernels are running: reads inside kernels are theirs, not the user's. */
  kernelDepth = 0;

  override readSync(dataId: DataId) {
    if (this.listener !== undefined && this.kernelDepth === 0) this.listener.onRead(dataId);
    return super.readSync(dataId);
  }

  /** The stored values of a tensor, without reporting a read. */
  storedValues(info: TensorInfo): ArrayLike<number> {
    const entry = this.data.get(info.dataId);
    if (entry.values === undefined || info.dtype === "string" || info.dtype === "complex64") {
      throw new Error(`compile: a tensor of dtype ${info.dtype} has no plain numeric values`);
    }
    return entry.values as ArrayLike<number>;
  }
}

const wrapped = new Set<string>();

/** A kernel for the recording backend that runs the cpu kernel of the same name and reports. */
function recordingKernel(kernelName: string): KernelFunc {
  return (args) => {
    const backend = args.backend as RecordingBackend;
    const shadow = tf.getKernel(kernelName, "cpu");
    if (shadow === undefined) {
      throw new Error(
        `compile: kernel ${kernelName} has no cpu implementation to run while tracing`,
      );
    }
    backend.kernelDepth++;
    let out: TensorInfo | TensorInfo[];
    try {
      out = shadow.kernelFunc({ ...args, backend }) as TensorInfo | TensorInfo[];
    } finally {
      backend.kernelDepth--;
    }
    if (backend.kernelDepth === 0 && backend.listener !== undefined) {
      backend.listener.onKernel(
        kernelName,
        args.inputs,
        args.attrs ?? {},
        Array.isArray(out) ? out : [out],
      );
    }
    return out;
  };
}

/**
 * Registers the recording backend (once) and a recording kernel for every kernel the cpu backend
 * has now, including the kernels of custom ops defined since the last call.
 */
function prepareBackend(): void {
  if (tf.findBackendFactory(RECORDING_BACKEND) === null) {
    // Priority -1: tfjs never picks it on its own.
    tf.registerBackend(RECORDING_BACKEND, () => new RecordingBackend(), -1);
  }
  for (const config of tf.getKernelsForBackend("cpu")) {
    if (wrapped.has(config.kernelName)) continue;
    wrapped.add(config.kernelName);
    tf.registerKernel({
      kernelName: config.kernelName,
      backendName: RECORDING_BACKEND,
      kernelFunc: recordingKernel(config.kernelName),
    });
  }
}

/**
 * Runs `body` with the recording backend active and a listener (made for that backend) attached,
 * inside a tfjs scope that disposes every tensor made meanwhile; the previous backend is
 * restored afterwards, also when `body` throws.
 *
 * @example
 * withRecordingBackend((backend) => new Recorder(backend), (recorder) => tf.exp(tf.scalar(1)));
 */
export function withRecordingBackend<L extends RecordingListener, T>(
  makeListener: (backend: RecordingBackend) => L,
  body: (listener: L, backend: RecordingBackend) => T,
): T {
  prepareBackend();
  // With no backend active yet, getBackend() is undefined and nothing would be restored
  // afterwards: make tfjs pick its default first (the recorder's priority is below any other).
  tf.backend();
  const previous = tf.getBackend();
  // setBackend is synchronous for a backend whose factory is synchronous or that already exists.
  void tf.setBackend(RECORDING_BACKEND);
  const engine = tf.engine();
  try {
    if (tf.getBackend() !== RECORDING_BACKEND) {
      throw new Error("compile: could not switch to the recording backend");
    }
    const backend = tf.backend() as RecordingBackend;
    const listener = makeListener(backend);
    backend.listener = listener;
    engine.startScope("tyche-compile-trace");
    try {
      return body(listener, backend);
    } finally {
      backend.listener = undefined;
      engine.endScope();
    }
  } finally {
    if (previous !== undefined && previous !== RECORDING_BACKEND) void tf.setBackend(previous);
  }
}
