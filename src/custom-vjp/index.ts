export {
  type CheckGradOptions,
  checkGrad,
  type GradCheckResult,
  GradientCheckError,
} from "./check-grad.js";
export { defineOp, type Op, type OpSpec, registerOpsForBackend } from "./define-op.js";
export { getOp, listOps, type OpDefinition, type OpStats, opOfKernel } from "./registry.js";
export { digamma, erfinv, lgamma, trigamma, unaryOp } from "./special.js";
