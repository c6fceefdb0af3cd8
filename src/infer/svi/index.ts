/**
 * Stochastic variational inference: `SVI`, ELBO losses, optimizers and schedules, autoguides,
 * and predictive draws over a fitted guide.
 */
export { AutoContinuousGuide, type GaussianPosterior } from "./autoguide/auto-continuous.js";
export { AutoDelta } from "./autoguide/auto-delta.js";
export { AutoDiagonalNormal } from "./autoguide/auto-diagonal-normal.js";
export {
  AutoLaplaceApproximation,
  type AutoLaplaceApproximationOptions,
} from "./autoguide/auto-laplace-approximation.js";
export {
  AutoLowRankMultivariateNormal,
  type AutoLowRankMultivariateNormalOptions,
} from "./autoguide/auto-low-rank-multivariate-normal.js";
export { AutoMultivariateNormal } from "./autoguide/auto-multivariate-normal.js";
export { AutoNormal, type AutoNormalOptions } from "./autoguide/auto-normal.js";
export type {
  AutoGuide,
  AutoGuideMethods,
  AutoGuideOptions,
  InitLoc,
  SiteValues,
} from "./autoguide/base.js";
export { hessianByFiniteDifferences } from "./autoguide/hessian.js";
export type { LatentSite } from "./autoguide/prototype.js";
export { AUXILIARY, type ELBOLoss, type ParticleTraces } from "./elbo.js";
export {
  compiledLossEngine,
  eagerLossEngine,
  type LossEngine,
  type LossEvaluator,
} from "./engine.js";
export {
  type GuidePredictiveOptions,
  guideSamples,
  predictiveFromGuide,
} from "./guide-predictive.js";
export { defaultKLDivergence, type KLDivergence } from "./kl.js";
export { TraceMeanFieldELBO, type TraceMeanFieldELBOOptions } from "./mean-field-elbo.js";
export { type NoiseReparameterized, NoiseSource, withNoise } from "./noise.js";
export {
  buildObjective,
  type ParticleFunction,
  type ParticleInputs,
  type SVIObjective,
} from "./objective.js";
export {
  Adagrad,
  type AdagradOptions,
  Adam,
  type AdamOptions,
  ClippedAdam,
  type ClippedAdamOptions,
  Momentum,
  type MomentumOptions,
  type Optimizer,
  type OptimizerState,
  type OptimizerStep,
  RMSProp,
  type RMSPropOptions,
  SGD,
} from "./optimizers.js";
export { withParams } from "./params.js";
export { lossOfParticles, particleLoss } from "./particles.js";
export { RenyiELBO, type RenyiELBOOptions } from "./renyi-elbo.js";
export {
  exponentialDecay,
  inverseTimeDecay,
  piecewiseConstant,
  type Schedule,
  type StepSize,
} from "./schedules.js";
export {
  drawSubsample,
  type SubsamplePlate,
  SubsampleSource,
  withSubsample,
} from "./subsample.js";
export {
  SVI,
  type SVIOptions,
  type SVIProgress,
  type SVIRunResult,
  type SVIState,
  type SVIUpdate,
} from "./svi.js";
export { TraceELBO, type TraceELBOOptions } from "./trace-elbo.js";
export { TraceEnumELBO, type TraceEnumELBOOptions } from "./trace-enum-elbo.js";
