import { describe, expect, it } from "vitest";
import { ArgumentError, factor, Normal, PRNGKey, sample, tf } from "../../../src/index.js";
import { advi } from "../../../src/infer/advi/advi.js";
import { ParameterConvergence, parameterChange } from "../../../src/infer/advi/convergence.js";
import { ADVIStepSequence } from "../../../src/infer/advi/step-sequence.js";
import { predictiveFromGuide } from "../../../src/infer/svi/guide-predictive.js";
import { conjugateNormal, conjugatePosterior, mean, sd, Y } from "../svi/helpers.js";
import {
  eightSchools,
  eightSchoolsData,
  eightSchoolsReference,
  logisticData,
  logisticReference,
  logisticRegression,
} from "./models.js";

const SEED = 0;

describe("the parameter convergence check (PyMC's CheckParametersConvergence)", () => {
  it("relative change (|x - p| + 1e-6) / (|p| + 1e-6) and absolute change, infinity norms", () => {
    const c = parameterChange(Float64Array.of(1.001, -2), Float64Array.of(1, -2.5));
    expect(c.maxAbsolute).toBeCloseTo(0.5, 12);
    expect(c.maxRelative).toBeCloseTo((0.5 + 1e-6) / (2.5 + 1e-6), 12);
    // An unmoved zero counts as relative change 1e-6 / 1e-6 = 1, as in PyMC's formula.
    expect(parameterChange(Float64Array.of(0), Float64Array.of(0)).maxRelative).toBe(1);
  });

  it("checks every `every` steps against the previous check and stops below either tolerance", () => {
    const check = new ParameterConvergence({ every: 10, tolerance: 0, absoluteTolerance: 0.01 });
    expect(check.observe(10, Float64Array.of(1))).toBe(false); // first check: nothing to compare
    expect(check.observe(15, Float64Array.of(5))).toBe(false); // not a check step
    expect(check.observe(20, Float64Array.of(1.5))).toBe(false);
    expect(check.last?.maxAbsolute).toBeCloseTo(0.5, 12);
    expect(check.observe(30, Float64Array.of(1.505))).toBe(true);
    const relative = new ParameterConvergence({ every: 1, tolerance: 1e-3 });
    relative.observe(1, Float64Array.of(100));
    expect(relative.observe(2, Float64Array.of(100.05))).toBe(true);
    expect(() => new ParameterConvergence({ every: 0 })).toThrow(ArgumentError);
  });
});

describe("ADVI's step-size sequence (Kucukelbir et al. 2017, eqs. 10-11)", () => {
  it("rho_k = eta k^(-1/2) / (1 + sqrt(s_k)), s_1 = g_1^2, s_k = 0.1 g_k^2 + 0.9 s_(k-1)", () => {
    const opt = ADVIStepSequence(0.5);
    let params: Float64Array = Float64Array.of(0);
    let state = opt.init(params);
    ({ params, state } = opt.update(0, Float64Array.of(3), params, state));
    expect(params[0]).toBeCloseTo((-0.5 / (1 + 3)) * 3, 12);
    ({ params, state } = opt.update(1, Float64Array.of(-1), params, state));
    const s2 = 0.1 * 1 + 0.9 * 9;
    expect(params[0]).toBeCloseTo(
      (-0.5 / (1 + 3)) * 3 + (0.5 / Math.sqrt(2) / (1 + Math.sqrt(s2))) * 1,
      9,
    );
  });
});

describe("advi", () => {
  it("mean-field on a conjugate normal model recovers the exact posterior (within 2%)", () => {
    const exact = conjugatePosterior(Y);
    const approx = advi(conjugateNormal, [Y], { maxSteps: 700, numParticles: 16, key: SEED + 1 });
    expect(approx.method).toBe("meanfield");
    expect(Math.abs(approx.mean.mu.data[0] - exact.mean) / exact.mean).toBeLessThan(0.02);
    expect(Math.abs(approx.sd.mu.data[0] - exact.sd) / exact.sd).toBeLessThan(0.02);
    expect(approx.elboHistory.length).toBe(approx.numSteps);
    // The ELBO rises: late steps beat the first ones on average.
    expect(mean(approx.elboHistory.slice(-100))).toBeGreaterThan(
      mean(approx.elboHistory.slice(0, 20)),
    );
    const draws = approx.sample(PRNGKey(2), 5000).mu;
    expect(draws.shape).toEqual([5000]);
    expect(Math.abs(sd(draws.data) - approx.sd.mu.data[0]) / approx.sd.mu.data[0]).toBeLessThan(
      0.05,
    );
  });

  it("full-rank captures a posterior correlation that mean-field cannot", () => {
    // Posterior of z ~ N(0, I) with a factor N(z2; 0.9 z1, 0.6): correlation 0.71.
    function* model() {
      const z = yield* sample("z", Normal(0, 1).expand([2]).toEvent(1));
      const z1 = tf.gather(z, 0, -1);
      const z2 = tf.gather(z, 1, -1);
      yield* factor("coupling", Normal(tf.mul(0.9, z1), 0.6).logProb(z2));
    }
    // Precision: [[1 + 0.81/0.36, -0.9/0.36], [-0.9/0.36, 1 + 1/0.36]].
    const p11 = 1 + 0.81 / 0.36;
    const p12 = -0.9 / 0.36;
    const p22 = 1 + 1 / 0.36;
    const det = p11 * p22 - p12 * p12;
    const exactCorrelation = -p12 / det / Math.sqrt((p22 / det) * (p11 / det));
    const full = advi(model, [], {
      method: "fullrank",
      maxSteps: 700,
      numParticles: 8,
      key: SEED + 3,
    });
    const cov = full.posterior.covariance;
    const correlation = cov[1] / Math.sqrt(cov[0] * cov[3]);
    expect(exactCorrelation).toBeGreaterThan(0.7);
    expect(Math.abs(correlation - exactCorrelation)).toBeLessThan(0.05);
    const field = advi(model, [], {
      method: "meanfield",
      maxSteps: 1000,
      numParticles: 16,
      key: 3,
    });
    expect(field.posterior.covariance[1]).toBe(0);
    // Mean-field variances are 1 / precision_ii (here within 10%, i.e. 5% on the sd): smaller
    // than the marginal variances.
    expect(Math.abs(field.posterior.covariance[0] * p11 - 1)).toBeLessThan(0.1);
    expect(Math.abs(field.posterior.covariance[3] * p22 - 1)).toBeLessThan(0.1);
    expect(field.sd.z.data[0]).toBeLessThan(full.sd.z.data[0]);
  });

  it("stops on the convergence check, and an abort keeps the approximation reached", () => {
    const converged = advi(conjugateNormal, [Y], {
      maxSteps: 2000,
      convergence: { every: 50, tolerance: 0, absoluteTolerance: 0.05 },
      key: 4,
    });
    expect(converged.converged).toBe(true);
    expect(converged.numSteps).toBeLessThan(2000);
    expect(converged.numSteps % 50).toBe(0);
    expect(converged.lastChange?.maxAbsolute).toBeLessThan(0.05);

    const controller = new AbortController();
    const aborted = advi(conjugateNormal, [Y], {
      maxSteps: 5000,
      key: 4,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.step >= 100) controller.abort();
      },
    });
    expect(aborted.aborted).toBe(true);
    expect(aborted.converged).toBe(false);
    expect(aborted.numSteps).toBe(100);
    expect(Number.isFinite(aborted.mean.mu.data[0])).toBe(true);
  });

  it("the paper's step-size sequence with Stan's eta search runs and picks a candidate", () => {
    const approx = advi(conjugateNormal, [Y], {
      maxSteps: 200,
      eta: "adapt",
      adaptSteps: 20,
      key: 5,
    });
    expect([100, 10, 1, 0.1, 0.01]).toContain(approx.eta);
    expect(approx.numSteps).toBe(200);
    expect(approx.elboHistory.every(Number.isFinite)).toBe(true);
  });

  it("rejects a bad method, naming the argument", () => {
    expect(() => advi(conjugateNormal, [Y], { method: "dense" as "fullrank" })).toThrow(
      /advi: method must be "meanfield" or "fullrank", got dense/,
    );
  });
});

describe("ADVI against NUTS references", () => {
  // The final iterate of 1500 noisy steps: over keys 7..12 the worst |z| of mu and the eight
  // thetas ranged 0.13-0.23 (measured when SVI moved to per-particle keys), so 0.3.
  it("eight schools (non-centred): means of mu and theta within 0.3 posterior sd of posteriordb's", () => {
    const { sigma, y } = eightSchoolsData;
    const approx = advi(eightSchools, [sigma, y], { maxSteps: 1500, key: SEED + 7 });
    const ref = eightSchoolsReference;
    expect(Math.abs(approx.mean.mu.data[0] - ref.mu.mean) / ref.mu.sd).toBeLessThan(0.3);
    const theta = predictiveFromGuide(eightSchools, approx.guide, {
      params: approx.params,
      numSamples: 4000,
      returnSites: ["theta"],
      parallel: true,
    }).run(PRNGKey(8), sigma, y).theta;
    expect(theta.shape).toEqual([4000, 8]);
    for (let j = 0; j < 8; j++) {
      const column = theta.data.filter((_, i) => i % 8 === j);
      const r = ref[`theta[${j + 1}]`];
      expect(Math.abs(mean(column) - r.mean) / r.sd, `theta[${j + 1}]`).toBeLessThan(0.3);
    }
  });

  it("logistic regression 5000x20, mean-field: coefficient means within 0.2 NUTS sd of Stan's", () => {
    const { XT, y } = logisticData();
    // Started at zero (Stan's init=0); at 1000 steps the worst |z| is 0.13-0.19 by key.
    const approx = advi(logisticRegression, [XT, y], {
      maxSteps: 1500,
      key: SEED + 1,
      initLoc: { alpha: 0, beta: new Array(20).fill(0) },
    });
    const ref = logisticReference();
    const names = ["alpha", ...Array.from({ length: 20 }, (_, i) => `beta[${i + 1}]`)];
    const means = [approx.mean.alpha.data[0], ...approx.mean.beta.data];
    const sds = [approx.sd.alpha.data[0], ...approx.sd.beta.data];
    names.forEach((name, i) => {
      expect(Math.abs(means[i] - ref[name].mean) / ref[name].sd, name).toBeLessThan(0.2);
    });
    // Mean-field sds are close here (the columns of X are nearly independent); the ratio
    // to NUTS's sds is reported by validation/advi-vs-nuts.ts.
    const ratio = mean(names.map((name, i) => sds[i] / ref[name].sd));
    expect(ratio).toBeGreaterThan(0.8);
    expect(ratio).toBeLessThan(1.1);
  });
});
