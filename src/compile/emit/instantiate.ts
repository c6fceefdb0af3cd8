/**
 * Programs as data, and their instantiation: `new Function` over the emitted source, with the
 * constants, the custom ops (looked up by name in this thread's registry) and the runtime
 * helpers. Free of tfjs, so that a worker can rebuild programs without loading it.
 */
import { getOp } from "../../custom-vjp/registry.js";
import { runtime } from "./helpers.js";

/** Emitted code plus the data it needs: plain, structured-clone-able. */
export interface Program {
  /** The body of `new Function("env", source)`, which returns `run(inputs, outputs)`. */
  readonly source: string;
  /** Arrays the source reads as `env.constants[k]`. */
  readonly constants: Float64Array[];
  /** Names of the custom ops the source calls, as `env.ops[k]`. */
  readonly ops: string[];
}

/**
 * The compiled function: writes the gradient outputs (graph outputs after the first) into
 * `outputs[k]` and returns the first output's single element (0 when it is absent).
 */
export type RunFunction = (
  inputs: readonly Float64Array[],
  outputs: readonly Float64Array[],
) => number;

/**
 * Turns a program into its run function (in this thread; a worker calls it on a copy).
 *
 * @example
 * const run = instantiate(emitProgram(graph));
 */
export function instantiate(program: Program): RunFunction {
  const ops = program.ops.map((name) => {
    const op = getOp(name);
    if (op === undefined) {
      throw new Error(
        `compile: the program calls custom op "${name}", which is not defined here (defineOp it first)`,
      );
    }
    return op;
  });
  const factory = new Function("env", program.source) as (env: unknown) => RunFunction;
  return factory({ constants: program.constants, ops, runtime });
}
