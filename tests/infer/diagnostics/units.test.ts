/** The building blocks of the diagnostics, each against a value derived by hand. */
import { describe, expect, it } from "vitest";
import { autocovariance } from "../../../src/infer/diagnostics/autocovariance.js";
import {
  essBulk,
  formatSummary,
  hpdi,
  median,
  quantile,
  rhat,
  summary,
} from "../../../src/infer/diagnostics/index.js";
import { averageRanks, normalQuantile } from "../../../src/infer/diagnostics/rank-normalize.js";

describe("autocovariance", () => {
  it("equals the direct biased sum (1/N) sum (x_i - m)(x_{i+t} - m)", () => {
    const x = Array.from({ length: 37 }, (_, i) => Math.sin(i * 1.3) + 0.1 * i);
    const m = x.reduce((a, b) => a + b, 0) / x.length;
    const fast = autocovariance(x);
    for (let t = 0; t < x.length; t++) {
      let direct = 0;
      for (let i = 0; i + t < x.length; i++) direct += (x[i] - m) * (x[i + t] - m);
      expect(fast[t]).toBeCloseTo(direct / x.length, 12);
    }
  });
});

describe("ranks and quantiles", () => {
  it("gives tied values their average rank", () => {
    expect(Array.from(averageRanks([10, 20, 10, 30, 20, 20]))).toEqual([1.5, 4, 1.5, 6, 4, 4]);
  });
  it("normal quantile matches known values", () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.5)).toBe(0);
  });
  it("interpolates as R type 7", () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.1)).toBeCloseTo(1.4, 14);
    expect(median([3, 1, 2])).toBe(2);
  });
});

describe("hpdi", () => {
  it("finds the shortest interval of a right-skewed sample", () => {
    // Exponential(1) quantiles: the 90% HPD interval is [0, -log(0.1)].
    const n = 20_000;
    const x = Array.from({ length: n }, (_, i) => -Math.log(1 - (i + 0.5) / n));
    const [lo, hi] = hpdi(x, 0.9);
    expect(lo).toBeLessThan(1e-3);
    expect(hi).toBeCloseTo(-Math.log(0.1), 3);
  });
  it("is the central interval for a symmetric sample", () => {
    const n = 10_001;
    const x = Array.from({ length: n }, (_, i) => normalQuantile((i + 0.5) / n));
    const [lo, hi] = hpdi(x, 0.9);
    expect(lo).toBeCloseTo(-1.6448536, 2);
    expect(hi).toBeCloseTo(1.6448536, 2);
  });
  it("rejects a probability outside (0, 1)", () => {
    expect(() => hpdi([1, 2], 1.5)).toThrow(/hpdi: prob must be in \(0, 1\), got 1.5/);
  });
});

describe("bad input", () => {
  it("names the API and the lengths of ragged chains", () => {
    expect(() =>
      rhat([
        [1, 2, 3],
        [1, 2],
      ]),
    ).toThrow(/rhat: all chains must have the same length, got lengths 3, 2/);
    expect(() => essBulk([])).toThrow(/essBulk: chains must be a non-empty array/);
  });
  it("answers NaN for constant or non-finite draws, as posterior answers NA", () => {
    expect(
      rhat([
        [1, 1, 1, 1],
        [1, 1, 1, 1],
      ]),
    ).toBeNaN();
    expect(essBulk([[1, Number.NaN, 2, 3]])).toBeNaN();
  });
});

describe("summary", () => {
  const chains = [
    [0.1, -0.4, 0.3, 1.2, 0.8, -0.2],
    [0.5, -1.1, 0.2, 0.7, -0.3, 0.4],
  ];
  it("expands { shape, data } grouped by chain into one row per element", () => {
    // Two chains x six draws x two elements; element 1 is element 0 doubled.
    const data = new Float64Array(2 * 6 * 2);
    for (let c = 0; c < 2; c++) {
      for (let d = 0; d < 6; d++) {
        data[(c * 6 + d) * 2] = chains[c][d];
        data[(c * 6 + d) * 2 + 1] = 2 * chains[c][d];
      }
    }
    const rows = summary({ theta: { shape: [2, 6, 2], data }, mu: chains });
    expect(Object.keys(rows)).toEqual(["theta[0]", "theta[1]", "mu"]);
    expect(rows["theta[0]"].mean).toBeCloseTo(rows.mu.mean, 15);
    expect(rows["theta[1]"].sd).toBeCloseTo(2 * rows.mu.sd, 14);
    expect(rows["theta[1]"].rhat).toBeCloseTo(rows.mu.rhat, 12); // rank-based: scale-free
  });
  it("prints a table with the divergence count", () => {
    const text = formatSummary(summary({ mu: chains }), { numDivergences: 3 });
    expect(text.split("\n")[0]).toMatch(
      /mean\s+sd\s+median\s+5%\s+95%\s+ess_bulk\s+ess_tail\s+r_hat/,
    );
    expect(text).toMatch(/^mu\s+0\.18/m);
    expect(text).toMatch(/Number of divergences: 3$/);
  });
  it("rejects a shape that does not match the data", () => {
    expect(() => summary({ x: { shape: [2, 5], data: new Float64Array(9) } })).toThrow(
      /summary: samples\["x"\] must have shape \[numChains, numDraws, \.\.\.event\]/,
    );
  });
});
