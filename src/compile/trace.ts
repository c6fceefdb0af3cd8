/**
 * Tracing: runs an objective and its tfjs gradient once on the recording backend, so that the
 * recorded graph holds the forward computation and, through tfjs's own gradient functions,
 * the backward one. Scans inside trace their bodies once (src/compile/scan).
 */
import { withScanTracer } from "../primitives/scan-tracer.js";
import { tf } from "../tf.js";
import { sizeOf } from "../util/shapes.js";
import { withRecordingBackend } from "./backend.js";
import { type Graph, NO_VALUE } from "./graph.js";
import { Recorder } from "./recorder.js";
import { scanTracer } from "./scan/tracer.js";

/** A recorded objective with the float32 values tfjs computed while recording. */
export interface TracedObjective {
  readonly graph: Graph;
  /** The inputs the trace ran at. */
  readonly at: readonly Float64Array[];
  /** The objective's float32 value at `at`. */
  readonly shadowValue: number;
  /** The float32 gradients at `at`, one per differentiated input (zeros where tfjs gave none). */
  readonly shadowGrads: readonly Float64Array[];
}

/** What tracing gives: a trace, or why there is none. */
export type TraceResult = { ok: true; trace: TracedObjective } | { ok: false; reason: string };

/**
 * Traces `fn` at the inputs `at` (shapes `inputShapes`) with gradients for the inputs in `wrt`.
 *
 * @example
 * const r = traceObjective((x) => tf.sum(tf.square(x)), [[3]], [0], [Float64Array.of(1, 2, 3)]);
 * r.ok && r.trace.graph.nodes.map((n) => n.op); // ["Input", "Square", "Sum", ...]
 */
export function traceObjective(
  fn: (...inputs: tf.Tensor[]) => tf.Tensor,
  inputShapes: readonly number[][],
  wrt: readonly number[],
  at: readonly Float64Array[],
): TraceResult {
  try {
    return withRecordingBackend(
      (backend) => new Recorder(backend),
      (rec, backend) => {
        const xs = inputShapes.map((shape, i) =>
          tf.tensor(Float32Array.from(at[i]), shape, "float32"),
        );
        xs.forEach((x, i) => {
          rec.placeholder(i, x);
        });
        let value: tf.Tensor;
        let grads: Array<tf.Tensor | undefined>;
        // Scans in the objective trace their bodies once (src/compile/scan/tracer.ts).
        const objective = () => withScanTracer(scanTracer(rec, backend), () => fn(...xs));
        if (wrt.length > 0) {
          const result = tf.engine().gradients(
            () => {
              const y = checkScalar(objective());
              rec.startBackward();
              return y;
            },
            wrt.map((i) => xs[i]),
            undefined,
            true,
          );
          value = result.value;
          grads = result.grads;
        } else {
          value = checkScalar(objective());
          grads = [];
        }
        const failure = describeFailure(rec);
        if (failure !== undefined) return { ok: false, reason: failure };
        const outputs = [
          rec.resolve(value),
          ...grads.map((g, i) => (g == null ? NO_VALUE : gradValue(rec, g, wrt[i]))),
        ];
        const shadowValue = Number(backend.storedValues(value)[0]);
        const shadowGrads = wrt.map((input, i) => {
          const g = grads[i];
          return g == null
            ? new Float64Array(sizeOf(inputShapes[input]))
            : Float64Array.from(backend.storedValues(g));
        });
        const graph = rec.build(outputs);
        return { ok: true, trace: { graph, at, shadowValue, shadowGrads } } as const;
      },
    );
  } catch (error) {
    return { ok: false, reason: `the objective threw while tracing: ${(error as Error).message}` };
  }

  function gradValue(rec: Recorder, g: tf.Tensor, input: number): number {
    return rec.builder.reshape(rec.resolve(g), inputShapes[input]);
  }
}

function checkScalar(y: unknown): tf.Tensor {
  if (!(y instanceof tf.Tensor))
    throw new Error(`the objective must return a tensor, got ${typeof y}`);
  if (y.size !== 1)
    throw new Error(`the objective must return a scalar, got shape [${y.shape.join(",")}]`);
  if (y.dtype !== "float32")
    throw new Error(`the objective must return a float32 tensor, got ${y.dtype}`);
  return y;
}

function describeFailure(rec: Recorder): string | undefined {
  if (rec.reads.length > 0) {
    const first = rec.reads[0];
    const where = first.site === undefined ? "" : ` at ${first.site}`;
    const more = rec.reads.length > 1 ? ` (and ${rec.reads.length - 1} more reads)` : "";
    return (
      `the objective reads the value of a tensor computed from its inputs (${first.method}${where})${more}; ` +
      "a trace cannot follow control flow or shapes that depend on values"
    );
  }
  if (rec.problems.length > 0) return `cannot compile ${rec.problems[0]}`;
  return undefined;
}
