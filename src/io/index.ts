/**
 * Output of inference: the `McmcRun` contract, CmdStan CSV and JSON export and import, plots
 * rendered to SVG; ArviZ InferenceData (Zarr, JSON), PSIS-LOO, WAIC and model graphs.
 *
 * @example
 * import { plot } from "tyche";
 * import { readCmdStanCSV, toCmdStanCSV } from "tyche/io";
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

// Taking draws to ArviZ, comparing models, model graphs.

export { type PsisResult, psis } from "../infer/diagnostics/psis.js";
export { logLikelihood } from "../infer/log-likelihood.js";
export { compareModels, type ModelComparison } from "./compare-models.js";
export {
  type CoordValues,
  type Dataset,
  type DataType,
  type DataVariable,
  type InferenceData,
  type InferenceDataGroup,
  inferenceDataGroups,
} from "./inference-data.js";
export {
  type InferenceDataFormat,
  readInferenceData,
  writeInferenceData,
} from "./inference-data-file.js";
export { formatInferenceDataJSON, parseInferenceDataJSON } from "./inference-data-json.js";
export { readZarrStore, writeZarrStore } from "./inference-data-zarr.js";
export type { LogLikInput, LogLikOptions } from "./log-lik-matrix.js";
export { type LooOptions, type LooResult, loo } from "./loo.js";
export {
  getModelRelations,
  type ModelPlate,
  type ModelRelations,
  type ModelSite,
  type SiteKind,
} from "./model-relations.js";
export { type RenderModelOptions, renderModel } from "./render-model.js";
export { renderModelSvg } from "./render-model-svg.js";
export { type InferenceDataOptions, toInferenceData } from "./to-inference-data.js";
export { type WaicResult, waic } from "./waic.js";
