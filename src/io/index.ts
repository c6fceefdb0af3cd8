/**
 * Output of inference: the `McmcRun` contract, CmdStan CSV and JSON export and import, and
 * plots rendered to SVG.
 *
 * @example
 * import { toCmdStanCSV, readCmdStanCSV, plot } from "tyche";
 * const paths = await toCmdStanCSV(run, "out/eight_schools.csv");
 * await plot.trace(run, { sites: ["mu", "tau"], out: "out/trace.svg" });
 */

export {
  type CmdStanChain,
  chainsToRun,
  parseCmdStanCSV,
  readCmdStanCSV,
} from "./cmdstan-csv-read.js";
export { cmdstanCSVPaths, formatCmdStanCSV, toCmdStanCSV } from "./cmdstan-csv-write.js";
export {
  type CmdStanColumn,
  cmdstanColumns,
  type ParsedColumn,
  parseCmdstanColumn,
} from "./cmdstan-names.js";
export { formatJSON, parseJSON, readJSON, toJSON } from "./json.js";
export {
  bfmi,
  type DensityCurve,
  type ElboPlotOptions,
  elboSpec,
  energySpec,
  kde,
  type PairPlotOptions,
  type PlotOptions,
  type PlotResult,
  type PosteriorPlotOptions,
  pairSpec,
  plot,
  pooledRanks,
  posteriorSpec,
  type RankPlotOptions,
  rankHistograms,
  rankSpec,
  renderPlot,
  type TracePlotOptions,
  traceSpec,
} from "./plot/index.js";
export {
  type ChainLayout,
  type ChainSamples,
  chainLayout,
  isMcmcRun,
  type McmcMetadata,
  type McmcRun,
  type McmcRunSource,
  type RunLike,
  type SamplerStatName,
  samplerStatColumns,
  samplesOf,
} from "./samples.js";
export { type SiteElement, siteElements } from "./site-elements.js";
