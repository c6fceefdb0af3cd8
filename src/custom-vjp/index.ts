export {
  type CheckGradOptions,
  checkGrad,
  type GradCheckResult,
  type GradCheckWorst,
  GradientCheckError,
} from "./check-grad.js";
export { defineOp, type Op, registerOpsForBackend } from "./define-op.js";
export {
  getOp,
  listOps,
  type OpDefinition,
  type OpForward,
  type OpStats,
  type OpValueAndGrad,
  type OpVjp,
  opOfKernel,
} from "./registry.js";
export type { OpSpec } from "./rule.js";
export { digamma, erfinv, lgamma, trigamma, unaryOp } from "./special.js";
export { logBesselI0, logBesselI1 } from "./special-bessel.js";
export {
  betainc,
  betaincinv,
  gammainc,
  gammaincc,
  gammaincinv,
  lbeta,
} from "./special-incomplete.js";
export {
  cholesky,
  solveLowerTriangular,
  solveLowerTriangularTransposed,
} from "./special-linalg.js";
export {
  erfc,
  logNdtr,
  logNormalMass,
  ndtri,
  owensT,
  truncatedNormalQuantile,
} from "./special-normal.js";
