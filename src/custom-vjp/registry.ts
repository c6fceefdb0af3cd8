/**
 * The registry of custom ops. Every engine finds an op's float64 forward and VJP here: the
 * eager tfjs kernels, the gradient that tfjs calls, and the compiled engine's emitted code.
 */

/** Float64 forward: inputs (broadcast to the output shape when elementwise) to output values. */
export type OpForward = (
  inputs: readonly Float64Array[],
  shapes: readonly number[][],
) => Float64Array;

/**
 * Float64 vector-Jacobian product: given the inputs, the output and the output's cotangent
 * `dy`, the cotangent of each input (null where an input is not differentiable). Elementwise
 * ops may return cotangents in the output's shape; they are summed down to each input's shape.
 */
export type OpVjp = (
  inputs: readonly Float64Array[],
  shapes: readonly number[][],
  output: Float64Array,
  dy: Float64Array,
) => ReadonlyArray<Float64Array | null>;

/** Value and gradient together, for ops with a scalar output (the "single op" pattern). */
export type OpValueAndGrad = (
  inputs: readonly Float64Array[],
  shapes: readonly number[][],
) => { value: number; grads: ReadonlyArray<Float64Array | null> };

/** Call counts of an op's float64 functions, across every engine. */
export interface OpStats {
  forwardCalls: number;
  vjpCalls: number;
}

/** A registered op, as the engines see it. */
export interface OpDefinition {
  readonly name: string;
  /** The tfjs kernel that computes the op. */
  readonly kernelName: string;
  /** The tfjs kernel that computes its VJP (or, with valueAndGrad, none: gradients are outputs). */
  readonly vjpKernelName: string;
  readonly inputNames: readonly string[];
  /** Elementwise ops broadcast their inputs; their output has the broadcast shape. */
  readonly elementwise: boolean;
  outputShape(shapes: readonly number[][]): number[];
  forward: OpForward;
  vjp: OpVjp;
  readonly valueAndGrad?: OpValueAndGrad;
  /**
   * For an elementwise op of one input: its function and derivative on single numbers (a
   * caller counts one forward or VJP call per array it maps them over, as `forward` does).
   */
  readonly scalar?: ScalarFunction;
  readonly stats: OpStats;
}

/** A float64 function of one number and its derivative. */
export interface ScalarFunction {
  readonly value: (x: number) => number;
  readonly derivative: (x: number) => number;
}

const ops = new Map<string, OpDefinition>();
const byKernel = new Map<string, OpDefinition>();
const listeners: Array<(op: OpDefinition) => void> = [];

/** Adds an op, warning when it replaces one of the same name. Returns the replaced op, if any. */
export function registerOp(op: OpDefinition): OpDefinition | undefined {
  const previous = ops.get(op.name);
  if (previous !== undefined) {
    console.warn(
      `defineOp: op "${op.name}" is defined again; the new definition replaces the old one`,
    );
  }
  ops.set(op.name, op);
  byKernel.set(op.kernelName, op);
  byKernel.set(op.vjpKernelName, op);
  for (const listener of listeners) listener(op);
  return previous;
}

/**
 * The op of a name, if registered.
 *
 * @example
 * getOp("lgamma")?.inputNames; // ["x"]
 */
export function getOp(name: string): OpDefinition | undefined {
  return ops.get(name);
}

/**
 * The op that owns a tfjs kernel name (its forward or VJP kernel), if any.
 *
 * @example
 * const lgammaOp = getOp("lgamma")!;
 * opOfKernel(lgammaOp.vjpKernelName)?.name; // "lgamma"
 */
export function opOfKernel(kernelName: string): OpDefinition | undefined {
  return byKernel.get(kernelName);
}

/**
 * Every registered op.
 *
 * @example
 * listOps().map((op) => op.name); // ["lgamma", "digamma", ...]
 */
export function listOps(): OpDefinition[] {
  return [...ops.values()];
}

/** Calls `listener` for every op registered now and later (used by other backends, e.g. the compiler). */
export function onOpRegistered(listener: (op: OpDefinition) => void): void {
  listeners.push(listener);
  for (const op of ops.values()) listener(op);
}
