/**
 * Special functions that tfjs lacks, as custom ops over @stdlib's float64 implementations,
 * so that they have gradients in every engine.
 */
import digammaF64 from "@stdlib/math-base-special-digamma";
import erfinvF64 from "@stdlib/math-base-special-erfinv";
import gammalnF64 from "@stdlib/math-base-special-gammaln";
import polygammaF64 from "@stdlib/math-base-special-polygamma";
import trigammaF64 from "@stdlib/math-base-special-trigamma";
import { defineOp, type Op } from "./define-op.js";

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
  return defineOp({ name, inputs: ["x"], scalar: { value: f, derivative: df } });
}

/**
 * log|Gamma(x)|, elementwise; its derivative is digamma.
 *
 * @example
 * lgamma(tf.tensor([0.5, 4])); // [0.5723649, 1.7917595]
 */
export const lgamma: Op = unaryOp("lgamma", gammalnF64, digammaF64);

/**
 * The digamma function psi(x) = d/dx log Gamma(x), elementwise; its derivative is trigamma.
 *
 * @example
 * digamma(1); // -0.5772157 (minus the Euler-Mascheroni constant)
 */
export const digamma: Op = unaryOp("digamma", digammaF64, trigammaF64);

/**
 * The trigamma function psi'(x), elementwise; its derivative is the tetragamma psi''(x).
 *
 * @example
 * trigamma(1); // pi^2 / 6
 */
export const trigamma: Op = unaryOp("trigamma", trigammaF64, (x) => polygammaF64(2, x));

/**
 * The inverse error function, elementwise; d/dx erfinv(x) = sqrt(pi)/2 exp(erfinv(x)^2).
 *
 * @example
 * erfinv(0.5); // 0.4769363
 */
export const erfinv: Op = unaryOp(
  "erfinv",
  erfinvF64,
  (x) => (Math.sqrt(Math.PI) / 2) * Math.exp(erfinvF64(x) ** 2),
);
