/**
 * Pathfinder: L-BFGS against known minima, the BFGS normal approximation against an independent
 * two-loop recursion and the normal density, Pathfinder on a correlated Gaussian (where, with
 * a history as long as the dimension and an exact line search, the approximation is exact), and
 * the model-level `pathfinder` on a conjugate model.
 */
import { describe, expect, it, vi } from "vitest";
import {
  ArgumentError,
  Cauchy,
  deterministic,
  Normal,
  PRNGKey,
  pathfinder,
  plate,
  sample,
  tf,
} from "../../../src/index.js";
import { pathfinderDefaults } from "../../../src/infer/mcmc/defaults.js";
import { choleskyLower } from "../../../src/infer/nuts/cholesky.js";
import {
  bfgsGaussian,
  lbfgs,
  multiPathfinder,
  singlePathfinder,
  updateInverseHessianDiagonal,
} from "../../../src/infer/pathfinder/index.js";
import { ElboPlateau } from "../../../src/infer/pathfinder/single-path.js";
import type { GradientTarget } from "../../../src/potential-types.js";
import { foldIn, normal } from "../../../src/primitives/prng.js";

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** A Gaussian target N(mean, Sigma) given by its precision matrix (row-major). */
function gaussianTarget(mean: Float64Array, precision: Float64Array): GradientTarget {
  const dim = mean.length;
  return {
    dim,
    valueAndGrad(q, grad) {
      let u = 0;
      for (let i = 0; i < dim; i++) {
        let s = 0;
        for (let j = 0; j < dim; j++) s += precision[i * dim + j] * (q[j] - mean[j]);
        grad[i] = s;
        u += 0.5 * (q[i] - mean[i]) * s;
      }
      return u;
    },
  };
}

/** A 20-D Gaussian: AR(1) correlation 0.7, scales from 10^-0.5 to 10^0.5, and its inverse. */
function correlated20() {
  const dim = 20;
  const scales = Array.from({ length: dim }, (_, i) => 10 ** (-0.5 + i / (dim - 1)));
  const rho = 0.7;
  const covariance = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j < dim; j++)
      covariance[i * dim + j] = rho ** Math.abs(i - j) * scales[i] * scales[j];
  }
  // The AR(1) correlation matrix has a tridiagonal inverse: (1 / (1 - rho^2)) times
  // [1, -rho; -rho, 1 + rho^2, -rho; ...; -rho, 1], scaled by 1 / (s_i s_j).
  const precision = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    const diagonal = i === 0 || i === dim - 1 ? 1 : 1 + rho * rho;
    precision[i * dim + i] = diagonal / (1 - rho * rho) / scales[i] ** 2;
    if (i + 1 < dim) {
      const off = -rho / (1 - rho * rho) / (scales[i] * scales[i + 1]);
      precision[i * dim + i + 1] = off;
      precision[(i + 1) * dim + i] = off;
    }
  }
  const mean = Float64Array.from({ length: dim }, (_, i) => i - 10);
  return { dim, scales, covariance, precision, mean, target: gaussianTarget(mean, precision) };
}

describe("lbfgs", () => {
  it("finds the minimum of the Rosenbrock function", () => {
    const rosenbrock: GradientTarget = {
      dim: 2,
      valueAndGrad(q, grad) {
        const [a, b] = q;
        grad[0] = -2 * (1 - a) - 400 * a * (b - a * a);
        grad[1] = 200 * (b - a * a);
        return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
      },
    };
    const path = lbfgs(rosenbrock, Float64Array.of(-1.2, 1), pathfinderDefaults.lbfgs);
    expect(path.status).toBe("converged");
    const last = path.positions.at(-1)!;
    expect(Math.abs(last[0] - 1)).toBeLessThan(1e-4);
    expect(Math.abs(last[1] - 1)).toBeLessThan(1e-4);
    // The path descends.
    for (let k = 1; k < path.values.length; k++) {
      expect(path.values[k]).toBeLessThanOrEqual(path.values[k - 1]);
    }
  });

  it("with a stall window, stops once U falls by less than minDecrease over the window, and not before", () => {
    // sum q^4 has a degenerate minimum at 0: L-BFGS creeps towards it, improving U by ever less.
    const quartic: GradientTarget = {
      dim: 3,
      valueAndGrad(q, grad) {
        let u = 0;
        for (let i = 0; i < 3; i++) {
          u += q[i] ** 4;
          grad[i] = 4 * q[i] ** 3;
        }
        return u;
      },
    };
    const start = Float64Array.of(3, -2, 1);
    const stall = { window: 5, minDecrease: 1e-3 };
    const full = lbfgs(quartic, start, pathfinderDefaults.lbfgs);
    const stalled = lbfgs(quartic, start, { ...pathfinderDefaults.lbfgs, stall });
    expect(stalled.status).toBe("stalled");
    const v = stalled.values;
    const n = v.length - 1;
    expect(v[n - stall.window] - v[n]).toBeLessThan(stall.minDecrease);
    for (let k = stall.window; k < n; k++) {
      expect(v[k - stall.window] - v[k]).toBeGreaterThanOrEqual(stall.minDecrease);
    }
    // The same iterates as the run without a stall window, up to where it stopped.
    expect(full.values.length).toBeGreaterThan(v.length);
    expect(full.values.slice(0, v.length)).toEqual(v);
  });

  it("stops at a start where the potential is not finite", () => {
    const wall: GradientTarget = { dim: 1, valueAndGrad: () => Number.NaN };
    expect(lbfgs(wall, Float64Array.of(0), pathfinderDefaults.lbfgs).status).toBe(
      "non-finite start",
    );
  });
});

describe("bfgsGaussian", () => {
  // A random SPD Hessian P and exact curvature pairs y = P s of random steps.
  const dim = 30;
  const m = 5;
  const a = normal(PRNGKey(2), dim * dim);
  const hessian = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j < dim; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += a[i * dim + k] * a[j * dim + k];
      hessian[i * dim + j] = s / dim + (i === j ? 1 : 0);
    }
  }
  const pairs = Array.from({ length: m }, (_, k) => {
    const s = normal(foldIn(PRNGKey(3), k), dim);
    const y = new Float64Array(dim);
    for (let i = 0; i < dim; i++) y[i] = dot(hessian.subarray(i * dim, (i + 1) * dim), s);
    return { s, y };
  });
  const alpha = Float64Array.from(normal(PRNGKey(1), dim), (v) => Math.exp(0.3 * v));

  /** H g by Nocedal's two-loop recursion with H0 = diag(alpha), written independently. */
  function twoLoop(g: Float64Array): Float64Array {
    const q = Float64Array.from(g);
    const coefficients: number[] = [];
    for (let j = m - 1; j >= 0; j--) {
      const { s, y } = pairs[j];
      coefficients[j] = dot(s, q) / dot(s, y);
      for (let i = 0; i < dim; i++) q[i] -= coefficients[j] * y[i];
    }
    for (let i = 0; i < dim; i++) q[i] *= alpha[i];
    for (let j = 0; j < m; j++) {
      const { s, y } = pairs[j];
      const b = dot(y, q) / dot(s, y);
      for (let i = 0; i < dim; i++) q[i] += (coefficients[j] - b) * s[i];
    }
    return q;
  }

  it("has the inverse Hessian of L-BFGS's two-loop recursion, and mean x - H g", () => {
    const g = normal(PRNGKey(9), dim);
    const x = normal(PRNGKey(10), dim);
    const q = bfgsGaussian(x, g, alpha, pairs)!;
    const covariance = q.covariance();
    const expected = twoLoop(g);
    for (let i = 0; i < dim; i++) {
      expect(dot(covariance.subarray(i * dim, (i + 1) * dim), g)).toBeCloseTo(expected[i], 10);
      expect(q.mean[i]).toBeCloseTo(x[i] - expected[i], 10);
      expect(q.covarianceDiagonal()[i]).toBeCloseTo(covariance[i * dim + i], 10);
    }
  });

  it("draws from N(mean, H) with the normal log density", () => {
    const q = bfgsGaussian(new Float64Array(dim), new Float64Array(dim), alpha, pairs)!;
    const covariance = q.covariance();
    const lower = choleskyLower(covariance, dim) as Float64Array;
    let logDet = 0;
    for (let i = 0; i < dim; i++) logDet += 2 * Math.log(lower[i * dim + i]);
    const n = 20_000;
    const { draws, logDensity } = q.sample(PRNGKey(5), n);
    // log density by forward substitution: z = L^{-1} x, -(|z|^2 + log det + dim log 2 pi) / 2.
    for (let k = 0; k < 3; k++) {
      const x = draws.subarray(k * dim, (k + 1) * dim);
      const z = new Float64Array(dim);
      for (let i = 0; i < dim; i++) {
        let s = x[i];
        for (let j = 0; j < i; j++) s -= lower[i * dim + j] * z[j];
        z[i] = s / lower[i * dim + i];
      }
      const expected = -0.5 * (dot(z, z) + logDet + dim * Math.log(2 * Math.PI));
      expect(logDensity[k]).toBeCloseTo(expected, 8);
    }
    for (const [i, j] of [
      [0, 0],
      [0, 1],
      [7, 21],
      [29, 29],
    ]) {
      let s = 0;
      for (let k = 0; k < n; k++) s += draws[k * dim + i] * draws[k * dim + j];
      const c = covariance;
      const sd = Math.sqrt((c[i * dim + i] * c[j * dim + j] + c[i * dim + j] ** 2) / n);
      expect(Math.abs(s / n - c[i * dim + j])).toBeLessThan(4.5 * sd);
    }
  });

  it("updates the diagonal to the exact inverse curvature of a 1-D quadratic", () => {
    expect(
      updateInverseHessianDiagonal(Float64Array.of(4), Float64Array.of(0.5), Float64Array.of(2))[0],
    ).toBeCloseTo(0.25, 14);
  });
});

describe("Pathfinder on a 20-D correlated Gaussian", () => {
  const { dim, scales, covariance, mean, target } = correlated20();

  it("is exact with a history as long as the dimension and an exact line search", () => {
    // BFGS with exact line searches on a quadratic gives the exact inverse Hessian after dim
    // steps (its hereditary property), so the ELBO's optimum, the posterior itself, is on the path.
    const path = singlePathfinder(target, new Float64Array(dim), PRNGKey(0), {
      lbfgs: { ...pathfinderDefaults.lbfgs, historySize: dim, lineSearchCurvature: 0.001 },
      numElboDraws: 25,
      numDraws: 0,
    });
    const q = path.approximation!;
    const fitted = q.covariance();
    for (let i = 0; i < dim; i++) {
      expect(Math.abs(q.mean[i] - mean[i]) / scales[i]).toBeLessThan(1e-6);
      for (let j = 0; j < dim; j++) {
        const error = Math.abs(fitted[i * dim + j] - covariance[i * dim + j]);
        expect(error / (scales[i] * scales[j])).toBeLessThan(1e-5);
      }
    }
  });

  it("finds the mean with the default settings, and importance resampling fixes the covariance", () => {
    const path = singlePathfinder(target, new Float64Array(dim), PRNGKey(1), {
      lbfgs: pathfinderDefaults.lbfgs,
      numElboDraws: 25,
      numDraws: 0,
    });
    for (let i = 0; i < dim; i++) {
      expect(Math.abs(path.approximation!.mean[i] - mean[i]) / scales[i]).toBeLessThan(0.01);
    }
    // With a history of 6 the covariance is only approximate; four exact paths resampled by
    // their importance weights give draws of the right covariance.
    const result = multiPathfinder(target, PRNGKey(2), {
      path: {
        lbfgs: { ...pathfinderDefaults.lbfgs, historySize: dim, lineSearchCurvature: 0.001 },
        numElboDraws: 25,
        numDraws: 1000,
      },
      numPaths: 4,
      numDraws: 4000,
      importanceResampling: true,
      init: { radius: 2, maxAttempts: 100 },
    });
    expect(result.paretoK).toBeLessThan(0.5);
    const n = result.numDraws;
    for (const [i, j] of [
      [0, 0],
      [0, 1],
      [10, 11],
      [19, 19],
      [3, 17],
    ]) {
      let s = 0;
      for (let k = 0; k < n; k++) {
        s += (result.draws[k * dim + i] - mean[i]) * (result.draws[k * dim + j] - mean[j]);
      }
      const c = covariance;
      const sd = Math.sqrt((c[i * dim + i] * c[j * dim + j] + c[i * dim + j] ** 2) / n);
      expect(Math.abs(s / n - c[i * dim + j])).toBeLessThan(4.5 * sd);
    }
  });
});

describe("ElboPlateau (the ELBO estimates of a Pathfinder initialization)", () => {
  it("pauses after `patience` estimates without progress, and resumes once U falls by dim / 2", () => {
    const plateau = new ElboPlateau({ patience: 3, minImprovement: 1 }, 4);
    plateau.record(-100, 90); // progress: the first estimate
    plateau.record(-50, 60); // progress: the ELBO up by 50
    for (const elbo of [-50.5, -49.2, -50.1]) plateau.record(elbo, 59); // up by < 1, U down by 1
    // Three estimates without progress: paused while U stays within dim / 2 = 2 of 60.
    expect(plateau.estimateAt(58.5)).toBe(false);
    expect(plateau.estimateAt(58.01)).toBe(false);
    // U below 58: the path has moved on; the estimate there restarts the count.
    expect(plateau.estimateAt(57.9)).toBe(true);
    plateau.record(-50.3, 57.9);
    expect(plateau.estimateAt(57.9)).toBe(true);
  });

  it("never pauses while the ELBO keeps rising by more than `minImprovement`", () => {
    const plateau = new ElboPlateau({ patience: 2, minImprovement: 1 }, 2);
    for (let k = 0; k < 50; k++) {
      expect(plateau.estimateAt(10)).toBe(true);
      plateau.record(-100 + 1.5 * k, 10);
    }
  });

  it("in a path: skips estimates (NaN, not counted), keeps the others and the last iterate's", () => {
    const { dim, target } = correlated20();
    const settings = { lbfgs: pathfinderDefaults.lbfgs, numElboDraws: 5, numDraws: 0 };
    const full = singlePathfinder(target, new Float64Array(dim), PRNGKey(3), settings);
    const paused = singlePathfinder(target, new Float64Array(dim), PRNGKey(3), {
      ...settings,
      elboPlateau: { patience: 3, minImprovement: 1 },
    });
    const estimated = Array.from(paused.elboHistory, (e, l) => [e, l] as const).filter(
      ([e]) => !Number.isNaN(e),
    );
    expect(paused.numIterations).toBe(full.numIterations);
    expect(estimated.length).toBeLessThan(full.numIterations);
    expect(Number.isNaN(paused.elboHistory.at(-1)!)).toBe(false);
    // Each iterate's estimate uses its own key: the same numbers as the full path's.
    for (const [e, l] of estimated) expect(e).toBe(full.elboHistory[l]);
    const skipped = full.numIterations - estimated.length;
    expect(paused.numEvaluations).toBe(full.numEvaluations - 5 * skipped);
    expect(paused.elbo).toBe(Math.max(...estimated.map(([e]) => e)));
  });
});

describe("elboStride (the ELBO estimates of a Pathfinder initialization)", () => {
  it("estimates the ELBO at every stride-th iterate and the last, with the full path's numbers", () => {
    const { dim, target } = correlated20();
    const settings = { lbfgs: pathfinderDefaults.lbfgs, numElboDraws: 5, numDraws: 0 };
    const full = singlePathfinder(target, new Float64Array(dim), PRNGKey(4), settings);
    const strided = singlePathfinder(target, new Float64Array(dim), PRNGKey(4), {
      ...settings,
      elboStride: 3,
    });
    const n = full.numIterations;
    expect(strided.numIterations).toBe(n);
    let estimated = 0;
    for (let l = 1; l <= n; l++) {
      const e = strided.elboHistory[l - 1];
      if (l % 3 === 0 || l === n) {
        expect(e).toBe(full.elboHistory[l - 1]);
        estimated++;
      } else {
        expect(Number.isNaN(e)).toBe(true);
      }
    }
    expect(strided.numEvaluations).toBe(full.numEvaluations - 5 * (n - estimated));
  });
});

describe("pathfinder on a model", () => {
  // mu ~ N(0, 2), y_i ~ N(mu, 1): the posterior is N(m, v), with a deterministic site.
  const y = [1.2, 0.4, 2.1, 1.7, 0.9, 1.3];
  function* model(data: number[]) {
    const mu = yield* sample("mu", Normal(0, 2));
    yield* deterministic("twice", tf.mul(mu, 2));
    yield* plate("data", data.length, function* () {
      yield* sample("y", Normal(mu, 1), { obs: data });
    });
  }
  const precision = 1 / 4 + y.length;
  const postMean = y.reduce((a, b) => a + b, 0) / precision;

  it("returns constrained draws of every site, ELBOs and the importance diagnostics", () => {
    const fit = pathfinder(model, [y], { key: 3 });
    expect(fit.samples.mu.shape).toEqual([1000]);
    expect(fit.samples.twice.data[5]).toBeCloseTo(2 * fit.samples.mu.data[5], 5);
    expect(fit.paths).toHaveLength(4);
    expect(Number.isFinite(fit.elbo)).toBe(true);
    expect(fit.paretoK).toBeLessThan(0.7);
    let sum = 0;
    for (const v of fit.samples.mu.data) sum += v;
    // Resampled draws: their Monte Carlo error follows the importance ESS.
    const mcse = Math.sqrt(1 / precision / Math.min(fit.importanceEss, fit.numDraws));
    expect(Math.abs(sum / fit.numDraws - postMean)).toBeLessThan(4.5 * mcse);
    expect(fit.numEvaluations).toBeGreaterThan(4 * 1000);
  });

  it("single path: draws from the path's approximation", () => {
    const fit = pathfinder(model, [y], { numPaths: 1, numDraws: 200, key: 4 });
    expect(fit.samples.mu.shape).toEqual([200]);
    expect(fit.paths).toHaveLength(1);
    expect(Number.isNaN(fit.paretoK)).toBe(true);
  });

  it("rejects bad options, naming them", () => {
    expect(() => pathfinder(model, [y], { numPaths: 0 })).toThrow(ArgumentError);
    expect(() => pathfinder(model, [y], { lineSearchCurvature: 1 })).toThrow(
      /option "lineSearchCurvature"/,
    );
    expect(() => pathfinder(model, [y], { numDarws: 3 } as never)).toThrow(
      /unknown option "numDarws"/,
    );
  });

  it("warns when the importance weights are unreliable", () => {
    // A heavy-tailed posterior that normal approximations cannot cover: two Cauchy variables.
    function* heavy() {
      yield* sample("x", Cauchy(0, 1).expand([2]));
    }
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const fit = pathfinder(heavy, [], { key: 5 });
    expect(fit.paretoK).toBeGreaterThan(0.7);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/Pareto k .*above 0\.7/));
    warn.mockRestore();
  });
});
