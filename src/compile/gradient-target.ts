/**
 * A compiled single-input objective as a GradientTarget, the interface NUTS, HMC and ADVI use.
 */
import type { GradientTarget } from "../potential-types.js";
import { sizeOf } from "../util/shapes.js";
import type { CompiledObjective } from "./artifact.js";

/**
 * Wraps a compiled objective of one input, differentiated, as a GradientTarget. The objective
 * is passed through unchanged: compile the potential energy U(q) = -log density.
 *
 * @example
 * const result = compileObjective((q) => tf.mul(0.5, tf.sum(tf.square(q))), [[2]]);
 * if (result.ok) {
 *   const target = asGradientTarget(result.compiled);
 *   target.valueAndGrad(Float64Array.of(1, 2), new Float64Array(2)); // 2.5
 * }
 */
export function asGradientTarget(compiled: CompiledObjective): GradientTarget {
  if (compiled.inputShapes.length !== 1 || compiled.wrt.length !== 1 || compiled.wrt[0] !== 0) {
    throw new TypeError(
      `asGradientTarget(${compiled.name}): needs an objective of one input with its gradient`,
    );
  }
  const dim = sizeOf(compiled.inputShapes[0]);
  const inputs: Float64Array[] = [new Float64Array(dim)];
  const grads: Float64Array[] = [new Float64Array(dim)];
  return {
    dim,
    valueAndGrad(q: Float64Array, grad: Float64Array): number {
      inputs[0] = q;
      grads[0] = grad;
      return compiled.valueAndGrad(inputs, grads);
    },
  };
}
