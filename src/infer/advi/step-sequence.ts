/**
 * The adaptive step-size sequence of ADVI (Kucukelbir et al. 2017, section 3.3, eqs. 10-11):
 *
 *     rho_k = eta * k^(-1/2 + 1e-16) / (tau + sqrt(s_k)),
 *     s_k = alpha * g_k^2 + (1 - alpha) * s_(k-1),   s_1 = g_1^2,
 *
 * elementwise, with tau = 1 and alpha = 0.1: a per-coordinate scale from a running average
 * of squared gradients (as RMSProp) and a decay that satisfies the Robbins-Monro conditions.
 * `eta` sets the scale; `selectStepScale` picks it as Stan does, from 100, 10, 1, 0.1, 0.01.
 */
import { ArgumentError } from "../../errors.js";
import type { Optimizer } from "../svi/optimizers.js";

/** Options of `ADVIStepSequence`. */
export interface ADVIStepSequenceOptions {
  /** Offset of the denominator (default 1). */
  tau?: number;
  /** Weight of the newest squared gradient in the running average (default 0.1). */
  alpha?: number;
}

/**
 * ADVI's step-size sequence as an optimizer: x -= rho_k * g with rho_k as above.
 *
 * @example
 * const optimizer = ADVIStepSequence(0.1);
 */
export function ADVIStepSequence(eta: number, options: ADVIStepSequenceOptions = {}): Optimizer {
  const tau = options.tau ?? 1;
  const alpha = options.alpha ?? 0.1;
  if (!(Number.isFinite(eta) && eta > 0)) {
    throw new ArgumentError({
      message: `ADVIStepSequence: eta must be a positive finite number, got ${eta}`,
      api: "ADVIStepSequence",
      argument: "eta",
    });
  }
  if (!(alpha > 0 && alpha <= 1) || !(tau > 0)) {
    throw new ArgumentError({
      message: `ADVIStepSequence: alpha must be in (0, 1] and tau positive, got alpha ${alpha}, tau ${tau}`,
      api: "ADVIStepSequence",
      argument: "options",
    });
  }
  return {
    name: "ADVIStepSequence",
    init: (params) => ({ avgSquaredGrad: new Float64Array(params.length) }),
    update: (step, grad, params, state) => {
      const k = step + 1;
      const decay = eta * k ** (-0.5 + 1e-16);
      const s = state.avgSquaredGrad.map((prev, i) =>
        k === 1 ? grad[i] ** 2 : alpha * grad[i] ** 2 + (1 - alpha) * prev,
      );
      return {
        params: params.map((x, i) => x - (decay / (tau + Math.sqrt(s[i]))) * grad[i]),
        state: { avgSquaredGrad: s },
      };
    },
  };
}

/** The step scales Stan's ADVI tries, largest first. */
export const STEP_SCALES: readonly number[] = [100, 10, 1, 0.1, 0.01];
