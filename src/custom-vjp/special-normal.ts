/**
 * The ops of special-normal-rules.ts: its float64 rules with tfjs kernels and gradients, callable on
 * tensors in models (docs and examples here).
 */
import { eagerOp, type Op } from "./define-op.js";
import {
  erfcRule,
  logNdtrRule,
  logNormalMassRule,
  ndtriRule,
  owensTRule,
  truncatedNormalQuantileRule,
} from "./special-normal-rules.js";

/**
 * The complementary error function erfc(x) = 1 - erf(x), elementwise, accurate where erf(x)
 * is close to 1; d/dx erfc(x) = -2/sqrt(pi) exp(-x^2).
 *
 * @example
 * erfc(3); // 2.2090497e-5
 */
export const erfc: Op = eagerOp(erfcRule);

/**
 * log Phi(x), the logarithm of the standard normal cdf, elementwise and accurate far into the
 * lower tail; its derivative is phi(x)/Phi(x).
 *
 * @example
 * logNdtr(-40); // -804.6084
 */
export const logNdtr: Op = eagerOp(logNdtrRule);

/**
 * Phi^-1(p), the standard normal quantile, elementwise and accurate for p near 0;
 * its derivative is 1/phi(Phi^-1(p)).
 *
 * @example
 * ndtri(0.975); // 1.959964
 */
export const ndtri: Op = eagerOp(ndtriRule);

/**
 * log(Phi(b) - Phi(a)), the log-probability that a standard normal lies in (a, b),
 * elementwise and accurate when both ends are far in the same tail;
 * d/db = phi(b)/(Phi(b) - Phi(a)) and d/da = -phi(a)/(Phi(b) - Phi(a)).
 *
 * @example
 * logNormalMass(-1.96, 1.96); // log(0.95) = -0.0512933
 */
export const logNormalMass: Op = eagerOp(logNormalMassRule);

/**
 * The q-quantile of a standard normal truncated to (a, b), elementwise; differentiable in a,
 * b and q (implicit function theorem: dz/dq = (Phi(b) - Phi(a))/phi(z),
 * dz/da = (1 - q) phi(a)/phi(z), dz/db = q phi(b)/phi(z)).
 *
 * @example
 * truncatedNormalQuantile(0, Infinity, 0.5); // 0.6744898 (the half-normal median)
 */
export const truncatedNormalQuantile: Op = eagerOp(truncatedNormalQuantileRule);

/**
 * Owen's T function T(h, a), elementwise (the skew-normal cdf is Phi(z) - 2 T(z, alpha));
 * dT/dh = -phi(h) (Phi(a h) - 1/2) and dT/da = exp(-h^2 (1 + a^2)/2) / (2 pi (1 + a^2)).
 *
 * @example
 * owensT(0, 1); // 1/8
 */
export const owensT: Op = eagerOp(owensTRule);
