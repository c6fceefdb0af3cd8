import { Effect, Fiber } from "effect";
import { describe, expect, it } from "vitest";
import {
  ArgumentError,
  factor,
  HalfNormal,
  initToMedian,
  initToValue,
  MCMC,
  Normal,
  NUTS,
  PRNGKey,
  plate,
  sample,
} from "../../../src/index.js";

// Conjugate normal model with known variance: mu ~ N(0, 2), y_i ~ N(mu, 1).
const y = [1.2, 0.4, 2.1, 1.7, 0.9, 1.3];
function* conjugate(data: number[]) {
  const mu = yield* sample("mu", Normal(0, 2));
  yield* plate("data", data.length, function* () {
    yield* sample("y", Normal(mu, 1), { obs: data });
  });
}
const posteriorPrecision = 1 / 4 + y.length;
const posteriorMean = y.reduce((a, b) => a + b, 0) / posteriorPrecision;
const posteriorSd = Math.sqrt(1 / posteriorPrecision);

const small = { numWarmup: 150, numSamples: 300 };

describe("MCMC", () => {
  it("recovers a conjugate posterior, with samples, extra fields and a summary", async () => {
    const mcmc = new MCMC(new NUTS(conjugate), { ...small, numChains: 2 });
    await mcmc.run(PRNGKey(0), y);
    const grouped = mcmc.getSamples({ groupByChain: true });
    expect(grouped.mu.shape).toEqual([2, 300]);
    expect(mcmc.getSamples().mu.shape).toEqual([600]);
    const extra = mcmc.getExtraFields();
    expect(Object.keys(extra).sort()).toEqual(
      [
        "acceptProb",
        "diverging",
        "energy",
        "numSteps",
        "potentialEnergy",
        "stepSize",
        "treeDepth",
      ].sort(),
    );
    expect(extra.treeDepth.shape).toEqual([600]);
    const row = mcmc.summary().mu;
    const mcse = posteriorSd / Math.sqrt(row.essBulk);
    expect(Math.abs(row.mean - posteriorMean) / mcse).toBeLessThan(4.5);
    expect(row.rhat).toBeLessThan(1.05);
    expect(mcmc.numDivergences).toBe(0);
  });

  it("the same key gives bit-identical draws; another key differs", async () => {
    const draws = async (seed: number) => {
      const mcmc = new MCMC(new NUTS(conjugate), { numWarmup: 50, numSamples: 50 });
      await mcmc.run(PRNGKey(seed), y);
      return Array.from(mcmc.getSamples().mu.data);
    };
    const a = await draws(3);
    expect(await draws(3)).toEqual(a);
    expect(await draws(4)).not.toEqual(a);
  });

  it("an AbortSignal stops the run and keeps every draw made so far", async () => {
    const controller = new AbortController();
    let iterations = 0;
    const mcmc = new MCMC(new NUTS(conjugate), {
      ...small,
      signal: controller.signal,
      onProgress: (p) => {
        iterations = p.iteration;
        if (p.phase === "sampling" && p.iteration >= small.numWarmup + 40) controller.abort();
      },
    });
    await mcmc.run(PRNGKey(1), y);
    expect(mcmc.aborted).toBe(true);
    const kept = mcmc.getSamples().mu.shape[0];
    expect(kept).toBeGreaterThanOrEqual(40);
    expect(kept).toBeLessThan(small.numSamples);
    expect(iterations).toBeLessThan(small.numWarmup + small.numSamples);
  });

  it("interrupting the Effect keeps the draws made so far", async () => {
    // Interrupted once sampling has made a few draws (not after a fixed time, which a loaded
    // machine may spend in warmup), far before the 100,000 asked for.
    let sampling: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      sampling = resolve;
    });
    const mcmc = new MCMC(new NUTS(conjugate, { engine: "eager" }), {
      numWarmup: 100,
      numSamples: 100_000,
      progressBar: false,
      onProgress: (p) => {
        if (p.phase === "sampling" && p.iteration >= 110) sampling();
      },
    });
    const fiber = Effect.runFork(mcmc.runEffect(PRNGKey(2), y));
    await started;
    await Effect.runPromise(Fiber.interrupt(fiber));
    expect(mcmc.aborted).toBe(true);
    expect(mcmc.getSamples().mu.shape[0]).toBeGreaterThan(0);
  });

  it("continues from postWarmupState without a new warmup", async () => {
    const mcmc = new MCMC(new NUTS(conjugate), { ...small });
    await mcmc.run(PRNGKey(5), y);
    const state = mcmc.lastState;
    mcmc.postWarmupState = state;
    const progress: string[] = [];
    const more = new MCMC(new NUTS(conjugate), {
      ...small,
      onProgress: (p) => progress.push(p.phase),
    });
    more.postWarmupState = state;
    await more.run(PRNGKey(6), y);
    expect(progress.every((phase) => phase === "sampling")).toBe(true);
    expect(more.getExtraFields().stepSize.data[0]).toBe(state[0].stepSize);
    expect(more.getSamples().mu.shape).toEqual([small.numSamples]);
  });

  it("initToValue starts where told; initToMedian starts near the prior median", async () => {
    const seen: number[] = [];
    const mcmc = new MCMC(new NUTS(conjugate, { initStrategy: initToValue({ mu: 0.7 }) }), {
      numWarmup: 0,
      numSamples: 1,
      onProgress: () => seen.push(1),
    });
    await mcmc.run(PRNGKey(7), y);
    expect(seen.length).toBe(1);
    const withMedian = new MCMC(new NUTS(conjugate, { initStrategy: initToMedian() }), small);
    await withMedian.run(PRNGKey(8), y);
    expect(withMedian.getSamples().mu.shape).toEqual([small.numSamples]);
  });

  it("an initialization failure shows the per-site log-probabilities at the last try", async () => {
    function* impossible() {
      yield* sample("s", HalfNormal(1));
      yield* factor("wall", Number.NEGATIVE_INFINITY);
    }
    const mcmc = new MCMC(new NUTS(impossible), small);
    await expect(mcmc.run(PRNGKey(9))).rejects.toThrow(
      /log-probabilities per site at that point: s: -?\d.*wall: -Infinity/,
    );
  });

  it("bad options are errors naming the option, the rule and the value", () => {
    expect(() => new MCMC(new NUTS(conjugate), { numWarmup: -1, numSamples: 10 })).toThrow(
      ArgumentError,
    );
    expect(() => new MCMC(new NUTS(conjugate), { numWarmup: -1, numSamples: 10 })).toThrow(
      'MCMC: option "numWarmup" must be an integer >= 0, got -1',
    );
    expect(
      () => new MCMC(new NUTS(conjugate), { numWarmup: 1, numSamples: 10, numChain: 2 } as never),
    ).toThrow('MCMC: unknown option "numChain"');
    expect(() => new NUTS(conjugate, { targetAcceptProb: 1.5 })).toThrow(
      'NUTS: option "targetAcceptProb" must be in (0, 1), got 1.5',
    );
    expect(
      () =>
        new MCMC(new NUTS(conjugate), {
          numWarmup: 1,
          numSamples: 1,
          chainMethod: "threads" as never,
        }),
    ).toThrow(/option "chainMethod" must be one of/);
  });
});

describe("parallel chains", () => {
  it("run in worker threads and give the same draws as sequential chains for the same key", async () => {
    const draws = async (chainMethod: "sequential" | "parallel") => {
      const mcmc = new MCMC(new NUTS(conjugate), {
        numWarmup: 100,
        numSamples: 100,
        numChains: 2,
        chainMethod,
      });
      await mcmc.run(PRNGKey(11), y);
      expect(mcmc.potential.engine).toBe("compiled");
      return {
        mu: Array.from(mcmc.getSamples().mu.data),
        stepSize: mcmc.getExtraFields().stepSize.data[150],
      };
    };
    const sequential = await draws("sequential");
    const parallel = await draws("parallel");
    expect(parallel.mu).toEqual(sequential.mu);
    expect(parallel.stepSize).toBe(sequential.stepSize);
  });

  it("an AbortSignal stops the workers and keeps their draws", async () => {
    const controller = new AbortController();
    const mcmc = new MCMC(new NUTS(conjugate), {
      numWarmup: 100,
      numSamples: 1_000_000,
      numChains: 2,
      chainMethod: "parallel",
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === "sampling" && p.iteration > 1000) controller.abort();
      },
    });
    await mcmc.run(PRNGKey(12), y);
    expect(mcmc.aborted).toBe(true);
    const grouped = mcmc.getSamples().mu.shape[0];
    expect(grouped).toBeGreaterThan(0);
    expect(grouped).toBeLessThan(2 * 1_000_000);
  });
});
