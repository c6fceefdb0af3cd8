/** Automatic differentiation variational inference (Kucukelbir et al. 2017). */
export { type ADVIApproximation, type ADVIOptions, advi } from "./advi.js";
export {
  type ConvergenceOptions,
  type ParameterChange,
  ParameterConvergence,
  parameterChange,
} from "./convergence.js";
export { ADVIStepSequence, type ADVIStepSequenceOptions, STEP_SCALES } from "./step-sequence.js";
