/**
 * NUTS and HMC over plain Float64Arrays: kernels, warmup, initialization and a chain runner.
 */
export {
  type AdaptationScheduleOptions,
  type AdaptationWindow,
  buildAdaptationSchedule,
  describeAdaptationSchedule,
} from "./adaptation-schedule.js";
export type { ChainOptions } from "./chain-options.js";
export {
  currentStepSize,
  type DualAveragingOptions,
  type DualAveragingState,
  dualAveragingInit,
  dualAveragingUpdate,
  finalStepSize,
} from "./dual-averaging.js";
export { InitializationError, MetricAdaptationError, StepSizeSearchError } from "./errors.js";
export { findInitialState, type InitialState, type InitOptions, initialStateAt } from "./init.js";
export { leapfrog, refreshPoint } from "./integrator.js";
export {
  type HmcInfo,
  type HmcParameters,
  type HmcState,
  hmcKernel,
  type Kernel,
  type NutsParameters,
  nutsKernel,
} from "./kernel.js";
export { denseMetric, diagonalMetric, type Metric, metricFromInverseMassMatrix } from "./metric.js";
export { createPhasePoint, type PhasePoint } from "./phase-point.js";
export {
  type ChainHooks,
  type ChainProgress,
  type ChainResult,
  ChainRun,
  continuationOptions,
  runChain,
  runChainSync,
  startChain,
} from "./runner.js";
export type { SamplerStats } from "./sampler-stats.js";
export { findReasonableStepSize } from "./step-size-search.js";
export { WarmupAdapter, type WarmupOptions } from "./warmup.js";
export { WelfordEstimator } from "./welford.js";
