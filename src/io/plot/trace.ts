/**
 * Trace plots: each scalar element's draws against the iteration, one line per chain, one
 * panel per element. Chains that have mixed look alike and overlap.
 */
import type { TopLevelSpec } from "vega-lite";
import { type ChainSamples, type McmcRun, type RunLike, resolveRun } from "../samples.js";
import { chosenElements, elementDraws } from "../site-elements.js";
import {
  checkPanels,
  type PlotOptions,
  type PlotResult,
  renderPlot,
  specHeader,
} from "./render.js";

/** Options of `plot.trace`. */
export interface TracePlotOptions extends PlotOptions {
  /** Sites to draw (all when omitted); a site with several elements gets a panel per element. */
  sites?: string[];
  /** Largest number of panels allowed (default 32). */
  maxPanels?: number;
}

const api = "plot.trace";

/**
 * The Vega-Lite specification of a trace plot.
 *
 * @example
 * const spec = traceSpec(run, { sites: ["mu", "tau"] });
 */
export function traceSpec(
  run: McmcRun | ChainSamples,
  options: TracePlotOptions = {},
): TopLevelSpec {
  const { samples, layout, elements } = chosenElements(run, options.sites, api);
  checkPanels(elements.length, options.maxPanels ?? 32, api);
  const values: { label: string; chain: number; draw: number; value: number }[] = [];
  for (const e of elements) {
    for (let c = 0; c < layout.numChains; c++) {
      const draws = elementDraws(samples[e.site], e.offset, c, layout);
      draws.forEach((value, draw) => {
        values.push({ label: e.label, chain: c + 1, draw, value });
      });
    }
  }
  return {
    ...specHeader(options.title),
    data: { values },
    facet: {
      row: { field: "label", type: "nominal", sort: elements.map((e) => e.label), title: null },
    },
    spec: {
      width: options.width ?? 480,
      height: options.height ?? 110,
      mark: { type: "line", strokeWidth: 0.8, opacity: 0.85 },
      encoding: {
        x: { field: "draw", type: "quantitative", title: "draw" },
        y: { field: "value", type: "quantitative", scale: { zero: false }, title: null },
        color: { field: "chain", type: "nominal", title: "chain" },
      },
    },
    resolve: { scale: { y: "independent" } },
  };
}

/**
 * Trace plot per chain of the chosen sites, as SVG; written to `out` when given.
 *
 * @example
 * const { svg, path } = await plot.trace(run, { sites: ["mu"], out: "out/trace.svg" });
 */
export async function tracePlot(run: RunLike, options: TracePlotOptions = {}): Promise<PlotResult> {
  return renderPlot(traceSpec(resolveRun(run), options), options.out);
}
