/**
 * sbc: three small models whose inference is correct pass with fixed seeds (NUTS, in worker
 * threads); exact conjugate posteriors pass and miscalibrated ones fail, each in the way its
 * histogram shows; runs are reproducible across worker and main-thread fits; misuse is named.
 *
 * The false-alarm probability of each sbc result is at most alpha = 0.01 (Bonferroni over
 * its tests), so the passing cases fail by chance with probability below 1% each; their
 * seeds are fixed, so the outcome is the same on every run.
 */
import { describe, expect, it, vi } from "vitest";
import { type Draws, Normal, plate, sample, seed, trace } from "../../src/index.js";
import { normal } from "../../src/infer/kernels.js";
import { type SbcFit, sbc } from "../../src/testing/sbc.js";
import { readFloat64, tidyValue } from "../../src/tf.js";
import { customOpMean, normalMean, smallModels } from "./sbc-models.js";

// On the main thread: worker start-up (a few seconds) is not worth it for these few fits;
// the worker path is tested below and in examples/property-testing.test.ts.
const nuts = { simulations: 60, numWarmup: 100, numSamples: 150, parallel: false as const };

describe("sbc with NUTS on small correct models", () => {
  for (const { name, model, args } of smallModels) {
    it(`${name}: ranks are uniform`, async () => {
      const result = await sbc(model as typeof normalMean, {
        args: args as unknown as [number[]],
        seed: 3,
        ...nuts,
      });
      expect(result.ok, result.report).toBe(true);
      expect(result.parameters).toHaveLength(1);
      const [p] = result.parameters;
      expect(p.ranks).toHaveLength(60);
      p.ranks.forEach((r, i) => {
        expect(r).toBeGreaterThanOrEqual(0);
        expect(r).toBeLessThanOrEqual(p.numDraws[i]);
      });
    });
  }
});

// mu ~ N(0, 1), y_i ~ N(mu, 1): the posterior is N(sum y / (n + 1), 1 / (n + 1)). A fit
// gets the model conditioned on the simulated data; it reads them from one seeded run.
function conjugateFit(sdFactor: number, shift = 0): SbcFit<[number[]]> {
  return (model, args, key) => {
    const ys = tidyValue(() =>
      readFloat64(
        trace(seed(model, 0))
          .getTrace(...args)
          .get("y").value,
      ),
    );
    const n = ys.length;
    const mean = ys.reduce((a, b) => a + b, 0) / (n + 1);
    const sd = Math.sqrt(1 / (n + 1)) * sdFactor;
    const z = normal(key, 400);
    const draws: Draws = { shape: [400], data: z.map((v) => mean + shift + sd * v) };
    return { mu: draws };
  };
}

describe("sbc with a user's fit", () => {
  const args: [number[]] = [[0.1, -0.4, 1.2, 0.8, 0.3]];
  const settings = { args, simulations: 200, thin: 1 };

  it("passes exact posterior draws", async () => {
    const result = await sbc(normalMean, { ...settings, fit: conjugateFit(1), seed: 5 });
    expect(result.ok, result.report).toBe(true);
    expect(result.perSimulation[0]).toEqual({ thinning: 1, numDraws: 400, divergences: 0 });
  });

  it("flags a posterior too narrow: ranks pile up at both ends", async () => {
    const result = await sbc(normalMean, { ...settings, fit: conjugateFit(0.6), seed: 5 });
    expect(result.ok).toBe(false);
    expect(result.failures[0].site).toBe("mu");
    expect(result.failures[0].input).toMatch(/pile up at both ends/);
  });

  it("flags a posterior too wide: ranks pile up in the middle", async () => {
    const result = await sbc(normalMean, { ...settings, fit: conjugateFit(1.6), seed: 5 });
    expect(result.ok).toBe(false);
    expect(result.failures[0].input).toMatch(/pile up in the middle/);
  });

  it("flags a biased posterior", async () => {
    const result = await sbc(normalMean, { ...settings, fit: conjugateFit(1, 0.3), seed: 5 });
    expect(result.ok).toBe(false);
    expect(result.failures[0].input).toMatch(/pile up low: the posterior sits above/);
  });
});

describe("sbc runs", () => {
  const args: [number[]] = [[0.1, -0.4, 1.2]];

  it("are reproducible: worker threads (importing the module of a custom op) and the main thread give the same ranks", async () => {
    const args: [number[]] = [[0.4, 2.5, -1.1]];
    const small = { args, simulations: 6, numWarmup: 50, numSamples: 50, seed: 9 };
    const workerImports = [new URL("./sbc-models.ts", import.meta.url).href];
    const warn = vi.spyOn(console, "warn");
    const inWorkers = await sbc(customOpMean, { ...small, parallel: 1, workerImports });
    expect(warn).not.toHaveBeenCalled();
    const onMain = await sbc(customOpMean, { ...small, parallel: false });
    expect(inWorkers.workers).toBe(1);
    expect(onMain.workers).toBe(0);
    expect(inWorkers.parameters[0].ranks).toEqual(onMain.parameters[0].ranks);
    expect(inWorkers.parameters[0].fractionalRanks).toEqual(onMain.parameters[0].fractionalRanks);
    // Without the import, workers cannot rebuild the potential: the fits move to the main
    // thread, with one warning saying how to fix it, and the ranks are the same.
    const fallback = await sbc(customOpMean, { ...small, parallel: 1 });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/workerImports/);
    expect(fallback.parameters[0].ranks).toEqual(onMain.parameters[0].ranks);
    warn.mockRestore();
  });

  it("name a model without data, and a generator without the model's sites", async () => {
    function* noData() {
      yield* sample("mu", Normal(0, 1));
    }
    await expect(sbc(noData, { args: [], simulations: 5 })).rejects.toThrow(
      /observes no site when run with args/,
    );
    function* otherGenerator(y: number[]) {
      const m = yield* sample("m", Normal(0, 1));
      yield* plate("data", y.length, function* () {
        yield* sample("y", Normal(m, 1), { obs: y });
      });
    }
    await expect(
      sbc(normalMean, { args, simulations: 5, generator: otherGenerator }),
    ).rejects.toThrow(/the generator draws no site "mu"/);
  });
});
