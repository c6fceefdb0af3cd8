/**
 * Issue 12, item 3: no silent NaN from a log-density. Where the density has an exact value
 * (its limit on the boundary of the support) both engines give it; parameters that float32
 * cannot hold and observations containing NaN are clear errors; and a fuzz over every family
 * (the testing module's arbitraries, pushed to float32's limits), parameters and values finds
 * only finite values, -Infinity outside the support, or tagged errors.
 *
 * Boundary values follow the density's limit, as scipy and NumPyro do: x^(a-1) at x = 0 is 1
 * for a = 1, Infinity for a < 1 and 0 for a > 1.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileObjective } from "../../src/compile/index.js";
import {
  Bernoulli,
  Beta,
  Chi2,
  Dirichlet,
  type Distribution,
  Exponential,
  Gamma,
  Normal,
  Weibull,
} from "../../src/dist/index.js";
import { DistributionParameterError, ModelError } from "../../src/errors.js";
import { condition } from "../../src/handlers/condition.js";
import { logDensity } from "../../src/infer/log-density.js";
import { potential } from "../../src/infer/potential.js";
import { sample } from "../../src/primitives/effects.js";
import type { DistributionCase } from "../../src/testing/distribution-case.js";
import {
  arbitraryDistribution,
  arbitrarySupportValue,
  distributionFamilies,
} from "../../src/testing/index.js";
import type { ArrayLike, NestedNumbers } from "../../src/tf.js";
import { readFloat64, tf, tidyValue } from "../../src/tf.js";

/** The log-densities of `d` at `x`, in eager float32. */
function eagerLogProb(d: Distribution, x: NestedNumbers): number[] {
  return tidyValue(() => Array.from(d.logProb(x).dataSync()));
}

/** The summed log-density of `make()` at `x`, in the compiled engine's float64, or why not. */
function compiledLogProb(make: () => Distribution, x: NestedNumbers): number | string {
  const result = compileObjective(() => tf.sum(make().logProb(x)), [], { wrt: [] });
  return result.ok ? result.compiled.value([]) : result.reason;
}

describe("boundary values are the density's limits, in both engines", () => {
  const cases: [string, () => Distribution, NestedNumbers, number][] = [
    ["Beta(1, 3) at 0 (density 3)", () => Beta(1, 3), 0, Math.log(3)],
    ["Beta(2, 1) at 1 (density 2)", () => Beta(2, 1), 1, Math.log(2)],
    ["Beta(1, 1) at 1", () => Beta(1, 1), 1, 0],
    ["Beta(0.5, 2) at 0", () => Beta(0.5, 2), 0, Number.POSITIVE_INFINITY],
    ["Gamma(1, 1) at 0, as Exponential(1)", () => Gamma(1, 1), 0, 0],
    ["Gamma(1, 3) at 0 (density 3)", () => Gamma(1, 3), 0, Math.log(3)],
    ["Gamma(0.5, 1) at 0", () => Gamma(0.5, 1), 0, Number.POSITIVE_INFINITY],
    ["Gamma(2, 1) at 0", () => Gamma(2, 1), 0, Number.NEGATIVE_INFINITY],
    ["Exponential(1) at 0", () => Exponential(1), 0, 0],
    ["Chi2(2) at 0 (density 1/2)", () => Chi2(2), 0, Math.log(0.5)],
    ["Weibull(2, 1) at 0, as Exponential(1/2)", () => Weibull(2, 1), 0, Math.log(0.5)],
    ["Weibull(1, 0.5) at 0", () => Weibull(1, 0.5), 0, Number.POSITIVE_INFINITY],
    // Gamma(5) / (Gamma(1) Gamma(2) Gamma(2)) * 0^0 * 0.5 * 0.5 = 24 / 4
    [
      "Dirichlet([1, 2, 2]) at [0, 0.5, 0.5]",
      () => Dirichlet([1, 2, 2]),
      [0, 0.5, 0.5],
      Math.log(6),
    ],
  ];
  it.each(cases)("%s", (_, make, x, expected) => {
    const eager = eagerLogProb(make(), x)[0];
    const compiled = compiledLogProb(make, x);
    for (const got of [eager, compiled]) {
      if (typeof got === "string") throw new Error(got);
      if (Number.isFinite(expected)) expect(got).toBeCloseTo(expected, 6);
      else expect(got).toBe(expected);
    }
  });
});

describe("parameters that float32 cannot hold", () => {
  function* tinyScale() {
    const mu = yield* sample("mu", Normal(0, 1));
    yield* sample("y", Normal(mu, 1e-46), { obs: 0 });
  }
  function* hugeLogits() {
    const mu = yield* sample("mu", Normal(0, 1));
    yield* sample("y", Bernoulli({ logits: tf.add(mu, 1e300) }), { obs: 1 });
  }
  function* hugeLogitsGiven() {
    yield* sample("mu", Normal(0, 1));
    yield* sample("y", Bernoulli({ logits: 1e300 }), { obs: 1 });
  }

  it("Normal(0, 1e-46) and Bernoulli({ logits: 1e300 }) are errors naming family, parameter and float32", () => {
    expect(() => Normal(0, 1e-46).logProb(0)).toThrow(
      /Normal: scale must be representable in float32 .*got 1e-46/,
    );
    expect(() => Bernoulli({ logits: 1e300 }).logProb(1)).toThrow(
      /Bernoulli: logits must be representable in float32 .*got 1e\+300/,
    );
  });

  it("so is a model with such a parameter, in logDensity and in either engine of potential", () => {
    expect(() => logDensity(tinyScale, [], { mu: 0 })).toThrow(DistributionParameterError);
    expect(() => logDensity(tinyScale, [], { mu: 0 })).toThrow(/site "y"/);
    for (const engine of ["eager", "compiled"] as const) {
      expect(() => potential(tinyScale, [], { engine })).toThrow(
        /scale must be representable in float32/,
      );
      expect(() => potential(hugeLogitsGiven, [], { engine })).toThrow(
        /logits must be representable/,
      );
    }
  });

  it("logits that overflow inside the model give the limit, not NaN, in both engines", () => {
    for (const engine of ["eager", "compiled"] as const) {
      const warn = console.warn;
      console.warn = () => {};
      try {
        const p = potential(hugeLogits, [], { engine });
        const grad = new Float64Array(p.dim);
        const u = p.valueAndGrad(Float64Array.of(0.3), grad);
        // log p(y = 1) = -softplus(-logits) = 0 to float precision: U = -log N(0.3 | 0, 1).
        expect(u).toBeCloseTo(0.5 * 0.09 + 0.5 * Math.log(2 * Math.PI), 5);
        expect(grad[0]).toBeCloseTo(0.3, 5);
      } finally {
        console.warn = warn;
      }
    }
  });
});

describe("observations containing NaN", () => {
  function* model(y: ArrayLike) {
    const mu = yield* sample("mu", Normal(0, 1));
    yield* sample("y", Normal(mu, 1), { obs: y });
  }
  function* latentY() {
    const mu = yield* sample("mu", Normal(0, 1));
    yield* sample("y", Normal(tf.add(mu, tf.zeros([2, 2])), 1));
  }

  it("are an error naming the site and the index", () => {
    let error: unknown;
    try {
      logDensity(model, [[1, Number.NaN, 3]], { mu: 0 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).site).toBe("y");
    expect((error as Error).message).toMatch(
      /sample\("y"\): the observed value contains NaN at index \[1\]/,
    );
  });

  it("also through condition and potential, with the full index of a matrix", () => {
    const conditioned = condition(latentY, {
      y: [
        [1, 2],
        [3, Number.NaN],
      ],
    });
    expect(() => logDensity(conditioned, [], { mu: 0 })).toThrow(/NaN at index \[1, 1\]/);
    expect(() => potential(conditioned, [])).toThrow(/site|"y"/);
    expect(() => potential(model, [Float64Array.of(1, Number.NaN)])).toThrow(/NaN at index \[1\]/);
  });
});

// The fuzz. Regimes push every parameter kind to float32's limits and beyond; values come
// from the support (testing.arbitrarySupportValue), its bounds and their neighbours, and
// special points (0, +-1, +-1e30, 1e-45, +-1e300, +-Infinity).
const REGIMES: Record<string, Parameters<typeof arbitraryDistribution>[1]> = {
  typical: {},
  tiny: {
    ranges: { scale: { min: 1e-300, max: 1e-36 }, concentration: { min: 1e-300, max: 1e-36 } },
  },
  huge: { ranges: { scale: { min: 1e36, max: 1e300 }, concentration: { min: 1e36, max: 1e300 } } },
  far: { ranges: { location: { min: 1e36, max: 1e300 } } },
  saturated: { ranges: { logit: { min: 30, max: 1e300 }, probability: { min: 0, max: 1e-40 } } },
  wide: {
    ranges: {
      scale: { min: 1e-30, max: 1e-6 },
      concentration: { min: 1e5, max: 1e30 },
      location: { min: -1e30, max: 1e30 },
    },
  },
};
const SPECIAL = [0, 1, -1, 0.5, 2, 3, 1e-30, -1e-30, 1e30, -1e30, 1e-45, 1e300, -1e300];
const INFINITIES = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

interface Closure {
  low: number;
  high: number;
  integer: boolean;
}

/** The closure of a scalar support with numeric (or scalar tensor) bounds, if it has them. */
function closureOf(d: Distribution): Closure | undefined {
  const c = d.support as unknown as { low?: unknown; high?: unknown; isDiscrete: boolean };
  if (c.low === undefined || c.high === undefined) return undefined;
  const bound = (b: unknown) => (typeof b === "number" ? b : readFloat64(b as tf.Tensor)[0]);
  return { low: bound(c.low), high: bound(c.high), integer: c.isDiscrete };
}

interface FuzzCase {
  regime: string;
  c: DistributionCase;
  value: NestedNumbers;
}

const fuzzCases: fc.Arbitrary<FuzzCase> = fc.oneof(
  ...Object.entries(REGIMES).flatMap(([regime, options]) =>
    distributionFamilies.map((family) =>
      arbitraryDistribution(family, options).chain((c) => {
        let d: Distribution;
        try {
          d = c.make();
        } catch {
          return fc.constant({ regime, c, value: 0 });
        }
        const inSupport = arbitrarySupportValue(d);
        if (d.shape().length > 0) return inSupport.map((value) => ({ regime, c, value }));
        const closure = closureOf(d);
        const edges =
          closure === undefined
            ? []
            : [closure.low, closure.high, closure.low - 1, closure.high + 1].filter(
                Number.isFinite,
              );
        return fc
          .oneof(inSupport, fc.constantFrom(...SPECIAL, ...INFINITIES, ...edges))
          .map((value) => ({ regime, c, value }));
      }),
    ),
  ),
);

const TAGS = ["DistributionParameterError", "NumericalError", "ModelError", "ArgumentError"];

/** Why a result breaks the rule (finite, -Infinity outside the support, or a tagged error). */
function problem(
  c: DistributionCase,
  value: NestedNumbers,
  lp: number[],
  float32: boolean,
): string | undefined {
  if (lp.some(Number.isNaN)) return `NaN (${lp.join(", ")})`;
  const closure = typeof value === "number" ? closureOf(c.make()) : undefined;
  // VonMises's density is periodic: angles outside [-pi, pi] score as their wrapped angle.
  if (closure === undefined || c.family === "VonMises") return undefined;
  const round = (v: number) => (float32 ? Math.fround(v) : v);
  const x = round(value as number);
  const low = round(closure.low);
  const high = round(closure.high);
  const outside =
    !(x >= low && x <= high) || !Number.isFinite(x) || (closure.integer && !Number.isInteger(x));
  if (outside && lp[0] !== Number.NEGATIVE_INFINITY)
    return `${lp[0]} outside the support, not -Infinity`;
  if (!outside && x > low && x < high && lp[0] === Number.POSITIVE_INFINITY)
    return "Infinity inside the support";
  return undefined;
}

function describeCase({ regime, c, value }: FuzzCase): string {
  return `[${regime}] ${String(c)} at ${typeof value === "number" ? String(value) : JSON.stringify(value)}`;
}

describe("fuzz: every family, parameter regime and value", () => {
  it("eager float32: finite, -Infinity outside the support, or a tagged error", () => {
    fc.assert(
      fc.property(fuzzCases, (fuzz) => {
        let lp: number[];
        try {
          lp = eagerLogProb(fuzz.c.make(), fuzz.value);
        } catch (error) {
          const tag = (error as { _tag?: string })._tag;
          if (tag !== undefined && TAGS.includes(tag)) return;
          throw new Error(`${describeCase(fuzz)}: untagged error ${(error as Error).message}`);
        }
        const why = problem(fuzz.c, fuzz.value, lp, true);
        if (why !== undefined) throw new Error(`${describeCase(fuzz)}: ${why}`);
      }),
      { seed: 12, numRuns: 3000, interruptAfterTimeLimit: 2000, markInterruptAsFailure: false },
    );
  });

  it("compiled float64: finite, -Infinity outside the support, or no compilation (eager serves)", () => {
    fc.assert(
      fc.property(fuzzCases, (fuzz) => {
        const result = compiledLogProb(() => fuzz.c.make(), fuzz.value);
        if (typeof result === "string") return; // a tagged error while tracing, or a fallback
        const why = problem(fuzz.c, fuzz.value, [result], false);
        if (why !== undefined) throw new Error(`${describeCase(fuzz)}: ${why}`);
      }),
      { seed: 12, numRuns: 600, interruptAfterTimeLimit: 2000, markInterruptAsFailure: false },
    );
  });
});
