/**
 * Property-based model testing with Tyche's `testing` namespace, written as a user would.
 *
 * Each block shows a bug the tools catch: a wrong custom derivative rule (`checkOp`), a
 * scale parameter that can go negative (`checkModel`) and a likelihood with a variance where
 * a standard deviation belongs (`sbc`). The tests assert on what the tools return, so they
 * stay green while showing the failures; set TYCHE_SHOW_REPORTS=1 to print every report.
 *
 *     TYCHE_SHOW_REPORTS=1 npx vitest run examples/property-testing.test.ts
 */
import { describe, expect, it } from "vitest";
import { HalfNormal, Normal, plate, sample } from "../src/index.js";
import * as testing from "../src/testing/index.js";
import { eightSchools, eightSchoolsWithVariance, sigma, y } from "./eight-schools-sbc.js";
import { keplerE, makeKeplerOp } from "./kepler-solver.js";

const show = (report: string) => {
  if (process.env.TYCHE_SHOW_REPORTS) console.log(report);
};

describe("checkOp: a custom derivative rule against central differences", () => {
  // Mean anomaly M and eccentricity e; readableDouble shrinks failures toward 0, 1, 0.5, ...
  const inputs = {
    M: testing.readableDouble({ min: -3, max: 3 }),
    e: testing.readableDouble({ min: 0, max: 0.9 }),
  };

  it("passes the implicit-function rule dE/de = sin E / (1 - e cos E)", () => {
    const result = testing.checkOp(keplerE, inputs);
    show(result.report);
    expect(result.ok, result.report).toBe(true);
  });

  it("catches the forum thread's rule sin(E) E / (1 - e cos E), at a readable input", () => {
    const result = testing.checkOp(makeKeplerOp("forum"), inputs);
    show(result.report);
    expect(result.ok).toBe(false);
    const [failure] = result.failures;
    expect(failure.site).toBe("e");
    // The shrunk counterexample is a pair of simple numbers, and the rule's value is off by
    // the factor E that the forum's rule multiplies in.
    expect(failure.input).toMatch(/^M=-?[0-9.]+, e=[0-9.]+$/);
    const numbers = /is (\S+) by the rule but (\S+) by central differences/.exec(failure.message);
    expect(numbers).not.toBeNull();
    const { M, e } = result.counterexample as { M: number; e: number };
    const E = keplerE([M], [e]).dataSync()[0];
    expect(Number(numbers?.[1]) / Number(numbers?.[2])).toBeCloseTo(E, 3);
  });
});

describe("checkModel: a scale parameter without a positive constraint", () => {
  const y = [0.3, -1.2, 0.8];

  // The bug: s ~ Normal(0, 1) can be negative, and it is used as a standard deviation.
  function* negativeScale(data: number[]) {
    const s = yield* sample("s", Normal(0, 1));
    yield* plate("data", data.length, function* () {
      yield* sample("y", Normal(0, s), { obs: data });
    });
  }
  // The fix: a scale drawn from a distribution on the positive reals.
  function* positiveScale(data: number[]) {
    const s = yield* sample("s", HalfNormal(1));
    yield* plate("data", data.length, function* () {
      yield* sample("y", Normal(0, s), { obs: data });
    });
  }

  it("fails, naming the site, the draw and the point where the density is NaN", () => {
    const result = testing.checkModel(negativeScale, [y]);
    show(result.report);
    expect(result.ok).toBe(false);
    const byCheck = Object.fromEntries(result.failures.map((f) => [f.check, f]));
    // Prior draws with s < 0 make Normal(0, s) reject its scale at site "y".
    expect(byCheck["prior draws"].site).toBe("y");
    expect(byCheck["prior draws"].message).toMatch(/Normal: scale must be positive, got -/);
    // At unconstrained points with s <= 0 the log density is NaN, shrunk to the simplest one.
    const nan = byCheck["log density is never NaN or +inf (compiled)"];
    expect(nan.site).toBe("y");
    expect(nan.input).toMatch(/^s=(0|-[0-9.]+) /);
    expect(nan.message).toMatch(/y: NaN/);
  });

  it("passes once the scale has a positive prior", () => {
    const result = testing.checkModel(positiveScale, [y]);
    show(result.report);
    expect(result.ok, result.report).toBe(true);
  });
});

describe("sbc: eight schools, and eight schools with a variance for a standard deviation", () => {
  // The models are in ./eight-schools-sbc.ts: the eight schools in units of 100 SAT points
  // (standard errors below 1, so their squares are smaller still), and the same model with
  // Normal(theta, tf.square(sigma)): a variance where Normal takes a standard deviation.
  // y is the data slot: each simulation replaces it with data drawn from the generator.
  const settings = { args: [sigma, y] as [number[], number[]], numWarmup: 200, numSamples: 200 };

  it("passes for the correct model: every rank histogram is uniform", async () => {
    const result = await testing.sbc(eightSchools, { ...settings, simulations: 100, seed: 1 });
    show(result.report);
    expect(result.ok, result.report).toBe(true);
    expect(result.parameters.map((p) => p.name)).toEqual([
      "mu",
      "tau",
      ...Array.from({ length: 8 }, (_, i) => `eta[${i}]`),
    ]);
  });

  it("flags the variance bug: data simulated by the correct model, fitted by the wrong one", async () => {
    const result = await testing.sbc(eightSchoolsWithVariance, {
      ...settings,
      generator: eightSchools,
      simulations: 40,
      seed: 2,
    });
    show(result.report);
    expect(result.ok).toBe(false);
    // The fitted posteriors of the school effects are too narrow: ranks pile up at both ends.
    const eta = result.parameters.filter((p) => p.site === "eta");
    expect(eta.filter((p) => !p.ok).length).toBeGreaterThanOrEqual(6);
    expect(result.report).toMatch(/ranks pile up at both ends/);
  });
});
