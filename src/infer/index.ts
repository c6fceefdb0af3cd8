/**
 * `tyche/infer`: everything inference offers, the names the package root re-exports (MCMC,
 * NUTS, SVI, autoguides, Predictive, diagnostics) and the rest: potentials, SVI's objective and
 * loss engines, noise and subsampling sources, progress bars, low-level diagnostics.
 *
 * @example
 * import { potential, pointLogProbs } from "tyche/infer";
 * const U = potential(model, [data]);
 * U.valueAndGrad(new Float64Array(U.dim), new Float64Array(U.dim)); // U at the origin
 */

// The effect machinery under the handlers, for writing handlers and inference algorithms.
export { ReparamRun, type RewrittenSite } from "../handlers/reparam.js";
export { markovHandler, newMarkovLoop } from "../primitives/markov.js";
export type {
  DeterministicMessage,
  MarkovFrame,
  Message,
  ParamMessage,
  PlateFrame,
  PlateMessage,
  SampleMessage,
  ScanProbe,
  SiteEnumeration,
} from "../primitives/messages.js";
export {
  applyDefault,
  type Handler,
  handle,
  type Model,
  run,
  wrap,
} from "../primitives/runtime.js";
export * from "../progress/index.js";
export * from "./advi/index.js";
export * from "./diagnostics/index.js";
export type { Draws } from "./draws.js";
export { type InferDiscreteOptions, inferDiscrete } from "./enum/infer-discrete.js";
export { logDensity, pointLogProbs } from "./log-density.js";
export { logLikelihood } from "./log-likelihood.js";
export {
  type Adaptation,
  type CompoundKernel,
  type CompoundSampler,
  DiscreteHMCGibbs,
  type GibbsFn,
  type GibbsSpec,
  HMC,
  HMCGibbs,
  type HmcFamilyOptions,
  type HmcOptions,
  InitializationError,
  type InitStrategy,
  initToMedian,
  initToPathfinder,
  initToUniform,
  initToValue,
  type KernelOptions,
  MCMC,
  type McmcOptions,
  type McmcProgress,
  type McmcSampler,
  MetricAdaptationError,
  NUTS,
  type NutsOptions,
  RandomWalkMetropolis,
  type RandomWalkOptions,
  RunInProgressError,
  type SamplerKernel,
  type SamplerMetadata,
  StepSizeSearchError,
  WorkerError,
  withGibbsUpdate,
} from "./mcmc/index.js";
export {
  type PathfinderOptions,
  type PathfinderPath,
  type PathfinderResult,
  pathfinder,
} from "./pathfinder/index.js";
export {
  type EngineName,
  type GradientTarget,
  type Potential,
  type PotentialOptions,
  potential,
} from "./potential.js";
export { Predictive, type PredictiveOptions } from "./predictive.js";
export * from "./reparam/index.js";
export * from "./svi/index.js";
