/**
 * Plots of posterior draws and inference diagnostics, rendered to SVG with Vega-Lite.
 *
 * @example
 * import { plot } from "tyche";
 * await plot.trace(run, { sites: ["mu", "tau"], out: "out/trace.svg" });
 */
import { elboPlot } from "./elbo.js";
import { energyPlot } from "./energy.js";
import { pairPlot } from "./pair.js";
import { posteriorPlot } from "./posterior.js";
import { rankPlot } from "./rank.js";
import { tracePlot } from "./trace.js";

export { type ElboPlotOptions, elboPlot, elboSpec } from "./elbo.js";
export { bfmi, energyPlot, energySpec } from "./energy.js";
export { type DensityCurve, kde } from "./kde.js";
export { type PairPlotOptions, pairPlot, pairSpec } from "./pair.js";
export { type PosteriorPlotOptions, posteriorPlot, posteriorSpec } from "./posterior.js";
export { type RankPlotOptions, rankPlot, rankSpec } from "./rank.js";
export { pooledRanks, rankHistograms } from "./ranks.js";
export { type PlotOptions, type PlotResult, renderPlot } from "./render.js";
export { type TracePlotOptions, tracePlot, traceSpec } from "./trace.js";

/**
 * The plots, each returning `{ svg, spec, path? }` and writing the SVG when `out` is given:
 * `trace`, `rank`, `posterior`, `pair`, `energy` (MCMC) and `elbo` (SVI).
 *
 * @example
 * const { path } = await plot.posterior(run, { sites: ["theta"], hdiProb: 0.9, out: "out/theta.svg" });
 */
export const plot = {
  trace: tracePlot,
  rank: rankPlot,
  posterior: posteriorPlot,
  pair: pairPlot,
  energy: energyPlot,
  elbo: elboPlot,
} as const;
