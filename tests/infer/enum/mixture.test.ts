// A Gaussian mixture with one enumerated assignment per data point: its potential against the
// same density written with MixtureSameFamily, NUTS (which enumerates by default) against the
// exact posterior on a grid, and Predictive's posterior draws of the assignments.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  Categorical,
  constant,
  Dirichlet,
  HalfNormal,
  MCMC,
  MixtureSameFamily,
  Normal,
  NUTS,
  PRNGKey,
  Predictive,
  plate,
  sample,
  tf,
  vindex,
} from "../../../src/index.js";
import { potential } from "../../../src/infer/index.js";
import { normal, uniform } from "../../../src/infer/kernels.js";
import type { HmcParameters } from "../../../src/infer/nuts/index.js";

const n = 200;
const truth = { locs: [-2, 2], weights: [0.4, 0.6] };
const u = uniform(PRNGKey(1), n);
const e = normal(PRNGKey(2), n);
const y = Array.from(u, (ui, i) => (ui < truth.weights[0] ? truth.locs[0] : truth.locs[1]) + e[i]);
const logNormal = (x: number, m: number, s: number) =>
  -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);

// Weights, locations and scale unknown; z marked for enumeration.
function* enumerated(data: number[]) {
  const w = yield* sample("w", Dirichlet(constant([1, 1])));
  const locs = yield* sample("locs", Normal(constant([-1, 1]), 5).toEvent(1));
  const scale = yield* sample("scale", HalfNormal(2));
  yield* plate("data", data.length, function* () {
    const z = yield* sample("z", Categorical({ probs: w }), { infer: { enumerate: "parallel" } });
    yield* sample("y", Normal(vindex(locs, z), scale), { obs: data });
  });
}

// The same density with the assignment summed inside the distribution.
function* mixed(data: number[]) {
  const w = yield* sample("w", Dirichlet(constant([1, 1])));
  const locs = yield* sample("locs", Normal(constant([-1, 1]), 5).toEvent(1));
  const scale = yield* sample("scale", HalfNormal(2));
  yield* plate("data", data.length, function* () {
    const mixture = new MixtureSameFamily(Categorical({ probs: w }), Normal(locs, scale));
    yield* sample("y", mixture, { obs: data });
  });
}

describe("an enumerated Gaussian mixture", () => {
  it("has the potential of the same model written with MixtureSameFamily (1e-10), value and gradient", () => {
    const A = potential(enumerated, [y]);
    const B = potential(mixed, [y]);
    expect([A.engine, B.engine]).toEqual(["compiled", "compiled"]);
    expect(A.dim).toBe(B.dim);
    const ga = new Float64Array(A.dim);
    const gb = new Float64Array(B.dim);
    for (let k = 0; k < 5; k++) {
      const q = uniform(PRNGKey(10 + k), A.dim, -2, 2);
      const va = A.valueAndGrad(q, ga);
      const vb = B.valueAndGrad(q, gb);
      expect(Math.abs(va - vb)).toBeLessThan(1e-10 * Math.abs(vb));
      for (let i = 0; i < A.dim; i++) {
        expect(Math.abs(ga[i] - gb[i])).toBeLessThan(1e-10 * Math.max(1, Math.abs(gb[i])));
      }
    }
    // The eager engine agrees in float32.
    const eager = potential(enumerated, [y], { engine: "eager" });
    const q = uniform(PRNGKey(20), A.dim, -2, 2);
    const value = B.valueAndGrad(q, gb);
    expect(Math.abs(eager.valueAndGrad(q, ga) - value)).toBeLessThan(1e-5 * Math.abs(value));
  });
});

// Known weights and scale; ordered locations loc0 < loc1 = loc0 + gap; z unmarked: MCMC
// enumerates it by default.
function* ordered(data: number[]) {
  const loc0 = yield* sample("loc0", Normal(0, 5));
  const gap = yield* sample("gap", HalfNormal(5));
  const locs = tf.stack([loc0, tf.add(loc0, gap)], -1);
  yield* plate("data", data.length, function* () {
    const z = yield* sample("z", Categorical({ probs: constant(truth.weights) }));
    yield* sample("y", Normal(vindex(locs, z), 1), { obs: data });
  });
}

// The exact posterior means and sds of loc0 and loc1 on a grid (the map (loc0, gap) -> (loc0,
// loc1) has Jacobian 1).
function gridPosterior() {
  const step = 0.005;
  const grid = (lo: number, hi: number) =>
    Array.from({ length: Math.round((hi - lo) / step) + 1 }, (_, i) => lo + i * step);
  const g0 = grid(-3, -1);
  const g1 = grid(1, 3);
  const logPrior0 = g0.map((a) => logNormal(a, 0, 5));
  const terms0 = g0.map((a) => y.map((v) => Math.log(truth.weights[0]) + logNormal(v, a, 1)));
  const terms1 = g1.map((b) => y.map((v) => Math.log(truth.weights[1]) + logNormal(v, b, 1)));
  const logp: number[] = [];
  for (let i = 0; i < g0.length; i++) {
    for (let j = 0; j < g1.length; j++) {
      let lp = logPrior0[i] + Math.log(2) + logNormal(g1[j] - g0[i], 0, 5);
      for (let d = 0; d < n; d++) {
        const a = terms0[i][d];
        const b = terms1[j][d];
        lp += a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
      }
      logp.push(lp);
    }
  }
  const max = logp.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
  const m = [0, 0];
  const m2 = [0, 0];
  let total = 0;
  logp.forEach((lp, idx) => {
    const p = Math.exp(lp - max);
    const a = g0[Math.floor(idx / g1.length)];
    const b = g1[idx % g1.length];
    total += p;
    m[0] += p * a;
    m[1] += p * b;
    m2[0] += p * a * a;
    m2[1] += p * b * b;
  });
  const mean = m.map((v) => v / total);
  return { mean, sd: mean.map((v, i) => Math.sqrt(m2[i] / total - v * v)) };
}

describe("NUTS on a mixture with a discrete assignment per point", () => {
  const info = vi.spyOn(console, "info").mockImplementation(() => {});
  afterAll(() => info.mockRestore());
  let mcmc: MCMC<[number[]], HmcParameters>;
  beforeAll(async () => {
    mcmc = new MCMC(new NUTS(ordered), {
      numWarmup: 500,
      numSamples: 1000,
      numChains: 2,
      progressBar: false,
    });
    await mcmc.run(PRNGKey(0), y);
  });

  it("sums the assignments out by default, says so, and mixes: R-hat < 1.01, no divergences", () => {
    expect(info).toHaveBeenCalledWith(expect.stringMatching(/"z" are summed out by enumeration/));
    expect(mcmc.potential.engine).toBe("compiled");
    expect(mcmc.numDivergences).toBe(0);
    const summary = mcmc.summary();
    for (const name of ["loc0", "gap"]) expect(summary[name].rhat).toBeLessThan(1.01);
  });

  it("has the exact posterior of the locations (grid) within 4.5 MCSE, which covers the truth", () => {
    const exact = gridPosterior();
    const s = mcmc.getSamples();
    const loc0 = s.loc0.data;
    const loc1 = loc0.map((a, i) => a + s.gap.data[i]);
    const summary = mcmc.summary();
    [loc0, loc1].forEach((draws, k) => {
      const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
      const ess = Math.min(summary.loc0.essBulk, summary.gap.essBulk);
      expect(Math.abs(mean - exact.mean[k]) / (exact.sd[k] / Math.sqrt(ess))).toBeLessThan(4.5);
      expect(Math.abs(exact.mean[k] - truth.locs[k])).toBeLessThan(3 * exact.sd[k]);
    });
  });

  it("Predictive draws the assignments from their posterior (inferDiscrete)", () => {
    // Every 4th draw: the assignments of 500 posterior draws.
    const all = mcmc.getSamples();
    const thin = (d: { shape: number[]; data: Float64Array }) => ({
      shape: [d.shape[0] / 4],
      data: d.data.filter((_, i) => i % 4 === 0),
    });
    const s = { loc0: thin(all.loc0), gap: thin(all.gap) };
    const draws = s.loc0.shape[0];
    const z = new Predictive(ordered, {
      posteriorSamples: s,
      inferDiscrete: true,
      returnSites: ["z"],
    }).run(PRNGKey(3), y).z;
    expect(z.shape).toEqual([draws, n]);
    // P(z_i = 1 | y) = E[w1 N(y_i; loc1, 1) / (w0 N(y_i; loc0, 1) + w1 N(y_i; loc1, 1))] over
    // the posterior draws; given the draws the z's are independent, so the frequency's error
    // has variance at most 1 / (4 draws).
    const ambiguous = y.map((v, i) => [v, i]).filter(([v]) => Math.abs(v) < 0.7);
    expect(ambiguous.length).toBeGreaterThan(5);
    for (const [v, i] of ambiguous) {
      let expected = 0;
      let observed = 0;
      for (let d = 0; d < draws; d++) {
        const a = truth.weights[0] * Math.exp(logNormal(v, s.loc0.data[d], 1));
        const b = truth.weights[1] * Math.exp(logNormal(v, s.loc0.data[d] + s.gap.data[d], 1));
        expected += b / (a + b);
        observed += z.data[d * n + i];
      }
      expect(Math.abs(observed - expected) / draws / Math.sqrt(0.25 / draws)).toBeLessThan(4.5);
    }
  });
});
