/**
 * `DistributionCase`: a family with generated parameters, printed readably in fast-check
 * counterexamples ("Gamma(concentration=0.001, rate=2)"), and the helpers the family
 * arbitraries share: parameter kinds resolved against the user's ranges, and batching of
 * scalar parameter records into arrays of a batch shape.
 */
import fc from "fast-check";
import type { Distribution } from "../dist/distribution.js";
import type { NestedNumbers } from "../tf.js";
import {
  type ParameterKind,
  type ParameterRange,
  parameterArbitrary,
} from "./parameter-arbitraries.js";

/** A family with parameters: `make()` builds the distribution. */
export interface DistributionCase {
  /** The family's constructor name: "Normal". */
  readonly family: string;
  /** Parameters by name, as given to the constructor (numbers or nested arrays). */
  readonly params: Readonly<Record<string, unknown>>;
  /** A fresh distribution with these parameters. */
  make(): Distribution;
}

/** Options shared by every family arbitrary. */
export interface DistributionArbitraryOptions {
  /** Batch shape of the parameters (default [], scalars). */
  readonly batchShape?: readonly number[];
  /** Ranges per parameter kind, overriding the family's defaults. */
  readonly ranges?: Partial<Record<ParameterKind, ParameterRange>>;
  /** Draw from edge regions (default true); false turns them off for every kind. */
  readonly edges?: boolean;
  /** Event size of vector families, and dimension of matrix ones (default 2 to 4). */
  readonly dimension?: number;
}

/** Formats a parameter value for reports: numbers with up to 6 significant digits. */
export function formatValue(value: unknown): string {
  if (typeof value === "number") return formatNumber(value);
  if (Array.isArray(value)) return `[${value.map(formatValue).join(", ")}]`;
  if (value instanceof Float64Array || value instanceof Float32Array)
    return formatValue(Array.from(value));
  if (value !== null && typeof value === "object") {
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${k}: ${formatValue(v)}`)
      .join(", ")} }`;
  }
  return String(value);
}

/** A number with at most 6 significant digits (exact values like 0.5 stay as they are). */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x) || Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(6)));
}

/**
 * A case for `family` with `params`, built by `make`, printed as "Family(name=value, ...)".
 *
 * @example
 * const c = distributionCase("Normal", { loc: 0, scale: 2 }, (p) => Normal(p.loc, p.scale));
 * String(c); // "Normal(loc=0, scale=2)"
 */
export function distributionCase<P extends Record<string, unknown>>(
  family: string,
  params: P,
  make: (params: P) => Distribution,
): DistributionCase {
  const text = `${family}(${Object.entries(params)
    .map(([name, v]) => `${name}=${formatValue(v)}`)
    .join(", ")})`;
  return {
    family,
    params,
    make: () => make(params),
    toString: () => text,
    [fc.toStringMethod]: () => text,
  } as DistributionCase;
}

/** The arbitrary of a parameter of `kind`, with the family's defaults and the user's ranges. */
export function kindArbitrary(
  kind: ParameterKind,
  options: DistributionArbitraryOptions,
  familyDefaults: ParameterRange = {},
): fc.Arbitrary<number> {
  const user = options.ranges?.[kind] ?? {};
  const edges = options.edges === false ? false : (user.edges ?? familyDefaults.edges);
  return parameterArbitrary(kind, { ...familyDefaults, ...user, edges });
}

/** Reshapes row-major values to nested arrays of `shape` (a number for shape []). */
export function nest(values: readonly number[], shape: readonly number[]): NestedNumbers {
  if (shape.length === 0) return values[0];
  const [first, ...rest] = shape;
  const size = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: first }, (_, i) =>
    nest(values.slice(i * size, (i + 1) * size), rest),
  ) as NestedNumbers;
}

/**
 * Records of scalar parameters, one per element of `batchShape`, as one record of nested
 * arrays of that shape (fields of the same record stay related, e.g. low < high).
 *
 * @example
 * batched(fc.record({ low: fc.double(), width: fc.double() }), [3]); // { low: [..3], width: [..3] }
 */
export function batched<T extends Record<string, number>>(
  record: fc.Arbitrary<T>,
  batchShape: readonly number[],
): fc.Arbitrary<{ [K in keyof T]: NestedNumbers }> {
  if (batchShape.length === 0) return record;
  const size = batchShape.reduce((a, b) => a * b, 1);
  return fc.array(record, { minLength: size, maxLength: size }).map((rows) => {
    const out: Record<string, NestedNumbers> = {};
    for (const key of Object.keys(rows[0] ?? {})) {
      out[key] = nest(
        rows.map((r) => r[key]),
        batchShape,
      );
    }
    return out as { [K in keyof T]: NestedNumbers };
  });
}

/**
 * Vectors of `length` from an element arbitrary, batched to `[...batchShape, length]`.
 *
 * @example
 * vectors(fc.double({ min: 0, max: 1 }), 3, [2]); // 2 x 3 nested arrays
 */
export function vectors(
  element: fc.Arbitrary<number>,
  length: number,
  batchShape: readonly number[],
): fc.Arbitrary<NestedNumbers> {
  const size = batchShape.reduce((a, b) => a * b, 1) * length;
  return fc
    .array(element, { minLength: size, maxLength: size })
    .map((values) => nest(values, [...batchShape, length]));
}

/** The event size of a vector family: `options.dimension`, or 2 to 4. */
export function dimensionArbitrary(options: DistributionArbitraryOptions): fc.Arbitrary<number> {
  return options.dimension === undefined
    ? fc.integer({ min: 2, max: 4 })
    : fc.constant(options.dimension);
}
