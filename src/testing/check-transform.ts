/**
 * `checkTransform`: the laws every bijector must obey, as fast-check properties.
 *
 * - shapes: forward(x) has forwardShape(x.shape), inverse(y) has inverseShape(y.shape), the
 *   two shape maps invert each other, and logAbsDetJacobian has the batch shape (x's shape
 *   without the domain's event dims);
 * - codomain: forward(x) lies in the codomain;
 * - round trips: inverse(forward(x)) = x, and forward(inverse(y)) = y for y drawn in the
 *   codomain (tfjs, float32 tolerances); in float64 too where forwardF64/inverseF64 exist;
 * - log|det|: logAbsDetJacobian(x, y), summed, equals log|det| of the numerical Jacobian of
 *   forward (fourth-order central differences in float64) between the free coordinates of
 *   domain and codomain: all but the last entry of a simplex, the lower triangle of a
 *   Cholesky factor or a positive definite matrix, the strictly lower one of a correlation
 *   Cholesky factor.
 *
 * Domain points come from `arbitraryValueIn(domain)` within the image of [-radius, radius]
 * (default 3), so failures shrink to readable points.
 */
import { type Constraint, IndependentConstraint } from "../dist/constraints.js";
import { ComposeTransform, IndependentTransform, type Transform } from "../dist/transforms.js";
import { constant, type NestedNumbers, readFloat64, tf, tidyValue } from "../tf.js";
import { formatShape, sizeOf } from "../util/shapes.js";
import {
  type CheckSummary,
  formatTolerance,
  type PropertyCheckResult,
  type PropertyFailure,
  propertyCheckResult,
} from "./check-result.js";
import { formatNumber, formatValue } from "./distribution-case.js";
import { logAbsDet, numericalJacobian } from "./finite-differences.js";
import { Counterexample, errorMessage, runProperty } from "./property-runner.js";
import { arbitraryValueIn } from "./support-arbitrary.js";

/** Options of `checkTransform`. */
export interface CheckTransformOptions {
  /** Shape of the input x (default [2, 3] for scalar and vector domains, [2, 3, 3] for matrix ones). */
  readonly inputShape?: readonly number[];
  /** Inputs per law (default 25). */
  readonly numRuns?: number;
  /** fast-check's seed (default 0). */
  readonly seed?: number;
  /** Domain points lie in the image of [-radius, radius] under bijectTo(domain) (default 3). */
  readonly radius?: number;
  /** Relative tolerance of the float32 round trips (default 2e-4). */
  readonly roundTripTolerance?: number;
  /** Relative tolerance of log|det| against the numerical Jacobian (default 2e-4). */
  readonly logDetTolerance?: number;
  /** The transform's name in reports (default its `name`, with the parts of a composition). */
  readonly name?: string;
}

/** What `checkTransform` found. */
export type TransformCheckResult = PropertyCheckResult;

/** "compose(sigmoid, affine)". */
function transformName(t: Transform): string {
  if (t instanceof ComposeTransform) return `compose(${t.parts.map(transformName).join(", ")})`;
  if (t instanceof IndependentTransform)
    return `independent(${transformName(t.base)}, ${t.reinterpreted})`;
  return t.name;
}

function baseOf(c: Constraint): Constraint {
  return c instanceof IndependentConstraint ? baseOf(c.base) : c;
}

/**
 * Row-major indices of the free coordinates of values of `shape` in `constraint`'s set:
 * the coordinates that vary independently inside it.
 *
 * @example
 * freeCoordinates(constraints.simplex, [3]); // [0, 1]: the last entry is 1 minus the others
 */
export function freeCoordinates(constraint: Constraint, shape: readonly number[]): number[] {
  const name = baseOf(constraint).name;
  const size = sizeOf(shape);
  const all = Array.from({ length: size }, (_, i) => i);
  if (name === "simplex") {
    const k = shape[shape.length - 1];
    return all.filter((i) => i % k !== k - 1);
  }
  if (name === "lowerCholesky" || name === "positiveDefinite" || name === "correlationCholesky") {
    const d = shape[shape.length - 1];
    const strict = name === "correlationCholesky";
    return all.filter((i) => {
      const row = Math.floor(i / d) % d;
      const col = i % d;
      return strict ? col < row : col <= row;
    });
  }
  return all;
}

/** Restores the dependent coordinates of a perturbed point of `constraint`'s set. */
function completion(constraint: Constraint, shape: readonly number[]): (x: Float64Array) => void {
  const name = baseOf(constraint).name;
  const last = shape[shape.length - 1];
  if (name === "simplex") {
    return (x) => {
      for (let start = 0; start < x.length; start += last) {
        let sum = 0;
        for (let j = 0; j < last - 1; j++) sum += x[start + j];
        x[start + last - 1] = 1 - sum;
      }
    };
  }
  if (name === "positiveDefinite") {
    return (x) => {
      for (let start = 0; start < x.length; start += last * last) {
        for (let i = 0; i < last; i++)
          for (let j = i + 1; j < last; j++) x[start + i * last + j] = x[start + j * last + i];
      }
    };
  }
  return () => {};
}

function flatOf(value: NestedNumbers, shape: readonly number[]): Float64Array {
  return tidyValue(() => readFloat64(tf.reshape(constant(value), [...shape])));
}

/**
 * Checks the bijector laws of a transform and returns a result with `ok` and a `report`
 * naming each broken law, the (shrunk) input and the numbers that disagree.
 *
 * @example
 * import { StickBreakingTransform } from "tyche";
 * import * as testing from "tyche/testing";
 * const r = testing.checkTransform(StickBreakingTransform());
 * expect(r.ok, r.report).toBe(true);
 */
export function checkTransform(
  t: Transform,
  options: CheckTransformOptions = {},
): TransformCheckResult {
  const name = options.name ?? transformName(t);
  const eventRank = Math.max(t.domain.eventDim, 1);
  const inputShape = options.inputShape ?? [2, ...new Array(eventRank).fill(3)];
  const radius = options.radius ?? 3;
  const run = { numRuns: options.numRuns ?? 25, seed: options.seed ?? 0 };
  const roundTol = options.roundTripTolerance ?? 2e-4;
  const logDetTol = options.logDetTolerance ?? 2e-4;
  const checks: CheckSummary[] = [];
  const failures: PropertyFailure[] = [];
  const subject = `checkTransform(${name})`;

  let outputShape: number[];
  try {
    outputShape = t.forwardShape(inputShape);
  } catch (e) {
    const message = `forwardShape(${formatShape(inputShape)}) threw: ${errorMessage(e)}; give options.inputShape`;
    checks.push({ name: "shapes", ok: false, runs: 0 });
    failures.push({ check: "shapes", input: `shape ${formatShape(inputShape)}`, message });
    return propertyCheckResult(subject, checks, failures);
  }
  const batchRank = inputShape.length - t.domain.eventDim;
  const domainPoints = arbitraryValueIn(t.domain, inputShape, { radius });
  const codomainPoints = arbitraryValueIn(t.codomain, outputShape, { radius });
  const law = (
    lawName: string,
    points: typeof domainPoints,
    shape: readonly number[],
    predicate: (x: Float64Array, value: NestedNumbers) => void,
  ) => {
    const outcome = runProperty(points, (value) => predicate(flatOf(value, shape), value), run);
    checks.push({ name: lawName, ok: outcome.ok, runs: outcome.runs });
    if (outcome.ok || outcome.counterexample === undefined) return;
    failures.push({
      check: lawName,
      site: outcome.error instanceof Counterexample ? outcome.error.site : undefined,
      siteKind: "coordinate",
      input: `${formatValue(outcome.counterexample)} (shape ${formatShape(shape)})`,
      message: errorMessage(outcome.error),
      shrunkFrom: outcome.original === undefined ? undefined : formatValue(outcome.original),
      numShrinks: outcome.numShrinks,
    });
  };
  const close = (a: number, b: number, rtol: number) =>
    Math.abs(a - b) <= rtol * Math.max(1, Math.abs(b));

  law("shapes", domainPoints, inputShape, (x) => {
    const found = tidyValue(() => {
      const xt = tf.tensor(Array.from(x), [...inputShape]);
      const y = t.forward(xt);
      return {
        y: y.shape,
        back: t.inverse(y).shape,
        ld: t.logAbsDetJacobian(xt, y).shape,
      };
    });
    const expected = { y: outputShape, back: [...inputShape], ld: inputShape.slice(0, batchRank) };
    const inverseShape = t.inverseShape(outputShape);
    const problems: string[] = [];
    if (formatShape(found.y) !== formatShape(expected.y))
      problems.push(
        `forward gives shape ${formatShape(found.y)}, forwardShape says ${formatShape(expected.y)}`,
      );
    if (formatShape(inverseShape) !== formatShape(inputShape))
      problems.push(
        `inverseShape(forwardShape(${formatShape(inputShape)})) is ${formatShape(inverseShape)}`,
      );
    if (formatShape(found.back) !== formatShape(expected.back))
      problems.push(
        `inverse(forward(x)) has shape ${formatShape(found.back)}, x has ${formatShape(inputShape)}`,
      );
    if (formatShape(found.ld) !== formatShape(expected.ld))
      problems.push(
        `logAbsDetJacobian has shape ${formatShape(found.ld)}, the batch shape is ${formatShape(expected.ld)}`,
      );
    if (problems.length > 0) throw new Counterexample(problems.join("; "));
  });

  law("forward lands in the codomain", domainPoints, inputShape, (x) => {
    const { values, ok } = tidyValue(() => {
      const y = t.forward(tf.tensor(Array.from(x), [...inputShape]));
      const inside = t.codomain.check(y);
      return { values: Array.from(y.dataSync()), ok: Array.from(inside.dataSync()) };
    });
    const bad = ok.findIndex((v) => v !== 1);
    if (bad >= 0) {
      throw new Counterexample(
        `forward(x) = ${formatValue(values.slice(0, 12))} is not ${t.codomain.describe()} (block ${bad})`,
      );
    }
  });

  law("inverse(forward(x)) = x", domainPoints, inputShape, (x) => {
    const back = tidyValue(() =>
      Array.from(t.inverse(t.forward(tf.tensor(Array.from(x), [...inputShape]))).dataSync()),
    );
    const i = back.findIndex((v, k) => !close(v, x[k], roundTol));
    if (i >= 0) {
      throw new Counterexample(
        `x[${i}] = ${formatNumber(x[i])} comes back as ${formatNumber(back[i])} (tolerance ${formatTolerance(roundTol)} relative)`,
        String(i),
      );
    }
    const y64 = t.forwardF64(x, inputShape);
    const back64 = y64 === undefined ? undefined : t.inverseF64(y64, outputShape);
    if (back64 !== undefined) {
      const j = Array.from(back64).findIndex((v, k) => !close(v, x[k], 1e-8));
      if (j >= 0) {
        throw new Counterexample(
          `in float64, x[${j}] = ${formatNumber(x[j])} comes back as ${back64[j]} from inverseF64(forwardF64(x))`,
          String(j),
        );
      }
    }
  });

  law("forward(inverse(y)) = y", codomainPoints, outputShape, (y) => {
    const again = tidyValue(() =>
      Array.from(t.forward(t.inverse(tf.tensor(Array.from(y), outputShape))).dataSync()),
    );
    const i = again.findIndex((v, k) => !close(v, y[k], roundTol));
    if (i >= 0) {
      throw new Counterexample(
        `y[${i}] = ${formatNumber(y[i])} comes back as ${formatNumber(again[i])} (tolerance ${formatTolerance(roundTol)} relative)`,
        String(i),
      );
    }
  });

  const inputs = freeCoordinates(t.domain, inputShape);
  const outputs = freeCoordinates(t.codomain, outputShape);
  if (inputs.length !== outputs.length) {
    checks.push({
      name: "log|det J| matches a numerical Jacobian",
      ok: false,
      runs: 0,
    });
    failures.push({
      check: "log|det J|",
      input: `shape ${formatShape(inputShape)}`,
      message: `the domain has ${inputs.length} free coordinates but the codomain ${outputs.length}; the Jacobian is not square (is inputShape right?)`,
    });
  } else {
    const float64 = t.forwardF64(new Float64Array(sizeOf(inputShape)), inputShape) !== undefined;
    const forward = (x: Float64Array): Float64Array =>
      t.forwardF64(x, inputShape) ??
      tidyValue(() => readFloat64(t.forward(tf.tensor(Array.from(x), [...inputShape]))));
    const complete = completion(t.domain, inputShape);
    law(
      `log|det J| matches a numerical Jacobian${float64 ? "" : " (float32 forward)"}`,
      domainPoints,
      inputShape,
      (x) => {
        const claimed = tidyValue(() => {
          const xt = tf.tensor(Array.from(x), [...inputShape]);
          return tf.sum(t.logAbsDetJacobian(xt, t.forward(xt))).dataSync()[0];
        });
        const jacobian = numericalJacobian(
          forward,
          x,
          inputs,
          outputs,
          float64 ? 1e-5 : 1e-2,
          complete,
        );
        const expected = logAbsDet(jacobian);
        const tolerance = float64 ? logDetTol : Math.max(logDetTol, 2e-2);
        if (!close(claimed, expected, tolerance)) {
          throw new Counterexample(
            `logAbsDetJacobian sums to ${formatNumber(claimed)} but log|det| of the numerical Jacobian is ${formatNumber(expected)} (tolerance ${formatTolerance(tolerance)} relative)`,
          );
        }
      },
    );
  }
  return propertyCheckResult(subject, checks, failures);
}
