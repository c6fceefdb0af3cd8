/**
 * The samplers' tagged errors, defined with the library's others in src/errors.ts.
 * Divergences are never errors: they are counted.
 */
export {
  InitializationError,
  MetricAdaptationError,
  StepSizeSearchError,
} from "../../errors.js";
