/**
 * `arbitraryDistribution(family)`: valid parameters for every distribution family, as
 * fast-check arbitraries of `DistributionCase`s.
 */
import type fc from "fast-check";
import { continuousFamilies } from "./arbitraries-continuous.js";
import { discreteFamilies } from "./arbitraries-discrete.js";
import { multivariateFamilies } from "./arbitraries-multivariate.js";
import type { DistributionArbitraryOptions, DistributionCase } from "./distribution-case.js";

const families = { ...continuousFamilies, ...discreteFamilies, ...multivariateFamilies };

/**
 * The families `arbitraryDistribution` knows, by constructor name.
 *
 * @example
 * for (const family of testing.distributionFamilies) testing.arbitraryDistribution(family);
 */
export const distributionFamilies: readonly string[] = Object.keys(families);

/**
 * Distributions of `family` with valid parameters: typical values, edge regions (tiny and
 * huge scales, huge concentrations, probabilities near 0 and 1) and simple values that
 * counterexamples shrink to. Options set the batch shape, the event dimension of vector
 * families, and the range of each parameter kind.
 *
 * @example
 * import fc from "fast-check";
 * import * as testing from "tyche/testing";
 * fc.assert(
 *   fc.property(testing.arbitraryDistribution("Gamma"), (c) => {
 *     const d = c.make();
 *     return Number.isFinite(d.logProb(1).dataSync()[0]);
 *   }),
 * );
 */
export function arbitraryDistribution(
  family: string,
  options: DistributionArbitraryOptions = {},
): fc.Arbitrary<DistributionCase> {
  const make = families[family];
  if (make === undefined) {
    throw new RangeError(
      `arbitraryDistribution: no arbitrary for the family "${family}"; families are ${distributionFamilies.join(", ")}`,
    );
  }
  return make(options);
}
