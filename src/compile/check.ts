/**
 * The first-call check: the emitted code, run with every node's output rounded to float32,
 * reproduces what eager tfjs computed while tracing (its cpu kernels compute in double and store
 * float32). Comparing that with the trace's shadow values catches a wrong emission rule even
 * where float32 and float64 results differ through cancellation.
 */
import { instantiate } from "./emit/instantiate.js";
import { emitProgram } from "./emit/program.js";
import type { Graph } from "./graph.js";
import type { TracedObjective } from "./trace.js";

// Emulation differs from eager tfjs only by constants folded in float64, special functions
// computed more accurately (erf, softplus) and sums accumulated in another order.
const RELATIVE_TOLERANCE = 1e-3;
const SCALE_TOLERANCE = 1e-5;

/**
 * Why the emitted code disagrees with eager tfjs at the trace point, or undefined when it agrees.
 *
 * @example
 * checkAgainstTrace(optimizedGraph, trace); // undefined
 */
export function checkAgainstTrace(graph: Graph, trace: TracedObjective): string | undefined {
  const run = instantiate(emitProgram(graph, { float32: true }));
  const inputs = trace.at.map((x) => x.map(Math.fround));
  const grads = trace.shadowGrads.map((g) => new Float64Array(g.length));
  const value = run(inputs, grads);
  const valueProblem = compare("the value", [value], [trace.shadowValue]);
  if (valueProblem !== undefined) return valueProblem;
  for (let k = 0; k < grads.length; k++) {
    const problem = compare(`the gradient of input ${k}`, grads[k], trace.shadowGrads[k]);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function compare(
  what: string,
  got: ArrayLike<number>,
  want: ArrayLike<number>,
): string | undefined {
  let scale = 0;
  for (let i = 0; i < want.length; i++)
    if (Number.isFinite(want[i])) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    const a = got[i];
    const b = want[i];
    if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) continue;
    const tolerance = RELATIVE_TOLERANCE * Math.abs(b) + SCALE_TOLERANCE * scale + 1e-30;
    if (!(Math.abs(a - b) <= tolerance)) {
      return `${what} disagrees with eager tfjs at the trace point: element ${i} is ${a} compiled (float32 emulation) but ${b} eager`;
    }
  }
  return undefined;
}
