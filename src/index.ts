/**
 * Tyche: probabilistic programming for TypeScript in the style of NumPyro.
 *
 * @example
 * import { sample, Normal, trace, seed } from "tyche";
 * function* model() { return yield* sample("z", Normal(0, 1)); }
 * trace(seed(model, 0)).getTrace().get("z").value;
 */

// Custom derivative rules
export * from "./custom-vjp/index.js";
export { Bernoulli, BernoulliDistribution, type ProbsOrLogits } from "./dist/bernoulli.js";
export { bijectTo, registerBijection } from "./dist/biject-to.js";
export * as constraints from "./dist/constraints.js";
export { Constraint } from "./dist/constraints.js";
export { Delta, DeltaDistribution } from "./dist/delta.js";
// Distributions
export { Distribution, ExpandedDistribution, Independent, Masked } from "./dist/distribution.js";
export { Exponential, ExponentialDistribution } from "./dist/exponential.js";
export { HalfCauchy, HalfCauchyDistribution } from "./dist/half-cauchy.js";
export { HalfNormal, HalfNormalDistribution } from "./dist/half-normal.js";
export { Normal, NormalDistribution } from "./dist/normal.js";
export {
  ExpTransform,
  IdentityTransform,
  IndependentTransform,
  Transform,
} from "./dist/transforms.js";
export { Unit, UnitDistribution } from "./dist/unit.js";
export { setValidation, validationEnabled } from "./dist/validation.js";
export { ArgumentError, DistributionParameterError, ModelError } from "./errors.js";
export { type BlockOptions, block } from "./handlers/block.js";
export { condition } from "./handlers/condition.js";
export { intervene } from "./handlers/intervene.js";
export { mask } from "./handlers/mask.js";
export { replay } from "./handlers/replay.js";
export { scale } from "./handlers/scale.js";
export { scope } from "./handlers/scope.js";
export { seed } from "./handlers/seed.js";
export { substitute } from "./handlers/substitute.js";
// Handlers
export { Trace, type TracedModel, trace } from "./handlers/trace.js";
export { type VmapOptions, vmap } from "./handlers/vmap.js";
// Inference
export type { Draws } from "./infer/draws.js";
export { FlatLayout, type SiteLayout } from "./infer/layout.js";
export { logDensity, pointLogProbs } from "./infer/log-density.js";
export {
  type EngineName,
  type GradientTarget,
  type Potential,
  type PotentialOptions,
  potential,
} from "./infer/potential.js";
export { Predictive, type PredictiveOptions } from "./infer/predictive.js";
export {
  deterministic,
  factor,
  type ParamOptions,
  param,
  type SampleOptions,
  sample,
} from "./primitives/effects.js";
// Modeling language
export type {
  DeterministicMessage,
  InferOptions,
  Message,
  ParamMessage,
  PlateFrame,
  PlateMessage,
  SampleMessage,
  SampleSite,
  Site,
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
export {
  type ArrayLike,
  type BackendName,
  constant,
  float64Of,
  setWasmPaths,
  tf,
  useBackend,
} from "./tf.js";
