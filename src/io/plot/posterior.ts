/**
 * Posterior density plots: one panel per scalar element with the kernel density of the draws
 * of all chains, the highest density interval shaded, and the mean and interval in the panel
 * title, after ArviZ's `plot_posterior`.
 */
import type { TopLevelSpec } from "vega-lite";
import { ArgumentError } from "../../errors.js";
import { type ChainSamples, type McmcRun, type RunLike, resolveRun } from "../samples.js";
import { chosenElements, elementChains } from "../site-elements.js";
import { hdi } from "./hdi.js";
import { kde } from "./kde.js";
import {
  checkPanels,
  type PlotOptions,
  type PlotResult,
  renderPlot,
  specHeader,
} from "./render.js";

/** Options of `plot.posterior`. */
export interface PosteriorPlotOptions extends PlotOptions {
  /** Sites to draw (all when omitted). */
  sites?: string[];
  /** Probability mass of the highest density interval (default 0.94, as ArviZ). */
  hdiProb?: number;
  /** Panels per row (default 3). */
  columns?: number;
  /** Largest number of panels allowed (default 32). */
  maxPanels?: number;
}

const api = "plot.posterior";

/**
 * The Vega-Lite specification of a posterior density plot.
 *
 * @example
 * const spec = posteriorSpec(run, { sites: ["mu"], hdiProb: 0.9 });
 */
export function posteriorSpec(
  run: McmcRun | ChainSamples,
  options: PosteriorPlotOptions = {},
): TopLevelSpec {
  const { samples, layout, elements } = chosenElements(run, options.sites, api);
  checkPanels(elements.length, options.maxPanels ?? 32, api);
  const hdiProb = options.hdiProb ?? 0.94;
  if (!(hdiProb > 0 && hdiProb < 1)) {
    throw new ArgumentError({
      api,
      argument: "hdiProb",
      message: `${api}: hdiProb must be in (0, 1), got ${hdiProb}`,
    });
  }
  const percent = `${Math.round(hdiProb * 1000) / 10}%`;
  const panels = elements.map((e) => {
    const pooled = concat(elementChains(samples[e.site], e.offset, layout));
    const finite = pooled.filter((v) => Number.isFinite(v));
    const curve = kde(finite);
    const [lo, hi] = finite.length > 0 ? hdi(finite, hdiProb) : [Number.NaN, Number.NaN];
    const mean = finite.reduce((s, v) => s + v, 0) / finite.length;
    const density = Array.from(curve.x, (x, i) => ({ x, density: curve.density[i] }));
    const shaded = [
      { x: lo, density: interpolate(curve.x, curve.density, lo) },
      ...density.filter((d) => d.x > lo && d.x < hi),
      { x: hi, density: interpolate(curve.x, curve.density, hi) },
    ];
    return {
      width: options.width ?? 220,
      height: options.height ?? 140,
      title: {
        text: e.label,
        subtitle: `mean ${format(mean)}, ${percent} HDI [${format(lo)}, ${format(hi)}]`,
        fontSize: 12,
        subtitleFontSize: 10,
      },
      layer: [
        {
          data: { values: shaded },
          mark: { type: "area" as const, opacity: 0.35, color: "#4c78a8" },
          encoding: {
            x: { field: "x", type: "quantitative" as const, title: null },
            y: { field: "density", type: "quantitative" as const, title: null },
          },
        },
        {
          data: { values: density },
          mark: { type: "line" as const, color: "#4c78a8", strokeWidth: 1.5 },
          encoding: {
            x: {
              field: "x",
              type: "quantitative" as const,
              title: null,
              scale: { zero: false, nice: false },
            },
            y: { field: "density", type: "quantitative" as const, title: null },
          },
        },
        {
          data: { values: [{ x: lo }, { x: hi }] },
          mark: { type: "rule" as const, color: "black", strokeWidth: 1.5 },
          encoding: { x: { field: "x", type: "quantitative" as const } },
        },
      ],
    };
  });
  return {
    ...specHeader(options.title),
    columns: options.columns ?? 3,
    concat: panels,
  };
}

/**
 * Posterior densities of the chosen sites with their HDI, as SVG; written to `out` when given.
 *
 * @example
 * const { svg } = await plot.posterior(run, { sites: ["mu", "tau"], hdiProb: 0.94, out: "out/posterior.svg" });
 */
export async function posteriorPlot(
  run: RunLike,
  options: PosteriorPlotOptions = {},
): Promise<PlotResult> {
  return renderPlot(posteriorSpec(resolveRun(run), options), options.out);
}

function concat(arrays: Float64Array[]): Float64Array {
  const out = new Float64Array(arrays.reduce((s, a) => s + a.length, 0));
  let k = 0;
  for (const a of arrays) {
    out.set(a, k);
    k += a.length;
  }
  return out;
}

function interpolate(xs: Float64Array, ys: Float64Array, at: number): number {
  if (xs.length === 0) return 0;
  if (at <= xs[0]) return ys[0];
  for (let i = 1; i < xs.length; i++) {
    if (at <= xs[i]) {
      const t = (at - xs[i - 1]) / (xs[i] - xs[i - 1]);
      return ys[i - 1] + t * (ys[i] - ys[i - 1]);
    }
  }
  return ys[ys.length - 1];
}

/** Three significant digits, as a panel subtitle needs. */
function format(x: number): string {
  return Number.isFinite(x) ? Number(x.toPrecision(3)).toString() : String(x);
}
