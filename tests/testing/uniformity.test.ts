/**
 * The uniformity tests and rank statistics behind sbc: chi-square p-values against closed
 * forms, the ECDF band's false-alarm rate (within Monte Carlo error of alpha) and power,
 * ranks, thinning by ESS, fractional ranks and histograms.
 */
import erfcF64 from "@stdlib/math-base-special-erfc";
import { describe, expect, it } from "vitest";
import { foldIn, PRNGKey } from "../../src/index.js";
import { normal, uniform } from "../../src/infer/kernels.js";
import { binCounts, chiSquareUniformity, defaultBins } from "../../src/testing/chi-square.js";
import { ecdfBand, ecdfUniformity } from "../../src/testing/ecdf-band.js";
import { histogramChart, rankHistogram, sparkline } from "../../src/testing/rank-histogram.js";
import { fractionalRank, rankOf, thin, thinningStep } from "../../src/testing/rank-statistics.js";

/** Values in [0, 1) with the given counts on equal bins (each at its bin's middle). */
function withCounts(counts: number[]): number[] {
  return counts.flatMap((c, i) => new Array<number>(c).fill((i + 0.5) / counts.length));
}

describe("chi-square test of uniformity", () => {
  it("gives P(chi2_2 >= X) = exp(-X/2) and P(chi2_1 >= X) = erfc(sqrt(X/2))", () => {
    const three = chiSquareUniformity(withCounts([10, 5, 0]), 3);
    expect(three.statistic).toBeCloseTo(10, 12);
    expect(three.df).toBe(2);
    expect(Math.abs(three.pValue - Math.exp(-5))).toBeLessThan(1e-12);
    const two = chiSquareUniformity(withCounts([8, 2]), 2);
    expect(two.statistic).toBeCloseTo(3.6, 12);
    expect(Math.abs(two.pValue - erfcF64(Math.sqrt(1.8)))).toBeLessThan(1e-12);
    expect(chiSquareUniformity(withCounts([5, 5, 5, 5]), 4).pValue).toBe(1);
  });

  it("bins values, and picks at most 20 bins with at least 5 expected in each", () => {
    expect(binCounts([0, 0.1, 0.49, 0.5, 0.99999], 2)).toEqual([3, 2]);
    expect(defaultBins(100)).toBe(20);
    expect(defaultBins(40)).toBe(8);
    expect(defaultBins(7)).toBe(2);
  });
});

describe("simultaneous ECDF band (Säilynoja et al. 2022)", () => {
  it("rejects uniform samples at about the level alpha (within Monte Carlo error)", () => {
    const n = 50;
    const alpha = 0.05;
    const samples = 2000;
    let rejected = 0;
    for (let i = 0; i < samples; i++) {
      if (!ecdfUniformity(uniform(foldIn(PRNGKey(31), i), n), { alpha }).ok) rejected++;
    }
    // Binomial error of the rate plus that of the band's own alpha quantile (4000 simulations).
    const sd = Math.sqrt((alpha * (1 - alpha)) / samples + (alpha * (1 - alpha)) / 4000);
    expect(Math.abs(rejected / samples - alpha)).toBeLessThan(4.5 * sd);
  });

  it("rejects samples from a distribution narrower than uniform", () => {
    let rejected = 0;
    for (let i = 0; i < 100; i++) {
      const u = uniform(foldIn(PRNGKey(32), i), 100).map((x) => 0.5 + 0.7 * (x - 0.5));
      if (!ecdfUniformity(u, { alpha: 0.01 }).ok) rejected++;
    }
    expect(rejected).toBeGreaterThanOrEqual(95);
  });

  it("is a band around n z, widest in the middle, with a p-value that agrees with it", () => {
    const band = ecdfBand(100, 20, 0.05);
    expect(band.z).toHaveLength(19);
    band.z.forEach((z, i) => {
      expect(band.lower[i]).toBeLessThanOrEqual(100 * z);
      expect(band.upper[i]).toBeGreaterThanOrEqual(100 * z);
    });
    const width = (i: number) => band.upper[i] - band.lower[i];
    expect(width(9)).toBeGreaterThan(width(0));
    const outside = ecdfUniformity(
      withCounts([30, ...new Array(19).fill(70 / 19)].map(Math.round)),
      {
        alpha: 0.05,
        points: 20,
      },
    );
    expect(outside.ok).toBe(false);
    expect(outside.pValue).toBeLessThan(0.05);
    expect(outside.firstOutside?.z).toBe(0.05);
  });
});

describe("rank statistics", () => {
  it("ranks count the draws below, ties half", () => {
    expect(rankOf(0.3, [0.1, 0.5, 0.2, 0.9])).toBe(2);
    expect(rankOf(1, [1, 1, 1, 1])).toBe(2);
    expect(rankOf(-5, [0, 1])).toBe(0);
    expect(rankOf(5, [0, 1])).toBe(2);
  });

  it("thins by the ESS: about (1 + rho) / (1 - rho) for an AR(1) chain, 1 for independent draws", () => {
    const n = 4000;
    const noise = normal(PRNGKey(40), n);
    const ar = new Float64Array(n);
    const rho = 0.8;
    for (let t = 1; t < n; t++) ar[t] = rho * ar[t - 1] + Math.sqrt(1 - rho * rho) * noise[t];
    const step = thinningStep([ar]);
    expect(step).toBeGreaterThanOrEqual(6);
    expect(step).toBeLessThanOrEqual(13);
    expect(thinningStep([normal(PRNGKey(41), n)])).toBeLessThanOrEqual(2);
    // The smallest ESS over the columns decides.
    expect(thinningStep([normal(PRNGKey(42), n), ar])).toBe(step);
    expect(thin(Float64Array.of(1, 2, 3, 4, 5), 2)).toEqual(Float64Array.of(1, 3, 5));
  });

  it("fractional ranks (r + v) / (L + 1) lie in [0, 1)", () => {
    expect(fractionalRank(0, 9, 0)).toBe(0);
    expect(fractionalRank(9, 9, 0.999)).toBeLessThan(1);
    expect(fractionalRank(3, 9, 0.5)).toBeCloseTo(0.35, 12);
  });

  it("histograms: counts, the 99% band per bin, a sparkline and a chart", () => {
    const h = rankHistogram(withCounts([20, 2, 2, 2, 2, 2, 2, 2, 2, 20]), 10);
    expect(h.counts).toEqual([20, 2, 2, 2, 2, 2, 2, 2, 2, 20]);
    expect(h.expected).toBe(5.6);
    expect(h.lower).toBeLessThan(5.6);
    expect(h.upper).toBeGreaterThan(5.6);
    expect(sparkline(h)).toBe("█▁▁▁▁▁▁▁▁█");
    expect(histogramChart(h).split("\n")[1]).toMatch(/^ {2}0\.00-0\.10 {5}20 {2}#+ {2}<- outside$/);
  });
});
