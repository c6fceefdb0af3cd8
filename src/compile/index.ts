// Custom ops: a forward, a vector-Jacobian product and a float64 rule the compiled engine uses.
export {
  type CheckGradOptions,
  checkGrad,
  defineOp,
  type GradCheckResult,
  type GradCheckWorst,
  GradientCheckError,
  getOp,
  listOps,
  type Op,
  type OpDefinition,
  type OpForward,
  type OpSpec,
  type OpStats,
  type OpValueAndGrad,
  type OpVjp,
  opOfKernel,
  registerOpsForBackend,
  unaryOp,
} from "../custom-vjp/index.js";
export { type CompiledArtifact, type CompiledObjective, rebuildObjective } from "./artifact.js";
export {
  type CompileOptions,
  type CompileReport,
  type CompileResult,
  compileObjective,
} from "./compile-objective.js";
export {
  compileOrFallBack,
  type EngineChoice,
  fallBackToEager,
  warnOnce,
} from "./engine-selection.js";
export { asGradientTarget } from "./gradient-target.js";
export { supportedKernels, supportedTfjsKernels } from "./kernels/index.js";
