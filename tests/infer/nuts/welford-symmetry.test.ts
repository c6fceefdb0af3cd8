/**
 * The dense Welford estimate must be exactly symmetric: denseMetric rejects an inverse mass
 * matrix whose mirrored entries differ by more than 1e-12 relative, and the update
 * sumSquares[i, j] += (x_i - mean_i after) (x_j - mean_j before) rounds differently from its
 * mirror. A covariance near zero is all rounding, so its two copies can differ entirely. On
 * posteriordb's kilpisjarvi (corr(alpha, beta) = -0.99999) dense warmup failed with
 * "denseMetric: inverseMassMatrix must be symmetric, got -3.060838671148613e-10 at [2, 1] and
 * -3.060838671154348e-10 at [1, 2]".
 */
import { describe, expect, it } from "vitest";
import { denseMetric } from "../../../src/infer/nuts/metric.js";
import { WelfordEstimator } from "../../../src/infer/nuts/welford.js";
import { normal, PRNGKey } from "../../../src/primitives/prng.js";

describe("dense Welford estimate", () => {
  it("is exactly symmetric, so that denseMetric accepts it", () => {
    const dim = 3;
    const numPairs = 50;
    const z = normal(PRNGKey(0), numPairs * dim);
    const estimator = new WelfordEstimator(dim, true);
    for (let n = 0; n < numPairs; n++) {
      const [a, b, c] = z.subarray(n * dim, (n + 1) * dim);
      // kilpisjarvi-like alpha and beta; the third coordinate comes in pairs +c, -c, so its
      // covariance with the others is exactly 0 and what is computed is rounding.
      const alpha = -61 + 30 * a;
      const beta = (9.3 - alpha) / 3982 + 1e-4 * b;
      estimator.add(Float64Array.of(alpha, beta, 0.1 * c));
      estimator.add(Float64Array.of(alpha, beta, -0.1 * c));
    }
    const covariance = estimator.regularizedCovariance();
    expect(() => denseMetric(covariance, dim)).not.toThrow();
    for (let i = 0; i < dim; i++) {
      for (let j = 0; j < i; j++) expect(covariance[i * dim + j]).toBe(covariance[j * dim + i]);
    }
  });
});
