/**
 * The chain runner: reproducibility, the three ways to drive it, cancellation that keeps draws,
 * thinning, continuation, progress and option errors.
 */
import { describe, expect, it } from "vitest";
import type { ChainProgress } from "../../../src/infer/mcmc/index.js";
import {
  type NutsChainResult as ChainResult,
  continuationOptions,
  runChain,
  runChainSync,
  startChain,
} from "../../../src/infer/nuts/index.js";
import { PRNGKey } from "../../../src/primitives/prng.js";
import { correlatedNormalTarget, normalTarget } from "./targets.js";

const target = correlatedNormalTarget([1, -2], [1, 3], 0.6);
const options = { numWarmup: 150, numSamples: 100 };

function bytes(a: Float64Array | Uint8Array | Uint32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function expectIdentical(a: ChainResult, b: ChainResult) {
  expect(bytes(a.draws).equals(bytes(b.draws))).toBe(true);
  for (const name of Object.keys(a.stats) as (keyof ChainResult["stats"])[]) {
    expect(bytes(a.stats[name]).equals(bytes(b.stats[name]))).toBe(true);
  }
  expect(a.adapted.stepSize).toBe(b.adapted.stepSize);
  expect(bytes(a.adapted.inverseMassMatrix).equals(bytes(b.adapted.inverseMassMatrix))).toBe(true);
}

describe("runChain", () => {
  it("gives bit-identical draws and statistics for the same key, however it is driven", async () => {
    const first = runChainSync(target, options, PRNGKey(7));
    const second = runChainSync(target, options, PRNGKey(7));
    expectIdentical(first, second);
    expectIdentical(first, await runChain(target, options, PRNGKey(7)));
    const run = startChain(target, options, PRNGKey(7));
    while (!run.done) run.step();
    expectIdentical(first, run.result());
    const other = runChainSync(target, options, PRNGKey(8));
    expect(bytes(other.draws).equals(bytes(first.draws))).toBe(false);
  });

  it("returns draws, aligned statistics, warmup statistics and the adapted state", () => {
    // Stan's windowed adaptation, whose schedule this checks (tests/infer/nuts/adaptations.test.ts
    // covers the Fisher adaptations).
    const r = runChainSync(
      target,
      { ...options, saveWarmup: true, adaptation: "windowed" },
      PRNGKey(1),
    );
    expect(r.aborted).toBe(false);
    expect(r.dim).toBe(2);
    expect(r.numDraws).toBe(100);
    expect(r.draws).toHaveLength(200);
    expect(r.stats.treeDepth).toHaveLength(100);
    expect(r.warmup.stats.acceptProb).toHaveLength(150);
    expect(r.warmup.draws).toHaveLength(300);
    expect(r.warmup.schedule.map((w) => w.kind)).toEqual(["fast", "slow", "fast"]);
    expect(r.warmup.numMetricUpdates).toBe(1);
    // Sampling runs at the adapted step size; lp and the draws agree with the target.
    expect(r.stats.stepSize.every((s) => s === r.adapted.stepSize)).toBe(true);
    const grad = new Float64Array(2);
    const d = 42;
    expect(r.stats.potentialEnergy[d]).toBe(
      target.valueAndGrad(r.draws.slice(2 * d, 2 * d + 2), grad),
    );
    expect(Array.from(r.lastState.position)).toEqual(Array.from(r.draws.subarray(198)));
    expect(Array.from(r.warmup.finalState!.position)).toEqual(
      Array.from(r.warmup.draws!.subarray(298)),
    );
    for (let k = 0; k < 100; k++) {
      expect(r.stats.numSteps[k]).toBeGreaterThanOrEqual(2 ** r.stats.treeDepth[k] - 1);
    }
  });

  it("stops between iterations on abort and keeps every draw made so far", () => {
    const controller = new AbortController();
    const aborted = runChainSync(target, options, PRNGKey(3), {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.iteration === 190) controller.abort();
      },
    });
    expect(aborted.aborted).toBe(true);
    expect(aborted.warmup.numIterations).toBe(150);
    expect(aborted.numDraws).toBe(40);
    // The draws so far are exactly those of an uninterrupted run with the same key.
    const full = runChainSync(target, options, PRNGKey(3));
    expect(bytes(aborted.draws).equals(bytes(full.draws.subarray(0, 80)))).toBe(true);
    expect(Array.from(aborted.lastState.position)).toEqual(Array.from(full.draws.subarray(78, 80)));
  });

  it("lets an AbortSignal fired by a timer stop the async loop", async () => {
    const controller = new AbortController();
    const cheap = normalTarget([0], [1]);
    // Far more iterations than can run before the timer fires.
    const pending = runChain(cheap, { numWarmup: 10, numSamples: 300_000 }, PRNGKey(4), {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    const result = await pending;
    expect(result.aborted).toBe(true);
    expect(result.numDraws).toBeLessThan(300_000);
    expect(result.draws).toHaveLength(result.numDraws);
  });

  it("thins by keeping iterations 0, thinning, 2 thinning, ... of sampling", () => {
    const full = runChainSync(target, { ...options, numSamples: 10 }, PRNGKey(5));
    const thinned = runChainSync(target, { ...options, numSamples: 10, thinning: 3 }, PRNGKey(5));
    expect(thinned.numDraws).toBe(4);
    for (const [k, d] of [0, 3, 6, 9].entries()) {
      expect(Array.from(thinned.draws.subarray(2 * k, 2 * k + 2))).toEqual(
        Array.from(full.draws.subarray(2 * d, 2 * d + 2)),
      );
    }
  });

  it("continues a finished chain without new warmup", () => {
    const first = runChainSync(target, options, PRNGKey(6));
    const more = runChainSync(
      target,
      { ...continuationOptions(first), numSamples: 50 },
      PRNGKey(9),
    );
    expect(more.warmup.numIterations).toBe(0);
    expect(more.numDraws).toBe(50);
    expect(more.adapted.stepSize).toBe(first.adapted.stepSize);
    expect(Array.from(more.adapted.inverseMassMatrix)).toEqual(
      Array.from(first.adapted.inverseMassMatrix),
    );
    expect(more.stats.stepSize.every((s) => s === first.adapted.stepSize)).toBe(true);
  });

  it("reports progress after every iteration with phase, step size and divergences", () => {
    const seen: ChainProgress[] = [];
    runChainSync(target, { numWarmup: 30, numSamples: 20 }, PRNGKey(2), {
      onProgress: (p) => seen.push(p),
    });
    expect(seen).toHaveLength(50);
    expect(seen[0]).toMatchObject({ phase: "warmup", iteration: 1, numIterations: 50 });
    expect(seen[29].phase).toBe("warmup");
    expect(seen[30]).toMatchObject({ phase: "sampling", iteration: 31, numDivergences: 0 });
    expect(seen.every((p) => (p.stepSize ?? 0) > 0)).toBe(true);
  });

  it("counts divergences without throwing", () => {
    // A step size fixed far too large: every transition diverges.
    const r = runChainSync(target, { numWarmup: 0, numSamples: 20, stepSize: 100 }, PRNGKey(0));
    expect(r.numDivergences).toBe(20);
    expect(r.stats.diverging.every((d) => d === 1)).toBe(true);
  });

  it("rejects bad options with errors that name the option, the rule and the value", () => {
    expect(() => runChainSync(target, { numWarmup: -1, numSamples: 10 }, PRNGKey(0))).toThrow(
      'runChain: option "numWarmup" must be an integer >= 0, got -1',
    );
    expect(() => runChainSync(target, { ...options, thinning: 0 }, PRNGKey(0))).toThrow(
      'runChain: option "thinning" must be an integer >= 1, got 0',
    );
    expect(() =>
      runChainSync(target, { ...options, initialPosition: Float64Array.of(1) }, PRNGKey(0)),
    ).toThrow('runChain: option "initialPosition" must be a Float64Array of length 2');
    expect(() =>
      runChainSync(
        target,
        { ...options, denseMass: true, inverseMassMatrix: Float64Array.of(1, 1) },
        PRNGKey(0),
      ),
    ).toThrow(
      'option "inverseMassMatrix" must be a Float64Array of 4 entries (dense: dim * dim), got 2 entries',
    );
    expect(() => runChainSync(target, { ...options, targetAcceptProb: 1.2 }, PRNGKey(0))).toThrow(
      'option "targetAcceptProb" must be in (0, 1), got 1.2',
    );
  });
});
