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
import { broadcastShapes, broadcastTo, sizeOf, sumTo } from "../util/shapes.js";
import {
  type OpDefinition,
  type OpForward,
  type OpValueAndGrad,
  type OpVjp,
  onOpRegistered,
  registerOp,
  type ScalarFunction,
} from "./registry.js";

/** What `defineOp` takes. Give `forward` and `vjp`, or `valueAndGrad` for a scalar output. */
export interface OpSpec {
  /** Unique name; also names the tfjs kernels (`tyche.NAME`, `tyche.NAME.vjp`). */
  name: string;
  /** Input names, for error messages and gradients (default: x0, x1, ... from `arity`). */
  inputs?: readonly string[];
  /** Number of inputs when `inputs` is not given (default 1). */
  arity?: number;
  /** Output shape from input shapes; omit for an elementwise op (broadcast shape). */
  outputShape?: (shapes: readonly number[][]) => number[];
  forward?: OpForward;
  vjp?: OpVjp;
  /** Value and gradients together, for scalar outputs: the gradient is dy times `grads`. */
  valueAndGrad?: OpValueAndGrad;
  /**
   * For an elementwise op of one input, instead of `forward` and `vjp`: its function and
   * derivative on single numbers (the compiled engine then calls them in straight-line code).
   */
  scalar?: ScalarFunction;
}

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
  const definition = makeDefinition(spec);
  const replaced = registerOp(definition);
  if (replaced !== undefined) {
    for (const backend of KERNEL_BACKENDS) {
      tf.unregisterKernel(replaced.kernelName, backend);
      if (replaced.valueAndGrad === undefined) tf.unregisterKernel(replaced.vjpKernelName, backend);
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

function makeDefinition(spec: OpSpec): OpDefinition {
  const inputNames = spec.inputs ?? Array.from({ length: spec.arity ?? 1 }, (_, i) => `x${i}`);
  for (const reserved of ["__output", "__dy"]) {
    if (inputNames.includes(reserved))
      throw new TypeError(`defineOp("${spec.name}"): input name "${reserved}" is reserved`);
  }
  const elementwise = spec.outputShape === undefined && spec.valueAndGrad === undefined;
  const stats = { forwardCalls: 0, vjpCalls: 0 };
  const valueAndGrad = spec.valueAndGrad;
  const scalar = spec.scalar;
  if (scalar !== undefined && (inputNames.length !== 1 || !elementwise)) {
    throw new TypeError(
      `defineOp("${spec.name}"): scalar needs one input and no outputShape or valueAndGrad, got ${inputNames.length} inputs`,
    );
  }
  let forward: OpForward;
  let vjp: OpVjp;
  if (scalar !== undefined) {
    forward = ([x]) => x.map(scalar.value);
    vjp = ([x], _shapes, _y, dy) => [x.map((xi, i) => dy[i] * scalar.derivative(xi))];
  } else if (valueAndGrad !== undefined) {
    forward = (inputs, shapes) => Float64Array.of(valueAndGrad(inputs, shapes).value);
    vjp = (inputs, shapes, _output, dy) =>
      valueAndGrad(inputs, shapes).grads.map((g) => (g === null ? null : g.map((v) => v * dy[0])));
  } else {
    if (spec.forward === undefined || spec.vjp === undefined) {
      throw new TypeError(`defineOp("${spec.name}"): give forward and vjp, or valueAndGrad`);
    }
    forward = spec.forward;
    vjp = spec.vjp;
  }
  const outputShape =
    spec.outputShape ??
    (valueAndGrad !== undefined
      ? () => []
      : (shapes: readonly number[][]) => broadcastShapes(...shapes));
  return {
    name: spec.name,
    kernelName: `tyche.${spec.name}`,
    vjpKernelName: `tyche.${spec.name}.vjp`,
    inputNames,
    elementwise,
    outputShape,
    stats,
    scalar,
    valueAndGrad:
      valueAndGrad === undefined
        ? undefined
        : (inputs, shapes) => {
            stats.forwardCalls++;
            stats.vjpCalls++;
            return valueAndGrad(inputs, shapes);
          },
    forward: (inputs, shapes) => {
      stats.forwardCalls++;
      const out = forward(inputs, shapes);
      const expected = sizeOf(outputShape(shapes));
      if (out.length !== expected) {
        throw new Error(
          `${spec.name}: forward returned ${out.length} values, expected ${expected}`,
        );
      }
      return out;
    },
    vjp: (inputs, shapes, output, dy) => {
      stats.vjpCalls++;
      return vjp(inputs, shapes, output, dy);
    },
  };
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
