/**
 * The ops of special-incomplete-rules.ts: its float64 rules with tfjs kernels and gradients, callable on
 * tensors in models (docs and examples here).
 */
import { eagerOp, type Op } from "./define-op.js";
import {
  betaincinvRule,
  betaincRule,
  gammainccRule,
  gammaincinvRule,
  gammaincRule,
  lbetaRule,
} from "./special-incomplete-rules.js";

/**
 * The regularized lower incomplete gamma function P(a, x) = gamma(a, x) / Gamma(a), elementwise
 * (scipy's `gammainc(a, x)`); differentiable in x and in a.
 *
 * @example
 * gammainc(1, 2); // 1 - exp(-2) = 0.8646647
 */
export const gammainc: Op = eagerOp(gammaincRule);

/**
 * The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x), elementwise
 * (scipy's `gammaincc(a, x)`), accurate in the upper tail; differentiable in x and in a.
 *
 * @example
 * gammaincc(1, 2); // exp(-2) = 0.1353353
 */
export const gammaincc: Op = eagerOp(gammainccRule);

/**
 * The inverse in x of the regularized lower incomplete gamma function: x with P(a, x) = p
 * (scipy's `gammaincinv(a, p)`); differentiable in a and p.
 *
 * @example
 * gammaincinv(1, 0.5); // log 2 = 0.6931472
 */
export const gammaincinv: Op = eagerOp(gammaincinvRule);

/**
 * The regularized incomplete beta function I_x(a, b) = B(x; a, b) / B(a, b), elementwise
 * (scipy's `betainc(a, b, x)`); differentiable in a, b and x.
 *
 * @example
 * betainc(2, 1, 0.5); // x^2 = 0.25
 */
export const betainc: Op = eagerOp(betaincRule);

/**
 * The inverse in x of the regularized incomplete beta function: x with I_x(a, b) = p
 * (scipy's `betaincinv(a, b, p)`); differentiable in a, b and p.
 *
 * @example
 * betaincinv(2, 1, 0.25); // 0.5
 */
export const betaincinv: Op = eagerOp(betaincinvRule);

/**
 * log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b), elementwise and without the
 * cancellation of that sum for large arguments; d/da = digamma(a) - digamma(a + b).
 *
 * @example
 * lbeta(2, 3); // log(1/12) = -2.4849066
 */
export const lbeta: Op = eagerOp(lbetaRule);
