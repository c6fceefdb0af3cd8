import { describe, expect, it } from "vitest";
import {
  Bernoulli,
  factor,
  HalfNormal,
  ModelError,
  Normal,
  PRNGKey,
  plate,
  sample,
} from "../../../src/index.js";
import { AutoDelta } from "../../../src/infer/svi/autoguide/auto-delta.js";
import { AutoDiagonalNormal } from "../../../src/infer/svi/autoguide/auto-diagonal-normal.js";
import { AutoLaplaceApproximation } from "../../../src/infer/svi/autoguide/auto-laplace-approximation.js";
import { AutoLowRankMultivariateNormal } from "../../../src/infer/svi/autoguide/auto-low-rank-multivariate-normal.js";
import { AutoMultivariateNormal } from "../../../src/infer/svi/autoguide/auto-multivariate-normal.js";
import { AutoNormal } from "../../../src/infer/svi/autoguide/auto-normal.js";
import { Adam } from "../../../src/infer/svi/optimizers.js";
import { exponentialDecay } from "../../../src/infer/svi/schedules.js";
import { SVI } from "../../../src/infer/svi/svi.js";
import { TraceELBO } from "../../../src/infer/svi/trace-elbo.js";
import { logNormal, mean, sd, tf } from "./helpers.js";

const SEED = 0;

// A correlated 2-D Gaussian posterior: prior z ~ N(0, I) times a Gaussian "likelihood"
// N(z; m, C) written by hand through factor, so the posterior is
// N(S C^-1 m, S) with S = (I + C^-1)^-1.
const M = [1, -0.5];
const C = [
  [0.5, 0.4],
  [0.4, 0.5],
];
const detC = C[0][0] * C[1][1] - C[0][1] * C[1][0];
const Cinv = [
  [C[1][1] / detC, -C[0][1] / detC],
  [-C[1][0] / detC, C[0][0] / detC],
];
function* correlated() {
  const z = yield* sample("z", Normal(0, 1).expand([2]).toEvent(1));
  const r = tf.sub(z, tf.tensor1d(M));
  const r1 = tf.gather(r, 0, -1);
  const r2 = tf.gather(r, 1, -1);
  const quad = tf.add(
    tf.add(tf.mul(Cinv[0][0], tf.square(r1)), tf.mul(Cinv[1][1], tf.square(r2))),
    tf.mul(2 * Cinv[0][1], tf.mul(r1, r2)),
  );
  yield* factor("likelihood", tf.mul(-0.5, quad));
}
function exactCorrelatedPosterior() {
  const p = [
    [1 + Cinv[0][0], Cinv[0][1]],
    [Cinv[1][0], 1 + Cinv[1][1]],
  ];
  const det = p[0][0] * p[1][1] - p[0][1] * p[1][0];
  const s = [
    [p[1][1] / det, -p[0][1] / det],
    [-p[1][0] / det, p[0][0] / det],
  ];
  const b = [Cinv[0][0] * M[0] + Cinv[0][1] * M[1], Cinv[1][0] * M[0] + Cinv[1][1] * M[1]];
  return { mean: [s[0][0] * b[0] + s[0][1] * b[1], s[1][0] * b[0] + s[1][1] * b[1]], cov: s };
}

describe("AutoMultivariateNormal", () => {
  it("recovers a correlated 2-D Gaussian posterior's covariance within 5%", () => {
    const exact = exactCorrelatedPosterior();
    const guide = AutoMultivariateNormal(correlated);
    const svi = new SVI(
      correlated,
      guide,
      Adam(exponentialDecay(0.05, 1000, 0.01)),
      TraceELBO({ numParticles: 32 }),
    );
    svi.run(PRNGKey(SEED), 1000);
    const { covariance, loc } = guide.getPosterior();
    const scale = Math.sqrt(exact.cov[0][0] * exact.cov[1][1]);
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(loc[i] - exact.mean[i]) / Math.sqrt(exact.cov[i][i])).toBeLessThan(0.05);
      for (let j = 0; j < 2; j++) {
        const err = Math.abs(covariance[i * 2 + j] - exact.cov[i][j]);
        expect(err / (i === j ? exact.cov[i][i] : scale), `cov[${i}][${j}]`).toBeLessThan(0.05);
      }
    }
    // The correlation is strong: a diagonal guide could not have matched it.
    expect(exact.cov[0][1] / scale).toBeGreaterThan(0.5);
    // Draws carry the covariance.
    const z = guide.samplePosterior(PRNGKey(1), 20000).z;
    expect(z.shape).toEqual([20000, 2]);
    const z1 = z.data.filter((_, i) => i % 2 === 0);
    const z2 = z.data.filter((_, i) => i % 2 === 1);
    const m1 = mean(z1);
    const m2 = mean(z2);
    let c = 0;
    for (let i = 0; i < z1.length; i++) c += (z1[i] - m1) * (z2[i] - m2);
    c /= z1.length - 1;
    expect(Math.abs(c - covariance[1])).toBeLessThan(0.05 * scale);
  });

  it("AutoLowRankMultivariateNormal with rank 1 also captures the correlation", () => {
    const exact = exactCorrelatedPosterior();
    const guide = AutoLowRankMultivariateNormal(correlated, { rank: 1 });
    const svi = new SVI(
      correlated,
      guide,
      Adam(exponentialDecay(0.05, 1000, 0.01)),
      TraceELBO({ numParticles: 32 }),
    );
    svi.run(PRNGKey(SEED + 2), 1000);
    const { covariance } = guide.getPosterior();
    const scale = Math.sqrt(exact.cov[0][0] * exact.cov[1][1]);
    // Rank 1 plus diagonal can represent any 2x2 covariance.
    expect(Math.abs(covariance[1] - exact.cov[0][1]) / scale).toBeLessThan(0.1);
    expect(Math.abs(covariance[0] - exact.cov[0][0]) / exact.cov[0][0]).toBeLessThan(0.1);
  });

  it("AutoDiagonalNormal finds the mean-field optimum: precisions equal the posterior precision's diagonal", () => {
    const exact = exactCorrelatedPosterior();
    const guide = AutoDiagonalNormal(correlated);
    new SVI(
      correlated,
      guide,
      Adam(exponentialDecay(0.05, 1000, 0.01)),
      TraceELBO({ numParticles: 32 }),
    ).run(PRNGKey(SEED + 3), 1000);
    const { loc, covariance } = guide.getPosterior();
    // KL(q || p) for a Gaussian p is minimized by the exact mean and variances 1 / Lambda_ii.
    const lambda = [1 + Cinv[0][0], 1 + Cinv[1][1]];
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(loc[i] - exact.mean[i]) / Math.sqrt(exact.cov[i][i])).toBeLessThan(0.05);
      expect(Math.abs(covariance[i * 3] * lambda[i] - 1)).toBeLessThan(0.05);
    }
  });
});

// Two independent blocks with closed-form modes:
// mu ~ N(0, 10), a_i ~ N(mu, 1): mode sum(a) / (n + 1/100);
// sigma ~ HalfNormal(s), b_i ~ N(0, sigma): the mode solves sigma^4/s^2 + n sigma^2 - S = 0.
const A = [1.2, 2.3, 1.7, 2.9, 2.1];
const B = [0.9, -1.4, 2.2, -0.5, 1.8, -2.6];
const S_PRIOR = 2;
function* twoBlocks(a: number[], b: number[]) {
  const mu = yield* sample("mu", Normal(0, 10));
  const sigma = yield* sample("sigma", HalfNormal(S_PRIOR));
  yield* plate("aData", a.length, function* () {
    yield* sample("a", Normal(mu, 1), { obs: a });
  });
  yield* plate("bData", b.length, function* () {
    yield* sample("b", Normal(0, sigma), { obs: b });
  });
}

describe("AutoDelta", () => {
  it("finds the MAP of a model with a closed-form mode (constrained space, no Jacobian)", () => {
    const guide = AutoDelta(twoBlocks);
    const svi = new SVI(twoBlocks, guide, Adam(exponentialDecay(0.1, 700, 0.01)), TraceELBO());
    const { params } = svi.run(PRNGKey(SEED), 700, A, B);
    const muMode = A.reduce((x, y) => x + y, 0) / (A.length + 1 / 100);
    const n = B.length;
    const S = B.reduce((x, y) => x + y * y, 0);
    const sigmaMode = Math.sqrt(
      (S_PRIOR ** 2 * (-n + Math.sqrt(n * n + (4 * S) / S_PRIOR ** 2))) / 2,
    );
    expect(Math.abs(params.mu_auto_loc.data[0] - muMode) / muMode).toBeLessThan(1e-3);
    expect(Math.abs(params.sigma_auto_loc.data[0] - sigmaMode) / sigmaMode).toBeLessThan(1e-3);
    const median = guide.median();
    expect(median.sigma.data[0]).toBe(params.sigma_auto_loc.data[0]);
    expect(guide.samplePosterior(PRNGKey(1), 3).mu.shape).toEqual([3]);
    expect(guide.quantiles([0.1, 0.9]).sigma.data[1]).toBe(params.sigma_auto_loc.data[0]);
  });
});

describe("AutoLaplaceApproximation", () => {
  // mu ~ N(0, 3), sigma ~ HalfNormal(2), y_i ~ N(mu, sigma); in (mu, u = log sigma) the log
  // density with Jacobian is L = -mu^2/18 - e^{2u}/8 + u - n u - e^{-2u} S(mu) / 2 + const.
  const Yl = [1.1, 2.4, 0.3, 1.9, 2.8, 0.9, 1.6, 2.2];
  function* model(y: number[]) {
    const mu = yield* sample("mu", Normal(0, 3));
    const sigma = yield* sample("sigma", HalfNormal(2));
    yield* plate("data", y.length, function* () {
      yield* sample("y", Normal(mu, sigma), { obs: y });
    });
  }
  const n = Yl.length;
  const gradL = (mu: number, u: number) => {
    const r = Yl.reduce((a, y) => a + (y - mu), 0);
    const s = Yl.reduce((a, y) => a + (y - mu) ** 2, 0);
    return [-mu / 9 + Math.exp(-2 * u) * r, -Math.exp(2 * u) / 4 + 1 - n + Math.exp(-2 * u) * s];
  };
  const hessianU = (mu: number, u: number) => {
    const r = Yl.reduce((a, y) => a + (y - mu), 0);
    const s = Yl.reduce((a, y) => a + (y - mu) ** 2, 0);
    const e = Math.exp(-2 * u);
    // H of U = -L.
    return [1 / 9 + n * e, 2 * e * r, 2 * e * r, Math.exp(2 * u) / 2 + 2 * e * s];
  };

  it("fits the unconstrained MAP and its covariance equals the inverse of the analytic Hessian", () => {
    const guide = AutoLaplaceApproximation(model);
    const svi = new SVI(model, guide, Adam(exponentialDecay(0.1, 700, 0.01)), TraceELBO());
    svi.run(PRNGKey(SEED), 700, Yl);
    const { loc, covariance } = guide.getPosterior();
    const [mu, u] = loc;
    // The fitted point is a stationary point of L (its analytic gradient vanishes).
    const g = gradL(mu, u);
    expect(Math.abs(g[0])).toBeLessThan(5e-2);
    expect(Math.abs(g[1])).toBeLessThan(5e-2);
    const h = hessianU(mu, u);
    const det = h[0] * h[3] - h[1] * h[2];
    const inverse = [h[3] / det, -h[1] / det, -h[2] / det, h[0] / det];
    for (let i = 0; i < 4; i++) {
      const scale = Math.sqrt(inverse[0] * inverse[3]);
      expect(Math.abs(covariance[i] - inverse[i]) / scale, `cov entry ${i}`).toBeLessThan(1e-2);
    }
    // Summaries come from N(MAP, H^-1) pushed through the transforms.
    expect(guide.median().sigma.data[0]).toBeCloseTo(Math.exp(u), 10);
    const q = guide.quantiles([0.5, 0.975]);
    expect(q.mu.data[1]).toBeCloseTo(mu + 1.959964 * Math.sqrt(covariance[0]), 4);
  });
});

describe("autoguide structure", () => {
  it("AutoNormal param names and shapes follow NumPyro (site_auto_loc, site_auto_scale)", () => {
    function* model() {
      const a = yield* sample("a", Normal(0, 1));
      yield* plate("g", 4, function* () {
        yield* sample("b", HalfNormal(a.shape.length + 1));
      });
    }
    const svi = new SVI(model, AutoNormal(model), Adam(0.01), TraceELBO());
    const state = svi.init(PRNGKey(0));
    expect(state.layout.sites.map((s) => [s.name, s.shape])).toEqual([
      ["a_auto_loc", []],
      ["a_auto_scale", []],
      ["b_auto_loc", [4]],
      ["b_auto_scale", [4]],
    ]);
    const p = svi.getParams(state);
    expect(p.a_auto_scale.data[0]).toBeCloseTo(0.1, 6);
    expect(Math.abs(p.b_auto_loc.data[2])).toBeLessThanOrEqual(2);
  });

  it("a discrete latent site is an error naming it", () => {
    function* model() {
      const p = yield* sample("p", Normal(0, 1));
      yield* sample("k", Bernoulli({ logits: p }));
    }
    const svi = new SVI(model, AutoNormal(model), Adam(0.01), TraceELBO());
    expect(() => svi.init(PRNGKey(0))).toThrow(ModelError);
    expect(() =>
      new SVI(model, AutoNormal(model), Adam(0.01), TraceELBO()).init(PRNGKey(0)),
    ).toThrow(/latent site "k" is discrete/);
  });

  it("summaries before any fit say what to do", () => {
    function* model() {
      yield* sample("a", Normal(0, 1));
    }
    const guide = AutoNormal(model);
    expect(() => guide.median()).toThrow(/has not seen its model yet/);
    guide.setup();
    expect(() => guide.median()).toThrow(/no parameters; run SVI with this guide first/);
  });

  it("initLoc values start the guide at given constrained values", () => {
    function* model() {
      yield* sample("s", HalfNormal(1));
    }
    const svi = new SVI(model, AutoNormal(model, { initLoc: { s: 2.5 } }), Adam(0.01), TraceELBO());
    const state = svi.init(PRNGKey(0));
    expect(svi.getParams(state).s_auto_loc.data[0]).toBeCloseTo(Math.log(2.5), 6);
  });

  it("samplePosterior of a constrained site stays in its support and matches the log-normal moments", () => {
    function* model() {
      yield* sample("s", HalfNormal(1));
    }
    const guide = AutoNormal(model);
    guide.setup();
    const params = {
      s_auto_loc: { shape: [], data: Float64Array.of(0.3) },
      s_auto_scale: { shape: [], data: Float64Array.of(0.2) },
    };
    const d = guide.samplePosterior(PRNGKey(5), 20000, params).s.data;
    expect(d.every((v) => v > 0)).toBe(true);
    const logMean = Math.exp(0.3 + 0.02);
    expect(Math.abs(mean(d) - logMean)).toBeLessThan((4 * sd(d)) / Math.sqrt(d.length));
    expect(logNormal(0, 0, 1)).toBeCloseTo(-0.9189385, 6);
  });
});
