/**
 * Rendering of the plots: a Vega-Lite specification is compiled to Vega and rendered to an SVG
 * string by Vega's headless `View.toSVG()`, which needs neither a browser nor a canvas. Vega
 * and Vega-Lite are imported on first use, so programs that never plot do not load them.
 */
import type { TopLevelSpec } from "vega-lite";
import { ArgumentError } from "../../errors.js";

/** What every plot returns. */
export interface PlotResult {
  /** The SVG document. */
  svg: string;
  /** The Vega-Lite specification it was rendered from (render it in a browser with vega-embed). */
  spec: TopLevelSpec;
  /** The file written, when `out` was given. */
  path?: string;
}

/** Options shared by the plots. */
export interface PlotOptions {
  /** File to write the SVG to (folders are created). */
  out?: string;
  /** Title above the plot. */
  title?: string;
  /** Width of one panel in pixels. */
  width?: number;
  /** Height of one panel in pixels. */
  height?: number;
}

/**
 * Renders a Vega-Lite specification to SVG and writes it to `out` when given.
 *
 * @example
 * const { svg } = await renderPlot({ data: { values: [{ x: 1, y: 2 }] }, mark: "point",
 *   encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } });
 */
export async function renderPlot(spec: TopLevelSpec, out?: string): Promise<PlotResult> {
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  if (out === undefined) return { svg, spec };
  if (typeof out !== "string" || out.length === 0) {
    throw new ArgumentError({
      api: "plot",
      argument: "out",
      message: `plot: out must be a non-empty file path, got ${JSON.stringify(out)}`,
    });
  }
  const { mkdir, writeFile } = await import("node:fs/promises");
  const { dirname } = await import("node:path");
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, svg);
  return { svg, spec, path: out };
}

/** The look shared by every plot: white background, light grid, no view border. */
export const plotConfig = {
  background: "white",
  view: { stroke: null },
  axis: { gridColor: "#eeeeee", labelFontSize: 10, titleFontSize: 11 },
  header: { labelFontSize: 11 },
  legend: { labelFontSize: 10, titleFontSize: 11 },
} as const;

/**
 * The opening every plot's specification shares: the Vega-Lite schema, the title when there
 * is one, and `plotConfig`.
 *
 * @example
 * const spec: TopLevelSpec = { ...specHeader("Trace"), mark: "point", data: { values: [] } };
 */
export function specHeader(title: string | { text: string; subtitle: string } | undefined) {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    ...(title ? { title } : {}),
    config: plotConfig,
  };
}

/** Throws unless the number of panels stays below `maxPanels`. */
export function checkPanels(count: number, maxPanels: number, api: string): void {
  if (count > maxPanels) {
    throw new ArgumentError({
      api,
      argument: "sites",
      message: `${api}: would draw ${count} panels, more than maxPanels = ${maxPanels}; choose fewer sites with the sites option or raise maxPanels`,
    });
  }
}
