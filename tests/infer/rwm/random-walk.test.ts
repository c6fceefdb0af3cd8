/**
 * Random-walk Metropolis, the sampler that proves the sampling-algorithm interface open: it is
 * one file (src/infer/rwm/random-walk.ts) and an export line, and the MCMC driver and the
 * generic chain loop run it. Recovery of known posteriors within 4.5 MCSE.
 */
import { describe, expect, it } from "vitest";
import { essBulk, MCMC, Normal, PRNGKey, plate, rhat, sample } from "../../../src/index.js";
import { mcseMean, RandomWalkMetropolis } from "../../../src/infer/index.js";
import { ChainRun } from "../../../src/infer/kernels.js";
import { chainSetup } from "../../../src/infer/rwm/random-walk.js";
import { foldIn } from "../../../src/primitives/prng.js";
import { correlatedNormalTarget } from "../nuts/targets.js";

// Conjugate normal model with known variance: mu ~ N(0, 2), y_i ~ N(mu, 1).
const y = [1.2, 0.4, 2.1, 1.7, 0.9, 1.3];
function* conjugate(data: number[]) {
  const mu = yield* sample("mu", Normal(0, 2));
  yield* plate("data", data.length, function* () {
    yield* sample("y", Normal(mu, 1), { obs: data });
  });
}
const precision = 1 / 4 + y.length;
const posteriorMean = y.reduce((a, b) => a + b, 0) / precision;
const posteriorVariance = 1 / precision;

describe("random-walk Metropolis", () => {
  it("recovers a conjugate posterior through MCMC: mean and variance within 4.5 MCSE", async () => {
    const mcmc = new MCMC(new RandomWalkMetropolis(conjugate), {
      numWarmup: 1000,
      numSamples: 4000,
      numChains: 2,
      progressBar: false,
    });
    await mcmc.run(PRNGKey(0), y);
    const row = mcmc.summary().mu;
    expect(row.rhat).toBeLessThan(1.01);
    expect(row.essBulk).toBeGreaterThan(500);
    const mcse = Math.sqrt(posteriorVariance / row.essBulk);
    expect(Math.abs(row.mean - posteriorMean) / mcse).toBeLessThan(4.5);
    // se(s^2) = s^2 sqrt(2 / ess) for a normal posterior.
    const se = posteriorVariance * Math.sqrt(2 / row.essBulk);
    expect(Math.abs(row.sd ** 2 - posteriorVariance) / se).toBeLessThan(4.5);
    // Its own statistics, and warmup brought the acceptance rate near its target of 0.234.
    const extra = mcmc.getExtraFields();
    expect(Object.keys(extra).sort()).toEqual([
      "acceptProb",
      "accepted",
      "potentialEnergy",
      "scale",
    ]);
    const rate = extra.accepted.data.reduce((a, b) => a + b, 0) / extra.accepted.data.length;
    expect(rate).toBeGreaterThan(0.15);
    expect(rate).toBeLessThan(0.35);
  });

  it("runs in the generic chain loop on a correlated 2-D Gaussian", () => {
    const target = correlatedNormalTarget([1, -2], [1, 3], 0.6);
    const plan = {
      numWarmup: 1000,
      numSamples: 6000,
      thinning: 1,
      saveWarmup: false,
      init: { radius: 2, maxAttempts: 100 },
    };
    const settings = { scale: 1, adaptScale: true, targetAcceptProb: 0.234 };
    const results = [0, 1, 2, 3].map((c) => {
      const run = new ChainRun(
        target,
        plan,
        chainSetup(settings, target, plan),
        foldIn(PRNGKey(3), c),
      );
      run.advance(Number.POSITIVE_INFINITY);
      return run.result();
    });
    for (const [j, expected] of [1, -2].entries()) {
      const chains = results.map((r) =>
        Float64Array.from({ length: r.numDraws }, (_, d) => r.draws[d * 2 + j]),
      );
      expect(rhat(chains)).toBeLessThan(1.02);
      expect(essBulk(chains)).toBeGreaterThan(400);
      const mean = chains.flatMap((c) => Array.from(c)).reduce((a, b) => a + b, 0) / (4 * 6000);
      expect(Math.abs(mean - expected)).toBeLessThan(4.5 * mcseMean(chains));
    }
    // The adapted proposal sd follows the target's marginal sds (1 and 3) roughly.
    const sd = results[0].adapted.sd;
    expect(sd[1] / sd[0]).toBeGreaterThan(1.5);
    expect(sd[1] / sd[0]).toBeLessThan(6);
  });

  it("continues from the state it ended in, without warmup", async () => {
    const first = new MCMC(new RandomWalkMetropolis(conjugate), {
      numWarmup: 300,
      numSamples: 100,
      progressBar: false,
    });
    await first.run(PRNGKey(1), y);
    const more = new MCMC(new RandomWalkMetropolis(conjugate), {
      numWarmup: 300,
      numSamples: 50,
      progressBar: false,
    });
    more.postWarmupState = first.lastState;
    await more.run(PRNGKey(2), y);
    const scales = more.getExtraFields().scale.data;
    expect(scales.every((s) => s === first.lastState[0].scale)).toBe(true);
    expect(more.getSamples().mu.shape).toEqual([50]);
  });
});
