/** Pathfinder: standalone approximate inference and an initialization of MCMC. */
export {
  type BfgsGaussian,
  bfgsGaussian,
  type CurvaturePair,
  updateInverseHessianDiagonal,
} from "./bfgs-gaussian.js";
export { type LbfgsPath, type LbfgsSettings, lbfgs } from "./lbfgs.js";
export { type MultiPathResult, type MultiPathSettings, multiPathfinder } from "./multi-path.js";
export {
  type PathfinderOptions,
  type PathfinderPath,
  type PathfinderResult,
  pathfinder,
} from "./pathfinder.js";
export {
  type PathfinderInitReport,
  type PathfinderInitSettings,
  withPathfinderInit,
} from "./pathfinder-init.js";
export {
  type SinglePathResult,
  type SinglePathSettings,
  singlePathfinder,
  type WeightedDraws,
} from "./single-path.js";
