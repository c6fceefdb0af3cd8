/**
 * Parameter arbitraries for the discrete families. Families that take `{ probs }` or
 * `{ logits }` get either, with probabilities near 0 and 1 and logits up to +-30 among the
 * edges; probability vectors are normalized positive weights (uniform weights shrink to
 * equal probabilities).
 */
import fc from "fast-check";
import { Bernoulli } from "../dist/bernoulli.js";
import { BetaBinomial } from "../dist/beta-binomial.js";
import { Binomial } from "../dist/binomial.js";
import { Categorical } from "../dist/categorical.js";
import { DiscreteUniform } from "../dist/discrete-uniform.js";
import type { Distribution } from "../dist/distribution.js";
import { Geometric } from "../dist/geometric.js";
import { Multinomial } from "../dist/multinomial.js";
import { NegativeBinomial2 } from "../dist/negative-binomial.js";
import { Poisson } from "../dist/poisson.js";
import type { NestedNumbers } from "../tf.js";
import {
  batched,
  type DistributionArbitraryOptions,
  type DistributionCase,
  dimensionArbitrary,
  distributionCase,
  kindArbitrary,
  nest,
} from "./distribution-case.js";
import { countArbitrary } from "./parameter-arbitraries.js";

type ProbsOrLogits = { probs: NestedNumbers } | { logits: NestedNumbers };

/** `{ probs }` or `{ logits }` of the batch shape (scalars per element). */
function probsOrLogits(options: DistributionArbitraryOptions): fc.Arbitrary<ProbsOrLogits> {
  const shape = options.batchShape ?? [];
  return fc.oneof(
    batched(fc.record({ probs: kindArbitrary("probability", options) }), shape),
    batched(fc.record({ logits: kindArbitrary("logit", options) }), shape),
  );
}

/** Probability vectors of `length` (normalized weights), or logit vectors, batched. */
function probabilityVectors(
  options: DistributionArbitraryOptions,
  length: number,
): fc.Arbitrary<ProbsOrLogits> {
  const shape = options.batchShape ?? [];
  const blocks = shape.reduce((a, b) => a * b, 1);
  const weights = fc.array(kindArbitrary("concentration", options), {
    minLength: blocks * length,
    maxLength: blocks * length,
  });
  const probs = weights.map((w) => {
    const p: number[] = [];
    for (let b = 0; b < blocks; b++) {
      const block = w.slice(b * length, (b + 1) * length);
      const total = block.reduce((s, x) => s + x, 0);
      p.push(...block.map((x) => x / total));
    }
    return { probs: nest(p, [...shape, length]) };
  });
  const logits = fc
    .array(kindArbitrary("logit", options), {
      minLength: blocks * length,
      maxLength: blocks * length,
    })
    .map((l) => ({ logits: nest(l, [...shape, length]) }));
  return fc.oneof(probs, logits);
}

function withSpec(
  family: string,
  spec: ProbsOrLogits,
  rest: Record<string, NestedNumbers>,
  make: (rest: Record<string, NestedNumbers>, spec: ProbsOrLogits) => Distribution,
): DistributionCase {
  return distributionCase(family, { ...rest, ...spec }, () => make(rest, spec));
}

/** totalCount of the batch shape. */
function counts(options: DistributionArbitraryOptions, min = 0): fc.Arbitrary<NestedNumbers> {
  const user = options.ranges?.count ?? {};
  return batched(
    fc.record({
      n: countArbitrary({ min, ...user, edges: options.edges === false ? false : user.edges }),
    }),
    options.batchShape ?? [],
  ).map((r) => r.n);
}

/** The discrete families and their arbitraries. */
export const discreteFamilies: Readonly<
  Record<string, (options: DistributionArbitraryOptions) => fc.Arbitrary<DistributionCase>>
> = {
  Bernoulli: (o) =>
    probsOrLogits(o).map((spec) => withSpec("Bernoulli", spec, {}, (_, s) => Bernoulli(s))),
  Binomial: (o) =>
    fc
      .tuple(counts(o), probsOrLogits(o))
      .map(([totalCount, spec]) =>
        withSpec("Binomial", spec, { totalCount }, (r, s) => Binomial(r.totalCount, s)),
      ),
  Geometric: (o) =>
    probsOrLogits(o).map((spec) => withSpec("Geometric", spec, {}, (_, s) => Geometric(s))),
  Poisson: (o) =>
    batched(fc.record({ rate: kindArbitrary("scale", o) }), o.batchShape ?? []).map((p) =>
      distributionCase("Poisson", p, (q) => Poisson(q.rate)),
    ),
  NegativeBinomial2: (o) =>
    batched(
      fc.record({
        mean: kindArbitrary("scale", o),
        concentration: kindArbitrary("concentration", o),
      }),
      o.batchShape ?? [],
    ).map((p) =>
      distributionCase("NegativeBinomial2", p, (q) => NegativeBinomial2(q.mean, q.concentration)),
    ),
  BetaBinomial: (o) =>
    fc
      .tuple(
        batched(
          fc.record({
            concentration1: kindArbitrary("concentration", o),
            concentration0: kindArbitrary("concentration", o),
          }),
          o.batchShape ?? [],
        ),
        counts(o),
      )
      .map(([c, totalCount]) =>
        distributionCase("BetaBinomial", { ...c, totalCount }, (q) =>
          BetaBinomial(q.concentration1, q.concentration0, q.totalCount),
        ),
      ),
  DiscreteUniform: (o) =>
    batched(
      fc.record({ low: fc.integer({ min: -50, max: 50 }), width: countArbitrary({ max: 100 }) }),
      o.batchShape ?? [],
    ).map(({ low, width }) => {
      const high = addNested(low, width);
      return distributionCase("DiscreteUniform", { low, high }, (q) =>
        DiscreteUniform(q.low, q.high),
      );
    }),
  Categorical: (o) =>
    dimensionArbitrary(o)
      .chain((k) => probabilityVectors(o, k))
      .map((spec) => withSpec("Categorical", spec, {}, (_, s) => Categorical(s))),
  Multinomial: (o) =>
    fc
      .tuple(
        counts(o),
        dimensionArbitrary(o).chain((k) => probabilityVectors(o, k)),
      )
      .map(([totalCount, spec]) =>
        withSpec("Multinomial", spec, { totalCount }, (r, s) => Multinomial(r.totalCount, s)),
      ),
};

function addNested(a: NestedNumbers, b: NestedNumbers): NestedNumbers {
  if (Array.isArray(a) && Array.isArray(b))
    return a.map((x, i) => addNested(x, (b as NestedNumbers[])[i]));
  return (a as number) + (b as number);
}
