/**
 * Every autoguide on event-shaped latent sites: `toEvent`, `Independent`, MultivariateNormal,
 * Dirichlet and LKJCholesky, fitted by SVI to posteriors known in closed form (conjugate
 * Gaussian and Dirichlet-categorical models) or to a prior with known moments (LKJ).
 */
import { describe, expect, it } from "vitest";
import {
  Categorical,
  Dirichlet,
  Independent,
  LKJCholesky,
  MultivariateNormal,
  Normal,
  PRNGKey,
  plate,
  sample,
  tf,
} from "../../../src/index.js";
import { AutoDelta } from "../../../src/infer/svi/autoguide/auto-delta.js";
import { AutoDiagonalNormal } from "../../../src/infer/svi/autoguide/auto-diagonal-normal.js";
import { AutoLaplaceApproximation } from "../../../src/infer/svi/autoguide/auto-laplace-approximation.js";
import { AutoLowRankMultivariateNormal } from "../../../src/infer/svi/autoguide/auto-low-rank-multivariate-normal.js";
import { AutoMultivariateNormal } from "../../../src/infer/svi/autoguide/auto-multivariate-normal.js";
import { AutoNormal } from "../../../src/infer/svi/autoguide/auto-normal.js";
import type { AutoGuide, SiteValues } from "../../../src/infer/svi/autoguide/base.js";
import { Adam } from "../../../src/infer/svi/optimizers.js";
import { exponentialDecay } from "../../../src/infer/svi/schedules.js";
import { SVI } from "../../../src/infer/svi/svi.js";
import { TraceELBO } from "../../../src/infer/svi/trace-elbo.js";
import type { Model } from "../../../src/primitives/runtime.js";

type Factory = (model: Model<[], unknown>) => AutoGuide<[]>;
const guides: Record<string, Factory> = {
  AutoNormal: (m) => AutoNormal(m),
  AutoDelta: (m) => AutoDelta(m),
  AutoDiagonalNormal: (m) => AutoDiagonalNormal(m),
  AutoMultivariateNormal: (m) => AutoMultivariateNormal(m),
  AutoLowRankMultivariateNormal: (m) => AutoLowRankMultivariateNormal(m, { rank: 2 }),
  AutoLaplaceApproximation: (m) => AutoLaplaceApproximation(m),
};
/** The guides whose fitted distribution is a point (median is the mode, not the mean). */
const POINT = new Set(["AutoDelta"]);

function fitGuide(model: Model<[], unknown>, name: string, steps = 1000): AutoGuide<[]> {
  const guide = guides[name](model);
  // A decaying step size, so that the last iterate sits near the optimum (0.05 -> 0.0005).
  new SVI(model, guide, Adam(exponentialDecay(0.05, steps, 0.01)), TraceELBO()).run(
    PRNGKey(1),
    steps,
  );
  return guide;
}

// Column means and sds of n draws of a site.
function moments(d: { data: Float64Array }, n: number) {
  const size = d.data.length / n;
  const mean = new Float64Array(size);
  const sd = new Float64Array(size);
  for (let j = 0; j < size; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += d.data[i * size + j];
    mean[j] = s / n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (d.data[i * size + j] - mean[j]) ** 2;
    sd[j] = Math.sqrt(v / (n - 1));
  }
  return { mean, sd };
}

function expectAll(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  what: string,
) {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i] - expected[i]), `${what}[${i}]`).toBeLessThan(tol);
  }
}

const DRAWS = 4000;

// z ~ N(0, I) with an event shape, y ~ N(z, I): the posterior is N(y / 2, I / 2) elementwise.
const Y = [
  [0.8, -1.2, 2.0],
  [1.5, 0.3, -0.6],
];
const halfY = Y.flat().map((y) => y / 2);
const conjugateModels: Record<string, Model<[], unknown>> = {
  "toEvent in a plate": function* () {
    yield* plate("rows", 2, function* () {
      const z = yield* sample("z", Normal(tf.zeros([3]), 1).toEvent(1));
      yield* sample("y", Normal(z, 1).toEvent(1), { obs: Y });
    });
  },
  Independent: function* () {
    const z = yield* sample("z", new Independent(Normal(0, 1).expand([2, 3]), 2));
    yield* sample("y", Normal(z, 1).toEvent(2), { obs: Y });
  },
};

describe("autoguides on toEvent and Independent sites", () => {
  for (const [kind, model] of Object.entries(conjugateModels)) {
    it(`${kind}: every autoguide finds the posterior N(y / 2, 1 / 2)`, () => {
      for (const name of Object.keys(guides)) {
        const guide = fitGuide(model, name);
        const median = guide.median();
        expect(median.z.shape, name).toEqual([2, 3]);
        // 0.1 = 0.14 posterior sd: the last iterate of a noisy optimization.
        expectAll(median.z.data, halfY, 0.1, `${name} median`);
        const draws = guide.samplePosterior(PRNGKey(2), DRAWS);
        expect(draws.z.shape).toEqual([DRAWS, 2, 3]);
        if (POINT.has(name)) continue;
        const { mean, sd } = moments(draws.z, DRAWS);
        expectAll(mean, halfY, 0.1, `${name} mean`);
        expectAll(sd, new Array(6).fill(Math.SQRT1_2), 0.12, `${name} sd`);
        const q = guide.quantiles([0.5]) as SiteValues;
        expectAll(q.z.data, halfY, 0.1, `${name} quantile 0.5`);
      }
    });
  }
});

// z ~ MVN(0, S0), y ~ MVN(z, I): the posterior is MVN(S y, S) with S = (S0^-1 + I)^-1.
const S0 = [
  [1, 0.6],
  [0.6, 1],
];
const YM = [1.4, -0.4];
function* mvnModel() {
  const z = yield* sample("z", MultivariateNormal(tf.zeros([2]), { covarianceMatrix: S0 }));
  yield* sample("y", MultivariateNormal(z, { covarianceMatrix: tf.eye(2) }), { obs: YM });
}
function mvnPosterior() {
  const det0 = S0[0][0] * S0[1][1] - S0[0][1] ** 2;
  const p = [
    [S0[1][1] / det0 + 1, -S0[0][1] / det0],
    [-S0[0][1] / det0, S0[0][0] / det0 + 1],
  ];
  const det = p[0][0] * p[1][1] - p[0][1] ** 2;
  const s = [
    [p[1][1] / det, -p[0][1] / det],
    [-p[0][1] / det, p[0][0] / det],
  ];
  return {
    mean: [s[0][0] * YM[0] + s[0][1] * YM[1], s[1][0] * YM[0] + s[1][1] * YM[1]],
    cov: s,
  };
}

describe("autoguides on MultivariateNormal sites", () => {
  it("every autoguide finds the posterior mean; the full-rank ones its covariance", () => {
    const exact = mvnPosterior();
    for (const name of Object.keys(guides)) {
      const guide = fitGuide(mvnModel, name);
      expectAll(guide.median().z.data, exact.mean, 0.05, `${name} median`);
      if (name !== "AutoMultivariateNormal" && name !== "AutoLaplaceApproximation") continue;
      const draws = guide.samplePosterior(PRNGKey(3), DRAWS).z.data;
      let c01 = 0;
      const { mean, sd } = moments({ data: draws }, DRAWS);
      for (let i = 0; i < DRAWS; i++)
        c01 += (draws[2 * i] - mean[0]) * (draws[2 * i + 1] - mean[1]);
      c01 /= DRAWS - 1;
      expectAll(sd, [Math.sqrt(exact.cov[0][0]), Math.sqrt(exact.cov[1][1])], 0.05, `${name} sd`);
      expect(Math.abs(c01 - exact.cov[0][1]), `${name} covariance`).toBeLessThan(0.04);
    }
  });
});

// p ~ Dirichlet(1, 1, 1), six categorical draws with counts (1, 2, 3): the posterior is
// Dirichlet(2, 3, 4), mean (2, 3, 4) / 9 and mode (1, 2, 3) / 6.
function* dirichletModel() {
  const p = yield* sample("p", Dirichlet([1, 1, 1]));
  yield* plate("draws", 6, function* () {
    yield* sample("k", Categorical({ probs: p }), { obs: [0, 1, 1, 2, 2, 2] });
  });
}

describe("autoguides on Dirichlet sites", () => {
  it("draws stay on the simplex; the means match Dirichlet(2, 3, 4), AutoDelta finds its mode", () => {
    for (const name of Object.keys(guides)) {
      const guide = fitGuide(dirichletModel, name);
      const median = guide.median().p;
      expect(median.shape).toEqual([3]);
      if (name === "AutoDelta") {
        expectAll(median.data, [1 / 6, 2 / 6, 3 / 6], 0.02, "AutoDelta mode");
        continue;
      }
      const draws = guide.samplePosterior(PRNGKey(4), DRAWS).p;
      let sumError = 0;
      let smallest = 1;
      for (let i = 0; i < DRAWS; i++) {
        const row = draws.data.subarray(3 * i, 3 * i + 3);
        sumError = Math.max(sumError, Math.abs(row[0] + row[1] + row[2] - 1));
        smallest = Math.min(smallest, ...row);
      }
      expect(sumError).toBeLessThan(1e-9);
      expect(smallest).toBeGreaterThan(0);
      // A Gaussian in the stick-breaking space only approximates the Dirichlet (Laplace is
      // centred on the unconstrained mode): 0.04 in probability.
      expectAll(moments(draws, DRAWS).mean, [2 / 9, 3 / 9, 4 / 9], 0.04, `${name} mean`);
    }
  });
});

// L ~ LKJCholesky(3, 2) alone: the correlations r = (L L^T)_ij are Beta(2.5, 2.5) on (-1, 1),
// mean 0 and sd sqrt(1 / 6); the mode is the identity.
function* lkjModel() {
  yield* sample("L", LKJCholesky(3, 2));
}

describe("autoguides on LKJCholesky sites", () => {
  it("draws are Cholesky factors of correlation matrices with the prior's moments; AutoDelta finds the identity", () => {
    for (const name of Object.keys(guides)) {
      const guide = fitGuide(lkjModel, name);
      if (name === "AutoDelta") {
        expectAll(guide.median().L.data, [1, 0, 0, 0, 1, 0, 0, 0, 1], 0.02, "AutoDelta mode");
        continue;
      }
      const draws = guide.samplePosterior(PRNGKey(5), DRAWS).L;
      expect(draws.shape).toEqual([DRAWS, 3, 3]);
      const r = new Float64Array(DRAWS * 3);
      let smallestDiagonal = 1;
      let largestUpper = 0;
      let normError = 0;
      for (let i = 0; i < DRAWS; i++) {
        const l = draws.data.subarray(9 * i, 9 * i + 9);
        for (let a = 0; a < 3; a++) {
          smallestDiagonal = Math.min(smallestDiagonal, l[a * 3 + a]);
          for (let b = a + 1; b < 3; b++)
            largestUpper = Math.max(largestUpper, Math.abs(l[a * 3 + b]));
          const norm = l[a * 3] ** 2 + l[a * 3 + 1] ** 2 + l[a * 3 + 2] ** 2;
          normError = Math.max(normError, Math.abs(norm - 1));
        }
        r[3 * i] = l[3] * l[0]; // r10
        r[3 * i + 1] = l[6] * l[0]; // r20
        r[3 * i + 2] = l[6] * l[3] + l[7] * l[4]; // r21
      }
      expect(smallestDiagonal).toBeGreaterThan(0);
      expect(largestUpper).toBe(0);
      expect(normError).toBeLessThan(1e-9);
      const { mean, sd } = moments({ data: r }, DRAWS);
      // Laplace is the Gaussian at the mode: narrower than the prior, so only the means.
      expectAll(mean, [0, 0, 0], 0.05, `${name} correlation mean`);
      if (name === "AutoLaplaceApproximation") continue;
      expectAll(
        sd,
        [1, 1, 1].map(() => Math.sqrt(1 / 6)),
        0.08,
        `${name} correlation sd`,
      );
    }
  });
});
