/**
 * Warmup pieces: dual averaging, the windowed schedule, Welford estimates, the step-size
 * heuristic and initialization.
 */
import { describe, expect, it } from "vitest";
import { findInitialState, initialStateAt } from "../../../src/infer/mcmc/initial-state.js";
import {
  buildAdaptationSchedule,
  describeAdaptationSchedule,
} from "../../../src/infer/nuts/adaptation-schedule.js";
import {
  currentStepSize,
  dualAveragingInit,
  dualAveragingUpdate,
  finalStepSize,
} from "../../../src/infer/nuts/dual-averaging.js";
import { InitializationError, StepSizeSearchError } from "../../../src/infer/nuts/errors.js";
import { diagonalMetric } from "../../../src/infer/nuts/metric.js";
import { findReasonableStepSize } from "../../../src/infer/nuts/step-size-search.js";
import { WelfordEstimator } from "../../../src/infer/nuts/welford.js";
import type { GradientTarget } from "../../../src/potential-types.js";
import { PRNGKey } from "../../../src/primitives/prng.js";
import { normalTarget } from "./targets.js";

describe("dual averaging", () => {
  it("takes its first step by the formulas of Hoffman & Gelman (2014), eq. 6", () => {
    const state = dualAveragingUpdate(dualAveragingInit(1), 0.5);
    // s1 = (0.8 - 0.5) / (1 + 10); x1 = log(10) - s1 sqrt(1) / 0.05; xbar1 = x1 (weight 1^-0.75).
    const s1 = 0.3 / 11;
    const x1 = Math.log(10) - s1 / 0.05;
    expect(state.errorAverage).toBeCloseTo(s1, 15);
    expect(state.logStepSize).toBeCloseTo(x1, 14);
    expect(state.logStepSizeAverage).toBeCloseTo(x1, 14);
    expect(currentStepSize(state)).toBeCloseTo(Math.exp(x1), 14);
  });

  it("converges to the step size whose acceptance is the target", () => {
    // A deterministic acceptance curve a(e) = exp(-e): the target 0.8 is met at e = -log(0.8).
    let state = dualAveragingInit(1);
    for (let t = 0; t < 5000; t++)
      state = dualAveragingUpdate(state, Math.exp(-currentStepSize(state)));
    expect(finalStepSize(state)).toBeCloseTo(-Math.log(0.8), 2);
    let other = dualAveragingInit(1);
    for (let t = 0; t < 5000; t++) {
      other = dualAveragingUpdate(other, Math.exp(-currentStepSize(other)), {
        targetAcceptProb: 0.95,
      });
    }
    expect(finalStepSize(other)).toBeCloseTo(-Math.log(0.95), 2);
  });

  it("counts an acceptance above 1 as 1 and NaN as 0", () => {
    const a = dualAveragingUpdate(dualAveragingInit(1), 1.7);
    const b = dualAveragingUpdate(dualAveragingInit(1), 1);
    expect(a).toEqual(b);
    const c = dualAveragingUpdate(dualAveragingInit(1), Number.NaN);
    expect(c).toEqual(dualAveragingUpdate(dualAveragingInit(1), 0));
  });
});

describe("adaptation schedule", () => {
  const show = (n: number) =>
    buildAdaptationSchedule(n).map((w) => [w.kind, w.start, w.end] as const);

  it("is Stan's 75 / 25, 50, 100, 200, 500 / 50 for 1000 warmup iterations", () => {
    expect(show(1000)).toEqual([
      ["fast", 0, 75],
      ["slow", 75, 100],
      ["slow", 100, 150],
      ["slow", 150, 250],
      ["slow", 250, 450],
      ["slow", 450, 950],
      ["fast", 950, 1000],
    ]);
  });

  it("has one slow window at exactly 150 and falls back to 15% / 75% / 10% below", () => {
    expect(show(150)).toEqual([
      ["fast", 0, 75],
      ["slow", 75, 100],
      ["fast", 100, 150],
    ]);
    expect(show(100)).toEqual([
      ["fast", 0, 15],
      ["slow", 15, 90],
      ["fast", 90, 100],
    ]);
    expect(show(20)).toEqual([
      ["fast", 0, 3],
      ["slow", 3, 18],
      ["fast", 18, 20],
    ]);
  });

  it("adapts no metric below 20 iterations, and has no windows without warmup", () => {
    expect(show(19)).toEqual([["fast", 0, 19]]);
    expect(show(0)).toEqual([]);
  });

  it("stretches a window whose successor would not fit, by Stan's counter rule", () => {
    // 160: slow phase [75, 110). The first window is 75..99; the next would be 50 long and end
    // at 149 with its successor ending past 110, so it is cut at 110 (Stan's
    // compute_next_window: the next boundary is moved to num_warmup - term_buffer - 1).
    expect(show(160)).toEqual([
      ["fast", 0, 75],
      ["slow", 75, 100],
      ["slow", 100, 110],
      ["fast", 110, 160],
    ]);
    // 500: slow phase [75, 450). Windows 25, 50, 100 end at 99, 149, 249; the doubled 200
    // ends at 449 = 450 - 1 exactly, so nothing is stretched.
    expect(show(500)).toEqual([
      ["fast", 0, 75],
      ["slow", 75, 100],
      ["slow", 100, 150],
      ["slow", 150, 250],
      ["slow", 250, 450],
      ["fast", 450, 500],
    ]);
    // 400: slow phase [75, 350). After 75..99 and 100..149, the next window (100) would end at
    // 249 and its successor (200) at 449 >= 350, so it is stretched to 349.
    expect(show(400)).toEqual([
      ["fast", 0, 75],
      ["slow", 75, 100],
      ["slow", 100, 150],
      ["slow", 150, 350],
      ["fast", 350, 400],
    ]);
  });

  it("covers warmup without gaps for every length", () => {
    for (let n = 1; n <= 1200; n++) {
      const windows = buildAdaptationSchedule(n);
      expect(windows[0].start).toBe(0);
      expect(windows.at(-1)!.end).toBe(n);
      for (let k = 1; k < windows.length; k++) expect(windows[k].start).toBe(windows[k - 1].end);
    }
  });

  it("prints as one line", () => {
    expect(describeAdaptationSchedule(buildAdaptationSchedule(150))).toBe(
      "fast [0, 75) | slow [75, 100) | fast [100, 150)",
    );
  });
});

describe("Welford estimates", () => {
  const rows = [
    [1, 2],
    [3, 1],
    [0, 5],
    [4, 4],
    [2, -1],
  ];
  it("equal the two-pass sample variance and covariance", () => {
    const diag = new WelfordEstimator(2, false);
    const dense = new WelfordEstimator(2, true);
    for (const r of rows) {
      diag.add(Float64Array.from(r));
      dense.add(Float64Array.from(r));
    }
    const mean = [2, 2.2];
    const cov = (i: number, j: number) =>
      rows.reduce((s, r) => s + (r[i] - mean[i]) * (r[j] - mean[j]), 0) / 4;
    const v = diag.sampleCovariance();
    expect(v[0]).toBeCloseTo(cov(0, 0), 13);
    expect(v[1]).toBeCloseTo(cov(1, 1), 13);
    const c = dense.sampleCovariance();
    expect(c[1]).toBeCloseTo(cov(0, 1), 13);
    expect(c[2]).toBeCloseTo(cov(1, 0), 13);
    expect(c[3]).toBeCloseTo(cov(1, 1), 13);
  });
  it("regularize as Stan: (n / (n + 5)) var + 1e-3 (5 / (n + 5))", () => {
    const dense = new WelfordEstimator(2, true);
    for (const r of rows) dense.add(Float64Array.from(r));
    const raw = dense.sampleCovariance();
    const reg = dense.regularizedCovariance();
    expect(reg[0]).toBeCloseTo(0.5 * raw[0] + 1e-3 * 0.5, 14);
    expect(reg[1]).toBeCloseTo(0.5 * raw[1], 14);
    dense.reset();
    expect(dense.numSamples).toBe(0);
  });
});

describe("initial step size heuristic", () => {
  it("halves from 1 down to the scale of a narrow target", () => {
    for (const sd of [1e-3, 1, 30]) {
      const target = normalTarget([0], [sd]);
      const state = initialStateAt(target, Float64Array.of(0.3 * sd));
      const found = findReasonableStepSize(
        target,
        state,
        diagonalMetric(Float64Array.of(1)),
        1,
        PRNGKey(0),
      );
      // The one-step energy error on N(0, sd^2) depends on stepSize / sd only.
      expect(found / sd).toBeGreaterThan(0.05);
      expect(found / sd).toBeLessThan(8);
    }
  });
  it("fails clearly on an improper (flat) target", () => {
    const flat: GradientTarget = {
      dim: 1,
      valueAndGrad(_q, grad) {
        grad[0] = 0;
        return 0;
      },
    };
    const state = initialStateAt(flat, Float64Array.of(0));
    expect(() =>
      findReasonableStepSize(flat, state, diagonalMetric(Float64Array.of(1)), 1, PRNGKey(0)),
    ).toThrow(StepSizeSearchError);
  });
});

describe("initialization", () => {
  it("retries uniform(-2, 2) points until the potential and gradient are finite", () => {
    // Finite only where q > 1.5: one point in eight qualifies.
    const target: GradientTarget = {
      dim: 1,
      valueAndGrad(q, grad) {
        grad[0] = q[0] > 1.5 ? 1 : Number.NaN;
        return q[0] > 1.5 ? q[0] : Number.NaN;
      },
    };
    const start = findInitialState(target, PRNGKey(3));
    expect(start.position[0]).toBeGreaterThan(1.5);
    expect(start.position[0]).toBeLessThanOrEqual(2);
    expect(start.potentialEnergy).toBe(start.position[0]);
    expect(start.attempts).toBeGreaterThanOrEqual(1);
  });

  it("reports the last failure with the point, what was not finite, and the caller's detail", () => {
    const target: GradientTarget = {
      dim: 3,
      valueAndGrad(_q, grad) {
        grad.fill(0);
        grad[2] = Number.POSITIVE_INFINITY;
        return 1;
      },
    };
    let error: unknown;
    try {
      findInitialState(target, PRNGKey(0), {
        maxAttempts: 7,
        describeFailure: (q) => `site "x": log prob -inf at ${q.length} values`,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InitializationError);
    const init = error as InitializationError;
    expect(init._tag).toBe("InitializationError");
    expect(init.attempts).toBe(7);
    expect(init.nonFiniteGradient).toEqual([2]);
    expect(init.position).toHaveLength(3);
    expect(init.message).toMatch(
      /no point with finite potential energy and gradient in 7 attempts/,
    );
    expect(init.message).toMatch(/non-finite gradient at indices \[2\]/);
    expect(init.message).toMatch(/site "x": log prob -inf at 3 values/);
  });

  it("accepts a given finite position and rejects a non-finite one", () => {
    const target = normalTarget([0, 0], [1, 1]);
    expect(initialStateAt(target, Float64Array.of(1, 2)).potentialEnergy).toBe(2.5);
    const broken: GradientTarget = { dim: 1, valueAndGrad: () => Number.NaN };
    expect(() => initialStateAt(broken, Float64Array.of(0))).toThrow(
      /initialStateAt: the given initial position does not have a finite potential energy/,
    );
  });
});
