/**
 * Potentials written by hand for the sampler tests: U(q) = -log density (up to a constant),
 * with dU/dq written into `grad`.
 */
import type { GradientTarget } from "../../../src/potential-types.js";

/** Independent normals N(mean_i, sd_i^2): a harmonic oscillator when used as a potential. */
export function normalTarget(means: number[], sds: number[]): GradientTarget {
  return {
    dim: means.length,
    valueAndGrad(q, grad) {
      let u = 0;
      for (let i = 0; i < q.length; i++) {
        const z = (q[i] - means[i]) / sds[i];
        u += 0.5 * z * z;
        grad[i] = z / sds[i];
      }
      return u;
    },
  };
}

/** A bivariate normal with mean `mean` and covariance [[s1^2, r s1 s2], [r s1 s2, s2^2]]. */
export function correlatedNormalTarget(
  mean: [number, number],
  sd: [number, number],
  correlation: number,
): GradientTarget & { covariance: Float64Array } {
  const [s1, s2] = sd;
  const c = correlation * s1 * s2;
  const det = s1 * s1 * s2 * s2 - c * c;
  // Precision matrix.
  const p11 = (s2 * s2) / det;
  const p22 = (s1 * s1) / det;
  const p12 = -c / det;
  return {
    dim: 2,
    covariance: Float64Array.of(s1 * s1, c, c, s2 * s2),
    valueAndGrad(q, grad) {
      const d1 = q[0] - mean[0];
      const d2 = q[1] - mean[1];
      grad[0] = p11 * d1 + p12 * d2;
      grad[1] = p12 * d1 + p22 * d2;
      return 0.5 * (d1 * grad[0] + d2 * grad[1]);
    },
  };
}

/** Counts gradient evaluations of a target. */
export function counting(target: GradientTarget): GradientTarget & { calls: number } {
  const counted = {
    dim: target.dim,
    calls: 0,
    valueAndGrad(q: Float64Array, grad: Float64Array) {
      counted.calls++;
      return target.valueAndGrad(q, grad);
    },
  };
  return counted;
}
