/**
 * The distributions module: families, wrappers, constraints, transforms, KL divergences.
 *
 * Convention: everything here is constructed by a plain function call, never with `new`.
 * A family is a function named after it that returns an instance of `<Family>Distribution`
 * (`Normal(0, 1)` is a `NormalDistribution`). Wrappers, transforms (and reparameterizers) are
 * callable classes made with `callable` (src/util/callable.ts): `MixtureSameFamily(mixing,
 * components)`, `AffineTransform(0, 2)`; `new` and `instanceof` work on the same name.
 */

export { Bernoulli, BernoulliDistribution, type ProbsOrLogits } from "./bernoulli.js";
export { Beta, BetaDistribution } from "./beta.js";
export { BetaBinomial, BetaBinomialDistribution } from "./beta-binomial.js";
export { type BijectionFactory, bijectTo, registerBijection } from "./biject-to.js";
export { Binomial, BinomialDistribution } from "./binomial.js";
export { Categorical, CategoricalDistribution } from "./categorical.js";
export { Cauchy, CauchyDistribution } from "./cauchy.js";
export { Chi2, Chi2Distribution } from "./chi2.js";
export * as constraints from "./constraints.js";
export { type Bound, Constraint, Interval } from "./constraints.js";
export { Delta, DeltaDistribution } from "./delta.js";
export { Dirichlet, DirichletDistribution } from "./dirichlet.js";
export { DiscreteUniform, DiscreteUniformDistribution } from "./discrete-uniform.js";
export {
  batchShapeOf,
  Distribution,
  ExpandedDistribution,
  Independent,
  Masked,
} from "./distribution.js";
export { Exponential, ExponentialDistribution } from "./exponential.js";
export { Gamma, GammaDistribution } from "./gamma.js";
export { GaussianRandomWalk, GaussianRandomWalkDistribution } from "./gaussian-random-walk.js";
export { Geometric, GeometricDistribution } from "./geometric.js";
export { Gumbel, GumbelDistribution } from "./gumbel.js";
export { HalfCauchy, HalfCauchyDistribution } from "./half-cauchy.js";
export { HalfNormal, HalfNormalDistribution } from "./half-normal.js";
export { ImproperUniform, ImproperUniformDistribution } from "./improper-uniform.js";
export { InverseGamma, InverseGammaDistribution } from "./inverse-gamma.js";
export { hasKL, kl, registerKL } from "./kl.js";
export { Laplace, LaplaceDistribution } from "./laplace.js";
export { LKJCholesky, LKJCholeskyDistribution } from "./lkj-cholesky.js";
export { LogNormal, LogNormalDistribution } from "./log-normal.js";
export { Logistic, LogisticDistribution } from "./logistic.js";
export { MixtureSameFamily } from "./mixture-same-family.js";
export { Multinomial, MultinomialDistribution } from "./multinomial.js";
export {
  MultivariateNormal,
  MultivariateNormalDistribution,
  type MultivariateNormalSpread,
} from "./multivariate-normal.js";
export { NegativeBinomial2, NegativeBinomial2Distribution } from "./negative-binomial.js";
export { Normal, NormalDistribution } from "./normal.js";
export { Pareto, ParetoDistribution } from "./pareto.js";
export { Poisson, PoissonDistribution } from "./poisson.js";
export type { ProbsOrLogitsSpec } from "./probs-or-logits.js";
export { ScannedDistribution, type ScoredValue } from "./scanned.js";
export { SkewNormal, SkewNormalDistribution } from "./skew-normal.js";
export { StudentT, StudentTDistribution } from "./student-t.js";
export { TransformedDistribution } from "./transformed-distribution.js";
export {
  AffineTransform,
  ComposeTransform,
  ExpTransform,
  IdentityTransform,
  IndependentTransform,
  intervalTransform,
  PowerTransform,
  SigmoidTransform,
  SoftplusTransform,
  TanhTransform,
  Transform,
} from "./transforms.js";
export {
  CholeskyOuterProductTransform,
  CorrCholeskyTransform,
  LowerCholeskyTransform,
} from "./transforms-matrix.js";
export {
  OrderedTransform,
  PositiveOrderedTransform,
  StickBreakingTransform,
} from "./transforms-vector.js";
export { TruncatedNormal, TruncatedNormalDistribution } from "./truncated-normal.js";
export { Uniform, UniformDistribution } from "./uniform.js";
export { Unit, UnitDistribution } from "./unit.js";
export { setValidation, validationEnabled } from "./validation.js";
export { VonMises, VonMisesDistribution } from "./von-mises.js";
export { Weibull, WeibullDistribution } from "./weibull.js";
