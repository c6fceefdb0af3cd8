/**
 * Property-based testing of models, distributions, custom ops and transforms, and
 * simulation-based calibration: fast-check arbitraries (valid parameters of every family,
 * values in any support, points of a model's unconstrained space, all shrinking toward
 * readable values) and checks that return `{ ok, report }` (`assertPasses` throws the report).
 *
 * @example
 * import * as testing from "tyche/testing";
 * const result = testing.checkModel(eightSchools, [sigma, y]);
 * expect(result.ok, result.report).toBe(true);
 */
export { arbitraryDistribution, distributionFamilies } from "./arbitrary-distribution.js";
export {
  type CheckModelOptions,
  checkModel,
  type ModelCheckResult,
} from "./check-model.js";
export {
  type CheckOpOptions,
  checkOp,
  type OpCheckResult,
  type OpInputArbitraries,
} from "./check-op.js";
export {
  assertPasses,
  type CheckSummary,
  PropertyCheckError,
  type PropertyCheckResult,
  type PropertyFailure,
} from "./check-result.js";
export {
  type CheckTransformOptions,
  checkTransform,
  freeCoordinates,
  type TransformCheckResult,
} from "./check-transform.js";
export { type ChiSquareResult, chiSquareUniformity } from "./chi-square.js";
export type { DistributionArbitraryOptions, DistributionCase } from "./distribution-case.js";
export {
  type EcdfBand,
  type EcdfTestResult,
  ecdfBand,
  ecdfUniformity,
} from "./ecdf-band.js";
export {
  countArbitrary,
  type ParameterKind,
  type ParameterRange,
  parameterArbitrary,
} from "./parameter-arbitraries.js";
export { arbitraryPoint, type PointOptions, type UnconstrainedPoint } from "./point-arbitrary.js";
export {
  histogramChart,
  type RankHistogram,
  rankHistogram,
  sparkline,
} from "./rank-histogram.js";
export { fractionalRank, rankOf, thin, thinningStep } from "./rank-statistics.js";
export {
  type EdgeRegion,
  logUniformRegion,
  nearRegion,
  type ReadableDoubleOptions,
  readableDouble,
} from "./readable-number.js";
export {
  type SbcFit,
  type SbcOptions,
  type SbcParameter,
  type SbcResult,
  type SbcSimulation,
  sbc,
} from "./sbc.js";
export {
  arbitrarySupportValue,
  arbitraryValueIn,
  type SupportValueOptions,
} from "./support-arbitrary.js";
