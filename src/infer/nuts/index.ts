/**
 * NUTS and HMC over plain Float64Arrays: the algorithms, Stan's warmup, the sampler
 * descriptions and a chain runner without a model.
 */
export {
  type AdaptationScheduleOptions,
  type AdaptationWindow,
  buildAdaptationSchedule,
  describeAdaptationSchedule,
} from "./adaptation-schedule.js";
export {
  currentStepSize,
  type DualAveragingOptions,
  type DualAveragingState,
  dualAveragingInit,
  dualAveragingUpdate,
  finalStepSize,
} from "./dual-averaging.js";
export { MetricAdaptationError, StepSizeSearchError } from "./errors.js";
export {
  DiagonalFisherEstimator,
  type FisherEstimator,
  fisherDiagonal,
  gradientInitialMetric,
  LowRankFisherEstimator,
  type LowRankSettings,
  lowRankFisherEstimate,
  type MetricEstimate,
  spdMean,
} from "./fisher-metric.js";
export {
  type FisherAdaptationReport,
  type FisherAdaptationSettings,
  type FisherAdaptationState,
  type FisherSchedule,
  fisherAdaptation,
} from "./fisher-warmup.js";
export { leapfrog, refreshPoint } from "./integrator.js";
export {
  type HmcInfo,
  type HmcInfoColumns,
  type HmcParameters,
  type HmcState,
  hmcAlgorithm,
  hmcInfoFields,
  type NutsSettings,
  nutsAlgorithm,
  parametersMetric,
  type StaticHmcSettings,
} from "./kernel.js";
export {
  type LowRankCorrection,
  lowRankInverseMassDense,
  lowRankInverseMassDiagonal,
  lowRankMetric,
  lowRankMetricOf,
} from "./low-rank-metric.js";
export {
  denseMetric,
  diagonalMetric,
  identityInverseMass,
  type Metric,
  metricFromInverseMassMatrix,
  metricOf,
} from "./metric.js";
export { createPhasePoint, type PhasePoint } from "./phase-point.js";
export {
  type ChainOptions,
  continuationOptions,
  type HmcWarmupReport,
  type NutsChainResult,
  type RunChainHooks,
  runChain,
  runChainSync,
  startChain,
} from "./runner.js";
export {
  type Adaptation,
  type AdaptationChoice,
  chainSetup,
  checkAdaptation,
  HMC,
  type HmcChainSetup,
  type HmcFamilyOptions,
  type HmcOptions,
  type HmcSettings,
  hmcRunMetadata,
  type KernelOptions,
  NUTS,
  type NutsOptions,
} from "./sampler.js";
export { findReasonableStepSize } from "./step-size-search.js";
export {
  type WindowAdaptationReport,
  type WindowAdaptationSettings,
  type WindowAdaptationState,
  windowAdaptation,
} from "./warmup.js";
export {
  inverseMassDiagonal,
  type WarmupConvergence,
  WarmupTracker,
} from "./warmup-convergence.js";
export { WelfordEstimator } from "./welford.js";
