/**
 * Tagged errors of the samplers. They are Effect `TaggedError`s, so they can be thrown in plain
 * code and matched by tag in Effect programs. Divergences are never errors: they are counted.
 */
import { Data } from "effect";

/** No finite starting point was found, or a given one is not finite. */
export class InitializationError extends Data.TaggedError("InitializationError")<{
  readonly message: string;
  /** Points tried. */
  readonly attempts: number;
  /** The last point tried (unconstrained). */
  readonly position: Float64Array;
  /** U at that point. */
  readonly potentialEnergy: number;
  /** Indices of non-finite gradient entries at that point. */
  readonly nonFiniteGradient: readonly number[];
}> {}

/** The initial step-size heuristic ran off to 0 or past 1e7 (an improper or discontinuous target). */
export class StepSizeSearchError extends Data.TaggedError("StepSizeSearchError")<{
  readonly message: string;
  readonly stepSize: number;
}> {}

/** Metric adaptation produced a non-finite inverse mass matrix. */
export class MetricAdaptationError extends Data.TaggedError("MetricAdaptationError")<{
  readonly message: string;
  readonly iteration: number;
}> {}
