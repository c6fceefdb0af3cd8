/**
 * The one place where Tyche sets tfjs up: backends, gradients and `constant`, through which
 * every user number becomes a tensor.
 *
 * Importing Tyche chooses no backend. It registers tfjs's cpu backend (as importing
 * `@tensorflow/tfjs-backend-cpu` does), and tfjs picks the registered backend of highest
 * priority on first use: cpu, unless the application registers another one itself. The wasm
 * backend is loaded only by `await useBackend("wasm")` (after `setWasmPaths` where its files
 * are served from elsewhere).
 *
 * Why cpu by default: measured with bench/backends.ts on this project's 2-core machine (tfjs
 * 4.22, Node 20), a small kernel costs 2.2 us on cpu against 2.8 us on wasm, the eager
 * value-and-gradient of eight schools 1.39 ms on both, while a 70x51x3x3 logSumExp costs
 * 10.8 ms on cpu against 2.1 ms on wasm. Probabilistic models are mostly small tensors (where
 * cpu is as fast or faster), cpu initializes synchronously (so `trace(model).getTrace()` works
 * without an `await`; wasm, registered at import, would have made every synchronous call fail
 * until `await tf.ready()`), and the compiled engine, not eager tfjs, serves inference.
 */
// tfjs's declarations name the global types `Long` (tfjs-core) and `EmscriptenModule`
// (tfjs-backend-wasm) without referencing the packages that declare them, so a project that
// compiles with `skipLibCheck: false` and a `types` list fails inside tfjs. These references,
// kept in Tyche's declarations, bring them in (both packages are dependencies of tfjs).
/// <reference types="long" preserve="true" />
/// <reference types="emscripten" preserve="true" />
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "./vendor/tfjs-gradients.js";
import "./gradients/index.js";
import { registerCpuTensorScatterUpdate } from "./kernels/tensor-scatter-update.js";

// tfjs's own cpu TensorScatterUpdate writes into its input (see the file).
registerCpuTensorScatterUpdate();

// Production mode skips tfjs's debug checks and its "install tfjs-node" banner in Node. A flag,
// not a backend: tfjs reads it when it first runs a kernel.
tf.enableProdMode();

// Zero gradients for tfjs's comparison and logical kernels. tfjs-core registers none for
// Greater, Less, Equal, LogicalAnd, All, ... (only GreaterEqual), so any log-density that
// masks its support with `tf.where(tf.greater(x, 0), ...)` would fail under `tf.grads` as
// soon as x is differentiated ("gradient function not found for Greater"). Their outputs are
// booleans, piecewise constant in the inputs: the gradient is zero almost everywhere.
// Registered once, only where tfjs has no rule of its own.
const COMPARISONS = [
  "Greater",
  "Less",
  "LessEqual",
  "Equal",
  "NotEqual",
  "LogicalAnd",
  "LogicalOr",
];
const LOGICAL_REDUCTIONS = ["LogicalNot", "All", "Any"];
for (const name of COMPARISONS) registerZeroGradient(name, ["a", "b"]);
for (const name of LOGICAL_REDUCTIONS) registerZeroGradient(name, ["x"]);

function registerZeroGradient(kernelName: string, inputs: string[]): void {
  if (tf.getGradient(kernelName) !== undefined) return;
  tf.registerGradient({
    kernelName,
    inputsToSave: inputs,
    gradFunc: (_dy, saved) => {
      const out: Record<string, () => tf.Tensor> = {};
      inputs.forEach((name, i) => {
        out[name] = () => tf.zeros(saved[i].shape);
      });
      return out;
    },
  });
}

// Tile's gradient (which tf.broadcastTo, and so tf.where with broadcasting, runs) as one sum:
// dy seen as [r0, x0, r1, x1, ...] summed over the repetition axes. tfjs's own rule adds one
// slice per repetition (thousands of kernels for a [60, 60] broadcast of a scalar, which the
// compiled engine would unroll) and stops at rank 4, while enumeration makes tensors of higher
// rank. Registered after tfjs's, so it replaces it.
tf.registerGradient({
  kernelName: "Tile",
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const reps = (attrs as unknown as { reps: number[] }).reps;
    return {
      x: () => {
        if (reps.every((r) => r === 1)) return tf.reshape(dy as tf.Tensor, x.shape);
        const split = x.shape.flatMap((d, i) => [reps[i], d]);
        const axes = reps.map((_, i) => 2 * i).filter((a) => split[a] > 1);
        return tf.reshape(tf.sum(tf.reshape(dy as tf.Tensor, split), axes), x.shape);
      },
    };
  },
});

export { tf };

/** The backends Tyche ships with. */
export type BackendName = "cpu" | "wasm";

/** Where the wasm backend's binaries are served: a URL prefix, or one URL per file. */
export type WasmPaths =
  | string
  | {
      readonly "tfjs-backend-wasm.wasm"?: string;
      readonly "tfjs-backend-wasm-simd.wasm"?: string;
      readonly "tfjs-backend-wasm-threaded-simd.wasm"?: string;
    };

let wasmPaths: { paths: WasmPaths; usePlatformFetch: boolean } | undefined;

/**
 * Tells the wasm backend where its `.wasm` files are served (tfjs-backend-wasm's
 * `setWasmPaths`), for bundled web pages; call it before `useBackend("wasm")`, which loads the
 * backend and hands it the paths. Node finds the files in node_modules without it.
 *
 * @example
 * setWasmPaths("https://cdn.jsdelivr.net/npm/@tensorflow/tfjs-backend-wasm@4.22.0/dist/");
 * await useBackend("wasm");
 */
export function setWasmPaths(paths: WasmPaths, usePlatformFetch = false): void {
  wasmPaths = { paths, usePlatformFetch };
}

/**
 * Switches tfjs to another backend and waits until it is ready. Tyche never chooses a backend
 * at import: without a call to this, tfjs takes cpu (or the application's own backend) on
 * first use. The wasm backend is loaded here, on first request.
 *
 * @example
 * await useBackend("wasm"); // large tensors: about 4x faster than cpu per element
 * await useBackend("cpu"); // back to the default
 */
export async function useBackend(name: BackendName): Promise<void> {
  if (name === "wasm" && tf.findBackendFactory("wasm") === null) {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    if (wasmPaths !== undefined) wasm.setWasmPaths(wasmPaths.paths, wasmPaths.usePlatformFetch);
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`useBackend: backend "${name}" failed to initialize`);
  await tf.ready();
}

/** Nested arrays of numbers (or booleans, read as 1 and 0), as users write data. */
export type NestedNumbers = number | boolean | readonly NestedNumbers[];
/** Anything Tyche accepts where it needs numbers: numbers, nested arrays, Float64Array, tensors. */
export type ArrayLike = NestedNumbers | Float64Array | Float32Array | Int32Array | tf.Tensor;

// The exact float64 values behind tensors made by `constant`, keyed by the tensor's dataId.
// The dataId survives moves between backends, so the compiled engine, which records on a
// backend of its own, can look the float64 values up for any constant it meets.
const float64Values = new WeakMap<object, Float64Array>();

/**
 * Makes a tensor from numbers, nested arrays or a Float64Array, remembering the float64
 * values so that the compiled engine computes with them instead of tfjs's float32 copy.
 * Tensors are returned unchanged.
 *
 * @example
 * const y = constant([28, 8, -3, 7, -1, 1, 18, 12]); // float32 tensor, float64 kept aside
 * float64Of(y); // Float64Array [28, 8, ...]
 */
export function constant(x: ArrayLike, dtype: "float32" | "int32" | "bool" = "float32"): tf.Tensor {
  if (x instanceof tf.Tensor) return x;
  const { values, shape } = flatten(x);
  if (dtype === "int32") return tf.tensor(Int32Array.from(values), shape, "int32");
  if (dtype === "bool")
    return tf.tensor(
      Uint8Array.from(values, (v) => (v ? 1 : 0)),
      shape,
      "bool",
    );
  const t = tf.tensor(Float32Array.from(values), shape, "float32");
  float64Values.set(t.dataId, values);
  return t;
}

/**
 * The float64 values behind a tensor made by `constant`, or undefined for other tensors.
 *
 * @example
 * float64Of(constant([0.1, 0.2])); // Float64Array [0.1, 0.2]
 * float64Of(tf.tensor([0.1, 0.2])); // undefined: made by tfjs, only float32 values
 */
export function float64Of(t: tf.TensorInfo | tf.Tensor): Float64Array | undefined {
  return float64Values.get(t.dataId);
}

/** Records float64 values for a tensor made elsewhere (used by library code that builds tensors). */
export function rememberFloat64(t: tf.Tensor, values: Float64Array): tf.Tensor {
  float64Values.set(t.dataId, values);
  return t;
}

/** Reads a tensor's values as float64: the exact values for constants, tfjs's float32 otherwise. */
export function readFloat64(t: tf.Tensor): Float64Array {
  const exact = float64Of(t);
  if (exact !== undefined && exact.length === t.size) return exact;
  return Float64Array.from(t.dataSync() as Float32Array);
}

/** The shape of an ArrayLike without converting it. */
export function shapeOf(x: ArrayLike): number[] {
  if (x instanceof tf.Tensor) return x.shape.slice();
  if (typeof x === "number" || typeof x === "boolean") return [];
  if (ArrayBuffer.isView(x)) return [(x as Float64Array).length];
  const shape: number[] = [];
  let cur: NestedNumbers = x as NestedNumbers;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0] as NestedNumbers;
  }
  return shape;
}

/** Flattens numbers, nested arrays or typed arrays into row-major float64 values and a shape. */
export function flatten(x: Exclude<ArrayLike, tf.Tensor>): {
  values: Float64Array;
  shape: number[];
} {
  if (typeof x === "number" || typeof x === "boolean")
    return { values: Float64Array.of(Number(x)), shape: [] };
  if (ArrayBuffer.isView(x)) return { values: Float64Array.from(x), shape: [x.length] };
  const shape = shapeOf(x);
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float64Array(size);
  let offset = 0;
  const path: number[] = [];
  const walk = (node: NestedNumbers, depth: number): void => {
    if (depth === shape.length) {
      if (typeof node !== "number" && typeof node !== "boolean") {
        throw new NotNumbersError(`${describeValue(node)}${at(path)}`);
      }
      values[offset++] = Number(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new NotNumbersError(
        `a ragged nested array: expected an array of length ${shape[depth]}${at(path)}, got ${
          Array.isArray(node) ? `length ${node.length}` : describeValue(node)
        }`,
      );
    }
    for (let i = 0; i < node.length; i++) {
      path.push(i);
      walk(node[i], depth + 1);
      path.pop();
    }
  };
  walk(x as NestedNumbers, 0);
  return { values, shape };
}

/**
 * What `constant` throws for a value that is not numbers; `got` describes the first offender
 * and where it is ('the string "a" at index [1]'), so callers can name their API and site.
 */
export class NotNumbersError extends TypeError {
  constructor(readonly got: string) {
    super(
      `constant: expected numbers (a number, nested arrays of numbers, a typed array or a tensor), got ${got}`,
    );
    this.name = "NotNumbersError";
  }
}

function at(path: readonly number[]): string {
  return path.length === 0 ? "" : ` at index [${path.join(", ")}]`;
}

/**
 * A short description of a value for error messages (never calls the value's own methods).
 *
 * @example
 * describeValue("3"); // 'the string "3"'
 */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  switch (typeof value) {
    case "string": {
      const text = JSON.stringify(value);
      return `the string ${text.length > 40 ? `${text.slice(0, 37)}..."` : text}`;
    }
    case "number":
    case "boolean":
      return `the ${typeof value} ${String(value)}`;
    case "bigint":
      return `the bigint ${String(value)}n`;
    case "function":
      return "a function";
    case "symbol":
      return "a symbol";
  }
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (value instanceof tf.Tensor) return `a ${value.dtype} tensor`;
  const name = Object.prototype.toString.call(value).slice(8, -1);
  return `an object (${name})`;
}

/**
 * Runs `fn` in a tfjs scope that disposes every tensor it makes, and returns its plain
 * (non-tensor) result without tfjs walking through it.
 *
 * @example
 * const total = tidyValue(() => tf.sum(x).dataSync()[0]);
 */
export function tidyValue<T>(fn: () => T): T {
  let result: T | undefined;
  tf.tidy(() => {
    result = fn();
  });
  return result as T;
}
