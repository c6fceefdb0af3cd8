/**
 * Special functions that tfjs lacks, as float64 op rules over @stdlib's implementations, so
 * that they have gradients in every engine (special.ts makes them ops).
 */
import digammaF64 from "@stdlib/math-base-special-digamma";
import erfinvF64 from "@stdlib/math-base-special-erfinv";
import gammalnF64 from "@stdlib/math-base-special-gammaln";
import polygammaF64 from "@stdlib/math-base-special-polygamma";
import trigammaF64 from "@stdlib/math-base-special-trigamma";
import type { OpDefinition } from "./registry.js";
import { defineRule } from "./rule.js";

/** The float64 rule of an elementwise function of one input, from the function and its derivative. */
export function unaryRule(
  name: string,
  f: (x: number) => number,
  df: (x: number) => number,
): OpDefinition {
  return defineRule({
    name,
    inputs: ["x"],
    scalar: { value: f, derivative: df },
  });
}

/** The float64 rule of `lgamma` (special.ts). */
export const lgammaRule: OpDefinition = unaryRule("lgamma", gammalnF64, digammaF64);

/** The float64 rule of `digamma` (special.ts). */
export const digammaRule: OpDefinition = unaryRule("digamma", digammaF64, trigammaF64);

/** The float64 rule of `trigamma` (special.ts). */
export const trigammaRule: OpDefinition = unaryRule("trigamma", trigammaF64, (x) =>
  polygammaF64(2, x),
);

/** The float64 rule of `erfinv` (special.ts). */
export const erfinvRule: OpDefinition = unaryRule(
  "erfinv",
  erfinvF64,
  (x) => (Math.sqrt(Math.PI) / 2) * Math.exp(erfinvF64(x) ** 2),
);
