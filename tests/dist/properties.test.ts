/**
 * Properties of every family over generated parameters (testing.arbitraryDistribution:
 * typical values, edge regions, batches) and values (testing.arbitrarySupportValue):
 *
 * - draws have shape [...sampleShape, ...batchShape, ...eventShape] and lie in the support;
 * - log-probabilities have shape [...sampleShape, ...batchShape] and are never NaN or +inf at
 *   values in the support (-inf is allowed: a density below float32's range, such as
 *   Weibull(0.5, 100) at 2, where the true log density is -4^100);
 *
 * Failures shrink to readable parameters ("Gamma(concentration=[0.03, 1], rate=[1, 1])").
 *
 * Float32 limits. Draws are checked with shape parameters (concentration, df, alpha) of at
 * least 0.5: below that, float32 cannot hold the draws of the family itself. Gamma, Chi2,
 * InverseGamma, Weibull and Pareto draws underflow to 0 or overflow to infinity (outside the
 * open positive support) from about 0.05, StudentT's overflow to +-inf at df 0.2, and
 * LKJCholesky's rows lose their unit norm at concentration 0.1. Log-probabilities are checked
 * over the full edge regions.
 *
 * Int32 limits. Discrete draws are int32: a Geometric with p below about 1e-8 (logits below
 * -18) draws beyond 2^31 - 1, which is an error rather than a wrapped value, so draws are
 * checked with p of at least 1e-6.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import { PRNGKey } from "../../src/index.js";
import {
  arbitraryDistribution,
  distributionFamilies,
} from "../../src/testing/arbitrary-distribution.js";
import { arbitrarySupportValue } from "../../src/testing/support-arbitrary.js";
import { tf, tidyValue } from "../../src/tf.js";

const drawable = {
  ranges: { concentration: { min: 0.5 }, probability: { min: 1e-6 }, logit: { min: -14 } },
};

function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

describe("every family, over generated parameters", () => {
  for (const family of distributionFamilies) {
    it(`${family}: draws have the right shape and lie in the support`, () => {
      fc.assert(
        fc.property(
          arbitraryDistribution(family, { ...drawable, batchShape: [2] }),
          fc.integer({ min: 0, max: 1000 }),
          (c, seed) => {
            const problem = tidyValue(() => {
              const d = c.make();
              const x = d.sample(PRNGKey(seed), [5]);
              if (!shapesEqual(x.shape, d.shape([5])))
                return `draws have shape [${x.shape}], expected [${d.shape([5])}]`;
              const inside = tf.all(d.support.check(x)).dataSync()[0] === 1;
              return inside ? undefined : `a draw is not ${d.support.describe()}: ${x.dataSync()}`;
            });
            if (problem !== undefined) throw new Error(problem);
          },
        ),
        { numRuns: 30, seed: 1 },
      );
    });

    it(`${family}: log-probabilities at support values have the batch shape and are never NaN or +inf`, () => {
      const withValue = arbitraryDistribution(family, { batchShape: [2] }).chain((c) =>
        fc.tuple(fc.constant(c), arbitrarySupportValue(c.make())),
      );
      fc.assert(
        fc.property(withValue, ([c, x]) => {
          const { shape, values } = tidyValue(() => {
            const lp = c.make().logProb(x);
            return { shape: lp.shape, values: Array.from(lp.dataSync()) };
          });
          if (!shapesEqual(shape, [2]))
            throw new Error(`logProb has shape [${shape}], expected [2]`);
          const bad = values.find((v) => Number.isNaN(v) || v === Number.POSITIVE_INFINITY);
          if (bad !== undefined) throw new Error(`logProb is ${bad}: ${values}`);
        }),
        { numRuns: 30, seed: 2 },
      );
    });
  }
});
