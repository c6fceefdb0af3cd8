/**
 * Physics of the leapfrog integrator on a harmonic oscillator U(q) = q^2 / 2 (unit mass and
 * more general metrics): second-order energy error, time reversibility, and exact agreement
 * with the analytic one-step map.
 */
import { describe, expect, it } from "vitest";
import { leapfrog, refreshPoint } from "../../../src/infer/nuts/integrator.js";
import { denseMetric, diagonalMetric, type Metric } from "../../../src/infer/nuts/metric.js";
import {
  createPhasePoint,
  hamiltonian,
  type PhasePoint,
} from "../../../src/infer/nuts/phase-point.js";
import type { GradientTarget } from "../../../src/potential-types.js";
import { correlatedNormalTarget, counting, normalTarget } from "./targets.js";

function startPoint(target: GradientTarget, metric: Metric, q: number[], p: number[]): PhasePoint {
  const point = createPhasePoint(target.dim);
  point.position.set(q);
  point.momentum.set(p);
  point.potentialEnergy = target.valueAndGrad(point.position, point.gradient);
  refreshPoint(metric, point);
  return point;
}

/** Largest |H - H0| over an integration of total time `time`. */
function maxEnergyError(target: GradientTarget, metric: Metric, stepSize: number, time: number) {
  const point = startPoint(target, metric, [1, -0.5], [0.3, 0.8]);
  const initial = hamiltonian(point);
  let worst = 0;
  for (let k = 0; k < Math.round(time / stepSize); k++) {
    leapfrog(target, metric, point, stepSize);
    worst = Math.max(worst, Math.abs(hamiltonian(point) - initial));
  }
  return worst;
}

describe("leapfrog", () => {
  const oscillator = normalTarget([0, 0], [1, 1]);
  const unit = diagonalMetric(Float64Array.of(1, 1));

  it("matches the exact one-step map of the harmonic oscillator", () => {
    // For U = q^2/2, M = 1: q1 = q (1 - h^2/2) + h p, p1 = p (1 - h^2/2) - q h (1 - h^2/4).
    const h = 0.3;
    const point = startPoint(oscillator, unit, [1, -0.5], [0.3, 0.8]);
    leapfrog(oscillator, unit, point, h);
    const q = [1, -0.5];
    const p = [0.3, 0.8];
    for (let i = 0; i < 2; i++) {
      expect(point.position[i]).toBeCloseTo(q[i] * (1 - (h * h) / 2) + h * p[i], 14);
      expect(point.momentum[i]).toBeCloseTo(
        p[i] * (1 - (h * h) / 2) - q[i] * h * (1 - (h * h) / 4),
        14,
      );
    }
  });

  it("has an energy error of order stepSize^2: halving the step divides it by about 4", () => {
    const errors = [0.2, 0.1, 0.05].map((h) => maxEnergyError(oscillator, unit, h, 10));
    const ratios = [errors[0] / errors[1], errors[1] / errors[2]];
    for (const ratio of ratios) {
      expect(ratio).toBeGreaterThan(3.6);
      expect(ratio).toBeLessThan(4.4);
    }
  });

  it("has an energy error of order stepSize^2 under a dense metric on a correlated target", () => {
    const target = correlatedNormalTarget([0.5, -1], [1, 2], 0.7);
    const metric = denseMetric(Float64Array.of(1.5, 0.4, 0.4, 0.5), 2);
    const errors = [0.1, 0.05, 0.025].map((h) => maxEnergyError(target, metric, h, 5));
    expect(errors[0] / errors[1]).toBeGreaterThan(3.6);
    expect(errors[0] / errors[1]).toBeLessThan(4.4);
    expect(errors[1] / errors[2]).toBeGreaterThan(3.6);
    expect(errors[1] / errors[2]).toBeLessThan(4.4);
  });

  it("is time-reversible: flip the momentum, integrate back, recover the start", () => {
    const target = correlatedNormalTarget([0.5, -1], [1, 2], 0.7);
    const metric = denseMetric(Float64Array.of(1.5, 0.4, 0.4, 0.5), 2);
    const point = startPoint(target, metric, [1, -0.5], [0.3, 0.8]);
    for (let k = 0; k < 100; k++) leapfrog(target, metric, point, 0.05);
    for (let i = 0; i < 2; i++) point.momentum[i] = -point.momentum[i];
    refreshPoint(metric, point);
    for (let k = 0; k < 100; k++) leapfrog(target, metric, point, 0.05);
    expect(Math.abs(point.position[0] - 1)).toBeLessThan(1e-12);
    expect(Math.abs(point.position[1] + 0.5)).toBeLessThan(1e-12);
    expect(Math.abs(-point.momentum[0] - 0.3)).toBeLessThan(1e-12);
    expect(Math.abs(-point.momentum[1] - 0.8)).toBeLessThan(1e-12);
  });

  it("integrating with a negative step size undoes a forward step", () => {
    const point = startPoint(oscillator, unit, [1, -0.5], [0.3, 0.8]);
    leapfrog(oscillator, unit, point, 0.2);
    leapfrog(oscillator, unit, point, -0.2);
    expect(point.position[0]).toBeCloseTo(1, 14);
    expect(point.momentum[1]).toBeCloseTo(0.8, 14);
  });

  it("evaluates the gradient once per step", () => {
    const target = counting(oscillator);
    const point = startPoint(target, unit, [1, -0.5], [0.3, 0.8]);
    target.calls = 0;
    for (let k = 0; k < 7; k++) leapfrog(target, unit, point, 0.1);
    expect(target.calls).toBe(7);
  });

  it("keeps non-finite values instead of throwing", () => {
    const broken: GradientTarget = {
      dim: 1,
      valueAndGrad(q, grad) {
        grad[0] = q[0] > 0.5 ? Number.NaN : q[0];
        return q[0] > 0.5 ? Number.NaN : q[0] ** 2 / 2;
      },
    };
    const metric = diagonalMetric(Float64Array.of(1));
    const point = startPoint(broken, metric, [0], [1]);
    expect(() => leapfrog(broken, metric, point, 1)).not.toThrow();
    expect(hamiltonian(point)).toBe(Number.POSITIVE_INFINITY);
  });
});
