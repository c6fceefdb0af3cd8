/**
 * `compileObjective`: the compiled engine's entry point (DESIGN.md section 4). Traces a pure
 * tfjs function of some inputs once, with its tfjs gradient, optimizes the recorded graph and
 * emits float64 JavaScript for value and gradient; or says, naming the cause, why it cannot.
 */
import { withoutTensorValidation } from "../dist/validation.js";
import type { tf } from "../tf.js";
import { sizeOf } from "../util/shapes.js";
import { type CompiledArtifact, type CompiledObjective, wrap } from "./artifact.js";
import { checkAgainstTrace } from "./check.js";
import { instantiate } from "./emit/instantiate.js";
import { emitProgram } from "./emit/program.js";
import { kernelCounts } from "./graph.js";
import { unsupportedReason } from "./kernels/index.js";
import { eliminateDeadNodes } from "./passes/dead-code.js";
import { optimize } from "./passes/index.js";
import { fuseScanLoops } from "./scan/fuse.js";
import { traceObjective } from "./trace.js";
import { unsafeGraphReason } from "./validate-graph.js";

/** Options of `compileObjective`. */
export interface CompileOptions {
  /** The inputs that get gradients (default: all), in the order of `valueAndGrad`'s `grads`. */
  wrt?: readonly number[];
  /** A name for messages (default "objective"). */
  name?: string;
  /**
   * Where to trace and check (default: fixed values in [0.3, 0.7]). Give a point where the
   * objective is finite, such as the initial point: the check is blind where it is not.
   */
  at?: readonly Float64Array[];
}

/** What compilation did, for logs and diagnostics. */
export interface CompileReport {
  /** Kernels recorded while tracing value and gradient, by name. */
  readonly recorded: Readonly<Record<string, number>>;
  /** Nodes left after the passes (kernels and constants). */
  readonly nodes: number;
  /** Characters of emitted source (value and gradient). */
  readonly sourceLength: number;
  /** Milliseconds spent, tracing included. */
  readonly milliseconds: number;
}

/** A compiled objective, or why there is none (the caller falls back to eager tfjs). */
export type CompileResult =
  | { ok: true; compiled: CompiledObjective; report: CompileReport }
  | { ok: false; reason: string };

/**
 * Compiles a scalar tfjs function of placeholders of the given shapes into float64
 * JavaScript for its value and gradient.
 *
 * @example
 * const result = compileObjective((x) => tf.sum(tf.square(x)), [[3]]);
 * if (result.ok) {
 *   const grad = new Float64Array(3);
 *   result.compiled.valueAndGrad([Float64Array.of(1, 2, 3)], [grad]); // 14; grad = [2, 4, 6]
 * } else {
 *   console.warn(`compiled engine unavailable: ${result.reason}`);
 * }
 */
export function compileObjective(
  fn: (...inputs: tf.Tensor[]) => tf.Tensor,
  inputShapes: readonly (readonly number[])[],
  options: CompileOptions = {},
): CompileResult {
  const name = options.name ?? "objective";
  const shapes = inputShapes.map((shape, i) => checkShape(name, shape, i));
  const wrt = (options.wrt ?? shapes.map((_, i) => i)).slice();
  for (const i of wrt) {
    if (!Number.isInteger(i) || i < 0 || i >= shapes.length) {
      throw new RangeError(
        `compileObjective(${name}): wrt index ${i} is not an input (0..${shapes.length - 1})`,
      );
    }
  }
  const at =
    options.at?.map((x) => Float64Array.from(x)) ??
    shapes.map((shape, i) => defaultPoint(shape, i));
  if (at.length !== shapes.length) {
    throw new RangeError(
      `compileObjective(${name}): at has ${at.length} inputs, the objective ${shapes.length}`,
    );
  }
  at.forEach((x, i) => {
    if (x.length !== sizeOf(shapes[i])) {
      throw new RangeError(
        `compileObjective(${name}): at[${i}] has ${x.length} values, input ${i} needs ${sizeOf(shapes[i])}`,
      );
    }
  });

  const started = performance.now();
  // Validation reads no tensor while tracing: a read of a value computed from the inputs would
  // make the trace unusable (parameters given as numbers are still checked).
  const traced = withoutTensorValidation(() => traceObjective(fn, shapes, wrt, at));
  if (!traced.ok) return fail(name, traced.reason);
  const trace = traced.trace;
  const unsupported = unsupportedReason(trace.graph);
  if (unsupported !== undefined) return fail(name, unsupported);
  const unsafe = unsafeGraphReason(trace.graph);
  if (unsafe !== undefined) return fail(name, unsafe);
  try {
    const optimized = optimize(trace.graph);
    const graph = fuseScanLoops(optimized);
    const mismatch = checkAgainstTrace(graph, trace);
    if (mismatch !== undefined) return fail(name, mismatch);
    const valueGraph = fuseScanLoops(
      eliminateDeadNodes({ ...optimized, outputs: [optimized.outputs[0]] }),
    );
    const artifact: CompiledArtifact = {
      kind: "tyche.compiled-objective",
      version: 1,
      name,
      inputShapes: shapes,
      wrt,
      valueAndGrad: emitProgram(graph),
      value: emitProgram(valueGraph),
    };
    const compiled = wrap(
      artifact,
      instantiate(artifact.valueAndGrad),
      instantiate(artifact.value),
    );
    compiled.valueAndGrad(
      at,
      wrt.map((i) => new Float64Array(sizeOf(shapes[i]))),
    );
    const report: CompileReport = {
      recorded: kernelCounts(trace.graph),
      nodes: graph.nodes.length,
      sourceLength: artifact.valueAndGrad.source.length,
      milliseconds: performance.now() - started,
    };
    return { ok: true, compiled, report };
  } catch (error) {
    return fail(name, `compilation failed: ${(error as Error).message}`);
  }
}

function fail(name: string, reason: string): CompileResult {
  return { ok: false, reason: `${name}: ${reason}` };
}

function checkShape(name: string, shape: readonly number[], i: number): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new TypeError(
      `compileObjective(${name}): input shape ${i} must be a list of sizes, got ${JSON.stringify(shape)}`,
    );
  }
  return shape.slice();
}

/**
 * Fixed pseudo-random values in [0.3, 0.7]: nonzero, positive, away from the usual singular
 * points, and without the arithmetic structure of evenly spaced values (which makes maxima
 * over broadcast inputs tie).
 */
function defaultPoint(shape: readonly number[], input: number): Float64Array {
  let state = (0x9e3779b9 * (input + 1)) >>> 0;
  return Float64Array.from({ length: sizeOf(shape) }, () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    state ^= state >>> 13;
    return 0.3 + (0.4 * (state >>> 0)) / 4294967296;
  });
}
