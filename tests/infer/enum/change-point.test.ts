// A change-point model in the style of the coal-mining disasters example: the switch year is a
// discrete site that NUTS sums out by enumeration. The exact posterior comes from summing over
// the years by hand, with the rates' Gamma-Poisson conjugacy.
import gammaln from "@stdlib/math-base-special-gammaln";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  constant,
  DiscreteUniform,
  Exponential,
  essBulk,
  MCMC,
  NUTS,
  Poisson,
  PRNGKey,
  Predictive,
  plate,
  sample,
  tf,
} from "../../../src/index.js";
import type { HmcParameters } from "../../../src/infer/nuts/index.js";

// 60 years of counts with rate 3 before year 24 and 1 from it on (drawn once, fixed here).
const T = 60;
const counts = tf.tidy(() =>
  Array.from(
    Poisson(constant(Array.from({ length: T }, (_, t) => (t < 24 ? 3 : 1))))
      .sample(PRNGKey(11))
      .dataSync(),
  ),
);

function* changePoint(disasters: number[]) {
  const early = yield* sample("early_rate", Exponential(1));
  const late = yield* sample("late_rate", Exponential(1));
  const switchpoint = yield* sample("switchpoint", DiscreteUniform(0, disasters.length - 1));
  const years = constant(Array.from({ length: disasters.length }, (_, t) => t));
  yield* plate("years", disasters.length, function* () {
    const rate = tf.where(tf.less(years, switchpoint), early, late);
    yield* sample("disasters", Poisson(rate), { obs: disasters });
  });
}

// p(tau | y) by summation over the years; each rate is Gamma(1 + S, 1 + n) given tau, where
// S is the segment's total count and n its length.
function exactPosterior() {
  const segment = (s: number, len: number) => gammaln(1 + s) - (1 + s) * Math.log(1 + len);
  const total = counts.reduce((a, b) => a + b, 0);
  const logw: number[] = [];
  let before = 0;
  for (let tau = 0; tau < T; tau++) {
    logw.push(segment(before, tau) + segment(total - before, T - tau));
    before += counts[tau];
  }
  const max = Math.max(...logw);
  const w = logw.map((v) => Math.exp(v - max));
  const z = w.reduce((a, b) => a + b, 0);
  const moments = { early: [0, 0], late: [0, 0], tau: [0, 0] };
  before = 0;
  for (let tau = 0; tau < T; tau++) {
    const p = w[tau] / z;
    const rates = {
      early: [(1 + before) / (1 + tau), 1 + tau],
      late: [(1 + total - before) / (1 + T - tau), 1 + T - tau],
    };
    for (const key of ["early", "late"] as const) {
      const [mean, rate] = rates[key];
      moments[key][0] += p * mean;
      moments[key][1] += p * (mean / rate + mean * mean);
    }
    moments.tau[0] += p * tau;
    moments.tau[1] += p * tau * tau;
    before += counts[tau];
  }
  const summary = (m: number[]) => ({ mean: m[0], sd: Math.sqrt(m[1] - m[0] * m[0]) });
  return {
    early: summary(moments.early),
    late: summary(moments.late),
    tau: summary(moments.tau),
  };
}

describe("a change point (switch year enumerated)", () => {
  const info = vi.spyOn(console, "info").mockImplementation(() => {});
  afterAll(() => info.mockRestore());
  let mcmc: MCMC<[number[]], HmcParameters>;
  beforeAll(async () => {
    mcmc = new MCMC(new NUTS(changePoint), {
      numWarmup: 500,
      numSamples: 1000,
      numChains: 2,
      progressBar: false,
    });
    await mcmc.run(PRNGKey(5), counts);
  });

  it("NUTS recovers the exact posterior of the rates within 4.5 MCSE", () => {
    expect(info).toHaveBeenCalledWith(
      expect.stringMatching(/"switchpoint" are summed out by enumeration/),
    );
    expect(mcmc.potential.engine).toBe("compiled");
    expect(mcmc.numDivergences).toBe(0);
    const exact = exactPosterior();
    const summary = mcmc.summary();
    for (const [site, truth] of [
      ["early_rate", exact.early],
      ["late_rate", exact.late],
    ] as const) {
      const row = summary[site];
      expect(Math.abs(row.mean - truth.mean) / (truth.sd / Math.sqrt(row.essBulk))).toBeLessThan(
        4.5,
      );
      // The sd, by the delta method with a normal-ish kurtosis: se(s^2) = s^2 sqrt(2 / ess).
      const se = truth.sd ** 2 * Math.sqrt(2 / row.essBulk);
      expect(Math.abs(row.sd ** 2 - truth.sd ** 2) / se).toBeLessThan(4.5);
    }
  });

  it("the switch year drawn by Predictive (inferDiscrete) has the exact posterior within 4.5 MCSE", () => {
    // Every 4th draw of each chain (eager enumeration of 60 years x 60 switch years per draw).
    const thin = (d: { shape: number[]; data: Float64Array }) => ({
      shape: [d.shape[0] / 4],
      data: d.data.filter((_, i) => i % 4 === 0),
    });
    const all = mcmc.getSamples();
    const samples = { early_rate: thin(all.early_rate), late_rate: thin(all.late_rate) };
    const tau = new Predictive(changePoint, {
      posteriorSamples: samples,
      inferDiscrete: true,
      returnSites: ["switchpoint"],
    }).run(PRNGKey(6), counts).switchpoint;
    const draws = tau.shape[0];
    const half = draws / 2;
    const chains = [tau.data.subarray(0, half), tau.data.subarray(half)];
    const exact = exactPosterior().tau;
    const mean = tau.data.reduce((a, b) => a + b, 0) / draws;
    const ess = essBulk(chains);
    expect(Math.abs(mean - exact.mean) / (exact.sd / Math.sqrt(ess))).toBeLessThan(4.5);
  });
});
