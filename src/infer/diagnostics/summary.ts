/**
 * A summary table of posterior draws, one row per scalar: mean, sd, median, 5% and 95%
 * quantiles, bulk and tail ESS and R-hat: the default columns of `posterior::summarise_draws`
 * (Vehtari et al. 2021), under NumPyro's function names.
 */

import { siteRecord } from "../../util/records.js";
import { type Chains, isDegenerate, mean, pool, sampleVariance, toChainArrays } from "./chains.js";
import { essBulk, essTail } from "./ess.js";
import { quantileOfSorted } from "./quantile.js";
import { rhat } from "./rhat.js";

/** Draws grouped by chain in one row-major buffer: shape [numChains, numDraws, ...event]. */
export interface ChainGroupedDraws {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/** One row of a summary table. */
export interface SummaryRow {
  mean: number;
  sd: number;
  median: number;
  q5: number;
  q95: number;
  essBulk: number;
  essTail: number;
  rhat: number;
}

/** Options of `formatSummary`. */
export interface FormatSummaryOptions {
  /** When given, a last line reports this number of divergent transitions. */
  numDivergences?: number;
  /** Digits after the decimal point of mean, sd and quantiles (default 2). */
  digits?: number;
}

/**
 * Summarizes draws per scalar. Each entry of `samples` is either one scalar's chains
 * (`number[][]` or `Float64Array[]`) or a `{ shape, data }` buffer grouped by chain, which is
 * expanded into one row per element, named `name[i]` or `name[i,j]` (0-based, as NumPyro).
 *
 * @example
 * const table = summary({ mu: [[0.1, -0.4, 0.3, 1.2], [0.5, -1.1, 0.2, 0.7]] });
 * table.mu.mean; // 0.1875
 * console.log(formatSummary(table, { numDivergences: 0 }));
 */
export function summary(
  samples: Readonly<Record<string, Chains | ChainGroupedDraws>>,
): Record<string, SummaryRow> {
  if (samples == null || typeof samples !== "object") {
    throw new TypeError(
      `summary: samples must be a record from names to chains, got ${String(samples)}`,
    );
  }
  const rows = siteRecord<SummaryRow>();
  for (const [name, value] of Object.entries(samples)) {
    for (const [scalarName, chains] of scalarChains(name, value)) {
      rows[scalarName] = summaryRow(chains, scalarName);
    }
  }
  return rows;
}

/**
 * The summary row of one scalar's chains.
 *
 * @example
 * summaryRow([[0.1, -0.4, 0.3, 1.2], [0.5, -1.1, 0.2, 0.7]]).rhat;
 */
export function summaryRow(chains: Chains, name = "value"): SummaryRow {
  const arrays = toChainArrays(chains, `summary (${name})`);
  const pooled = pool(arrays);
  const sorted = Float64Array.from(pooled).sort();
  const degenerate = isDegenerate(arrays);
  return {
    mean: mean(pooled),
    sd: Math.sqrt(sampleVariance(pooled)),
    median: quantileOfSorted(sorted, 0.5),
    q5: quantileOfSorted(sorted, 0.05),
    q95: quantileOfSorted(sorted, 0.95),
    essBulk: degenerate ? Number.NaN : essBulk(arrays),
    essTail: degenerate ? Number.NaN : essTail(arrays),
    rhat: degenerate ? Number.NaN : rhat(arrays),
  };
}

function scalarChains(name: string, value: Chains | ChainGroupedDraws): [string, Chains][] {
  if (Array.isArray(value)) return [[name, value as Chains]];
  const draws = value as ChainGroupedDraws;
  if (draws == null || !Array.isArray(draws.shape) || draws.data == null) {
    throw new TypeError(
      `summary: samples["${name}"] must be chains (one array per chain) or { shape, data } grouped by chain`,
    );
  }
  const [numChains, numDraws, ...eventShape] = draws.shape;
  const eventSize = eventShape.reduce((a, b) => a * b, 1);
  if (draws.shape.length < 2 || numChains * numDraws * eventSize !== draws.data.length) {
    throw new RangeError(
      `summary: samples["${name}"] must have shape [numChains, numDraws, ...event] matching its data, got shape [${draws.shape.join(", ")}] and ${draws.data.length} values`,
    );
  }
  const out: [string, Chains][] = [];
  for (let e = 0; e < eventSize; e++) {
    const chains: Float64Array[] = [];
    for (let c = 0; c < numChains; c++) {
      const chain = new Float64Array(numDraws);
      for (let d = 0; d < numDraws; d++) chain[d] = draws.data[(c * numDraws + d) * eventSize + e];
      chains.push(chain);
    }
    out.push([eventShape.length === 0 ? name : `${name}[${unravelIndex(e, eventShape)}]`, chains]);
  }
  return out;
}

function unravelIndex(flat: number, shape: readonly number[]): string {
  const index: number[] = [];
  for (let k = shape.length - 1; k >= 0; k--) {
    index.unshift(flat % shape[k]);
    flat = Math.floor(flat / shape[k]);
  }
  return index.join(",");
}

/**
 * A fixed-width text table of a summary (the layout of NumPyro's `print_summary`), with an
 * optional divergence count.
 *
 * @example
 * const chains = [
 *   [0.1, 0.4, -0.2, 0.3, 0.0, 0.2],
 *   [0.2, -0.1, 0.5, 0.1, 0.3, -0.3],
 * ]; // two chains of draws of mu
 * console.log(formatSummary(summary({ mu: chains }), { numDivergences: 2 }));
 */
export function formatSummary(
  rows: Readonly<Record<string, SummaryRow>>,
  options: FormatSummaryOptions = {},
): string {
  const digits = options.digits ?? 2;
  const header = ["", "mean", "sd", "median", "5%", "95%", "ess_bulk", "ess_tail", "r_hat"];
  const body = Object.entries(rows).map(([name, row]) => [
    name,
    row.mean.toFixed(digits),
    row.sd.toFixed(digits),
    row.median.toFixed(digits),
    row.q5.toFixed(digits),
    row.q95.toFixed(digits),
    row.essBulk.toFixed(0),
    row.essTail.toFixed(0),
    row.rhat.toFixed(2),
  ]);
  const widths = header.map((h, k) => Math.max(h.length, ...body.map((r) => r[k].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, k) => (k === 0 ? cell.padEnd(widths[k]) : cell.padStart(widths[k])))
      .join("  ");
  const lines = [line(header), ...body.map(line)];
  if (options.numDivergences !== undefined) {
    lines.push("", `Number of divergences: ${options.numDivergences}`);
  }
  return lines.join("\n");
}
