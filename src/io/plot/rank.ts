/**
 * Rank plots (Vehtari et al. 2021, section 4.2): the draws of all chains are ranked together
 * and each chain's ranks are shown as a histogram, one panel per element and chain. The dashed
 * line is the count expected when chains are exchangeable; bars far from it flag poor mixing
 * that trace plots hide.
 */
import type { TopLevelSpec } from "vega-lite";
import { ArgumentError } from "../../errors.js";
import { type ChainSamples, type McmcRun, type RunLike, resolveRun } from "../samples.js";
import { chosenElements, elementChains } from "../site-elements.js";
import { rankHistograms } from "./ranks.js";
import {
  checkPanels,
  type PlotOptions,
  type PlotResult,
  renderPlot,
  specHeader,
} from "./render.js";

/** Options of `plot.rank`. */
export interface RankPlotOptions extends PlotOptions {
  /** Sites to draw (all when omitted). */
  sites?: string[];
  /** Number of rank bins (default 20). */
  bins?: number;
  /** Largest number of elements allowed (default 16). */
  maxPanels?: number;
}

const api = "plot.rank";

/**
 * The Vega-Lite specification of a rank plot.
 *
 * @example
 * const spec = rankSpec(run, { sites: ["tau"], bins: 20 });
 */
export function rankSpec(run: McmcRun | ChainSamples, options: RankPlotOptions = {}): TopLevelSpec {
  const { samples, layout, elements } = chosenElements(run, options.sites, api);
  checkPanels(elements.length, options.maxPanels ?? 16, api);
  const bins = options.bins ?? 20;
  if (!Number.isInteger(bins) || bins < 1) {
    throw new ArgumentError({
      api,
      argument: "bins",
      message: `${api}: bins must be a positive integer, got ${bins}`,
    });
  }
  const n = layout.numChains * layout.numDraws;
  const expected = layout.numDraws / bins;
  const values: {
    label: string;
    chain: number;
    start: number;
    end: number;
    count: number;
    expected: number;
  }[] = [];
  for (const e of elements) {
    const histograms = rankHistograms(elementChains(samples[e.site], e.offset, layout), bins);
    histograms.forEach((counts, c) => {
      counts.forEach((count, b) => {
        values.push({
          label: e.label,
          chain: c + 1,
          start: 1 + (b * n) / bins,
          end: 1 + ((b + 1) * n) / bins,
          count,
          expected,
        });
      });
    });
  }
  return {
    ...specHeader(options.title),
    data: { values },
    facet: {
      row: { field: "label", type: "nominal", sort: elements.map((e) => e.label), title: null },
      column: { field: "chain", type: "ordinal", title: "chain" },
    },
    spec: {
      width: options.width ?? 150,
      height: options.height ?? 80,
      layer: [
        {
          mark: { type: "rect", stroke: "white", strokeWidth: 0.5 },
          encoding: {
            x: { field: "start", type: "quantitative", title: "rank (all chains)" },
            x2: { field: "end" },
            y: { field: "count", type: "quantitative", title: "count" },
            y2: { datum: 0 },
            color: { field: "chain", type: "nominal", legend: null },
          },
        },
        {
          mark: { type: "rule", strokeDash: [4, 3], color: "black" },
          encoding: { y: { aggregate: "min", field: "expected", type: "quantitative" } },
        },
      ],
    },
  };
}

/**
 * Rank plot of the chosen sites, one histogram per chain, as SVG; written to `out` when given.
 *
 * @example
 * const { svg } = await plot.rank(run, { sites: ["mu", "tau"], out: "out/rank.svg" });
 */
export async function rankPlot(run: RunLike, options: RankPlotOptions = {}): Promise<PlotResult> {
  return renderPlot(rankSpec(resolveRun(run), options), options.out);
}
