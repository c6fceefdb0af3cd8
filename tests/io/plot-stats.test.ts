import { describe, expect, it } from "vitest";
import { hdi } from "../../src/io/plot/hdi.js";
import { kde } from "../../src/io/plot/kde.js";
import { pooledRanks, rankHistograms } from "../../src/io/plot/ranks.js";
import { normalStream } from "./fixture.js";

describe("hdi", () => {
  it("is the narrowest interval holding at least prob of the draws", () => {
    expect(hdi([1, 2, 3, 4, 100], 0.6)).toEqual([1, 3]);
    expect(hdi([5, 1, 4, 2, 3], 1)).toEqual([1, 5]);
    // Evenly spaced draws: any window of 90 draws has the same width; the first one wins.
    const grid = Array.from({ length: 100 }, (_, i) => i);
    expect(hdi(grid, 0.9)).toEqual([0, 89]);
  });

  it("matches the exact HDI of a normal and of an exponential within Monte Carlo error", () => {
    const normal = normalStream(7);
    const n = 20_000;
    const z = Float64Array.from({ length: n }, () => normal());
    const [lo, hi] = hdi(z, 0.9);
    // Exact: +-1.6449. The order statistics near the 5% quantile have sd ~ 0.015 here.
    expect(lo).toBeCloseTo(-1.6449, 1);
    expect(hi).toBeCloseTo(1.6449, 1);
    // Exponential(1): the HDI starts at 0 and ends at -log(1 - p); draws by inversion.
    const u = Float64Array.from({ length: n }, (_, i) => (i + 0.5) / n);
    const exponential = u.map((v) => -Math.log(1 - v));
    const [a, b] = hdi(exponential, 0.8);
    expect(a).toBeLessThan(0.001);
    expect(b).toBeCloseTo(-Math.log(0.2), 3);
  });

  it("rejects a bad probability or empty draws, naming the argument", () => {
    expect(() => hdi([1, 2], 1.5)).toThrow(/hdi: prob must be in \(0, 1\], got 1\.5/);
    expect(() => hdi([], 0.5)).toThrow(/hdi: values must contain at least one draw/);
    expect(() => hdi([1, Number.NaN], 0.5)).toThrow(/NaN/);
  });
});

describe("kde", () => {
  it("integrates to about one and peaks near the mode of normal draws", () => {
    const normal = normalStream(3);
    const draws = Float64Array.from({ length: 5000 }, () => 2 + 0.5 * normal());
    const { x, density, bandwidth } = kde(draws, 400);
    expect(bandwidth).toBeGreaterThan(0);
    let area = 0;
    for (let i = 1; i < x.length; i++)
      area += ((density[i] + density[i - 1]) / 2) * (x[i] - x[i - 1]);
    // The grid stops at the extreme draws, so a little kernel mass falls outside.
    expect(area).toBeGreaterThan(0.97);
    expect(area).toBeLessThan(1.001);
    const peak = x[density.indexOf(Math.max(...density))];
    expect(Math.abs(peak - 2)).toBeLessThan(0.1);
  });

  it("handles constant and non-finite draws", () => {
    const constant = kde([3, 3, 3]);
    expect(Array.from(constant.x)).toEqual([3]);
    expect(constant.density[0]).toBeGreaterThan(0);
    expect(kde([Number.NaN]).x.length).toBe(0);
  });
});

describe("rank histograms", () => {
  it("ranks pooled draws with average ranks for ties", () => {
    const ranks = pooledRanks([Float64Array.of(0.3, 0.1), Float64Array.of(0.2, 0.3)]);
    expect(ranks.map((r) => Array.from(r))).toEqual([
      [3.5, 1],
      [2, 3.5],
    ]);
  });

  it("are flat for exchangeable chains and sloped for a shifted chain", () => {
    const normal = normalStream(11);
    const chain = (shift: number) => Float64Array.from({ length: 1000 }, () => normal() + shift);
    const mixed = rankHistograms([chain(0), chain(0)], 4);
    mixed.forEach((counts) => {
      expect(counts.reduce((a, b) => a + b, 0)).toBe(1000);
      // Expected 250 per bin; binomial-like sd ~ 14.
      counts.forEach((c) => expect(Math.abs(c - 250)).toBeLessThan(70));
    });
    const [low, high] = rankHistograms([chain(0), chain(2)], 4);
    expect(low[0]).toBeGreaterThan(400);
    expect(high[3]).toBeGreaterThan(400);
  });
});
