/**
 * The arbitraries: every family's parameters pass the family's own validation (scalars and
 * batches), support values lie in their sets with the right shapes (every constraint kind,
 * tensor bounds included), and points of a model's unconstrained space are printed by site.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  Binomial,
  constraints,
  HalfCauchy,
  Multinomial,
  Normal,
  plate,
  sample,
  Uniform,
} from "../../src/index.js";
import { potential } from "../../src/infer/index.js";
import {
  arbitraryDistribution,
  distributionFamilies,
} from "../../src/testing/arbitrary-distribution.js";
import { arbitraryPoint } from "../../src/testing/point-arbitrary.js";
import { arbitrarySupportValue, arbitraryValueIn } from "../../src/testing/support-arbitrary.js";
import { tf, tidyValue } from "../../src/tf.js";

function inSet(c: constraints.Constraint, value: unknown, shape: number[]): boolean {
  return tidyValue(() => {
    const t = tf.tensor(value as number[], shape);
    return tf.all(c.check(t)).dataSync()[0] === 1;
  });
}

describe("arbitraryDistribution", () => {
  it("covers every family of the reference table (probs and logits alike) and GaussianRandomWalk", () => {
    expect(distributionFamilies).toHaveLength(33);
    for (const family of ["Normal", "LKJCholesky", "MultivariateNormal", "Multinomial", "VonMises"])
      expect(distributionFamilies).toContain(family);
  });

  it("names an unknown family and lists the known ones", () => {
    expect(() => arbitraryDistribution("Normall")).toThrow(/"Normall".*Normal, HalfNormal/);
  });

  for (const family of distributionFamilies) {
    it(`${family}: parameters pass the family's validation, scalar and batched`, () => {
      for (const batchShape of [[], [2]]) {
        const cases = fc.sample(arbitraryDistribution(family, { batchShape }), {
          numRuns: 25,
          seed: 5,
        });
        for (const c of cases) {
          const d = c.make();
          expect(() => d.assertValid(), String(c)).not.toThrow();
          expect(d.batchShape, String(c)).toEqual(batchShape);
          expect(String(c)).toMatch(new RegExp(`^${family}\\(`));
        }
      }
    });
  }

  it("ranges narrow a parameter kind, and edges can be turned off", () => {
    const cases = fc.sample(
      arbitraryDistribution("Gamma", {
        ranges: { concentration: { min: 0.5, max: 2 } },
        edges: false,
      }),
      { numRuns: 100, seed: 6 },
    );
    for (const c of cases) {
      const concentration = c.params.concentration as number;
      expect(concentration).toBeGreaterThanOrEqual(0.5);
      expect(concentration).toBeLessThanOrEqual(2);
      const rate = c.params.rate as number;
      expect(rate).toBeGreaterThanOrEqual(0.01);
      expect(rate).toBeLessThanOrEqual(100);
    }
  });
});

describe("arbitraryValueIn", () => {
  const table: Array<[string, constraints.Constraint, number[]]> = [
    ["real", constraints.real, [3]],
    ["positive", constraints.positive, [2, 2]],
    ["nonnegative", constraints.nonnegative, [3]],
    ["unitInterval", constraints.unitInterval, [4]],
    ["interval(-2, 5)", constraints.interval(-2, 5), [3]],
    ["greaterThan(1e4)", constraints.greaterThan(1e4), [3]],
    ["lessThan(-3)", constraints.lessThan(-3), [3]],
    ["circular", constraints.circular, [2]],
    ["boolean", constraints.boolean, [5]],
    ["nonnegativeInteger", constraints.nonnegativeInteger, [3]],
    ["integerInterval(-2, 4)", constraints.integerInterval(-2, 4), [3]],
    ["simplex", constraints.simplex, [2, 4]],
    ["ordered", constraints.orderedVector, [4]],
    ["positiveOrdered", constraints.positiveOrderedVector, [4]],
    ["lowerCholesky", constraints.lowerCholesky, [3, 3]],
    ["correlationCholesky", constraints.correlationCholesky, [2, 3, 3]],
    ["positiveDefinite", constraints.positiveDefinite, [3, 3]],
    ["independent(positive, 1)", constraints.independent(constraints.positive, 1), [2, 3]],
    ["multinomial(7)", constraints.multinomial(7), [2, 3]],
  ];
  for (const [name, c, shape] of table) {
    it(`${name}: values of shape [${shape}] lie in the set, also after rounding to float32`, () => {
      fc.assert(
        fc.property(arbitraryValueIn(c, shape), (value) => {
          expect(tf.tensor(value as number[]).shape).toEqual(shape);
          expect(inSet(c, value, shape)).toBe(true);
        }),
        { numRuns: 60, seed: 7 },
      );
    });
  }

  it("follows supports whose bounds are tensors (a batch of Uniforms, Binomials, Multinomials)", () => {
    const dists = [
      Uniform([0, 10, -5], [1, 1e4, -4.999]),
      Binomial([3, 0, 50], { probs: 0.3 }),
      Multinomial([4, 9], { probs: [0.2, 0.3, 0.5] }),
    ];
    for (const d of dists) {
      fc.assert(
        fc.property(arbitrarySupportValue(d), (value) => inSet(d.support, value, d.shape())),
        { numRuns: 60, seed: 8 },
      );
    }
  });

  it("a radius keeps scalar values within the image of [-r, r]", () => {
    for (const x of fc.sample(arbitraryValueIn(constraints.positive, [], { radius: 1 }), 200)) {
      expect(x as number).toBeGreaterThanOrEqual(Math.exp(-1));
      expect(x as number).toBeLessThanOrEqual(Math.exp(1));
    }
  });

  it("names a constraint it has no values for", () => {
    const odd = new (class extends constraints.Constraint {
      readonly name = "odd";
      check(v: tf.Tensor) {
        return tf.onesLike(v);
      }
      contains() {
        return true;
      }
      describe() {
        return "odd numbers";
      }
    })();
    expect(() => arbitraryValueIn(odd, [2])).toThrow(/"odd" \(odd numbers\)/);
  });
});

describe("arbitraryPoint", () => {
  function* model() {
    const mu = yield* sample("mu", Normal(0, 1));
    const tau = yield* sample("tau", HalfCauchy(1));
    yield* plate("groups", 3, function* () {
      yield* sample("eta", Normal(mu, tau));
    });
  }
  const U = potential(model, [], { engine: "eager" });

  it("gives points of the potential's dimension within the radius, printed by site", () => {
    const points = fc.sample(arbitraryPoint(U, { radius: 1.5 }), { numRuns: 100, seed: 9 });
    for (const p of points) {
      expect(p.q.length).toBe(5);
      expect(p.q.every((x) => Math.abs(x) <= 1.5)).toBe(true);
      expect(String(p)).toMatch(/^mu=-?[0-9.e-]+, tau=-?[0-9.e-]+, eta=\[.*\]$/);
    }
  });

  it("edges reach far out", () => {
    const points = fc.sample(arbitraryPoint(U, { edges: true }), { numRuns: 200, seed: 10 });
    expect(points.some((p) => p.q.some((x) => Math.abs(x) > 5))).toBe(true);
  });
});
