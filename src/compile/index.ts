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
export { supportedKernels } from "./kernels/index.js";
