/**
 * Issue 12, item 1: no sampler can hang. Every rejection sampler returns within a bounded
 * number of uniforms at extreme parameters (a stream that refuses to give more than a budget
 * turns a hang into a failure), the von Mises sampler has a normal limit as the concentration
 * grows, and the reproductions of the issue (a huge concentration drawn directly, or reached
 * from a LogNormal prior while a model is first run) return.
 */
import { describe, expect, it } from "vitest";
import { LogNormal, VonMises } from "../../src/dist/index.js";
import {
  betaVariate,
  binomialVariate,
  logStandardGamma,
  poissonVariate,
  RandomStream,
  VON_MISES_NORMAL_LIMIT,
  vonMisesVariate,
} from "../../src/dist/samplers.js";
import { seed } from "../../src/handlers/seed.js";
import { trace } from "../../src/handlers/trace.js";
import { sample } from "../../src/primitives/effects.js";
import { foldIn, PRNGKey } from "../../src/primitives/prng.js";
import { tidyValue } from "../../src/tf.js";

/** A stream that throws once a draw has used more than `budget` uniforms. */
class BudgetStream extends RandomStream {
  used = 0;
  constructor(
    seedValue: number,
    private readonly budget: number,
  ) {
    super(foldIn(PRNGKey(seedValue), 7));
  }
  override uniform(): number {
    if (++this.used > this.budget) throw new Error(`used more than ${this.budget} uniforms`);
    return super.uniform();
  }
}

const BUDGET = 1000;
const DRAWS = 50;

function drawsWithin(draw: (s: RandomStream) => number): number[] {
  const out: number[] = [];
  for (let i = 0; i < DRAWS; i++) out.push(draw(new BudgetStream(i, BUDGET)));
  return out;
}

const huge = [1e-300, 1e-20, 1e-5, 0.5, 1, 9.99, 10, 1e5, 1e10, 1e17, 1e20, 1e300];

describe("rejection samplers return at extreme parameters", () => {
  it.each(huge)("gamma(shape %s)", (a) => {
    for (const x of drawsWithin((s) => logStandardGamma(a, s))) expect(x).not.toBeNaN();
  });
  it.each(huge)("Poisson(rate %s)", (rate) => {
    for (const x of drawsWithin((s) => poissonVariate(rate, s)))
      expect(x).toBeGreaterThanOrEqual(0);
  });
  it.each([1, 10, 1e10, 1e15, 1e17, 1e20, 1e300])("binomial(totalCount %s)", (n) => {
    for (const p of [1e-300, 1e-15, 1e-12, 0.3, 0.5, 0.7, 1 - 1e-12]) {
      for (const x of drawsWithin((s) => binomialVariate(n, p, s))) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(n);
      }
    }
  });
  it.each([1e-300, 1e-20, 1, 1e20, 1e300])("beta(%s, b)", (a) => {
    for (const b of [1e-300, 1, 1e300]) {
      for (const x of drawsWithin((s) => betaVariate(a, b, s))) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(1);
      }
    }
  });
  it.each([1e-9, 1, 1e5, 1e7, 1e8, 1e15, 1e20, 1e300, Number.POSITIVE_INFINITY])(
    "von Mises(concentration %s)",
    (kappa) => {
      for (const x of drawsWithin((s) => vonMisesVariate(kappa, s))) {
        expect(Math.abs(x)).toBeLessThanOrEqual(Math.PI);
      }
    },
  );
});

describe("von Mises at large concentration", () => {
  it("VonMises(6, 1e20).sample(PRNGKey(0), [3]) returns draws at loc (wrapped into [-pi, pi])", () => {
    const x = tidyValue(() => Array.from(VonMises(6, 1e20).sample(PRNGKey(0), [3]).dataSync()));
    // Standard deviation 1e-10: in float32 every draw is 6 - 2 pi.
    for (const v of x) expect(v).toBeCloseTo(6 - 2 * Math.PI, 5);
  });

  it("a concentration reached from a LogNormal(40, 1) prior does not hang the first run", () => {
    function* model() {
      const k = yield* sample("k", LogNormal(40, 1));
      yield* sample("x", VonMises(0, k));
    }
    const tr = trace(seed(model, 0)).getTrace();
    const x = tr.get("x")?.value.dataSync()[0] ?? Number.NaN;
    expect(Math.abs(x)).toBeLessThan(1e-6);
  });

  // The variance of the angle is 1/kappa + 1/(2 kappa^2) + O(kappa^-3) (Mardia & Jupp 2000,
  // section 3.5.4), so kappa * variance is 1 to within 1e-7 here, on either side of the switch
  // to the normal limit; standard error of a sample variance of n normals: sqrt(2 / n).
  it.each([VON_MISES_NORMAL_LIMIT / 2, VON_MISES_NORMAL_LIMIT * 2, 1e12])(
    "kappa %s: kappa * variance is 1 within 4.5 standard errors",
    (kappa) => {
      const n = 20_000;
      const key = PRNGKey(11);
      let sum = 0;
      let sumSq = 0;
      for (let i = 0; i < n; i++) {
        const x = vonMisesVariate(kappa, new RandomStream(foldIn(key, i)));
        sum += x;
        sumSq += x * x;
      }
      const mean = sum / n;
      const variance = (sumSq - n * mean * mean) / (n - 1);
      expect(Math.abs(mean * Math.sqrt(kappa))).toBeLessThan(4.5 / Math.sqrt(n));
      expect(Math.abs(kappa * variance - 1)).toBeLessThan(4.5 * Math.sqrt(2 / n));
    },
  );
});
