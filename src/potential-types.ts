/**
 * The boundary between models and samplers (DESIGN.md section 1): everything below it works
 * on plain Float64Arrays.
 */

/** Which engine computes a potential's value and gradient. */
export type EngineName = "eager" | "compiled";

/**
 * A differentiable potential energy U(q) = -log p(q) over a flat unconstrained vector q.
 * NUTS, HMC, ADVI and SVI only ever see this.
 */
export interface GradientTarget {
  /** Length of q. */
  readonly dim: number;
  /** Returns U(q) and writes dU/dq into `grad` (length `dim`). Non-finite values are allowed. */
  valueAndGrad(q: Float64Array, grad: Float64Array): number;
}
