/**
 * `checkGrad`: a derivative rule against central finite differences.
 */
import { normal, PRNGKey } from "../primitives/prng.js";
import { type ArrayLike, constant, flatten, readFloat64, tf, tidyValue } from "../tf.js";
import { broadcastTo, sumTo } from "../util/shapes.js";
import type { Op } from "./define-op.js";
import type { OpDefinition } from "./registry.js";

/** Options of `checkGrad`. */
export interface CheckGradOptions {
  /** Relative step of the central differences (default 1e-6 for ops, 1e-2 for tfjs functions). */
  eps?: number;
  /** Largest relative error that passes (default 1e-5 for ops, 2e-2 for tfjs functions). */
  rtol?: number;
  /** Absolute floor of the relative error's denominator (default 1e-8). */
  atol?: number;
  /** Throw a GradientCheckError when the check fails. */
  throwOnFailure?: boolean;
  /** Seed of the random cotangent (default 0). */
  seed?: number;
}

/** The worst element found by `checkGrad`. */
export interface GradCheckWorst {
  input: string;
  index: number;
  analytic: number;
  numeric: number;
  relError: number;
}

/** What `checkGrad` found. */
export interface GradCheckResult {
  ok: boolean;
  /** The largest relative error over every input element. */
  maxRelError: number;
  worst: GradCheckWorst;
  rtol: number;
  /** A one-paragraph account naming the op, the input, the element and both numbers. */
  report: string;
}

/**
 * A derivative rule that disagrees with finite differences.
 *
 * @example
 * const square = defineOp({
 *   name: "squareWithWrongRule",
 *   inputs: ["x"],
 *   forward: ([x]) => x.map((v) => v * v),
 *   vjp: ([x], _shapes, _y, dy) => [x.map((v, i) => v * dy[i])], // should be 2 v dy
 * });
 * try {
 *   checkGrad(square, [[0.5, 2]], { throwOnFailure: true });
 * } catch (error) {
 *   if (error instanceof GradientCheckError) console.log(error.result.report);
 * }
 */
export class GradientCheckError extends Error {
  readonly _tag = "GradientCheckError";
  constructor(readonly result: GradCheckResult) {
    super(result.report);
    this.name = "GradientCheckError";
  }
}

/**
 * Compares the derivative rule of a custom op (in float64, through its `vjp`), or the tfjs
 * gradient of a function (in float32), with central finite differences at `inputs`. Inputs
 * whose rule returns null (declared not differentiable, such as data) are skipped.
 *
 * @example
 * const r = checkGrad(keplerE, [[0.3, 1.2], [0.1, 0.5]]);
 * r.ok; // false for a wrong rule, with r.report naming the input and element
 */
export function checkGrad(
  opOrFn: Op | ((...inputs: tf.Tensor[]) => tf.Tensor),
  inputs: ArrayLike[],
  options: CheckGradOptions = {},
): GradCheckResult {
  const isOp = "definition" in opOrFn;
  const rtol = options.rtol ?? (isOp ? 1e-5 : 2e-2);
  const eps = options.eps ?? (isOp ? 1e-6 : 1e-2);
  const atol = options.atol ?? 1e-8;
  const values = inputs.map((x) => (x instanceof tf.Tensor ? readFloat64(x) : flatten(x).values));
  const shapes = inputs.map((x) => (x instanceof tf.Tensor ? x.shape.slice() : shapeOfInput(x)));
  const name = isOp ? (opOrFn as Op).definition.name : opOrFn.name || "function";
  const inputNames = isOp ? (opOrFn as Op).definition.inputNames : inputs.map((_, i) => `x${i}`);
  const evaluate = isOp
    ? opEvaluator((opOrFn as Op).definition, shapes)
    : tfEvaluator(opOrFn as (...inputs: tf.Tensor[]) => tf.Tensor, shapes);

  const precision = isOp ? Number.EPSILON : 2 ** -23;
  const y0 = evaluate.value(values);
  const weights = normal(PRNGKey(options.seed ?? 0), y0.length);
  const analytic = evaluate.vjp(values, y0, weights);
  let worst: GradCheckWorst = {
    input: inputNames[0] ?? "x0",
    index: 0,
    analytic: 0,
    numeric: 0,
    relError: 0,
  };
  values.forEach((x, i) => {
    const rule = analytic[i];
    if (rule === null) return; // declared not differentiable (e.g. data)
    for (let j = 0; j < x.length; j++) {
      const h = eps * Math.max(1, Math.abs(x[j]));
      const saved = x[j];
      x[j] = saved + h;
      const up = dot(evaluate.value(values), weights);
      x[j] = saved - h;
      const down = dot(evaluate.value(values), weights);
      x[j] = saved;
      const numeric = (up - down) / (2 * h);
      const a = rule[j];
      // Rounding noise of the difference quotient: differences below it say nothing.
      const noise = (64 * precision * (Math.abs(up) + Math.abs(down))) / (2 * h);
      const floor = Math.max(atol, noise / rtol);
      const relError = Math.abs(a - numeric) / Math.max(floor, Math.abs(a), Math.abs(numeric));
      if (!(relError <= worst.relError)) {
        worst = { input: inputNames[i], index: j, analytic: a, numeric, relError };
      }
    }
  });
  const ok = worst.relError <= rtol;
  const report = ok
    ? `checkGrad(${name}): ok, worst relative error ${worst.relError.toExponential(2)} <= ${rtol}`
    : `checkGrad(${name}): the derivative rule disagrees with central finite differences: ` +
      `d/d${worst.input}[${worst.index}] is ${worst.analytic} by the rule but ${worst.numeric} numerically ` +
      `(relative error ${worst.relError.toExponential(2)} > ${rtol}) at ${describeInputs(inputNames, values)}`;
  const result: GradCheckResult = { ok, maxRelError: worst.relError, worst, rtol, report };
  if (!ok && options.throwOnFailure) throw new GradientCheckError(result);
  return result;
}

interface Evaluator {
  value(inputs: Float64Array[]): Float64Array;
  /** Cotangents per input; null where the rule declares an input not differentiable. */
  vjp(inputs: Float64Array[], output: Float64Array, dy: Float64Array): Array<Float64Array | null>;
}

function opEvaluator(op: OpDefinition, shapes: number[][]): Evaluator {
  const outShape = op.outputShape(shapes);
  const seen = (inputs: Float64Array[]) =>
    op.elementwise ? inputs.map((v, i) => broadcastTo(v, shapes[i], outShape)) : inputs;
  const seenShapes = op.elementwise ? shapes.map(() => outShape) : shapes;
  return {
    value: (inputs) => op.forward(seen(inputs), seenShapes),
    vjp: (inputs, output, dy) =>
      op.vjp(seen(inputs), seenShapes, output, dy).map((g, i) => {
        if (g === null) return null;
        return op.elementwise ? sumTo(g, outShape, shapes[i]) : g;
      }),
  };
}

function tfEvaluator(fn: (...inputs: tf.Tensor[]) => tf.Tensor, shapes: number[][]): Evaluator {
  const toTensors = (inputs: Float64Array[]) =>
    inputs.map((v, i) => tf.reshape(constant(v), shapes[i]));
  return {
    value: (inputs) => tidyValue(() => readFloat64(fn(...toTensors(inputs)))),
    vjp: (inputs, _output, dy) =>
      tidyValue(() => {
        const w = constant(dy);
        const grads = tf.grads((...xs: tf.Tensor[]) =>
          tf.sum(tf.mul(tf.reshape(fn(...xs), [-1]), w)),
        )(toTensors(inputs));
        return grads.map((g) => readFloat64(g));
      }),
  };
}

function shapeOfInput(x: Exclude<ArrayLike, tf.Tensor>): number[] {
  return flatten(x).shape;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function describeInputs(names: readonly string[], values: Float64Array[]): string {
  return names
    .map((n, i) => {
      const v = values[i];
      const shown = Array.from(v.slice(0, 6), (x) => Number(x.toPrecision(6)));
      return `${n}=[${shown.join(", ")}${v.length > 6 ? ", ..." : ""}]`;
    })
    .join(" ");
}
