/**
 * `defineOp`: a user's float64 function with its own derivative rule, as a tfjs op that every
 * Tyche engine differentiates through that rule (DESIGN.md section 5).
 */
import type {
  KernelBackend,
  KernelFunc,
  NamedTensorInfoMap,
  TensorInfo,
} from "@tensorflow/tfjs-core";
import { type ArrayLike, constant, tf } from "../tf.js";
import { broadcastTo, sizeOf, sumTo } from "../util/shapes.js";
import { type OpDefinition, onOpRegistered } from "./registry.js";
import { defineRule, type OpSpec } from "./rule.js";

/** A defined op: call it on tensors or numbers inside models; `definition` is its registry entry. */
export interface Op {
  (...inputs: ArrayLike[]): tf.Tensor;
  readonly definition: OpDefinition;
}

const KERNEL_BACKENDS = ["cpu", "wasm"];

/**
 * Defines an op from float64 JavaScript and its vector-Jacobian product. The result is a
 * function on tensors, differentiable through `vjp` in the eager engine (tf.grads), in the
 * compiled engine and in every inference algorithm.
 *
 * @example
 * // Kepler's equation M = E - e sin E, solved for E, with the implicit-function derivative.
 * const eccentricAnomaly = defineOp({
 *   name: "eccentricAnomaly",
 *   inputs: ["M", "e"],
 *   forward: ([M, e]) => M.map((m, i) => solveKepler(m, e[i])),
 *   vjp: ([M, e], _shapes, E, dy) => {
 *     const dM = E.map((Ei, i) => dy[i] / (1 - e[i] * Math.cos(Ei)));
 *     return [dM, dM.map((g, i) => g * Math.sin(E[i]))];
 *   },
 * });
 * const E = eccentricAnomaly(tf.tensor([0.5, 1.0]), 0.3);
 */
export function defineOp(spec: OpSpec): Op {
  return eagerOp(defineRule(spec));
}

/** The ops whose kernels and gradient are registered with tfjs, by name. */
const eagerOps = new Map<string, OpDefinition>();

/**
 * The op of a registered float64 rule (rule.ts): registers its tfjs kernels and gradient,
 * replacing those of an earlier op of the same name, once per rule.
 *
 * @example
 * const lgammaOp = eagerOp(getOp("lgamma")!); // lgamma's rule is registered, and made an op once
 * lgammaOp(tf.tensor([0.5, 4])); // [0.5723649, 1.7917595]
 */
export function eagerOp(definition: OpDefinition): Op {
  const replaced = eagerOps.get(definition.name);
  if (replaced !== definition) {
    if (replaced !== undefined) {
      for (const backend of KERNEL_BACKENDS) {
        tf.unregisterKernel(replaced.kernelName, backend);
        if (replaced.valueAndGrad === undefined)
          tf.unregisterKernel(replaced.vjpKernelName, backend);
      }
      tf.unregisterGradient(replaced.kernelName);
    }
    for (const backend of KERNEL_BACKENDS) registerOpKernels(definition, backend);
    tf.registerGradient({
      kernelName: definition.kernelName,
      inputsToSave: [...definition.inputNames],
      outputsToSave:
        definition.valueAndGrad === undefined
          ? [true]
          : [false, ...definition.inputNames.map(() => true)],
      gradFunc: (dy, saved) => gradients(definition, dy, saved),
    });
    eagerOps.set(definition.name, definition);
  }
  const op = (...inputs: ArrayLike[]): tf.Tensor => {
    if (inputs.length !== definition.inputNames.length) {
      throw new TypeError(
        `${definition.name}: expected ${definition.inputNames.length} inputs (${definition.inputNames.join(", ")}), got ${inputs.length}`,
      );
    }
    const named: Record<string, tf.Tensor> = {};
    definition.inputNames.forEach((name, i) => {
      const t = constant(inputs[i]);
      named[name] = t.dtype === "float32" ? t : tf.cast(t, "float32");
    });
    const out = tf
      .engine()
      .runKernel(definition.kernelName, named as unknown as tf.NamedTensorMap, {});
    return Array.isArray(out) ? (out[0] as tf.Tensor) : (out as tf.Tensor);
  };
  return Object.assign(op, { definition });
}

/** Reads the op's inputs from a backend and broadcasts them when the op is elementwise. */
function readInputs(op: OpDefinition, inputs: NamedTensorInfoMap, backend: KernelBackend) {
  const infos = op.inputNames.map((name) => inputs[name] as TensorInfo);
  const shapes = infos.map((info) => info.shape);
  const outShape = op.outputShape(shapes);
  const raw = infos.map((info) => Float64Array.from(backend.readSync(info.dataId) as Float32Array));
  const values = op.elementwise ? raw.map((v, i) => broadcastTo(v, shapes[i], outShape)) : raw;
  const seenShapes = op.elementwise ? shapes.map(() => outShape) : shapes;
  return { shapes, seenShapes, outShape, values };
}

function write(
  backend: KernelBackend,
  shape: readonly number[],
  values: Float64Array | null,
): TensorInfo {
  const data = values === null ? new Float32Array(sizeOf(shape)) : Float32Array.from(values);
  return {
    dataId: backend.write(data, shape as number[], "float32"),
    shape: shape as number[],
    dtype: "float32",
  };
}

/**
 * Registers the forward and VJP kernels of an op for a tfjs backend that reads and writes
 * plain arrays (cpu, wasm, or a recording backend built on cpu).
 */
export function registerOpKernels(op: OpDefinition, backendName: string): void {
  const forwardKernel: KernelFunc = ({ inputs, backend: anyBackend }) => {
    const backend = anyBackend as KernelBackend;
    const { seenShapes, outShape, values } = readInputs(op, inputs, backend);
    if (op.valueAndGrad !== undefined) {
      const { value, grads } = op.valueAndGrad(values, seenShapes);
      return [
        write(backend, [], Float64Array.of(value)),
        ...grads.map((g, i) => write(backend, seenShapes[i], g)),
      ];
    }
    return write(backend, outShape, op.forward(values, seenShapes));
  };
  tf.registerKernel({ kernelName: op.kernelName, backendName, kernelFunc: forwardKernel });
  if (op.valueAndGrad !== undefined) return;
  const vjpKernel: KernelFunc = ({ inputs, backend: anyBackend }) => {
    const backend = anyBackend as KernelBackend;
    const { shapes, seenShapes, outShape, values } = readInputs(op, inputs, backend);
    const output = Float64Array.from(
      backend.readSync((inputs.__output as TensorInfo).dataId) as Float32Array,
    );
    const dy = Float64Array.from(
      backend.readSync((inputs.__dy as TensorInfo).dataId) as Float32Array,
    );
    const grads = op.vjp(values, seenShapes, output, dy);
    return shapes.map((shape, i) => {
      const g = grads[i] ?? null;
      return write(backend, shape, g !== null && op.elementwise ? sumTo(g, outShape, shape) : g);
    });
  };
  tf.registerKernel({ kernelName: op.vjpKernelName, backendName, kernelFunc: vjpKernel });
}

function gradients(op: OpDefinition, dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) {
  const n = op.inputNames.length;
  const inputs = saved.slice(0, n);
  const cotangent = Array.isArray(dy) ? dy[0] : dy;
  if (op.valueAndGrad !== undefined) {
    const grads = saved.slice(n);
    return Object.fromEntries(
      op.inputNames.map((name, i) => [name, () => tf.mul(cotangent, grads[i])]),
    );
  }
  // Computed once here rather than in the per-input thunks: tfjs runs each thunk in its own
  // tidy, which would dispose the other inputs' cotangents. The enclosing backward tidy
  // disposes any cotangent tfjs does not ask for.
  const named: Record<string, tf.Tensor> = { __output: saved[n], __dy: cotangent };
  op.inputNames.forEach((name, i) => {
    named[name] = inputs[i];
  });
  const out = tf.engine().runKernel(op.vjpKernelName, named as unknown as tf.NamedTensorMap, {});
  const grads = Array.isArray(out) ? (out as tf.Tensor[]) : [out as tf.Tensor];
  return Object.fromEntries(op.inputNames.map((name, i) => [name, () => grads[i]]));
}

/**
 * Lets another backend (such as the compiled engine's recorder) run every op, now and later.
 *
 * @example
 * // After registering a tfjs backend of your own (here "webgpu"), let it run the custom ops:
 * registerOpsForBackend("webgpu");
 */
export function registerOpsForBackend(backendName: string): void {
  onOpRegistered((op) => registerOpKernels(op, backendName));
}
