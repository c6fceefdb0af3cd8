/**
 * The ops of special-bessel-rules.ts: its float64 rules with tfjs kernels and gradients, callable on
 * tensors in models (docs and examples here).
 */
import { eagerOp, type Op } from "./define-op.js";
import { logBesselI0Rule, logBesselI1Rule } from "./special-bessel-rules.js";

/**
 * log I0(x), the logarithm of the modified Bessel function of the first kind of order 0,
 * elementwise; its derivative is I1(x)/I0(x).
 *
 * @example
 * logBesselI0(1); // log(1.2660659) = 0.2359143
 */
export const logBesselI0: Op = eagerOp(logBesselI0Rule);

/**
 * log |I1(x)|, the logarithm of the modified Bessel function of the first kind of order 1,
 * elementwise; its derivative is I0(x)/I1(x) - 1/x.
 *
 * @example
 * logBesselI1(1); // log(0.5651591) = -0.5706631
 */
export const logBesselI1: Op = eagerOp(logBesselI1Rule);
