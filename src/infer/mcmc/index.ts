/** The MCMC driver: samplers on models, chains, draws and diagnostics. */

export { InitializationError, RunInProgressError, WorkerError } from "../../errors.js";
export {
  type Adaptation,
  HMC,
  type HmcFamilyOptions,
  type HmcOptions,
  type KernelOptions,
  MetricAdaptationError,
  NUTS,
  type NutsOptions,
  StepSizeSearchError,
} from "../nuts/index.js";
export {
  type RandomWalkInfo,
  RandomWalkMetropolis,
  type RandomWalkOptions,
  type RandomWalkParameters,
  randomWalkAdaptation,
  randomWalkAlgorithm,
} from "../rwm/random-walk.js";
export {
  type ChainHooks,
  type ChainPlan,
  type ChainProgress,
  type ChainResult,
  ChainRun,
  driveChain,
  type PositionState,
  type WarmupSummary,
  yieldToEventLoop,
} from "./chain.js";
export { hmcDefaults, mcmcDefaults, pathfinderDefaults } from "./defaults.js";
export {
  type CompoundKernel,
  type CompoundSampler,
  DiscreteHMCGibbs,
  type GibbsFn,
  type GibbsSpec,
  HMCGibbs,
  withGibbsUpdate,
} from "./gibbs.js";
export type { InfoColumn, InfoColumns } from "./info-columns.js";
export {
  type InitStrategy,
  initToMedian,
  initToPathfinder,
  initToUniform,
  initToValue,
} from "./init-strategies.js";
export {
  MCMC,
  type McmcOptions,
  type McmcProgress,
  type ResolvedMcmcOptions,
} from "./mcmc.js";
export type { ChainState } from "./run-record.js";
export type { McmcSampler, SamplerKernel, SamplerMetadata } from "./sampler.js";
export type {
  ChainSetup,
  InfoFields,
  InfoFieldType,
  KernelState,
  SamplingAlgorithm,
  Transition,
  TunableAlgorithm,
  Warmup,
  WarmupState,
} from "./sampling-algorithm.js";
