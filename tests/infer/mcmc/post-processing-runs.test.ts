/**
 * After sampling, constraining the draws of a site whose support depends on other parameters
 * runs the model once per draw (eager tfjs, milliseconds each). MCMC must do that pass once,
 * and only when it is needed: `run` did it even without deterministic sites, and every
 * `getSamples` did it again. Found by the posteriordb validation: on garch11 (4 000 draws, a
 * 200-step recursion) each pass took about 25 s, against 8 s of sampling.
 */
import { describe, expect, it } from "vitest";
import { Uniform } from "../../../src/dist/index.js";
import { MCMC, NUTS } from "../../../src/infer/mcmc/index.js";
import { sample } from "../../../src/primitives/effects.js";
import { PRNGKey } from "../../../src/primitives/prng.js";
import { constant, tf } from "../../../src/tf.js";

let modelRuns = 0;

/** b on (0, 1 - a): a parameter-dependent support. */
function* model() {
  modelRuns++;
  const a = yield* sample("a", Uniform(0, 1));
  yield* sample("b", Uniform(0, tf.sub(constant(1), a)));
}

describe("MCMC post-processing of parameter-dependent supports", () => {
  it("constrains the draws once, when they are first asked for", async () => {
    const numSamples = 60;
    const mcmc = new MCMC(new NUTS(model), { numWarmup: 60, numSamples, progressBar: false });
    modelRuns = 0;
    await mcmc.run(PRNGKey(0));
    // Discovery, tracing and initialization: a few runs, not one per draw.
    expect(modelRuns).toBeLessThan(numSamples);
    const afterRun = modelRuns;
    const first = mcmc.getSamples();
    const second = mcmc.getSamples({ groupByChain: true });
    expect(modelRuns - afterRun).toBe(numSamples);
    expect(Array.from(second.b.data)).toEqual(Array.from(first.b.data));
    for (let i = 0; i < numSamples; i++) {
      expect(first.b.data[i]).toBeLessThan(1 - first.a.data[i]);
    }
  });
});
