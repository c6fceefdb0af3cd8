/**
 * readableDouble: values stay in range (exclusions included), edge regions are reached, and
 * shrinking ends at readable values: a simple value, or few significant digits next to the
 * boundary of the failing region.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parameterArbitrary } from "../../src/testing/parameter-arbitraries.js";
import {
  logUniformRegion,
  readableDouble,
  significantDigits,
} from "../../src/testing/readable-number.js";

/** The shrunk counterexample of a property that fails where `fails` holds. */
function counterexample(arbitrary: fc.Arbitrary<number>, fails: (x: number) => boolean): number {
  const details = fc.check(
    fc.property(arbitrary, (x) => !fails(x)),
    { numRuns: 200, seed: 11 },
  );
  expect(details.failed).toBe(true);
  return (details.counterexample as [number])[0];
}

describe("readableDouble", () => {
  it("draws stay inside [min, max], respecting excluded bounds", () => {
    const arbitrary = readableDouble({
      min: 0,
      max: 1,
      minExcluded: true,
      maxExcluded: true,
      simple: [0, 1, 0.5],
      edges: [logUniformRegion(1e-300, 1e-3), (u) => 1 - 1e-17 * u],
    });
    for (const x of fc.sample(arbitrary, { numRuns: 2000, seed: 1 })) {
      expect(x).toBeGreaterThan(0);
      expect(x).toBeLessThan(1);
    }
  });

  it("reaches the edge regions: tiny and huge scales, probabilities near 0 and 1", () => {
    const scales = fc.sample(parameterArbitrary("scale"), { numRuns: 1000, seed: 2 });
    expect(scales.some((s) => s < 1e-3)).toBe(true);
    expect(scales.some((s) => s > 1e3)).toBe(true);
    const probs = fc.sample(parameterArbitrary("probability"), { numRuns: 1000, seed: 3 });
    expect(probs.some((p) => p < 1e-3)).toBe(true);
    expect(probs.some((p) => p > 1 - 1e-3 && p < 1)).toBe(true);
    expect(probs.every((p) => p > 0 && p < 1 && Math.fround(p) < 1)).toBe(true);
    const concentrations = fc.sample(parameterArbitrary("concentration"), {
      numRuns: 1000,
      seed: 4,
    });
    expect(concentrations.some((c) => c > 1e3)).toBe(true);
  });

  it("shrinks to the simplest value when a simple value fails", () => {
    // Fails for every scale: the first simple value, 1, is the counterexample.
    expect(counterexample(parameterArbitrary("scale"), () => true)).toBe(1);
    // Fails away from 0.5: the next simple probability, 0.1.
    expect(counterexample(parameterArbitrary("probability"), (p) => p !== 0.5)).toBe(0.1);
  });

  it("ends next to the boundary of a failing region, with one significant digit", () => {
    // Scales below 0.0123 fail: shrinking ends at the largest one-digit value below it.
    const tiny = counterexample(parameterArbitrary("scale"), (s) => s < 0.0123);
    expect(tiny).toBe(0.01);
    // Locations above 3.7 (and no simple value): a one-digit value just above 3.7.
    const above = counterexample(
      readableDouble({ min: -10, max: 10, simple: [0] }),
      (x) => x > 3.7,
    );
    expect(above).toBe(4);
    expect(significantDigits(above)).toBe(1);
  });

  it("counts significant digits", () => {
    expect(significantDigits(0)).toBe(1);
    expect(significantDigits(0.007)).toBe(1);
    expect(significantDigits(1.25)).toBe(3);
    expect(significantDigits(1 / 3)).toBe(16);
  });

  it("rejects an empty or invalid range", () => {
    expect(() => readableDouble({ min: 2, max: 1 })).toThrow(/min <= max/);
    expect(() => readableDouble({ min: 0, max: 1, scale: "log" })).toThrow(/min > 0/);
  });
});
