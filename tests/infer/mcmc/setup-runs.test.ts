/**
 * Setting MCMC up runs the model at most twice: one seeded run that finds its sites (latent,
 * discrete, deterministic) and the point to trace at, and the compiled engine's trace. (The
 * former driver ran a 3-site model seven times in `run`: five to set up and two for its
 * deterministic sites, which are now computed when first asked for.) Sampling itself runs no model: the compiled engine serves every gradient.
 */
import { describe, expect, it } from "vitest";
import {
  deterministic,
  HalfNormal,
  MCMC,
  Normal,
  NUTS,
  PRNGKey,
  plate,
  sample,
  tf,
} from "../../../src/index.js";

let runs = 0;

function* model(y: number[]) {
  runs++;
  const mu = yield* sample("mu", Normal(0, 2));
  const sigma = yield* sample("sigma", HalfNormal(1));
  yield* plate("data", y.length, function* () {
    yield* sample("y", Normal(mu, sigma), { obs: y });
  });
  yield* deterministic("twice", tf.mul(mu, 2));
}

describe("MCMC set-up", () => {
  it("runs the model twice to set up; deterministic sites take a vectorized pass when asked for", async () => {
    const mcmc = new MCMC(new NUTS(model), { numWarmup: 50, numSamples: 50, progressBar: false });
    runs = 0;
    await mcmc.run(PRNGKey(0), [1.1, 0.3, 2.4]);
    expect(mcmc.potential.engine).toBe("compiled");
    expect(runs).toBe(2);
    const samples = mcmc.getSamples();
    // Predictive's vectorized pass over the draws (its own discovery run and one batched run),
    // not one run per draw.
    expect(runs - 2).toBeLessThanOrEqual(2);
    // (In float32, as deterministic sites are computed by eager tfjs.)
    for (let i = 0; i < 50; i++)
      expect(samples.twice.data[i]).toBeCloseTo(2 * samples.mu.data[i], 5);
  });
});
