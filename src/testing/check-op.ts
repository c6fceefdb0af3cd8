/**
 * `checkOp`: a custom op's derivative rule against central finite differences over random
 * inputs. Each input comes from a fast-check arbitrary; `checkGrad` (src/custom-vjp) compares
 * the rule with differences of the op's float64 forward at each generated input, and a
 * failure is shrunk to the simplest input that still fails (with `readableDouble` inputs:
 * values like 2, 0.5, 0).
 */
import fc from "fast-check";
import { type CheckGradOptions, checkGrad } from "../custom-vjp/check-grad.js";
import type { Op } from "../custom-vjp/define-op.js";
import { normal, PRNGKey } from "../primitives/prng.js";
import { type ArrayLike, flatten, readFloat64, tf } from "../tf.js";
import { broadcastShapes, broadcastTo } from "../util/shapes.js";
import {
  formatTolerance,
  type PropertyCheckResult,
  type PropertyFailure,
  propertyCheckResult,
} from "./check-result.js";
import { formatNumber, formatValue } from "./distribution-case.js";
import { Counterexample, errorMessage, runProperty } from "./property-runner.js";

/** Options of `checkOp`: those of `checkGrad`, and how many inputs to try. */
export interface CheckOpOptions extends Pick<CheckGradOptions, "eps" | "rtol" | "atol"> {
  /** Inputs to try (default 50). */
  readonly numRuns?: number;
  /** fast-check's seed (default 0). */
  readonly seed?: number;
}

/** What `checkOp` found. */
export interface OpCheckResult extends PropertyCheckResult {
  /** The shrunk failing inputs by name, when the check failed. */
  readonly counterexample?: Readonly<Record<string, ArrayLike>>;
}

/**
 * Input arbitraries: one per input, in the op's input order or by input name; or one
 * arbitrary of the whole input tuple, for inputs that constrain each other (a < b).
 */
export type OpInputArbitraries =
  | readonly fc.Arbitrary<ArrayLike>[]
  | Readonly<Record<string, fc.Arbitrary<ArrayLike>>>
  | fc.Arbitrary<readonly ArrayLike[]>;

/**
 * Checks an op's derivative rule against central differences at inputs drawn from
 * `inputs` (one arbitrary per op input), shrinking a failure to the simplest input.
 *
 * @example
 * import * as testing from "tyche/testing";
 * const r = testing.checkOp(keplerE, {
 *   M: testing.readableDouble({ min: -3, max: 3 }),
 *   e: testing.readableDouble({ min: 0, max: 0.9 }),
 * });
 * expect(r.ok, r.report).toBe(true);
 */
export function checkOp(
  op: Op,
  inputs: OpInputArbitraries,
  options: CheckOpOptions = {},
): OpCheckResult {
  const definition = op.definition;
  const names = definition.inputNames;
  const tuple =
    inputs instanceof fc.Arbitrary
      ? inputs
      : fc.tuple(...perInputArbitraries(definition.name, names, inputs));
  const named = tuple.map((values) => {
    if (values.length !== names.length) {
      throw new RangeError(
        `checkOp(${definition.name}): expected ${names.length} inputs (${names.join(", ")}), got ${values.length}`,
      );
    }
    const record: Record<string, ArrayLike> = {};
    names.forEach((n, i) => {
      record[n] = values[i];
    });
    const text = describeInputs(record);
    Object.defineProperty(record, fc.toStringMethod, { value: () => text, enumerable: false });
    return record;
  });
  const outcome = runProperty(
    named,
    (record) => {
      const values = names.map((n) => record[n]);
      const output = forwardValues(op, values);
      const bad = output.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) {
        throw new Counterexample(
          `the op's value is ${output[bad]} (output element ${bad}); the arbitraries reach outside the op's domain, or its forward pass fails there`,
        );
      }
      const r = checkGrad(op, values, { eps: options.eps, rtol: options.rtol, atol: options.atol });
      if (!r.ok) {
        const w = r.worst;
        const input = values[names.indexOf(w.input)];
        // checkGrad differentiates sum_k c_k y_k for a random cotangent c; where output k is
        // input element k alone (elementwise, same size), c_k divides out to dy_k/dx_k.
        const weight = cotangentWeight(op, input, output.length, w.index);
        const what =
          weight === undefined
            ? `the derivative of sum_k c_k ${definition.name}_k (c a random cotangent, as checkGrad uses) with respect to ${w.input}${inputIndex(input, w.index)}`
            : `d${definition.name}/d${w.input}${inputIndex(input, w.index)}`;
        const scale = weight ?? 1;
        throw new Counterexample(
          `${what} is ${formatNumber(w.analytic / scale)} by the rule but ${formatNumber(w.numeric / scale)} by central differences (relative error ${w.relError.toExponential(2)} > ${formatTolerance(r.rtol)})`,
          w.input,
        );
      }
    },
    { numRuns: options.numRuns ?? 50, seed: options.seed ?? 0 },
  );
  const subject = `checkOp(${definition.name})`;
  const checks = [
    { name: "derivative rule matches central differences", ok: outcome.ok, runs: outcome.runs },
  ];
  const failures: PropertyFailure[] = [];
  let counterexample: Record<string, ArrayLike> | undefined;
  if (!outcome.ok && outcome.counterexample !== undefined) {
    counterexample = outcome.counterexample;
    failures.push({
      check: "derivative rule",
      site: outcome.error instanceof Counterexample ? outcome.error.site : undefined,
      siteKind: "input",
      input: describeInputs(outcome.counterexample),
      message: errorMessage(outcome.error),
      shrunkFrom: outcome.original === undefined ? undefined : describeInputs(outcome.original),
      numShrinks: outcome.numShrinks,
    });
  }
  return { ...propertyCheckResult(subject, checks, failures), counterexample };
}

/** One arbitrary per input, from an array in input order or a record by input name. */
function perInputArbitraries(
  op: string,
  names: readonly string[],
  inputs: readonly fc.Arbitrary<ArrayLike>[] | Readonly<Record<string, fc.Arbitrary<ArrayLike>>>,
): fc.Arbitrary<ArrayLike>[] {
  const arbitraries = Array.isArray(inputs)
    ? (inputs as readonly fc.Arbitrary<ArrayLike>[])
    : names.map((n) => {
        const a = (inputs as Record<string, fc.Arbitrary<ArrayLike>>)[n];
        if (a === undefined) {
          throw new RangeError(
            `checkOp(${op}): no arbitrary for the input "${n}"; the op's inputs are ${names.join(", ")}`,
          );
        }
        return a;
      });
  if (arbitraries.length !== names.length) {
    throw new RangeError(
      `checkOp(${op}): expected ${names.length} arbitraries (${names.join(", ")}), got ${arbitraries.length}`,
    );
  }
  return [...arbitraries];
}

/** "M=2, e=0". */
function describeInputs(record: Readonly<Record<string, ArrayLike>>): string {
  return Object.entries(record)
    .map(([n, v]) => `${n}=${formatValue(v instanceof tf.Tensor ? Array.from(readFloat64(v)) : v)}`)
    .join(", ");
}

/** The cotangent weight of output `index` when that output depends on input element `index` alone. */
function cotangentWeight(
  op: Op,
  input: ArrayLike,
  outputSize: number,
  index: number,
): number | undefined {
  const size = input instanceof tf.Tensor ? input.size : flatten(input).values.length;
  if (!op.definition.elementwise || size !== outputSize) return undefined;
  return normal(PRNGKey(0), outputSize)[index];
}

/** "" for a scalar input, "[3]" for element 3 of an array. */
function inputIndex(value: ArrayLike, index: number): string {
  return typeof value === "number" ? "" : `[${index}]`;
}

/** The op's float64 forward at the inputs (broadcast first, for elementwise ops). */
function forwardValues(op: Op, inputs: readonly ArrayLike[]): Float64Array {
  const definition = op.definition;
  const flat = inputs.map((x) =>
    x instanceof tf.Tensor ? { values: readFloat64(x), shape: x.shape } : flatten(x),
  );
  const shapes = flat.map((f) => f.shape.slice());
  if (!definition.elementwise) {
    return definition.forward(
      flat.map((f) => Float64Array.from(f.values)),
      shapes,
    );
  }
  const out = broadcastShapes(...shapes);
  return definition.forward(
    flat.map((f, i) => broadcastTo(Float64Array.from(f.values), shapes[i], out)),
    shapes.map(() => out),
  );
}
