/**
 * Pair plots: for a few scalar elements, a scatter plot of every pair below the diagonal and
 * a histogram of each on the diagonal, with divergent transitions drawn in red on top. Where
 * divergences gather shows the region the sampler cannot explore (the neck of a funnel).
 */
import type { TopLevelSpec } from "vega-lite";
import { ArgumentError } from "../../errors.js";
import type { Draws } from "../../infer/draws.js";
import {
  type ChainSamples,
  isMcmcRun,
  type McmcRun,
  type RunLike,
  resolveRun,
} from "../samples.js";
import { chosenElements } from "../site-elements.js";
import { type PlotOptions, type PlotResult, renderPlot, specHeader } from "./render.js";

/** Options of `plot.pair`. */
export interface PairPlotOptions extends PlotOptions {
  /** Sites to draw (all when omitted); at least two elements in all, at most `maxElements`. */
  sites?: string[];
  /**
   * Divergent transitions to mark: `true` takes `run.extra.diverging` (the default when given
   * a run that has it), `false` marks none, or a `Draws` of shape `[numChains, numDraws]`.
   */
  diverging?: boolean | Draws;
  /** Most non-divergent points per scatter (evenly thinned; default 500). */
  maxPoints?: number;
  /** Largest number of elements allowed (default 6). */
  maxElements?: number;
}

const api = "plot.pair";
export const divergentColor = "#d62728";

/**
 * The Vega-Lite specification of a pair plot.
 *
 * @example
 * const spec = pairSpec(run, { sites: ["mu", "tau"] });
 */
export function pairSpec(run: McmcRun | ChainSamples, options: PairPlotOptions = {}): TopLevelSpec {
  const { samples, layout, elements } = chosenElements(run, options.sites, api);
  const maxElements = options.maxElements ?? 6;
  if (elements.length < 2 || elements.length > maxElements) {
    throw new ArgumentError({
      api,
      argument: "sites",
      message: `${api}: the sites must have between 2 and maxElements = ${maxElements} scalar elements in all, got ${elements.length} (${elements.map((e) => e.label).join(", ")})`,
    });
  }
  const n = layout.numChains * layout.numDraws;
  const divergent = divergentMask(run, options.diverging, n);
  // Pooled draws of each element, chain after chain.
  const columns = elements.map((e) => {
    const draws = samples[e.site];
    const size = draws.data.length / n;
    return Float64Array.from({ length: n }, (_, i) => draws.data[i * size + e.offset]);
  });
  const maxPoints = options.maxPoints ?? 500;
  const step = Math.max(1, Math.ceil(n / maxPoints));
  const shown = Array.from({ length: n }, (_, i) => i).filter(
    (i) => divergent[i] === 1 || i % step === 0,
  );
  const size = options.width ?? 130;
  const last = elements.length - 1;
  const rows = elements.map((rowElement, i) => ({
    hconcat: elements.slice(0, i + 1).map((columnElement, j) => {
      const xTitle = i === last ? columnElement.label : null;
      if (i === j) {
        return {
          width: size,
          height: size,
          data: { values: Array.from(columns[i], (value) => ({ value })) },
          mark: { type: "bar" as const, color: "#4c78a8" },
          encoding: {
            x: {
              field: "value",
              type: "quantitative" as const,
              bin: { maxbins: 30 },
              title: xTitle,
            },
            y: { aggregate: "count" as const, type: "quantitative" as const, title: null },
          },
        };
      }
      const points = shown.map((k) => ({
        x: columns[j][k],
        y: columns[i][k],
        divergent: divergent[k],
      }));
      const encoding = {
        x: { field: "x", type: "quantitative" as const, scale: { zero: false }, title: xTitle },
        y: {
          field: "y",
          type: "quantitative" as const,
          scale: { zero: false },
          title: j === 0 ? rowElement.label : null,
        },
      };
      return {
        width: size,
        height: size,
        data: { values: points },
        layer: [
          {
            transform: [{ filter: "datum.divergent == 0" }],
            mark: { type: "point" as const, filled: true, size: 6, opacity: 0.4, color: "#4c78a8" },
            encoding,
          },
          {
            transform: [{ filter: "datum.divergent == 1" }],
            mark: { type: "point" as const, filled: true, size: 18, color: divergentColor },
            encoding,
          },
        ],
      };
    }),
  }));
  return {
    ...specHeader(options.title),
    vconcat: rows,
  };
}

/**
 * Pair plot of a few sites with divergent transitions marked, as SVG; written to `out` when given.
 *
 * @example
 * const { svg } = await plot.pair(run, { sites: ["mu", "tau"], out: "out/pair.svg" });
 */
export async function pairPlot(run: RunLike, options: PairPlotOptions = {}): Promise<PlotResult> {
  return renderPlot(pairSpec(resolveRun(run), options), options.out);
}

function divergentMask(
  run: McmcRun | ChainSamples,
  diverging: boolean | Draws | undefined,
  n: number,
): Uint8Array {
  const mask = new Uint8Array(n);
  let source: Draws | undefined;
  if (diverging === undefined || diverging === true) {
    source = isMcmcRun(run) ? run.extra.diverging : undefined;
    if (diverging === true && source === undefined) {
      throw new ArgumentError({
        api,
        argument: "diverging",
        message: `${api}: diverging = true needs a run with extra.diverging, got ${isMcmcRun(run) ? "a run without it" : "bare samples"}`,
      });
    }
  } else if (diverging !== false) {
    source = diverging;
  }
  if (source === undefined) return mask;
  if (source.data.length !== n) {
    throw new ArgumentError({
      api,
      argument: "diverging",
      message: `${api}: diverging must have one value per draw (${n}), got ${source.data.length}`,
    });
  }
  for (let i = 0; i < n; i++) mask[i] = source.data[i] !== 0 ? 1 : 0;
  return mask;
}
