/**
 * Aborts that keep usable draws, and errors that keep their class (issue 12, items 4 and 5):
 * each test reproduces a defect of the former driver.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  ArgumentError,
  factor,
  HalfNormal,
  InitializationError,
  MCMC,
  ModelError,
  Normal,
  NUTS,
  PRNGKey,
  plate,
  RunInProgressError,
  sample,
  WorkerError,
} from "../../../src/index.js";
import { ChainWorkerPool } from "../../../src/infer/mcmc/worker-pool.js";
import { formatCmdStanCSV, traceSpec } from "../../../src/io/index.js";
import { workerOnlyFailure } from "./fixtures/worker-only-failure.js";

const y = [1.2, 0.4, 2.1, 1.7, 0.9, 1.3];
function* conjugate(data: number[]) {
  const mu = yield* sample("mu", Normal(0, 2));
  yield* plate("data", data.length, function* () {
    yield* sample("y", Normal(mu, 1), { obs: data });
  });
}

function* impossible() {
  yield* sample("s", HalfNormal(1));
  yield* factor("wall", Number.NEGATIVE_INFINITY);
}

const quiet = { progressBar: false } as const;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("aborts", () => {
  it("a parallel run honours a signal aborted before run()", async () => {
    const controller = new AbortController();
    controller.abort();
    const mcmc = new MCMC(new NUTS(conjugate), {
      ...quiet,
      numWarmup: 200,
      numSamples: 2000,
      numChains: 2,
      chainMethod: "parallel",
      signal: controller.signal,
    });
    await mcmc.run(PRNGKey(0), y);
    expect(mcmc.aborted).toBe(true);
    expect(mcmc.getSamples().mu.shape).toEqual([0]);
    expect(() => mcmc.summary()).toThrow(/stopped before it kept any draw/);
  });

  it("an abort during worker start-up stops the run before any chain starts", async () => {
    const controller = new AbortController();
    const mcmc = new MCMC(new NUTS(conjugate), {
      ...quiet,
      numWarmup: 200,
      numSamples: 2000,
      numChains: 2,
      chainMethod: "parallel",
      signal: controller.signal,
    });
    const running = mcmc.run(PRNGKey(0), y);
    // The workers are still loading the library when this fires: the run does not wait for them.
    setTimeout(() => controller.abort(), 0);
    await running;
    expect(mcmc.aborted).toBe(true);
    expect(mcmc.timings.warmupSeconds).toEqual([]);
    expect(mcmc.getSamples().mu.shape).toEqual([0]);
  });

  it("an abort while the worker pool is still starting ends the run without waiting for it", async () => {
    // A pool that never becomes ready (its bundle still building, say): the run must not hang.
    vi.spyOn(ChainWorkerPool, "shared").mockReturnValue(new Promise(() => {}));
    const controller = new AbortController();
    const mcmc = new MCMC(new NUTS(conjugate), {
      ...quiet,
      numWarmup: 200,
      numSamples: 200,
      numChains: 2,
      chainMethod: "parallel",
      signal: controller.signal,
    });
    const running = mcmc.run(PRNGKey(0), y);
    setTimeout(() => controller.abort(), 10);
    await running;
    expect(mcmc.aborted).toBe(true);
    expect(mcmc.getSamples().mu.shape).toEqual([0]);
  }, 20_000);

  it("chains stopped at different lengths give grouped views cut to a common length, said once", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const controller = new AbortController();
    const mcmc = new MCMC(new NUTS(conjugate), {
      ...quiet,
      numWarmup: 100,
      numSamples: 200,
      numChains: 3,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.chain === 1 && p.phase === "sampling" && p.iteration === 100 + 40) controller.abort();
      },
    });
    await mcmc.run(PRNGKey(1), y);
    expect(mcmc.aborted).toBe(true);
    // Chain 0 complete, chain 1 stopped after 40 draws, chain 2 never ran.
    expect(mcmc.getSamples().mu.shape).toEqual([240]);
    const grouped = mcmc.getSamples({ groupByChain: true }).mu;
    expect(grouped.shape).toEqual([2, 40]);
    const pooled = mcmc.getSamples().mu.data;
    expect(Array.from(grouped.data.subarray(0, 40))).toEqual(Array.from(pooled.subarray(0, 40)));
    expect(Array.from(grouped.data.subarray(40))).toEqual(Array.from(pooled.subarray(200, 240)));
    expect(mcmc.summary().mu.mean).toBeCloseTo(grouped.data.reduce((a, b) => a + b, 0) / 80, 12);
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    mcmc.printSummary();
    expect(String(log.mock.calls[0][0])).toMatch(/mu/);
    const run = mcmc.toMcmcRun();
    expect(run.metadata.numChains).toBe(2);
    expect(run.extra.lp.shape).toEqual([2, 40]);
    expect(
      formatCmdStanCSV(run, 1)
        .split("\n")
        .filter((l) => /^-?\d/.test(l)),
    ).toHaveLength(40);
    expect(() => traceSpec(run)).not.toThrow();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(
      /different numbers of draws \(200, 40\).*first 40 draws of each chain/,
    );
  });

  it("refuses to continue from a state taken during an aborted warmup", async () => {
    const controller = new AbortController();
    const first = new MCMC(new NUTS(conjugate), {
      ...quiet,
      numWarmup: 200,
      numSamples: 100,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.iteration === 50) controller.abort();
      },
    });
    await first.run(PRNGKey(2), y);
    expect(first.lastState[0].warmupComplete).toBe(false);
    const more = new MCMC(new NUTS(conjugate), { ...quiet, numWarmup: 0, numSamples: 10 });
    more.postWarmupState = first.lastState;
    await expect(more.run(PRNGKey(3), y)).rejects.toThrow(
      /postWarmupState\[0\] was taken from a chain stopped during warmup/,
    );
    await expect(more.run(PRNGKey(3), y)).rejects.toBeInstanceOf(ArgumentError);
  });

  it("a second run() while one is running is an error; the first run is unaffected", async () => {
    const mcmc = new MCMC(new NUTS(conjugate), { ...quiet, numWarmup: 100, numSamples: 100 });
    const first = mcmc.run(PRNGKey(4), y);
    await expect(mcmc.run(PRNGKey(5), y)).rejects.toBeInstanceOf(RunInProgressError);
    await first;
    expect(mcmc.getSamples().mu.shape).toEqual([100]);
    // Once it is over, the object runs again.
    await mcmc.run(PRNGKey(5), y);
    expect(mcmc.getSamples().mu.shape).toEqual([100]);
  });
});

describe("errors", () => {
  it("the Promise facade rejects with the tagged error class itself", async () => {
    const mcmc = new MCMC(new NUTS(impossible), { ...quiet, numWarmup: 10, numSamples: 10 });
    const error = await mcmc.run(PRNGKey(0)).catch((e: unknown) => e);
    expect((error as InitializationError)._tag).toBe("InitializationError");
    expect(error).toBeInstanceOf(InitializationError);
    expect((error as InitializationError).attempts).toBe(100);
    expect(String(error)).not.toMatch(/FiberFailure/);
  });

  it("a model with no latent site says there is nothing to sample, and to use Predictive", async () => {
    function* allObserved(data: number[]) {
      yield* plate("data", data.length, function* () {
        yield* sample("y", Normal(0, 1), { obs: data });
      });
    }
    const mcmc = new MCMC(new NUTS(allObserved), { ...quiet, numWarmup: 10, numSamples: 10 });
    const error = await mcmc.run(PRNGKey(0), y).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect(String((error as Error).message)).toMatch(/no latent sample site.*nothing to sample/);
    expect(String((error as Error).message)).toMatch(/Predictive/);
  });

  it("errors from worker threads keep their class and tag", async () => {
    const mcmc = new MCMC(new NUTS(impossible), {
      ...quiet,
      numWarmup: 10,
      numSamples: 10,
      numChains: 2,
      chainMethod: "parallel",
    });
    const error = await mcmc.run(PRNGKey(0)).catch((e: unknown) => e);
    expect((error as InitializationError)._tag).toBe("InitializationError");
    expect(error).toBeInstanceOf(InitializationError);
    expect((error as InitializationError).position).toBeInstanceOf(Float64Array);
    // This thread adds the per-site log-probabilities at the failing point.
    expect((error as Error).message).toMatch(/log-probabilities per site at that point: s: .*wall/);
  });

  it("a custom op failing only inside a worker is reported as a worker failure with its cause", async () => {
    const mcmc = new MCMC(new NUTS(workerOnlyFailure), {
      ...quiet,
      numWarmup: 10,
      numSamples: 10,
      numChains: 2,
      chainMethod: "parallel",
      workerImports: [new URL("./fixtures/worker-only-failure.ts", import.meta.url).href],
    });
    const error = await mcmc.run(PRNGKey(0), y).catch((e: unknown) => e);
    expect((error as WorkerError)._tag).toBe("WorkerError");
    expect(error).toBeInstanceOf(WorkerError);
    expect((error as WorkerError).message).toMatch(/failed in its worker thread/);
    expect((error as WorkerError).message).toMatch(/this thread computes a finite potential/);
    expect((error as WorkerError).cause).toBeInstanceOf(InitializationError);
    // The model itself is fine in this thread.
    const sequential = new MCMC(new NUTS(workerOnlyFailure), {
      ...quiet,
      numWarmup: 50,
      numSamples: 50,
    });
    await sequential.run(PRNGKey(0), y);
    expect(sequential.getSamples().mu.shape).toEqual([50]);
  });
});
