/**
 * Tyche: probabilistic programming for TypeScript in the style of NumPyro.
 *
 * @example
 * import { sample, Normal, trace, seed } from "tyche";
 * function* model() { return yield* sample("z", Normal(0, 1)); }
 * trace(seed(model, 0)).getTrace().get("z").value;
 */

export * from "./custom-vjp/index.js";
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
  ReparamRun,
  type RewrittenSite,
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
export * from "./infer/advi/index.js";
export * from "./infer/diagnostics/index.js";
export type { Draws } from "./infer/draws.js";
export { type InferDiscreteOptions, inferDiscrete } from "./infer/enum/infer-discrete.js";
export { FlatLayout, type LayoutEntry, type SiteLayout } from "./infer/layout.js";
export { logDensity, pointLogProbs } from "./infer/log-density.js";
export * from "./infer/mcmc/index.js";
export {
  type PathfinderOptions,
  type PathfinderPath,
  type PathfinderResult,
  pathfinder,
} from "./infer/pathfinder/index.js";
export {
  type EngineName,
  type GradientTarget,
  type Potential,
  type PotentialOptions,
  potential,
} from "./infer/potential.js";
export { Predictive, type PredictiveOptions } from "./infer/predictive.js";
export * from "./infer/reparam/index.js";
export * from "./infer/svi/index.js";
export * from "./io/index.js";
export {
  deterministic,
  factor,
  type ParamOptions,
  param,
  type SampleOptions,
  sample,
} from "./primitives/effects.js";
export { type MarkovOptions, markov, markovHandler, newMarkovLoop } from "./primitives/markov.js";
export type {
  DeterministicMessage,
  InferOptions,
  MarkovFrame,
  Message,
  ParamMessage,
  PlateFrame,
  PlateMessage,
  SampleMessage,
  SampleSite,
  ScanProbe,
  Site,
  SiteEnumeration,
} from "./primitives/messages.js";
export { type PlateOptions, plate } from "./primitives/plate.js";
export {
  foldIn,
  type Key,
  normal,
  PRNGKey,
  randomBits,
  split,
  threefry2x32,
  uniform,
} from "./primitives/prng.js";
export { applyDefault, type Handler, handle, type Model, run, wrap } from "./primitives/runtime.js";
export { type ScanInit, type ScanOptions, type ScanTree, scan } from "./primitives/scan.js";
export { vindex } from "./primitives/vindex.js";
export * from "./progress/index.js";
export * as testing from "./testing/index.js";
export {
  type ArrayLike,
  type BackendName,
  constant,
  float64Of,
  type NestedNumbers,
  setWasmPaths,
  useBackend,
} from "./tf.js";
export * as tf from "./tf-exact.js";
