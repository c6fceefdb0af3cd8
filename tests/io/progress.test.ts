import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import {
  estimateRemaining,
  formatBar,
  formatChainLine,
  formatDuration,
  formatSviLine,
} from "../../src/progress/format.js";
import { mcmcProgressBar } from "../../src/progress/mcmc-progress.js";
import { sviProgressBar } from "../../src/progress/svi-progress.js";

/** A writable that says it is a terminal and keeps what is written to it. */
class FakeTerminal extends Writable {
  isTTY: boolean;
  columns = 140;
  rows = 40;
  chunks: string[] = [];
  constructor(isTTY = true) {
    super();
    this.isTTY = isTTY;
  }
  override _write(chunk: Buffer | string, _encoding: string, done: () => void): void {
    this.chunks.push(chunk.toString());
    done();
  }
  /** Everything written, escape sequences removed. */
  text(): string {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping terminal escapes
    return this.chunks.join("").replace(/\x1b(\[[0-9;?]*[A-Za-z]|[78])/g, "\n");
  }
}

/** A clock the test moves by hand (milliseconds). */
function fakeClock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const savedCI = process.env.CI;
afterEach(() => {
  if (savedCI === undefined) delete process.env.CI;
  else process.env.CI = savedCI;
});

describe("progress text", () => {
  it("formats durations, estimates and bars", () => {
    expect(formatDuration(42.4)).toBe("42s");
    expect(formatDuration(185)).toBe("3m05s");
    expect(formatDuration(3720)).toBe("1h02m");
    expect(formatDuration(undefined)).toBe("--");
    expect(estimateRemaining(25, 100, 10)).toBe(30);
    expect(estimateRemaining(0, 100, 10)).toBeUndefined();
    expect(formatBar(1, 4, 8)).toBe("██░░░░░░");
    expect(formatBar(9, 4, 4)).toBe("████");
  });

  it("writes a chain's line with phase, step size, numDivergences and ETA", () => {
    expect(
      formatChainLine(
        { iteration: 250, phase: "warmup", stepSize: 0.41234, numDivergences: 1 },
        { chain: 0, total: 1000, elapsedSeconds: 5 },
      ),
    ).toBe("chain 1 █████░░░░░░░░░░░░░░░  25%  250/1000 warmup   step 0.412 div 1 ETA 15s");
    expect(
      formatChainLine(
        { iteration: 1000, phase: "sampling", stepSize: 3.2e-5, numDivergences: 0 },
        { chain: 9, total: 1000, elapsedSeconds: 75, chainDigits: 2 },
      ),
    ).toBe(
      "chain 10 ████████████████████ 100% 1000/1000 sampling step 3.20e-5 div 0 done in 1m15s",
    );
    expect(
      formatChainLine(
        { iteration: 0, phase: "warmup" },
        { chain: 1, total: 10, elapsedSeconds: 0 },
      ),
    ).toBe("chain 2 ░░░░░░░░░░░░░░░░░░░░   0%  0/10 warmup   ETA --");
  });

  it("writes the SVI line with the running loss", () => {
    expect(
      formatSviLine({
        step: 500,
        total: 2000,
        runningLoss: 123.456,
        window: 100,
        elapsedSeconds: 2,
      }),
    ).toBe("SVI █████░░░░░░░░░░░░░░░  25%  500/2000 loss 123.5 (mean of 100) ETA 6s");
  });
});

describe("mcmcProgressBar", () => {
  it("draws a line per chain on a terminal and the final state on stop", () => {
    const terminal = new FakeTerminal();
    const clock = fakeClock();
    const bar = mcmcProgressBar({
      chains: 2,
      total: 400,
      title: "NUTS test",
      stream: terminal,
      enabled: true,
      now: clock.now,
    });
    expect(bar.enabled).toBe(true);
    bar.update(0, { iteration: 1, phase: "warmup", stepSize: 1, numDivergences: 0 });
    clock.advance(1000);
    bar.update(0, { iteration: 101, phase: "warmup", stepSize: 0.25, numDivergences: 2 });
    const text = terminal.text();
    expect(text).toContain("NUTS test");
    // 100 iterations in 1 s since the first update: 299 left take 3 s.
    expect(text).toContain(
      "chain 1 █████░░░░░░░░░░░░░░░  25% 101/400 warmup   step 0.25 div 2 ETA 3s",
    );
    expect(text).toContain("chain 2 ░░░░░░░░░░░░░░░░░░░░   0%   0/400 warmup   ETA --");
    clock.advance(1000);
    bar.update(0, { iteration: 400, phase: "sampling", stepSize: 0.25, numDivergences: 2 });
    bar.stop();
    expect(terminal.text()).toContain("400/400 sampling step 0.25 div 2 done in 2s");
  });

  it("redraws at most once per throttle interval, however often it is updated", () => {
    const terminal = new FakeTerminal();
    const clock = fakeClock();
    const bar = mcmcProgressBar({
      chains: 1,
      total: 100_000,
      stream: terminal,
      enabled: true,
      now: clock.now,
      throttleMs: 100,
    });
    bar.update(0, { iteration: 1, phase: "warmup" });
    const afterFirst = terminal.chunks.length;
    for (let i = 2; i <= 50_000; i++) bar.update(0, { iteration: i, phase: "warmup" });
    expect(terminal.chunks.length).toBe(afterFirst);
    clock.advance(100);
    bar.update(0, { iteration: 50_001, phase: "sampling" });
    expect(terminal.chunks.length).toBeGreaterThan(afterFirst);
    expect(terminal.text()).toContain("50001/100000 sampling");
    bar.stop();
  });

  it("is silent off a terminal, under CI, and when turned off", () => {
    const pipe = new FakeTerminal(false);
    const offTerminal = mcmcProgressBar({ chains: 1, total: 10, stream: pipe });
    offTerminal.update(0, { iteration: 5, phase: "warmup" });
    offTerminal.stop();
    expect(offTerminal.enabled).toBe(false);
    expect(pipe.chunks).toEqual([]);

    process.env.CI = "true";
    const terminal = new FakeTerminal();
    const underCI = mcmcProgressBar({ chains: 1, total: 10, stream: terminal });
    underCI.update(0, { iteration: 5, phase: "warmup" });
    underCI.stop();
    expect(underCI.enabled).toBe(false);
    delete process.env.CI;
    const off = mcmcProgressBar({ chains: 1, total: 10, stream: terminal, enabled: false });
    off.update(0, { iteration: 5, phase: "warmup" });
    off.stop();
    expect(off.enabled).toBe(false);
    expect(terminal.chunks).toEqual([]);
  });

  it("takes the MCMC driver's progress reports as they are", () => {
    const terminal = new FakeTerminal();
    const bar = mcmcProgressBar({ chains: 2, total: 20, stream: terminal, enabled: true });
    // The shape of MCMC's onProgress reports (src/infer/mcmc): extra fields are ignored.
    const report = {
      chain: 1,
      numChains: 2,
      phase: "sampling" as const,
      iteration: 15,
      numIterations: 20,
      stepSize: 0.5,
      numDivergences: 3,
    };
    bar.update(report.chain, report);
    bar.stop();
    expect(terminal.text()).toContain(
      "chain 2 ███████████████░░░░░  75% 15/20 sampling step 0.5 div 3",
    );
  });

  it("names the API and argument in its errors", () => {
    expect(() => mcmcProgressBar({ chains: 0, total: 10, enabled: false })).toThrow(
      /mcmcProgressBar: chains must be a positive integer, got 0/,
    );
    const bar = mcmcProgressBar({
      chains: 1,
      total: 10,
      stream: new FakeTerminal(),
      enabled: true,
    });
    expect(() => bar.update(3, { iteration: 1, phase: "warmup" })).toThrow(
      /McmcProgressBar\.update: chain must be an integer in \[0, 0\], got 3/,
    );
    bar.stop();
  });
});

describe("sviProgressBar", () => {
  it("shows the mean loss of the last window of steps", () => {
    const terminal = new FakeTerminal();
    const clock = fakeClock();
    const bar = sviProgressBar({
      total: 20,
      window: 4,
      stream: terminal,
      enabled: true,
      now: clock.now,
      throttleMs: 0,
    });
    for (let step = 1; step <= 10; step++) {
      clock.advance(100);
      bar.update(step, step);
    }
    // Mean of the losses 7, 8, 9, 10; 9 steps took 0.9 s, so 10 more take 1 s.
    expect(terminal.text()).toContain(
      "SVI ██████████░░░░░░░░░░  50% 10/20 loss 8.500 (mean of 4) ETA 1s",
    );
    bar.stop();
  });
});
