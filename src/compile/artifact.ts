/**
 * The compiled artifact: plain data (sources, float64 constants, op names) that can be sent to
 * a worker with postMessage and rebuilt there into a working objective.
 */
import { sizeOf } from "../util/shapes.js";
import { instantiate, type Program, type RunFunction } from "./emit/instantiate.js";

/** A compiled objective as data. */
export interface CompiledArtifact {
  readonly kind: "tyche.compiled-objective";
  readonly version: 1;
  readonly name: string;
  readonly inputShapes: readonly (readonly number[])[];
  /** The inputs that get gradients, in the order of `valueAndGrad`'s `grads`. */
  readonly wrt: readonly number[];
  /** Computes the value and the gradients. */
  readonly valueAndGrad: Program;
  /** Computes the value alone. */
  readonly value: Program;
}

/** A compiled objective: float64 value and gradient, no allocation per call. */
export interface CompiledObjective {
  readonly name: string;
  readonly inputShapes: readonly (readonly number[])[];
  readonly wrt: readonly number[];
  /** Returns the objective and writes its gradient w.r.t. input `wrt[k]` into `grads[k]`. */
  valueAndGrad(inputs: readonly Float64Array[], grads: readonly Float64Array[]): number;
  /** Returns the objective. */
  value(inputs: readonly Float64Array[]): number;
  /** The same objective as data, for `rebuildObjective` elsewhere. */
  readonly artifact: CompiledArtifact;
}

const NO_GRADS: Float64Array[] = [];

/**
 * Rebuilds a compiled objective from its artifact, for example in a worker thread after
 * `postMessage(compiled.artifact)`. Custom ops are looked up by name in this thread's registry,
 * so the worker must import the module that defines them.
 *
 * @example
 * // In a worker, after the main thread's postMessage(compiled.artifact):
 * const objective = rebuildObjective(artifact);
 * objective.valueAndGrad([Float64Array.of(1, 2, 3)], [new Float64Array(3)]); // 14
 */
export function rebuildObjective(artifact: CompiledArtifact): CompiledObjective {
  if (artifact?.kind !== "tyche.compiled-objective" || artifact.version !== 1) {
    throw new TypeError("rebuildObjective: not a compiled-objective artifact (version 1)");
  }
  const run = instantiate(artifact.valueAndGrad);
  const runValue = instantiate(artifact.value);
  return wrap(artifact, run, runValue);
}

/**
 * A CompiledObjective around run functions, with argument checks that allocate nothing.
 *
 * @example
 * wrap(artifact, instantiate(artifact.valueAndGrad), instantiate(artifact.value));
 */
export function wrap(
  artifact: CompiledArtifact,
  run: RunFunction,
  runValue: RunFunction,
): CompiledObjective {
  const sizes = artifact.inputShapes.map((s) => sizeOf(s));
  const gradSizes = artifact.wrt.map((i) => sizes[i]);
  const name = artifact.name;
  const checkInputs = (inputs: readonly Float64Array[]): void => {
    if (inputs.length !== sizes.length) {
      throw new TypeError(`${name}: expected ${sizes.length} inputs, got ${inputs.length}`);
    }
    for (let i = 0; i < sizes.length; i++) {
      if (inputs[i]?.length !== sizes[i]) {
        throw new TypeError(
          `${name}: input ${i} must be a Float64Array of length ${sizes[i]}, got length ${inputs[i]?.length}`,
        );
      }
    }
  };
  return {
    name,
    inputShapes: artifact.inputShapes,
    wrt: artifact.wrt,
    artifact,
    valueAndGrad(inputs, grads) {
      checkInputs(inputs);
      if (grads.length !== gradSizes.length) {
        throw new TypeError(
          `${name}: expected ${gradSizes.length} gradient arrays, got ${grads.length}`,
        );
      }
      for (let k = 0; k < gradSizes.length; k++) {
        if (grads[k]?.length !== gradSizes[k]) {
          throw new TypeError(
            `${name}: gradient ${k} must be a Float64Array of length ${gradSizes[k]}`,
          );
        }
      }
      return run(inputs, grads);
    },
    value(inputs) {
      checkInputs(inputs);
      return runValue(inputs, NO_GRADS);
    },
  };
}
