import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArgumentError } from "../../src/errors.js";
import { bfmi, plot } from "../../src/io/plot/index.js";
import { divergentColor } from "../../src/io/plot/pair.js";
import { ar1Run } from "./fixture.js";
import { countItems, markItems, parseSvg } from "./svg-marks.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tyche-plot-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Small runs keep rendering fast; 3 chains so per-chain counts are not confused with panels.
const run = ar1Run({ numChains: 3, numDraws: 120, divergenceEvery: 40 });

describe("plot", () => {
  it("trace: one line per chain in each element's panel, written to out", async () => {
    const out = join(dir, "nested", "trace.svg");
    const result = await plot.trace(run, { sites: ["mu", "theta"], out });
    expect(result.path).toBe(out);
    expect(await readFile(out, "utf8")).toBe(result.svg);
    // Vega draws each series of a line mark as its own path: 4 panels (mu, theta[0..2]) x 3 chains.
    expect(countItems(result.svg, "line")).toBe(4 * 3);
    expect(result.svg).toContain("theta[2]");
  });

  it("rank: a histogram of pooled ranks per chain and element, with the uniform line", async () => {
    const { svg } = await plot.rank(run, { sites: ["mu", "Sigma"], bins: 10 });
    const panels = 1 + 6;
    expect(countItems(svg, "rect")).toBe(panels * 3 * 10);
    expect(countItems(svg, "rule")).toBe(panels * 3);
  });

  it("posterior: a density and a shaded HDI per element", async () => {
    const { svg, spec } = await plot.posterior(run, { sites: ["theta"], hdiProb: 0.9 });
    expect(countItems(svg, "line")).toBe(3);
    expect(countItems(svg, "area")).toBe(3);
    expect(countItems(svg, "rule")).toBe(3 * 2);
    expect(svg).toContain("90% HDI");
    expect(JSON.stringify(spec)).toContain("theta[1]");
  });

  it("pair: histograms on the diagonal, scatters below, every divergence in red", async () => {
    const { svg } = await plot.pair(run, { sites: ["mu", "theta"], maxPoints: 100 });
    const elements = 4;
    const scatters = (elements * (elements - 1)) / 2;
    const divergences = run.extra.diverging.data.reduce((a, b) => a + b, 0);
    expect(divergences).toBeGreaterThan(0);
    expect(countItems(svg, "rect")).toBeGreaterThan(elements); // histogram bars
    const symbols = markItems(svg, "symbol");
    expect(symbols.length).toBe(2 * scatters); // a normal and a divergent layer per scatter
    const red = symbols.flat().filter((p) => p["@fill"] === divergentColor);
    expect(red.length).toBe(divergences * scatters);

    const none = await plot.pair(run, { sites: ["mu", "theta"], diverging: false });
    expect(
      markItems(none.svg, "symbol")
        .flat()
        .filter((p) => p["@fill"] === divergentColor),
    ).toEqual([]);
  });

  it("energy: marginal energy and energy transition densities, E-BFMI per chain", async () => {
    const { svg } = await plot.energy(run);
    expect(countItems(svg, "area")).toBe(2);
    expect(svg).toContain("marginal energy");
    expect(svg).toContain("energy transition");
    expect(svg).toContain("E-BFMI per chain");
  });

  it("elbo: the loss and its running mean", async () => {
    const losses = Float64Array.from({ length: 300 }, (_, i) => 50 * Math.exp(-i / 40) + 3);
    const { svg } = await plot.elbo(losses, { window: 10 });
    expect(countItems(svg, "line")).toBe(2);
    parseSvg(svg);
    await expect(plot.elbo([1, -1], { logScale: true })).rejects.toThrow(/logScale/);
  });

  it("reports bad arguments naming the plot and the argument", async () => {
    await expect(plot.trace(run, { sites: ["nope"] })).rejects.toThrow(
      /plot\.trace: sites must name sites of the samples \(mu, theta, Sigma\), got "nope"/,
    );
    await expect(plot.pair(run, { sites: ["mu"] })).rejects.toThrow(ArgumentError);
    await expect(
      plot.pair(run.samples, { sites: ["mu", "theta"], diverging: true }),
    ).rejects.toThrow(/diverging = true needs a run with extra\.diverging, got bare samples/);
    await expect(plot.rank(run, { maxPanels: 2 })).rejects.toThrow(/more than maxPanels = 2/);
    await expect(plot.energy({ ...run, extra: {} })).rejects.toThrow(/extra\.energy/);
  });
});

describe("bfmi", () => {
  it("is the mean squared energy step over the energy variance", () => {
    // Alternating energies: steps of 1 squared (3 of them) over deviations 4 * 0.25.
    expect(bfmi({ shape: [1, 4], data: Float64Array.of(1, 2, 1, 2) })).toEqual([3]);
    // A slow drift has small steps relative to its spread.
    const drift = Float64Array.from({ length: 100 }, (_, i) => i);
    expect(bfmi({ shape: [1, 100], data: drift })[0]).toBeLessThan(0.01);
  });
});
