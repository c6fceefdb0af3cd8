/**
 * Reparameterized (differentiable) draws for families sampled by rejection: the draw itself
 * comes from float64 JavaScript, and its derivative in the shape parameters from implicit
 * differentiation of the cdf, F(x; theta) = u held fixed: dx/dtheta = -(dF/dtheta) / f(x)
 * (Figurnov, Mohamed & Mnih 2018, "Implicit reparameterization gradients"). The cdf
 * derivatives are the exact series/continued-fraction ones of special-incomplete-rules.ts.
 */
import gammalnF64 from "@stdlib/math-base-special-gammaln";
import { defineOp, type Op } from "../custom-vjp/define-op.js";
import {
  betaDensityF64,
  betaincGradShapeF64,
  gammaincLowerDaF64,
} from "../custom-vjp/special-incomplete-rules.js";
import type { Key } from "../primitives/prng.js";
import { tf } from "../tf.js";
import { drawEach, logStandardGamma } from "./samplers.js";
import { broadcast, fromValues, valuesAt } from "./util.js";

/**
 * exp(logG - logScale) for a standard gamma draw G = exp(logG) of shape alpha, differentiable
 * in alpha by implicit differentiation: dG/dalpha = -(dP(alpha, G)/dalpha) / p(G; alpha).
 * The common scale exp(-logScale) lets Dirichlet draws stay representable; it is treated as a
 * constant (normalization cancels it exactly).
 */
export const implicitGamma: Op = defineOp({
  name: "implicitGamma",
  inputs: ["alpha", "logG", "logScale"],
  forward: ([alpha, logG, logScale]) => alpha.map((_, i) => Math.exp(logG[i] - logScale[i])),
  vjp: ([alpha, logG, logScale], _shapes, _y, dy) => [
    alpha.map((a, i) => {
      const g = Math.exp(logG[i]);
      const dP = gammaincLowerDaF64(a, g);
      if (dP === 0) return 0;
      const logDensity = (a - 1) * logG[i] - g - gammalnF64(a);
      return -dy[i] * dP * Math.exp(-logDensity - logScale[i]);
    }),
    null,
    null,
  ],
});

/** A Beta(a, b) draw x, differentiable in a and b: dx/da = -(dI_x(a, b)/da) / f(x; a, b). */
export const implicitBeta: Op = defineOp({
  name: "implicitBeta",
  inputs: ["a", "b", "x"],
  forward: ([_a, _b, x]) => x.slice(),
  vjp: ([a, b, x], _shapes, _y, dy) => {
    const da = new Float64Array(a.length);
    const db = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) {
      const density = betaDensityF64(a[i], b[i], x[i]);
      if (!(density > 0) || !Number.isFinite(density)) continue;
      const [ga, gb] = betaincGradShapeF64(a[i], b[i], x[i]);
      da[i] = (-dy[i] * ga) / density;
      db[i] = (-dy[i] * gb) / density;
    }
    return [da, db, null];
  },
});

/**
 * Standard gamma draws of `shape` with shape parameters `alpha` (broadcast to `shape`),
 * differentiable in alpha.
 */
export function standardGammaDraws(
  key: Key,
  alpha: tf.Tensor,
  shape: readonly number[],
): tf.Tensor {
  const alphaValues = valuesAt(alpha, shape);
  const logG = drawEach(key, alphaValues.length, (s, i) => logStandardGamma(alphaValues[i], s));
  return implicitGamma(
    broadcast(alpha, shape),
    fromValues(logG, shape),
    tf.zeros(shape as number[]),
  );
}
