import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  Bernoulli,
  DiscreteHMCGibbs,
  factor,
  HMCGibbs,
  MCMC,
  Normal,
  NUTS,
  PRNGKey,
  plate,
  sample,
  tf,
} from "../../../src/index.js";
import type { SamplerKernel } from "../../../src/infer/index.js";
import { uniform } from "../../../src/infer/kernels.js";

// A two-component mixture with explicit assignments: z_i ~ Bernoulli(0.3) chooses between a
// component at mu (unknown) and one at -1 (known); mu ~ N(0, 2); y_i ~ N(z_i ? mu : -1, 1).
function* explicit(y: number[]) {
  const mu = yield* sample("mu", Normal(0, 2));
  yield* plate("data", y.length, function* () {
    const z = yield* sample("z", Bernoulli({ probs: 0.3 }));
    const loc = tf.add(tf.mul(z, mu), tf.mul(tf.sub(1, z), -1));
    yield* sample("y", Normal(loc, 1), { obs: y });
  });
}

// The same model with the assignments summed out.
function* marginalized(y: number[]) {
  const mu = yield* sample("mu", Normal(0, 2));
  yield* plate("data", y.length, function* () {
    const data = tf.tensor(y);
    const inMu = tf.add(Math.log(0.3), Normal(mu, 1).logProb(data));
    const inFixed = tf.add(Math.log(0.7), Normal(-1, 1).logProb(data));
    yield* factor("y", tf.logSumExp(tf.stack([inMu, inFixed]), 0));
  });
}

const logNormal = (x: number, m: number, s: number) =>
  -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);

// Posterior mean and variance of mu by exact enumeration on a fine grid.
function gridPosterior(y: number[]): { mean: number; variance: number } {
  let w = 0;
  let m1 = 0;
  let m2 = 0;
  for (let mu = -12; mu <= 12; mu += 0.0005) {
    let lp = logNormal(mu, 0, 2);
    for (const yi of y)
      lp += Math.log(0.3 * Math.exp(logNormal(yi, mu, 1)) + 0.7 * Math.exp(logNormal(yi, -1, 1)));
    const p = Math.exp(lp);
    w += p;
    m1 += p * mu;
    m2 += p * mu * mu;
  }
  const mean = m1 / w;
  return { mean, variance: m2 / w - mean * mean };
}

const info = vi.spyOn(console, "info").mockImplementation(() => {});
afterAll(() => info.mockRestore());

async function muSummary(
  kernel: SamplerKernel<[number[]]>,
  y: number[],
  seed: number,
  draws = 1500,
) {
  const mcmc = new MCMC(kernel, { numWarmup: 500, numSamples: draws, numChains: 2 });
  await mcmc.run(PRNGKey(seed), y);
  return { row: mcmc.summary().mu, mcmc };
}

describe("compound steps for discrete latent sites", () => {
  const tiny = [1.5, -0.8, 2.2];
  let selected: Awaited<ReturnType<typeof muSummary>>;
  beforeAll(async () => {
    // MCMC alone would sum z out (tests/infer/enum); DiscreteHMCGibbs samples it.
    selected = await muSummary(new DiscreteHMCGibbs(new NUTS(explicit)), tiny, 1);
  });

  it("DiscreteHMCGibbs samples the discrete latent sites", () => {
    const z = selected.mcmc.getSamples().z;
    expect(z.shape).toEqual([3000, 3]);
    expect(new Set(z.data)).toEqual(new Set([0, 1]));
  });

  it("the continuous posterior matches exact enumeration on a grid (tiny case)", () => {
    const exact = gridPosterior(tiny);
    const { row } = selected;
    const mcse = Math.sqrt(exact.variance / row.essBulk);
    expect(Math.abs(row.mean - exact.mean) / mcse).toBeLessThan(4.5);
    // The sd, by the delta method with a normal-ish kurtosis of 3: se(s^2) = s^2 sqrt(2 / ess).
    const se = exact.variance * Math.sqrt(2 / row.essBulk);
    expect(Math.abs(row.sd ** 2 - exact.variance) / se).toBeLessThan(4.5);
  });

  it("the assignments' posterior matches the exact conditional membership probabilities", () => {
    // P(z_i = 1 | y) = E_mu[ 0.3 N(y_i; mu, 1) / (0.3 N(y_i; mu, 1) + 0.7 N(y_i; -1, 1)) ].
    const z = selected.mcmc.getSamples().z;
    const mu = selected.mcmc.getSamples().mu.data;
    tiny.forEach((yi, i) => {
      let expected = 0;
      for (const m of mu) {
        const a = 0.3 * Math.exp(logNormal(yi, m, 1));
        expected += a / (a + 0.7 * Math.exp(logNormal(yi, -1, 1)));
      }
      expected /= mu.length;
      let observed = 0;
      for (let d = 0; d < mu.length; d++) observed += z.data[d * 3 + i];
      observed /= mu.length;
      // Rao-Blackwell comparison: the membership indicators have at most variance 1/4 per draw.
      expect(
        Math.abs(observed - expected) / Math.sqrt(0.25 / (selected.row.essBulk / 2)),
      ).toBeLessThan(4.5);
    });
  });

  it("matches the marginalized model sampled by NUTS on more data", async () => {
    const y = Array.from(uniform(PRNGKey(9), 20), (u, i) => (i % 3 === 0 ? 2 + 2 * u : -1 + u));
    const gibbs = await muSummary(new DiscreteHMCGibbs(new NUTS(explicit)), y, 2);
    const nuts = await muSummary(new NUTS(marginalized), y, 3);
    const mcse = Math.sqrt(
      gibbs.row.sd ** 2 / gibbs.row.essBulk + nuts.row.sd ** 2 / nuts.row.essBulk,
    );
    expect(Math.abs(gibbs.row.mean - nuts.row.mean) / mcse).toBeLessThan(4.5);
    expect(gibbs.mcmc.potential.engine).toBe("compiled");
  });

  it("HMCGibbs runs a user's Gibbs function", async () => {
    // The exact conditional of each z_i given mu, written by hand.
    const y = tiny;
    let calls = 0;
    const kernel = new HMCGibbs(new NUTS(explicit), {
      gibbsSites: ["z"],
      gibbsFn: (key, _gibbs, hmc) => {
        calls++;
        const mu = hmc.mu.data[0];
        const u = uniform(key, y.length);
        return {
          z: y.map((yi, i) => {
            const a = 0.3 * Math.exp(logNormal(yi, mu, 1));
            return u[i] < a / (a + 0.7 * Math.exp(logNormal(yi, -1, 1))) ? 1 : 0;
          }),
        };
      },
    });
    const { row } = await muSummary(kernel, y, 4, 1000);
    const exact = gridPosterior(y);
    expect(calls).toBe(2 * (500 + 1000));
    expect(Math.abs(row.mean - exact.mean) / Math.sqrt(exact.variance / row.essBulk)).toBeLessThan(
      4.5,
    );
  });
});
