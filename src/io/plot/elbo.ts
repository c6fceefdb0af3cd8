/**
 * The loss history of stochastic variational inference: the negative ELBO at each step, with
 * its running mean over a window, so the trend shows through the Monte Carlo noise.
 */
import type { TopLevelSpec } from "vega-lite";
import { ArgumentError } from "../../errors.js";
import { type PlotOptions, type PlotResult, renderPlot, specHeader } from "./render.js";

/** Options of `plot.elbo`. */
export interface ElboPlotOptions extends PlotOptions {
  /** Steps in the running mean (default: a fiftieth of the steps, at least 1). */
  window?: number;
  /** Plot on a log scale (all losses must be positive). */
  logScale?: boolean;
}

const api = "plot.elbo";

/**
 * The Vega-Lite specification of a loss-history plot.
 *
 * @example
 * const spec = elboSpec([10, 8, 7, 6.5, 6.4]);
 */
export function elboSpec(losses: ArrayLike<number>, options: ElboPlotOptions = {}): TopLevelSpec {
  const n = losses?.length ?? 0;
  if (n === 0) {
    throw new ArgumentError({
      api,
      argument: "losses",
      message: `${api}: losses must contain at least one value, got ${n === 0 ? "none" : typeof losses}`,
    });
  }
  const window = options.window ?? Math.max(1, Math.floor(n / 50));
  if (!Number.isInteger(window) || window < 1) {
    throw new ArgumentError({
      api,
      argument: "window",
      message: `${api}: window must be a positive integer, got ${window}`,
    });
  }
  if (options.logScale && Array.from(losses).some((l) => !(l > 0))) {
    throw new ArgumentError({
      api,
      argument: "logScale",
      message: `${api}: logScale needs every loss to be positive; the losses contain values <= 0`,
    });
  }
  const values: { step: number; loss: number; series: string }[] = [];
  let sum = 0;
  for (let i = 0; i < n; i++) {
    values.push({ step: i, loss: losses[i], series: "loss" });
    sum += losses[i];
    if (i >= window) sum -= losses[i - window];
    const mean = sum / Math.min(i + 1, window);
    if (window > 1) values.push({ step: i, loss: mean, series: `mean of ${window} steps` });
  }
  return {
    ...specHeader(options.title ?? "SVI loss (negative ELBO)"),
    width: options.width ?? 480,
    height: options.height ?? 240,
    data: { values },
    mark: { type: "line", strokeWidth: 1 },
    encoding: {
      x: { field: "step", type: "quantitative", title: "step" },
      y: {
        field: "loss",
        type: "quantitative",
        title: "loss",
        scale: options.logScale ? { type: "log" } : { zero: false },
      },
      color: {
        field: "series",
        type: "nominal",
        title: null,
        scale: { range: ["#9ecae9", "#1f77b4"] },
      },
    },
  };
}

/**
 * Loss history of SVI (`svi.run(...).losses`), as SVG; written to `out` when given.
 *
 * @example
 * const result = svi.run(PRNGKey(0), 300, data);
 * const { svg } = await plot.elbo(result.losses, { out: "out/elbo.svg" });
 */
export async function elboPlot(
  losses: ArrayLike<number>,
  options: ElboPlotOptions = {},
): Promise<PlotResult> {
  return renderPlot(elboSpec(losses, options), options.out);
}
