/**
 * The posteriordb set in CI (the full validation is `npm run validate`):
 *
 * 1. For every one of the 15 models, the compiled engine against the eager one (value and
 *    gradient within float32 tolerance) and against itself (gradient against float64 central
 *    differences of its value, 1e-6 relative), at random unconstrained points. This is the check
 *    DESIGN.md section 4 asks of every model: the compiled engine serves what eager tfjs means.
 * 2. A few fast posteriors sampled with fewer draws than the full validation, held to the same
 *    rule (health gate, |z| <= 4.5 for mean, sd and the 5/50/95% quantiles), fixed seeds.
 */
import { describe, expect, it } from "vitest";
import { PRNGKey } from "../../src/index.js";
import { type Potential, potential } from "../../src/infer/index.js";
import { uniform } from "../../src/infer/kernels.js";
import { POSTERIORS, posteriorNamed } from "../../validation/models/index.js";
import { referenceControl } from "../../validation/posteriordb.js";
import { runPosterior } from "../../validation/runner.js";

/**
 * Random points where float32 eager tfjs is still accurate: uniform(-1, 1) in every unconstrained
 * coordinate. Wider points make some models overflow float32 (arma11's error recursion grows
 * like theta^200 for |theta| > 1; gp_pois_regr's kernel matrix loses its Cholesky factor for
 * long length-scales), which tests float32, not the compiled engine.
 */
function randomPoints(dim: number, seed: number, count: number): Float64Array[] {
  const u = uniform(PRNGKey(seed), dim * count, -1, 1);
  return Array.from({ length: count }, (_, i) => u.slice(i * dim, (i + 1) * dim));
}

function maxAbs(x: Float64Array): number {
  let m = 0;
  for (const v of x) m = Math.max(m, Math.abs(v));
  return m;
}

/**
 * dU/dq_i by the five-point central difference (truncation error O(h^4)) of the compiled value.
 * With h = 1e-3 the truncation (about 1e-12 of the derivative's scale) and rounding
 * (about 1e-13 |U| / 1e-3) errors both stay well below 1e-6.
 */
function centralDifference(U: Potential, q: Float64Array, i: number, h = 1e-3): number {
  const at = (offset: number) => {
    const x = q.slice();
    x[i] += offset;
    return -U.logDensity(x);
  };
  return (8 * (at(h) - at(-h)) - (at(2 * h) - at(-2 * h))) / (12 * h);
}

/** Relative tolerance of float32 tfjs against float64, after thousands of float32 operations. */
const FLOAT32_TOLERANCE = 1e-4;
/** Relative tolerance of the compiled gradient against central differences of its value. */
const DIFFERENCE_TOLERANCE = 1e-6;

describe("posteriordb models: compiled engine against eager tfjs and central differences", () => {
  for (const definition of POSTERIORS) {
    it(definition.posterior, () => {
      const data = definition.loadData();
      const compiled = potential(definition.model, [data]);
      const eager = potential(definition.model, [data], { engine: "eager" });
      expect(compiled.engine).toBe("compiled");
      expect(eager.dim).toBe(compiled.dim);
      const gradCompiled = new Float64Array(compiled.dim);
      const gradEager = new Float64Array(compiled.dim);
      for (const q of randomPoints(compiled.dim, 7, 3)) {
        const valueCompiled = compiled.valueAndGrad(q, gradCompiled);
        const valueEager = eager.valueAndGrad(q, gradEager);
        expect(Number.isFinite(valueCompiled)).toBe(true);
        expect(gradCompiled.every(Number.isFinite)).toBe(true);
        // Errors relative to the scale of the value and of the whole gradient: a float32 error
        // in one component is relative to the largest terms that were summed into it.
        const valueScale = Math.max(1, Math.abs(valueCompiled));
        expect(Math.abs(valueCompiled - valueEager) / valueScale).toBeLessThan(FLOAT32_TOLERANCE);
        const gradScale = Math.max(1, maxAbs(gradCompiled));
        for (let i = 0; i < compiled.dim; i++) {
          const eagerError = Math.abs(gradCompiled[i] - gradEager[i]) / gradScale;
          expect(eagerError, `d/dq[${i}] against eager`).toBeLessThan(FLOAT32_TOLERANCE);
          const differenceError = Math.abs(gradCompiled[i] - centralDifference(compiled, q, i));
          expect(
            differenceError / gradScale,
            `d/dq[${i}] against central differences`,
          ).toBeLessThan(DIFFERENCE_TOLERANCE);
        }
      }
    });
  }
});

describe("posteriordb: fast posteriors against their reference draws", () => {
  // 4 chains x (500 warmup + 500 draws) at posteriordb's reference settings, fixed seeds; the
  // rule of posteriordb's comparison (tests/oracles/posteriordb, validation/compare.ts) with z_crit 4.5.
  const FAST = [
    "eight_schools-eight_schools_noncentered",
    "mesquite-logmesquite",
    "arK-arK",
  ] as const;
  for (const [index, name] of FAST.entries()) {
    it(`${name} passes the rule`, async () => {
      const outcome = await runPosterior(posteriorNamed(name), {
        numWarmup: 500,
        numSamples: 500,
        numChains: 4,
        seed: 100 + index,
        nuts: referenceControl(name),
      });
      const { comparison } = outcome;
      expect(outcome.engine).toBe("compiled");
      expect(comparison.gateFailures).toEqual([]);
      expect(comparison.zFailures).toEqual([]);
    });
  }

  it("kilpisjarvi (corr -0.99999) passes the rule with a dense metric", async () => {
    // The full 1000 warmup iterations. Stan's regularization of the dense estimate adds
    // 1e-3 * 5 / (n + 5) to its diagonal (1e-5 after the last 500-draw window), which is 7 000
    // times the variance of the narrow direction (1.4e-9), so even the dense metric needs
    // ~170 leapfrog steps per draw, in Stan too; a 500-iteration warmup (2.4e-5) doubles that.
    // 1000 draws per chain, as posteriordb's reference: with 500, this posterior's R-hat sits
    // near the gate by chance (seeds 110-121 gave a max R-hat above 1.01 for 2 to 5 of 12 seeds,
    // depending on rounding in the gradient; with 1000, none above 1.0067).
    const outcome = await runPosterior(posteriorNamed("kilpisjarvi_mod-kilpisjarvi"), {
      numWarmup: 1000,
      numSamples: 1000,
      numChains: 4,
      seed: 110,
      nuts: { denseMass: true },
    });
    expect(outcome.comparison.gateFailures).toEqual([]);
    expect(outcome.comparison.zFailures).toEqual([]);
  });

  it("eight_schools_centered reports divergences at default settings", async () => {
    const outcome = await runPosterior(posteriorNamed("eight_schools-eight_schools_centered"), {
      numWarmup: 500,
      numSamples: 500,
      numChains: 4,
      seed: 111,
    });
    expect(outcome.numDivergences).toBeGreaterThan(0);
    expect(outcome.comparison.gatePassed).toBe(false);
  });
});
