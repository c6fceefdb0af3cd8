/**
 * The ops of special-rules.ts: its float64 rules with tfjs kernels and gradients, callable on
 * tensors in models (docs and examples here).
 */
import { eagerOp, type Op } from "./define-op.js";
import { digammaRule, erfinvRule, lgammaRule, trigammaRule, unaryRule } from "./special-rules.js";

/**
 * An elementwise op of one input from a float64 function and its derivative.
 *
 * @example
 * const softplus = unaryOp(
 *   "softplus64",
 *   (x) => Math.log1p(Math.exp(x)),
 *   (x) => 1 / (1 + Math.exp(-x)),
 * );
 * softplus(tf.tensor([0, 1])); // [0.6931472, 1.3132616], differentiable in both engines
 */
export function unaryOp(name: string, f: (x: number) => number, df: (x: number) => number): Op {
  return eagerOp(unaryRule(name, f, df));
}

/**
 * log|Gamma(x)|, elementwise; its derivative is digamma.
 *
 * @example
 * lgamma(tf.tensor([0.5, 4])); // [0.5723649, 1.7917595]
 */
export const lgamma: Op = eagerOp(lgammaRule);

/**
 * The digamma function psi(x) = d/dx log Gamma(x), elementwise; its derivative is trigamma.
 *
 * @example
 * digamma(1); // -0.5772157 (minus the Euler-Mascheroni constant)
 */
export const digamma: Op = eagerOp(digammaRule);

/**
 * The trigamma function psi'(x), elementwise; its derivative is the tetragamma psi''(x).
 *
 * @example
 * trigamma(1); // pi^2 / 6
 */
export const trigamma: Op = eagerOp(trigammaRule);

/**
 * The inverse error function, elementwise; d/dx erfinv(x) = sqrt(pi)/2 exp(erfinv(x)^2).
 *
 * @example
 * erfinv(0.5); // 0.4769363
 */
export const erfinv: Op = eagerOp(erfinvRule);
