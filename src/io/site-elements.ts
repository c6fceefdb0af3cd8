/**
 * Scalar elements of sites grouped by chain: what a plot panel, a summary row or a CSV column
 * shows. A site of shape `[numChains, numDraws, 2, 3]` has six elements, `x[0,0]` ... `x[1,2]`.
 */
import { ArgumentError } from "../errors.js";
import type { Draws } from "../infer/draws.js";
import { ownValue } from "../util/records.js";
import { sizeOf } from "../util/shapes.js";
import {
  type ChainLayout,
  type ChainSamples,
  chainLayout,
  type McmcRun,
  samplesOf,
} from "./samples.js";

/** One scalar element of a site. */
export interface SiteElement {
  site: string;
  /** 0-based index into the site's own shape (without the chain and draw dimensions). */
  index: number[];
  /** Row-major offset of the element within one draw. */
  offset: number;
  /** `site` for scalars, else `site[i,j]` with 0-based indices. */
  label: string;
}

/**
 * The scalar elements of the chosen sites (all sites when `sites` is omitted), site by site,
 * each site's elements in row-major order.
 *
 * @example
 * siteElements({ theta: { shape: [1, 1, 2], data: new Float64Array(2) } }, undefined, "plot.trace")
 *   .map((e) => e.label); // ["theta[0]", "theta[1]"]
 */
export function siteElements(
  samples: Record<string, Draws>,
  sites: readonly string[] | undefined,
  api: string,
): SiteElement[] {
  chainLayout(samples, api);
  const names = sites ?? Object.keys(samples);
  const elements: SiteElement[] = [];
  for (const site of names) {
    const draws = ownValue(samples, site);
    if (draws === undefined) {
      throw new ArgumentError({
        api,
        argument: "sites",
        message: `${api}: sites must name sites of the samples (${Object.keys(samples).join(", ")}), got "${site}"`,
      });
    }
    const siteShape = draws.shape.slice(2);
    const size = sizeOf(siteShape);
    for (let offset = 0; offset < size; offset++) {
      const index = unravelIndex(offset, siteShape);
      const label = index.length === 0 ? site : `${site}[${index.join(",")}]`;
      elements.push({ site, index, offset, label });
    }
  }
  return elements;
}

/**
 * What a plot of the chosen sites (all when `sites` is omitted) draws from: the samples of the
 * run, their chain layout, and the sites' scalar elements.
 *
 * @example
 * const { samples, layout, elements } = chosenElements(run, ["mu", "tau"], "plot.trace");
 */
export function chosenElements(
  run: McmcRun | ChainSamples,
  sites: readonly string[] | undefined,
  api: string,
): { samples: ChainSamples; layout: ChainLayout; elements: SiteElement[] } {
  const samples = samplesOf(run);
  const layout = chainLayout(samples, api);
  return { samples, layout, elements: siteElements(samples, sites, api) };
}

/**
 * The draws of one element in one chain, as a new array of length `numDraws`.
 *
 * @example
 * const x = { shape: [2, 3], data: Float64Array.of(1, 2, 3, 4, 5, 6) };
 * elementDraws(x, 0, 1, { numChains: 2, numDraws: 3 }); // Float64Array [4, 5, 6]
 */
export function elementDraws(
  draws: Draws,
  offset: number,
  chain: number,
  layout: ChainLayout,
): Float64Array {
  const size = sizeOf(draws.shape.slice(2));
  const out = new Float64Array(layout.numDraws);
  const base = chain * layout.numDraws * size + offset;
  for (let d = 0; d < layout.numDraws; d++) out[d] = draws.data[base + d * size];
  return out;
}

/**
 * The draws of one element, one array per chain.
 *
 * @example
 * elementChains({ shape: [2, 1], data: Float64Array.of(1, 2) }, 0, { numChains: 2, numDraws: 1 }); // [[1], [2]]
 */
export function elementChains(draws: Draws, offset: number, layout: ChainLayout): Float64Array[] {
  return Array.from({ length: layout.numChains }, (_, c) => elementDraws(draws, offset, c, layout));
}

/**
 * Row-major multi-index of a flat offset.
 *
 * @example
 * unravelIndex(5, [2, 3]); // [1, 2]
 */
export function unravelIndex(offset: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    index[i] = offset % shape[i];
    offset = Math.floor(offset / shape[i]);
  }
  return index;
}
