/**
 * The Hessian of a potential U(q) by central finite differences of its gradient:
 * H[:, i] = (grad U(q + h e_i) - grad U(q - h e_i)) / (2 h), symmetrized. Exact to O(h^2)
 * plus the gradient's rounding error over h; h = step * max(1, |q_i|).
 */
import type { GradientTarget } from "../../../potential-types.js";

/**
 * The dim x dim Hessian of `target` at `q`, row-major.
 *
 * @example
 * const H = hessianByFiniteDifferences(potential(model, [data]), Float64Array.of(0.4));
 * H[0]; // 5: the prior's 1 plus one per observation
 */
export function hessianByFiniteDifferences(
  target: GradientTarget,
  q: Float64Array,
  step = 1e-3,
): Float64Array {
  const n = target.dim;
  const hessian = new Float64Array(n * n);
  const plus = new Float64Array(n);
  const minus = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const h = step * Math.max(1, Math.abs(q[i]));
    const shifted = q.slice();
    shifted[i] = q[i] + h;
    target.valueAndGrad(shifted, plus);
    shifted[i] = q[i] - h;
    target.valueAndGrad(shifted, minus);
    for (let j = 0; j < n; j++) hessian[j * n + i] = (plus[j] - minus[j]) / (2 * h);
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const m = 0.5 * (hessian[i * n + j] + hessian[j * n + i]);
      hessian[i * n + j] = m;
      hessian[j * n + i] = m;
    }
  }
  return hessian;
}
