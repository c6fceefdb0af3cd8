/** The distributions module: families, wrappers, constraints, transforms. */

export { Bernoulli, BernoulliDistribution, type ProbsOrLogits } from "./bernoulli.js";
export { bijectTo, registerBijection } from "./biject-to.js";
export * as constraints from "./constraints.js";
export { Constraint } from "./constraints.js";
export { Delta, DeltaDistribution } from "./delta.js";
export {
  batchShapeOf,
  Distribution,
  ExpandedDistribution,
  Independent,
  Masked,
} from "./distribution.js";
export { Exponential, ExponentialDistribution } from "./exponential.js";
export { HalfCauchy, HalfCauchyDistribution } from "./half-cauchy.js";
export { HalfNormal, HalfNormalDistribution } from "./half-normal.js";
export { Normal, NormalDistribution } from "./normal.js";
export { ExpTransform, IdentityTransform, IndependentTransform, Transform } from "./transforms.js";
export { Unit, UnitDistribution } from "./unit.js";
export { setValidation, validationEnabled } from "./validation.js";
