/**
 * Tyche: probabilistic programming for TypeScript in the style of NumPyro.
 *
 * The root holds what a user writes in a model and in a script: distributions, primitives,
 * effect handlers, MCMC with NUTS and HMC, SVI with its ELBOs, autoguides and optimizers,
 * Predictive, summaries and plots. The rest lives under subpaths, each with its own index:
 * `tyche/infer` (potentials, SVI's objective, progress bars, low-level diagnostics, the effect
 * machinery), `tyche/kernels` (the sampling-algorithm interface: NUTS and random-walk kernels,
 * warmup records, the chain loop), `tyche/compile` (the compiled float64 engine and custom
 * ops), `tyche/io` (CmdStan CSV, JSON, ArviZ InferenceData, Zarr, LOO, WAIC) and
 * `tyche/testing` (property-based checks and simulation-based calibration).
 *
 * Importing Tyche sets no tfjs backend: the cpu backend is chosen on first use, or another
 * one with `await useBackend("wasm")`.
 *
 * @example
 * import { sample, Normal, trace, seed } from "tyche";
 * function* model() { return yield* sample("z", Normal(0, 1)); }
 * trace(seed(model, 0)).getTrace().get("z").value;
 */

export {
  betainc,
  betaincinv,
  cholesky,
  digamma,
  erfc,
  erfinv,
  gammainc,
  gammaincc,
  gammaincinv,
  lbeta,
  lgamma,
  logBesselI0,
  logBesselI1,
  logNdtr,
  logNormalMass,
  ndtri,
  owensT,
  solveLowerTriangular,
  solveLowerTriangularTransposed,
  trigamma,
  truncatedNormalQuantile,
} from "./custom-vjp/index.js";
export * from "./dist/index.js";
export {
  ArgumentError,
  DistributionParameterError,
  ModelError,
  NumericalError,
} from "./errors.js";
export { type BlockOptions, block } from "./handlers/block.js";
export { condition } from "./handlers/condition.js";
export { type ConfigEnumerateOptions, configEnumerate } from "./handlers/config-enumerate.js";
export { type EnumerateOptions, enumerate } from "./handlers/enumerate.js";
export { intervene } from "./handlers/intervene.js";
export { mask } from "./handlers/mask.js";
export {
  type Reparam,
  type ReparamConfig,
  type ReparamOptions,
  reparam,
} from "./handlers/reparam.js";
export { replay } from "./handlers/replay.js";
export { resampleObserved } from "./handlers/resample-observed.js";
export { scale } from "./handlers/scale.js";
export { scope } from "./handlers/scope.js";
export { seed } from "./handlers/seed.js";
export { substitute } from "./handlers/substitute.js";
export { Trace, type TracedModel, trace } from "./handlers/trace.js";
export { type VmapOptions, vmap } from "./handlers/vmap.js";
export {
  type ADVIApproximation,
  type ADVIOptions,
  Adagrad,
  type AdagradOptions,
  Adam,
  type AdamOptions,
  AutoDelta,
  AutoDiagonalNormal,
  type AutoGuide,
  AutoLaplaceApproximation,
  type AutoLaplaceApproximationOptions,
  AutoLowRankMultivariateNormal,
  type AutoLowRankMultivariateNormalOptions,
  AutoMultivariateNormal,
  AutoNormal,
  type AutoNormalOptions,
  advi,
  CircularReparam,
  ClippedAdam,
  type ClippedAdamOptions,
  DiscreteHMCGibbs,
  type Draws,
  essBulk,
  essTail,
  exponentialDecay,
  type FormatSummaryOptions,
  formatSummary,
  type GibbsFn,
  type GibbsSpec,
  HMC,
  HMCGibbs,
  type HmcOptions,
  hpdi,
  type InferDiscreteOptions,
  InitializationError,
  type InitStrategy,
  inferDiscrete,
  initToMedian,
  initToPathfinder,
  initToUniform,
  initToValue,
  inverseTimeDecay,
  LocScaleReparam,
  logDensity,
  MCMC,
  type McmcOptions,
  MetricAdaptationError,
  Momentum,
  type MomentumOptions,
  NeuTraReparam,
  type NeuTraReparamOptions,
  NUTS,
  type NutsOptions,
  type Optimizer,
  type PathfinderOptions,
  type PathfinderResult,
  Predictive,
  type PredictiveOptions,
  pathfinder,
  piecewiseConstant,
  predictiveFromGuide,
  quantile,
  RenyiELBO,
  type RenyiELBOOptions,
  RMSProp,
  type RMSPropOptions,
  RunInProgressError,
  rhat,
  type Schedule,
  SGD,
  StepSizeSearchError,
  type SummaryRow,
  SVI,
  type SVIOptions,
  type SVIRunResult,
  type SVIState,
  summary,
  TraceELBO,
  type TraceELBOOptions,
  TraceEnumELBO,
  type TraceEnumELBOOptions,
  TraceMeanFieldELBO,
  type TraceMeanFieldELBOOptions,
  TransformReparam,
  WorkerError,
} from "./infer/index.js";
export {
  type McmcRun,
  type PlotResult,
  plot,
  type RenderModelOptions,
  renderModel,
  renderModelSvg,
} from "./io/index.js";
export {
  deterministic,
  factor,
  type ParamOptions,
  param,
  type SampleOptions,
  sample,
} from "./primitives/effects.js";
export { type MarkovOptions, markov } from "./primitives/markov.js";
export type { InferOptions, SampleSite, Site } from "./primitives/messages.js";
export { type PlateOptions, plate } from "./primitives/plate.js";
export { foldIn, type Key, PRNGKey, split } from "./primitives/prng.js";
export type { Model } from "./primitives/runtime.js";
export { type ScanInit, type ScanOptions, type ScanTree, scan } from "./primitives/scan.js";
export { vindex } from "./primitives/vindex.js";
export {
  type ArrayLike,
  type BackendName,
  constant,
  float64Of,
  type NestedNumbers,
  setWasmPaths,
  useBackend,
  type WasmPaths,
} from "./tf.js";
export * as tf from "./tf-exact.js";
