/**
 * `renderModelSvg`: the model graph of `renderModel` drawn as SVG by Graphviz compiled to
 * WebAssembly (@viz-js/viz), so it works in Node and in the browser without a Graphviz install.
 */
import type { Model } from "../primitives/runtime.js";
import { type RenderModelOptions, renderModel } from "./render-model.js";

type Viz = Awaited<ReturnType<typeof import("@viz-js/viz").instance>>;
let viz: Promise<Viz> | undefined;

/** The Graphviz instance, loaded on first use (its WebAssembly is about 1.2 MB). */
export function graphviz(): Promise<Viz> {
  viz ??= import("@viz-js/viz").then((m) => m.instance());
  return viz;
}

/**
 * The model's graph as an SVG document.
 *
 * @example
 * import { writeFile } from "node:fs/promises";
 * const svg = await renderModelSvg(eightSchools, [sigma, y], { renderDistributions: true });
 * await writeFile("out/eight_schools.svg", svg);
 */
export async function renderModelSvg<A extends unknown[]>(
  model: Model<A, unknown>,
  args: A,
  options: RenderModelOptions = {},
): Promise<string> {
  const dot = renderModel(model, args, options);
  const result = (await graphviz()).render(dot, { format: "svg" });
  if (result.status !== "success") {
    throw new Error(
      `renderModelSvg: Graphviz failed: ${result.errors.map((e) => e.message).join("; ")}`,
    );
  }
  return result.output;
}
