/**
 * Reads CmdStan CSV files (CmdStan's own, or those `toCmdStanCSV` writes) back into an
 * `McmcRun`: draws grouped by chain with their original shapes, the sampler statistics under
 * Tyche's names, and what the comments say about the run (configuration, step size, inverse
 * metric, timing). Saved warmup draws, if any, are skipped.
 */
import { ArgumentError } from "../errors.js";
import type { Draws } from "../infer/draws.js";
import { ownValue, siteRecord, siteRecordOf } from "../util/records.js";
import { sizeOf } from "../util/shapes.js";
import { parseCmdstanColumn } from "./cmdstan-names.js";
import { parseNumber } from "./number-text.js";
import { type McmcMetadata, type McmcRun, samplerStatColumns } from "./samples.js";

const api = "readCmdStanCSV";

/** One chain's file, parsed. */
export interface CmdStanChain {
  columns: string[];
  /** Post-warmup draws, row-major `[numDraws, columns.length]`. */
  values: Float64Array;
  numDraws: number;
  /** `key = value` pairs of the configuration header, first occurrence of each key. */
  config: Record<string, string>;
  stepSize?: number;
  /** Diagonal (`diag_e`) or row-major matrix (`dense_e`). */
  inverseMetric?: number[];
  warmupSeconds?: number;
  samplingSeconds?: number;
}

/**
 * Reads one CmdStan CSV file per chain, in chain order, into an `McmcRun`.
 *
 * @example
 * const run = await readCmdStanCSV(["out/eight_schools_1.csv", "out/eight_schools_2.csv"]);
 * run.samples.theta.shape; // [2, 1000, 8]
 */
export async function readCmdStanCSV(paths: string | readonly string[]): Promise<McmcRun> {
  const list = typeof paths === "string" ? [paths] : [...paths];
  if (list.length === 0) {
    throw new ArgumentError({
      api,
      argument: "paths",
      message: `${api}: paths must name at least one CSV file, got none`,
    });
  }
  const { readFile } = await import("node:fs/promises");
  const chains: CmdStanChain[] = [];
  for (const path of list) chains.push(parseCmdStanCSV(await readFile(path, "utf8"), path));
  return chainsToRun(chains, list);
}

/**
 * Parses the text of one CmdStan CSV file; `source` names it in error messages.
 *
 * @example
 * parseCmdStanCSV("lp__,mu\n-1,0.5\n").values; // Float64Array [-1, 0.5]
 */
export function parseCmdStanCSV(text: string, source = "CSV text"): CmdStanChain {
  const lines = text.split(/\r?\n/);
  const config = siteRecord<string>();
  let columns: string[] | undefined;
  const rows: number[] = [];
  let numRows = 0;
  const chain: Omit<CmdStanChain, "columns" | "values" | "numDraws" | "config"> = {};

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line.length === 0) continue;
    if (line.startsWith("#")) {
      const comment = line.replace(/^#+\s*/, "");
      if (columns === undefined) {
        readConfigLine(comment, config);
        continue;
      }
      i = readAdaptationOrTiming(lines, i, comment, chain);
      continue;
    }
    if (columns === undefined) {
      columns = line.split(",").map((c) => c.trim());
      continue;
    }
    const fields = line.split(",");
    if (fields.length !== columns.length) {
      throw parseError(source, i, `${columns.length} fields`, `${fields.length}`);
    }
    for (const field of fields) {
      const x = parseNumber(field);
      if (x === undefined) throw parseError(source, i, "a number", JSON.stringify(field));
      rows.push(x);
    }
    numRows++;
  }
  if (columns === undefined) {
    throw new ArgumentError({
      api,
      argument: "paths",
      message: `${api}: ${source} must have a header row of column names, found only comments`,
    });
  }
  const numWarmupRows = savedWarmupRows(config);
  const numDraws = Math.max(0, numRows - numWarmupRows);
  const values = Float64Array.from(rows.slice(numWarmupRows * columns.length));
  return { columns, values, numDraws, config, ...chain };
}

function readConfigLine(comment: string, config: Record<string, string>): void {
  const eq = comment.indexOf("=");
  if (eq < 0) return;
  const key = comment.slice(0, eq).trim();
  const value = comment
    .slice(eq + 1)
    .replace(/\(Default\)\s*$/, "")
    .trim();
  if (key.length > 0 && !(key in config)) config[key] = value;
}

/** Reads the adaptation and timing comments; returns the index of the last line consumed. */
function readAdaptationOrTiming(
  lines: string[],
  i: number,
  comment: string,
  chain: Omit<CmdStanChain, "columns" | "values" | "numDraws" | "config">,
): number {
  const stepSize = /^Step size\s*=\s*(\S+)/.exec(comment);
  if (stepSize) {
    chain.stepSize = parseNumber(stepSize[1]);
    return i;
  }
  if (/^Diagonal elements of inverse mass matrix:/.test(comment)) {
    chain.inverseMetric = numbersOf(lines[i + 1] ?? "") ?? [];
    return i + 1;
  }
  if (/^Elements of inverse mass matrix:/.test(comment)) {
    const first = numbersOf(lines[i + 1] ?? "") ?? [];
    const metric = [...first];
    let j = i + 1;
    for (let row = 1; row < first.length; row++) {
      const values = numbersOf(lines[j + 1] ?? "");
      if (values === undefined) break;
      metric.push(...values);
      j++;
    }
    chain.inverseMetric = metric;
    return j;
  }
  const time = /([0-9.eE+-]+)\s*seconds\s*\((Warm-up|Sampling)\)/.exec(comment);
  if (time) {
    const seconds = parseNumber(time[1]);
    if (time[2] === "Warm-up") chain.warmupSeconds = seconds;
    else chain.samplingSeconds = seconds;
  }
  return i;
}

function numbersOf(line: string): number[] | undefined {
  if (!line.trim().startsWith("#")) return undefined;
  const fields = line.replace(/^\s*#+\s*/, "").split(",");
  const values = fields.map(parseNumber);
  return values.every((v) => v !== undefined) ? (values as number[]) : undefined;
}

function savedWarmupRows(config: Record<string, string>): number {
  const save = config.save_warmup;
  if (save !== "1" && save !== "true") return 0;
  const warmup = Number(config.num_warmup ?? 0);
  const thin = Number(config.thin ?? 1);
  return Math.ceil(warmup / thin);
}

function parseError(source: string, lineIndex: number, required: string, got: string) {
  return new ArgumentError({
    api,
    argument: "paths",
    message: `${api}: ${source} line ${lineIndex + 1} must have ${required}, got ${got}`,
  });
}

const statNameOfColumn: Record<string, string> = siteRecordOf(
  Object.entries(samplerStatColumns).map(([stat, column]) => [column, stat]),
);

/**
 * Assembles parsed chains into an `McmcRun`: columns grouped into sites (CmdStan's
 * column-major element order turned back into row-major `Draws`), statistics into `extra`.
 *
 * @example
 * const [text1, text2] = [0, 1].map((chain) => formatCmdStanCSV(run, chain)); // as CmdStan writes
 * const back = chainsToRun([parseCmdStanCSV(text1), parseCmdStanCSV(text2)]);
 */
export function chainsToRun(chains: CmdStanChain[], sources: readonly string[] = []): McmcRun {
  const first = chains[0];
  const numDraws = first.numDraws;
  chains.forEach((c, k) => {
    const name = sources[k] ?? `chain ${k + 1}`;
    if (c.columns.join(",") !== first.columns.join(",")) {
      throw new ArgumentError({
        api,
        argument: "paths",
        message: `${api}: every file must have the same columns; ${name} differs from the first file`,
      });
    }
    if (c.numDraws !== numDraws) {
      throw new ArgumentError({
        api,
        argument: "paths",
        message: `${api}: every file must have the same number of draws; the first has ${numDraws}, ${name} has ${c.numDraws}`,
      });
    }
  });
  const numChains = chains.length;
  const numColumns = first.columns.length;

  const extra = siteRecord<Draws>();
  const sites = new Map<string, { column: number; index: number[] }[]>();
  first.columns.forEach((name, column) => {
    if (name.endsWith("__")) {
      const stat = ownValue(statNameOfColumn, name) ?? name;
      const data = new Float64Array(numChains * numDraws);
      chains.forEach((c, k) => {
        for (let d = 0; d < numDraws; d++)
          data[k * numDraws + d] = c.values[d * numColumns + column];
      });
      extra[stat] = { shape: [numChains, numDraws], data };
      return;
    }
    const { site, index } = parseCmdstanColumn(name);
    const entries = sites.get(site) ?? [];
    entries.push({ column, index });
    sites.set(site, entries);
  });

  const samples = siteRecord<Draws>();
  for (const [site, entries] of sites) {
    const rank = entries[0].index.length;
    if (entries.some((e) => e.index.length !== rank)) {
      throw new ArgumentError({
        api,
        argument: "paths",
        message: `${api}: the columns of site "${site}" must all have ${rank} indices`,
      });
    }
    const siteShape = Array.from(
      { length: rank },
      (_, i) => 1 + Math.max(...entries.map((e) => e.index[i])),
    );
    const size = sizeOf(siteShape);
    if (entries.length !== size) {
      throw new ArgumentError({
        api,
        argument: "paths",
        message: `${api}: site "${site}" of shape [${siteShape.join(", ")}] needs ${size} columns, found ${entries.length}`,
      });
    }
    const data = new Float64Array(numChains * numDraws * size);
    for (const { column, index } of entries) {
      let offset = 0;
      for (let i = 0; i < rank; i++) offset = offset * siteShape[i] + index[i];
      chains.forEach((c, k) => {
        for (let d = 0; d < numDraws; d++) {
          data[(k * numDraws + d) * size + offset] = c.values[d * numColumns + column];
        }
      });
    }
    samples[site] = { shape: [numChains, numDraws, ...siteShape], data };
  }
  return { samples, extra, metadata: metadataOf(chains) };
}

function metadataOf(chains: CmdStanChain[]): McmcMetadata {
  const config = chains[0].config;
  const integer = (key: string): number | undefined => {
    const v = config[key];
    return v !== undefined && /^[+-]?\d+$/.test(v) ? Number(v) : undefined;
  };
  const real = (key: string): number | undefined => {
    const v = config[key];
    return v === undefined ? undefined : parseNumber(v);
  };
  const metadata: McmcMetadata = {
    numWarmup: integer("num_warmup") ?? 0,
    numSamples: integer("num_samples") ?? chains[0].numDraws,
    numChains: chains.length,
    thinning: integer("thin") ?? 1,
    algorithm: config.engine === "static" ? "HMC" : "NUTS",
    metric: config.metric === "dense_e" ? "dense_e" : "diag_e",
    stepSize: chains.map((c) => c.stepSize ?? Number.NaN),
    inverseMetric: chains.map((c) => c.inverseMetric ?? []),
    warmupSeconds: chains.map((c) => c.warmupSeconds ?? Number.NaN),
    samplingSeconds: chains.map((c) => c.samplingSeconds ?? Number.NaN),
  };
  const seed = integer("seed");
  if (seed !== undefined) metadata.seed = seed;
  if (config.model !== undefined) metadata.model = config.model;
  const maxDepth = integer("max_depth");
  if (maxDepth !== undefined) metadata.maxTreeDepth = maxDepth;
  const delta = real("delta");
  if (delta !== undefined) metadata.targetAcceptProb = delta;
  return metadata;
}
