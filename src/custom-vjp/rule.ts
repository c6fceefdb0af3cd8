/**
 * An op's float64 rule: its forward and vector-Jacobian product as plain JavaScript on
 * Float64Arrays, registered by name. This is all the compiled engine needs (a chain worker
 * rebuilds its potential from these alone); `defineOp` (define-op.ts) adds the eager tfjs
 * kernels and gradient on top.
 */
import { broadcastShapes, sizeOf } from "../util/shapes.js";
import {
  type OpDefinition,
  type OpForward,
  type OpValueAndGrad,
  type OpVjp,
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

/**
 * Registers an op's float64 rule, without tfjs kernels: the compiled engine can run it, eager
 * tfjs cannot until `defineOp` (or `eagerOp`) makes it an op. Returns the registry entry.
 *
 * @example
 * const cube = defineRule({
 *   name: "cube64",
 *   forward: ([x]) => x.map((v) => v ** 3),
 *   vjp: ([x], _shapes, _y, dy) => [x.map((v, i) => 3 * v * v * dy[i])],
 * });
 * cube.forward([Float64Array.of(2)], [[1]]); // Float64Array [8]
 */
export function defineRule(spec: OpSpec): OpDefinition {
  const definition = makeDefinition(spec);
  registerOp(definition);
  return definition;
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
